#include "gp_call_graph.hpp"

#include <set>
#include <vector>

namespace captee::tee {

TaCallGraph::Edge::Edge(Edge &&o) noexcept : graph_(o.graph_), from_(o.from_), to_(o.to_) {
  o.graph_ = nullptr;
}

TaCallGraph::Edge::~Edge() {
  if (graph_ != nullptr) {
    graph_->leave(from_, to_);
  }
}

std::optional<TaCallGraph::Edge> TaCallGraph::enter(uint64_t caller, uint64_t callee) {
  if (caller == 0 || callee == 0) {
    return Edge::none();
  }
  std::lock_guard lock(mu_);
  if (caller == callee || reaches(callee, caller)) {
    return std::nullopt;
  }
  edges_.emplace(caller, callee);
  return Edge(this, caller, callee);
}

size_t TaCallGraph::size() const {
  std::lock_guard lock(mu_);
  return edges_.size();
}

void TaCallGraph::leave(uint64_t from, uint64_t to) {
  std::lock_guard lock(mu_);
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
