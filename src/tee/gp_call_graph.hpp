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
// Thread-safety: thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

namespace captee::tee {

class TaCallGraph {
 public:
  // One call in flight: its edge leaves the graph when this is destroyed.
  class Edge {
   public:
    // No edge: what a call outside the graph (a client's) holds.
    static Edge none() { return Edge(nullptr, 0, 0); }
    Edge(Edge &&o) noexcept;
    Edge &operator=(Edge &&) = delete;
    Edge(const Edge &) = delete;
    ~Edge();

   private:
    friend class TaCallGraph;
    Edge(TaCallGraph *g, uint64_t from, uint64_t to) : graph_(g), from_(from), to_(to) {}
    TaCallGraph *graph_;  // null once moved from or when no edge was added
    uint64_t from_;
    uint64_t to_;
  };

  // The edge caller -> callee for one call, or nullopt when the callee waits
  // (directly or through others) for the caller, or is the caller: that call
  // would never end. A caller or callee of 0 (a normal-world client, a
  // built-in TA that calls no TA) adds no edge and is never refused. The
  // graph must outlive the edge.
  std::optional<Edge> enter(uint64_t caller, uint64_t callee);

  // Calls in flight (edges), for tests.
  size_t size() const;

 private:
  void leave(uint64_t from, uint64_t to);
  // Under mu_: whether `to` is reachable from `from` along the edges.
  bool reaches(uint64_t from, uint64_t to) const;

  mutable std::mutex mu_;
  std::multimap<uint64_t, uint64_t> edges_;  // caller -> callee, one per call in flight
};

}  // namespace captee::tee
