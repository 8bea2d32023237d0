// GP trusted storage's administration (CStorageAdmin_UID, IStorageAdmin):
// per-owner usage and one TA's object list for `captee storage`. Object ids
// are a TA's secrets' names: only root and the uid capteed runs as may see
// them, and only for a UUID they name.
#pragma once

#include <sys/types.h>

#include <memory>

#include "IStorageAdmin.hpp"
#include "captee/tee/storage/object_store.hpp"

namespace captee::tee {

// Whether the client with kernel uid `caller` may administer storage: root,
// or the uid capteed runs as.
bool may_administer_storage(uid_t caller);

class StorageAdmin final : public iface::IStorageAdminSkeleton {
 public:
  // `store` is shared with the TAs' bindings; `caller` is the client's
  // kernel uid (SO_PEERCRED), checked again on every call.
  StorageAdmin(std::shared_ptr<storage::ObjectStore> store, uid_t caller)
      : store_(std::move(store)), caller_(caller) {}

  int32_t usageJson(std::span<std::byte> json, size_t &json_len) override;
  int32_t listJson(std::span<const std::byte> uuid, std::span<std::byte> json,
                   size_t &json_len) override;

 private:
  std::shared_ptr<storage::ObjectStore> store_;
  const uid_t caller_;
};

}  // namespace captee::tee
