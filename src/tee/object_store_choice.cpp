// capteed's choice of object store (object_store_choice.hpp).
#include "captee/tee/object_store_choice.hpp"

#include "captee/tee/storage/durable_object_store.hpp"
#include "captee/tee/storage/memory_object_store.hpp"
#include "supplicant_storage.hpp"

namespace captee::tee {

std::shared_ptr<storage::ObjectStore> choose_object_store(const StorageChoice &choice,
                                                          std::string *why) {
  why->clear();
  if (choice.state_dir.empty() && choice.supplicant_backend) {
    *why =
        "the supplicant storage backend needs a state directory (--state-dir) for the device "
        "secret and the RPMB";
    return nullptr;
  }
  if (choice.state_dir.empty()) {
    return std::make_shared<storage::MemoryObjectStore>(choice.quota_bytes);
  }
  std::string dir = choice.state_dir;
  while (dir.size() > 1 && dir.back() == '/') {
    dir.pop_back();
  }
  storage::DurableStoreOptions options;
  options.state_dir = dir + "/storage";
  options.secret_path = choice.secret_path;
  // Beside capteed's state directory, not in it: a backup of the directory
  // must not bring back the root that tells it is old (docs/STORAGE.md).
  options.rpmb_path = choice.rpmb_path.empty() ? dir + ".rpmb" : choice.rpmb_path;
  options.quota_bytes = choice.quota_bytes;
  options.accept_rollback = choice.accept_rollback;
  options.anchor = choice.strict_anchor ? storage::RollbackAnchor::kStrict
                                        : storage::RollbackAnchor::kOverlapped;
  if (choice.supplicant_backend) {
    if (!choice.listeners) {
      *why = "the supplicant storage backend has no listener table";
      return nullptr;
    }
    // Opened when the supplicant registers (supplicant_storage.hpp).
    return make_supplicant_object_store(choice.listeners, std::move(options),
                                        std::chrono::milliseconds(choice.supplicant_timeout_ms),
                                        choice.log);
  }
  return storage::open_durable_object_store(options, why);
}

}  // namespace captee::tee
