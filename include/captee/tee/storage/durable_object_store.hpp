// The durable ObjectStore: every TA's persistent objects in capteed's state
// directory, encrypted and authenticated per owner, atomic and durable per
// call, rollback-protected by an emulated RPMB (docs/STORAGE.md, decision
// 0023).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "captee/tee/storage/object_store.hpp"

namespace captee::tee::storage {

// When the RPMB's rollback root is written for a change (decision 0029).
enum class RollbackAnchor {
  // The root's write runs beside SQLite's commit and records an intent
  // (this generation, the previous one confirmed); the confirmation rides
  // the next change, or a write of its own once the store has been idle for
  // `anchor_idle_ms`. A durable change costs the slower of the two flushes.
  // Window: until the confirmation lands, restoring the state directory as
  // it was just before the last change undoes that one change.
  kOverlapped,
  // SQLite's commit, then the root's write (confirmed at once): two flushes
  // in sequence, no window.
  kStrict,
};

struct DurableStoreOptions {
  // The directory holding the store (created 0700 if missing): store.db and
  // its WAL, and the device secret unless `secret_path` says otherwise.
  std::string state_dir;
  // The 32-byte device secret. Empty: <state_dir>/device-secret, created on
  // first start (mode 0600). Given: must exist (the administrator's).
  std::string secret_path;
  // The emulated RPMB device. It must live outside what a backup of the
  // state directory restores (docs/STORAGE.md). Empty: <state_dir>.rpmb,
  // beside the directory.
  std::string rpmb_path;
  // Each owner's quota: bytes of data, attributes and ids, both namespaces.
  uint64_t quota_bytes = 64ull << 20;
  // Half-sectors of a new RPMB device: block 0 keeps the rollback root, the
  // rest hold Namespace::kRpmb objects (255 x 256 bytes = 63.75 KiB).
  uint16_t rpmb_blocks = 256;
  // The administrator's explicit acceptance of the state directory as it is
  // (after restoring a backup on purpose, or replacing the RPMB): anchors the
  // rollback root to it instead of reporting kRollback. Never set by default.
  bool accept_rollback = false;
  // How the rollback root follows each change (above). The default is
  // kOverlapped: docs/STORAGE.md says what its window is and who needs kStrict.
  RollbackAnchor anchor = RollbackAnchor::kOverlapped;
  // kOverlapped: the idle time after the last change before its confirmation
  // is written on its own.
  uint32_t anchor_idle_ms = 10;
  // The SQLite VFS to open the database with (empty: the default, files in
  // state_dir): the supplicant backend's ListenerVfs (listener_vfs.hpp), or
  // a test's. Given, SQLite keeps its temporary files in memory.
  std::string sqlite_vfs;
};

// Opens (or creates) the store. Null, with `*why`, only when the store
// cannot be opened at all (directory, secret or RPMB device unusable, or an
// RPMB programmed with another key). When it opens but cannot be trusted -
// kRollback (older than its rollback root), kCorrupt (the store's own
// records fail authentication) or kIoError (SQLite reports its file damaged,
// or the store is in use by another process) - it returns a store that
// answers every call with that status, and says why in `*why`; otherwise
// `*why` is left empty. Errors are never thrown.
std::unique_ptr<ObjectStore> open_durable_object_store(const DurableStoreOptions &options,
                                                       std::string *why);

}  // namespace captee::tee::storage
