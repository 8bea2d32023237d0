// Which TA instances wait for which (GP TA-to-TA), so that a call that would
// wait for itself is refused at once instead of hanging for ever.
//
// A GP TA instance runs one entry point at a time (src/gp_ta/gp_runtime.cpp),
// and a TA blocked in TEE_OpenTASession, TEE_InvokeTACommand or
// TEE_CloseTASession keeps its entry point until the callee answers. If the
// callee, or anything it waits for, then calls the blocked instance, both
// wait for ever: the chain A -> B -> A with A single-instance. capteed's GP
// service sees every TA-to-TA call, so it keeps the wait-for graph: one edge
// caller -> callee per call in flight, a node per loaded TA
// (apps::TaCaller::app_id; a multi-instance TA's every instance is a TA of
// its own). A call whose callee already waits, directly or through others,
// for its caller is refused; the GP service answers TEE_ERROR_BUSY (origin
// TEE), as OP-TEE answers a call into a single-instance TA that is busy
// further up the same chain.
//
// Direct TA-to-TA calls (decision 0028) pass capteed by, so a call that
// comes through capteed brings its call chain (gp_call_chain.hpp): the
// instances that wait, over direct hops, on the caller. For the call's
// duration each of them gets an edge to the caller, never to anyone else,
// so a TA lying in its chain adds edges only into itself.
//
// Thread-safety: thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <span>
#include <utility>
#include <memory>
#include <mutex>
#include <optional>

namespace captee::tee {

class TaCallGraph {
 public:
  // One call in flight: its edges leave the graph when this is destroyed.
  class Edge {
   public:
    // No edge: what a call outside the graph (a client's) holds.
    static Edge none() { return Edge(nullptr); }
    Edge(Edge &&o) noexcept;
    Edge &operator=(Edge &&) = delete;
    Edge(const Edge &) = delete;
    ~Edge();

   private:
    friend class TaCallGraph;
    explicit Edge(TaCallGraph *g) : graph_(g) {}
    TaCallGraph *graph_;  // null once moved from or when no edge was added
    // caller -> callee first, then one per other id of the call's chain.
    std::array<std::pair<uint64_t, uint64_t>, 17> edges_{};
    size_t size_ = 0;
  };

  // The edge caller -> callee for one call, or nullopt when the callee waits
  // (directly or through others) for the caller, or is the caller: that call
  // would never end. A caller or callee of 0 (a normal-world client, a
  // built-in TA that calls no TA) adds no edge and is never refused. The
  // graph must outlive the edge.
  std::optional<Edge> enter(uint64_t caller, uint64_t callee);

  // The same for a call that brings the caller's call chain (at most
  // gp::kMaxCallChain ids; the caller's own id in it is skipped): also
  // nullopt when the callee is in the chain, or reaches the caller once
  // each other id of the chain waits for the caller.
  std::optional<Edge> enter(uint64_t caller, uint64_t callee, std::span<const uint64_t> chain);

  // Calls in flight (edges), for tests.
  size_t size() const;

 private:
  void leave(uint64_t from, uint64_t to);  // under mu_
  // Under mu_: whether `to` is reachable from `from` along the edges.
  bool reaches(uint64_t from, uint64_t to) const;

  mutable std::mutex mu_;
  std::multimap<uint64_t, uint64_t> edges_;  // caller -> callee, one per call in flight
};

}  // namespace captee::tee
