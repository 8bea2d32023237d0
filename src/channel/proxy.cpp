// Proxies (proxy.hpp): their invoke, their release, and the batched release
// messages the last local releases send the peer.
#include <algorithm>

#include "channel_impl.hpp"

namespace captee {
namespace detail {

int32_t proxy_invoke(ObjectCxt h, ObjectOp op, ObjectArg *args, ObjectCounts k) {
  auto *p = static_cast<Proxy *>(h);
  const uint32_t method = ObjectOp_methodID(op);
  if (method == Object_OP_retain || method == Object_OP_release) {
    if (k != 0) {
      return Object_ERROR_INVALID;
    }
    if (method == Object_OP_retain) {
      p->refs.fetch_add(1, std::memory_order_relaxed);
    } else {
      p->ch->release_proxy(p);
    }
    return Object_OK;
  }
  // Local ops are never forwarded; unknown reserved ops are invalid.
  if (ObjectOp_isLocal(op) || (!is_user_method(method) && method != Object_OP_version)) {
    return Object_ERROR_INVALID;
  }
  return p->ch->invoke_remote(p->handle, op, args, k);
}

void ChannelImpl::release_proxy(Proxy *p) {
  // Not the last reference: no lock.
  uint32_t r = p->refs.load(std::memory_order_relaxed);
  while (r > 1) {
    if (p->refs.compare_exchange_weak(r, r - 1, std::memory_order_acq_rel)) {
      return;
    }
  }
  // Perhaps the last: the count reaches zero only under the import table's
  // lock, where import_proxy() finds proxies, so nobody can revive one that
  // is going. (Dropping to zero outside the lock let an import revive the
  // proxy and its new holder release and free it before this thread took
  // the lock: a use after free that fuzz/channel_peer found.)
  uint32_t count = 0;
  if (!imports_.drop_last(p, count)) {
    return;  // imported or retained again meanwhile
  }
  std::shared_ptr<ChannelImpl> self = std::move(p->ch);
  uint32_t handle = p->handle;
  delete p;
  queue_release(handle, count);
  maybe_auto_close();
}

Object ChannelImpl::import_proxy(uint32_t handle) {
  Proxy *p = imports_.import(handle, limits_.max_exports, *this);
  return p != nullptr ? as_object(p) : Object_NULL;
}

Ref ChannelImpl::peer_primordial() {
  if (closed() || !peer_has_primordial_) {
    return {};
  }
  Proxy *p = imports_.primordial(limits_.max_exports, *this);
  return p != nullptr ? Ref::adopt(as_object(p)) : Ref();
}

void ChannelImpl::queue_release(uint32_t handle, uint32_t count) {
  if (closed()) {
    return;
  }
  std::unique_lock lk(rmu_);
  release_queue_.push_back({handle, count});
  if (flushing_) {
    return;  // the thread already flushing takes ours along
  }
  flushing_ = true;
  while (!release_queue_.empty()) {
    std::vector<wire::Message::Release> batch;
    batch.swap(release_queue_);
    lk.unlock();
    for (size_t at = 0; at < batch.size(); at += wire::kMaxBatch) {
      size_t n = std::min<size_t>(wire::kMaxBatch, batch.size() - at);
      wire::Encoded e;
      wire::encode_release(std::span(batch.data() + at, n), e);
      if (!send(e)) {
        break;
      }
    }
    lk.lock();
  }
  flushing_ = false;
}

}  // namespace detail

bool is_remote(Object o) {
  return detail::as_proxy(o) != nullptr;
}

bool close_channel_of(Object o) {
  detail::Proxy *p = detail::as_proxy(o);
  if (p == nullptr) {
    return false;
  }
  p->ch->close();
  return true;
}

}  // namespace captee
