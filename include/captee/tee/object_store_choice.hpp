// Which ObjectStore (captee/tee/storage/object_store.hpp) capteed keeps TAs'
// persistent objects in: the one place that choice is made.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "captee/tee/apps/listeners.hpp"
#include "captee/tee/storage/object_store.hpp"

namespace captee::tee {

// Default --storage-quota: what one TA may keep (ids, attributes and data).
inline constexpr uint64_t kDefaultStorageQuota = uint64_t(16) << 20;

// Default --storage-supplicant-timeout-ms.
inline constexpr uint32_t kDefaultSupplicantTimeoutMs = 10000;

// capteed's storage options (capteed --help; docs/STORAGE.md).
struct StorageChoice {
  // capteed's --state-dir. Empty: the in-memory store (nothing survives
  // capteed). Otherwise the durable store in <state_dir>/storage.
  std::string state_dir;
  // Bytes one TA may keep (ids, attributes and data); not 0: the memory store
  // has no other bound on what a TA makes capteed keep.
  uint64_t quota_bytes = kDefaultStorageQuota;
  // --storage-secret: the administrator's 32-byte device secret. Empty: the
  // store's own, created on first start in <state_dir>/storage (mode 0600).
  std::string secret_path;
  // --rpmb-device: the emulated RPMB. Empty: <state_dir>.rpmb, beside the
  // state directory and so outside what restoring it brings back.
  std::string rpmb_path;
  // --storage-accept-rollback: the administrator's acknowledgement of the
  // state directory as it is, after restoring a backup on purpose.
  bool accept_rollback = false;
  // --storage-backend supplicant: the durable store's database and WAL are
  // kept by captee-supplicant (--storage-dir) through the storage listener
  // registered in `listeners` (decision 0030); the device secret and the
  // RPMB stay as above. Needs a state directory. False: <state_dir>/storage.
  bool supplicant_backend = false;
  std::shared_ptr<apps::ListenerTable> listeners;  // with supplicant_backend
  // --storage-supplicant-timeout-ms: how long capteed waits for the
  // supplicant's answer to one file request before it fails the call and
  // revokes the supplicant's registration (decision 0030).
  uint32_t supplicant_timeout_ms = kDefaultSupplicantTimeoutMs;
  // Where the supplicant backend logs (opened, cannot be trusted).
  std::function<void(const std::string &)> log;
  // --storage-anchor strict: SQLite's commit, then the rollback root's
  // write, with no window (decision 0029). False: overlapped, the default.
  bool strict_anchor = false;
};

// The store for `choice`. Null, with `*why` set, if the store cannot be opened
// at all (capteed does not start). A durable store that opens but cannot be
// trusted (rolled back, its own records damaged) is returned, answering every
// call with its status, with `*why` saying what failed (capteed logs it and
// serves the TAs that do not use storage); `*why` is empty otherwise.
std::shared_ptr<storage::ObjectStore> choose_object_store(const StorageChoice &choice,
                                                          std::string *why);

}  // namespace captee::tee
