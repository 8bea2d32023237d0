#include "captee/gp_call_chain.hpp"

#include <algorithm>
#include <cstring>

namespace captee::gp {

bool CallChain::parse(std::span<const std::byte> wire, CallChain &out) {
  out = CallChain();
  // The length comes from another process: checked before any id is read.
  if (wire.empty() || wire.size() % sizeof(uint64_t) != 0 ||
      wire.size() / sizeof(uint64_t) > kMaxCallChain) {
    return false;
  }
  out.size_ = wire.size() / sizeof(uint64_t);
  std::memcpy(out.ids_.data(), wire.data(), wire.size());  // the buffer need not be aligned
  return true;
}

CallChain CallChain::of(uint64_t id) {
  CallChain c;
  if (id != 0) {
    c.append(id);
  }
  return c;
}

bool CallChain::contains(uint64_t id) const {
  const auto ids = this->ids();
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

bool CallChain::append(uint64_t id) {
  if (full()) {
    return false;
  }
  ids_[size_++] = id;
  return true;
}

}  // namespace captee::gp
