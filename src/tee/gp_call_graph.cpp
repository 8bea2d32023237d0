#include "gp_call_graph.hpp"

#include <set>
#include <vector>

namespace captee::tee {

TaCallGraph::Edge::Edge(Edge &&o) noexcept : graph_(o.graph_), edges_(o.edges_), size_(o.size_) {
  o.graph_ = nullptr;
}

TaCallGraph::Edge::~Edge() {
  if (graph_ != nullptr) {
    std::lock_guard lock(graph_->mu_);
    for (size_t i = 0; i < size_; ++i) {
      graph_->leave(edges_[i].first, edges_[i].second);
    }
  }
}

std::optional<TaCallGraph::Edge> TaCallGraph::enter(uint64_t caller, uint64_t callee) {
  return enter(caller, callee, {});
}

std::optional<TaCallGraph::Edge> TaCallGraph::enter(uint64_t caller, uint64_t callee,
                                                    std::span<const uint64_t> chain) {
  if (caller == 0 || callee == 0) {
    return Edge::none();
  }
  Edge edge(this);
  std::lock_guard lock(mu_);
  if (caller == callee || chain.size() + 1 > edge.edges_.size()) {
    return std::nullopt;
  }
  for (uint64_t waiter : chain) {
    if (waiter == callee) {
      return std::nullopt;  // the callee already waits, over direct hops, for this call
    }
  }
  // Each other id of the chain waits, through direct hops, for the caller.
  for (uint64_t waiter : chain) {
    if (waiter != caller && waiter != 0) {
      edges_.emplace(waiter, caller);
      edge.edges_[edge.size_++] = {waiter, caller};
    }
  }
  if (reaches(callee, caller)) {
    for (size_t i = 0; i < edge.size_; ++i) {
      leave(edge.edges_[i].first, edge.edges_[i].second);
    }
    edge.graph_ = nullptr;
    return std::nullopt;
  }
  edges_.emplace(caller, callee);
  edge.edges_[edge.size_++] = {caller, callee};
  return edge;
}

size_t TaCallGraph::size() const {
  std::lock_guard lock(mu_);
  return edges_.size();
}

void TaCallGraph::leave(uint64_t from, uint64_t to) {
  auto [lo, hi] = edges_.equal_range(from);
  for (auto it = lo; it != hi; ++it) {
    if (it->second == to) {
      edges_.erase(it);
      return;
    }
  }
}

bool TaCallGraph::reaches(uint64_t from, uint64_t to) const {
  // Mostly the callee waits for nobody: no walk at all.
  if (edges_.find(from) == edges_.end()) {
    return false;
  }
  // Each instance waits for at most a few others at a time: a walk over the
  // few edges in flight.
  std::vector<uint64_t> todo{from};
  std::set<uint64_t> seen{from};
  while (!todo.empty()) {
    const uint64_t n = todo.back();
    todo.pop_back();
    auto [lo, hi] = edges_.equal_range(n);
    for (auto it = lo; it != hi; ++it) {
      if (it->second == to) {
        return true;
      }
      if (seen.insert(it->second).second) {
        todo.push_back(it->second);
      }
    }
  }
  return false;
}

}  // namespace captee::tee
