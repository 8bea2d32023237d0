// Proxies: the local stand-ins for the peer's objects (proxy.cpp).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "captee/object.h"

#pragma GCC visibility push(hidden)

namespace captee::detail {

class ChannelImpl;

// One of the peer's objects, as a plain `Object` whose retain and release are
// local; the last local release sends the peer a release (batched when
// several are pending). Lives in its channel's ImportTable.
struct Proxy {
  std::atomic<uint32_t> refs{1};
  std::shared_ptr<ChannelImpl> ch;
  uint32_t handle = 0;
  uint32_t received = 1;  // how many references the peer sent us (guarded by the ImportTable)
};

int32_t proxy_invoke(ObjectCxt h, ObjectOp op, ObjectArg *args, ObjectCounts k);

// A reference to `p` as an Object (the caller's reference; nothing is counted).
inline Object as_object(Proxy *p) {
  return Object{&proxy_invoke, p};
}

// The proxy `o` is, or null if it is no proxy. Borrowed.
inline Proxy *as_proxy(Object o) {
  return o.invoke == &proxy_invoke ? static_cast<Proxy *>(o.context) : nullptr;
}

}  // namespace captee::detail

#pragma GCC visibility pop
