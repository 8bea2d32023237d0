// The export and import tables (handle_table.hpp).
#include "handle_table.hpp"

#include "proxy.hpp"

namespace captee::detail {

// ------------------------------------------------------------------ exports

ExportTable::Entry *ExportTable::validate_handle(uint32_t handle) {
  const uint32_t idx = handle_index(handle);
  if (idx >= entries_.size() || !entries_[idx].live ||
      entries_[idx].gen != handle_generation(handle)) {
    return nullptr;
  }
  return &entries_[idx];
}

int32_t ExportTable::add(Object o, uint32_t max, uint32_t &handle, bool &first) {
  first = false;
  std::lock_guard lk(mu_);
  if (closing_.load(std::memory_order_acquire)) {
    return Object_ERROR_UNAVAIL;
  }
  ObjKey key{reinterpret_cast<void *>(o.invoke), o.context};
  auto it = by_obj_.find(key);
  if (it != by_obj_.end()) {
    Entry &e = entries_[it->second];
    if (e.remote == UINT32_MAX) {
      return Object_ERROR_NOSLOTS;
    }
    ++e.remote;
    handle = make_handle(it->second, e.gen);
    return Object_OK;
  }
  if (live_ >= max) {
    return Object_ERROR_NOSLOTS;
  }
  uint32_t idx;
  if (!free_slots_.empty()) {
    idx = free_slots_.back();
    free_slots_.pop_back();
  } else {
    idx = uint32_t(entries_.size());
    entries_.emplace_back();
  }
  Entry &e = entries_[idx];
  e.gen = uint16_t(e.gen + 1 == 0 ? 1 : e.gen + 1);
  e.obj = o;
  e.remote = 1;
  e.live = true;
  (void)Object_retain(o);
  by_obj_.emplace(key, idx);
  first = live_++ == 0;
  handle = make_handle(idx, e.gen);
  return Object_OK;
}

Object ExportTable::lookup(uint32_t handle) {
  std::lock_guard lk(mu_);
  Entry *e = validate_handle(handle);
  if (e == nullptr) {
    return Object_NULL;
  }
  (void)Object_retain(e->obj);
  return e->obj;
}

bool ExportTable::release(uint32_t handle, uint32_t count, Object &drop) {
  std::lock_guard lk(mu_);
  Entry *e = validate_handle(handle);
  if (e == nullptr) {
    return true;  // already gone (e.g. the connection closed meanwhile)
  }
  if (count > e->remote) {
    return false;
  }
  if ((e->remote -= count) == 0) {
    drop = e->obj;
    by_obj_.erase(ObjKey{reinterpret_cast<void *>(e->obj.invoke), e->obj.context});
    e->obj = Object_NULL;
    e->live = false;
    free_slots_.push_back(handle_index(handle));
    --live_;
  }
  return true;
}

std::vector<Object> ExportTable::take_all() {
  std::vector<Object> taken;
  std::lock_guard lk(mu_);
  for (Entry &e : entries_) {
    if (e.live) {
      taken.push_back(e.obj);
      e = Entry{Object_NULL, e.gen, 0, false};
    }
  }
  by_obj_.clear();
  free_slots_.clear();
  for (uint32_t i = 0; i < entries_.size(); ++i) {
    free_slots_.push_back(i);
  }
  live_ = 0;
  return taken;
}

size_t ExportTable::size() const {
  std::lock_guard lk(mu_);
  return live_;
}

// ------------------------------------------------------------------ imports

Proxy *ImportTable::import_locked(uint32_t handle, uint32_t max, Owner &owner) {
  auto it = proxies_.find(handle);
  if (it != proxies_.end()) {
    Proxy *p = it->second;
    if (p->received == UINT32_MAX) {
      return nullptr;
    }
    p->refs.fetch_add(1, std::memory_order_acq_rel);
    ++p->received;
    return p;
  }
  if (proxies_.size() >= max) {
    return nullptr;  // the peer cannot have exported more than this
  }
  auto *p = new Proxy;
  p->ch = owner.shared_from_this();
  p->handle = handle;
  proxies_.emplace(handle, p);
  return p;
}

Proxy *ImportTable::import(uint32_t handle, uint32_t max, Owner &owner) {
  std::lock_guard lk(mu_);
  return import_locked(handle, max, owner);
}

Proxy *ImportTable::primordial(uint32_t max, Owner &owner) {
  std::lock_guard lk(mu_);
  auto it = proxies_.find(kPrimordialHandle);
  if (it != proxies_.end()) {
    it->second->refs.fetch_add(1, std::memory_order_acq_rel);
    return it->second;
  }
  if (primordial_taken_) {
    return nullptr;
  }
  primordial_taken_ = true;
  return import_locked(kPrimordialHandle, max, owner);
}

bool ImportTable::drop_last(Proxy *p, uint32_t &received) {
  std::lock_guard lk(mu_);
  if (p->refs.fetch_sub(1, std::memory_order_acq_rel) != 1) {
    return false;  // imported or retained again meanwhile
  }
  auto it = proxies_.find(p->handle);
  if (it != proxies_.end() && it->second == p) {
    proxies_.erase(it);
  }
  received = p->received;
  return true;
}

size_t ImportTable::size() const {
  std::lock_guard lk(mu_);
  return proxies_.size();
}

// ------------------------------------------------------------------- both

bool tables_empty(const ExportTable &exports, const ImportTable &imports) {
  std::scoped_lock lk(exports.mu_, imports.mu_);
  return exports.live_ == 0 && imports.proxies_.empty();
}

}  // namespace captee::detail
