// GP trusted storage in capteed (trusted_storage.hpp): the owners' shared
// state, and a binding per TA process (binding.cpp).
#include "captee/tee/storage/trusted_storage.hpp"

#include <map>
#include <mutex>
#include <tuple>

#include "binding.hpp"
#include "open_objects.hpp"

namespace captee::tee::storage {

namespace {

// An Owner made comparable (authority kind, uid, key, UUID).
using OwnerKey = std::tuple<uint8_t, uint64_t, std::string, apps::TaUuid>;

OwnerKey key_of(const Owner &o) {
  return {static_cast<uint8_t>(o.authority.kind), uint64_t(o.authority.uid), o.authority.key,
          o.uuid};
}

}  // namespace

struct TrustedStorage::State {
  std::shared_ptr<ObjectStore> store;
  std::mutex mu;
  // Weak: an owner's state lives while one of its processes holds a binding.
  std::map<OwnerKey, std::weak_ptr<OwnerState>> owners;
  const std::shared_ptr<std::atomic<uint64_t>> all_staged =
      std::make_shared<std::atomic<uint64_t>>(0);

  std::shared_ptr<OwnerState> owner_state(const Owner &owner) {
    std::lock_guard lock(mu);
    auto &slot = owners[key_of(owner)];
    auto s = slot.lock();
    if (!s) {
      s = std::make_shared<OwnerState>();
      s->all_staged = all_staged;
      slot = s;
    }
    // Drop the records of owners whose processes all ended.
    for (auto it = owners.begin(); it != owners.end();) {
      it = it->second.expired() ? owners.erase(it) : std::next(it);
    }
    return s;
  }

  // The owner's state if one of its processes holds a binding, else null.
  std::shared_ptr<OwnerState> existing(const Owner &owner);
};

TrustedStorage::TrustedStorage(std::shared_ptr<ObjectStore> store)
    : state_(std::make_shared<State>()) {
  state_->store = std::move(store);
}

TrustedStorage::~TrustedStorage() = default;

Ref TrustedStorage::bind(const Owner &owner) const {
  return make_binding(state_->store, owner, state_->owner_state(owner));
}

std::shared_ptr<OwnerState> TrustedStorage::State::existing(const Owner &owner) {
  std::lock_guard lock(mu);
  auto it = owners.find(key_of(owner));
  return it == owners.end() ? nullptr : it->second.lock();
}

size_t TrustedStorage::open_handles(const Owner &owner) const {
  const std::shared_ptr<OwnerState> s = state_->existing(owner);
  if (!s) {
    return 0;
  }
  std::lock_guard lock(s->mu);
  return s->opens.handles();
}

uint64_t TrustedStorage::staged_bytes(const Owner &owner) const {
  const std::shared_ptr<OwnerState> s = state_->existing(owner);
  if (!s) {
    return 0;
  }
  std::lock_guard lock(s->mu);
  return s->staged_bytes;
}

}  // namespace captee::tee::storage
