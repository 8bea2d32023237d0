// The durable store's rollback root: its block, each commit's root write in
// the order the options say, and the confirmation (durable_store.hpp,
// decision 0029).
#include <cstring>

#include "durable_store.hpp"

namespace captee::tee::storage::durable {

DurableObjectStore::~DurableObjectStore() {
  // The thread first: it calls into this store.
  anchor_.reset();
  {
    // A clean close confirms the last change, so the window ends here.
    std::lock_guard lock(mu_);
    confirm_root();
  }
  if (db_ != nullptr)
    sqlite3_close_v2(db_);
}

void DurableObjectStore::settle() {
  std::lock_guard lock(mu_);
  confirm_root();
}

bool DurableObjectStore::write_root(uint64_t intent, uint64_t confirmed) {
  uint8_t block[kRpmbBlockSize] = {};
  std::memcpy(block, kRootMagicV2, 8);
  std::memcpy(block + 8, state_.store_id.data(), kStoreIdSize);
  store_le64(block + 8 + kStoreIdSize, intent);
  store_le64(block + 16 + kStoreIdSize, confirmed);
  return driver_->write(kRootBlock, block) == RpmbStatus::kOk;
}

void DurableObjectStore::confirm_root() {
  const uint64_t g = state_.generation;
  if (!root_known_ || health_ != StoreStatus::kOk || intent_pending_ ||
      (root_intent_ == g && root_confirmed_ == g))
    return;
  // The root is an intent over the store's generation (the last change's,
  // or that of a change that failed before its commit): the store holds g
  // durably, so (g, g) is true. A failed confirmation leaves the intent,
  // which the next open still accepts: nothing is lost but the shorter
  // window.
  if (write_root(g, g))
    root_intent_ = root_confirmed_ = g;
}

bool DurableObjectStore::confirm_when_idle() {
  std::unique_lock lock(mu_, std::try_to_lock);
  if (!lock.owns_lock())
    return false;
  confirm_root();
  return true;
}

StoreStatus DurableObjectStore::commit_and_anchor(SqliteTransaction &txn, uint64_t generation) {
  const auto sqlite_status = [](int rc) {
    return status_from_sqlite(rc) == StoreStatus::kOk ? StoreStatus::kIoError
                                                      : status_from_sqlite(rc);
  };
  if (!anchor_) {
    // Strict: the root may only advance once the change is on disk, or a
    // crash between the two would look like a rollback. A crash after the
    // commit leaves the database one generation ahead, which the next open
    // accepts; a failed root write leaves the store unusable until then,
    // since a second commit would put it two ahead.
    if (int rc = txn.commit(); rc != SQLITE_OK)
      return sqlite_status(rc);
    if (!write_root(generation, generation)) {
      health_ = StoreStatus::kIoError;
      return StoreStatus::kIoError;
    }
    root_intent_ = root_confirmed_ = generation;
    return StoreStatus::kOk;
  }
  // Overlapped: the root records the intent `generation` over the confirmed
  // generation before it, which the store holds durably already, while
  // SQLite commits (and, for the changes that start it early, while the
  // change is sealed). Whichever flush a crash interrupts, the next open
  // finds the store at the intent, at the confirmed generation under an
  // intent one above it, or one above the root: each a state only this
  // store's own commits make (durable_store_open.cpp).
  start_intent(generation);
  const int rc = txn.commit();
  if (!finish_intent())
    return rc == SQLITE_OK ? StoreStatus::kIoError : sqlite_status(rc);
  if (rc != SQLITE_OK)
    return sqlite_status(rc);  // the intent stays unconfirmed; the next commit reuses it
  anchor_->arm_confirm();
  return StoreStatus::kOk;
}

void DurableObjectStore::start_intent(uint64_t generation) {
  if (!anchor_ || health_ != StoreStatus::kOk)
    return;
  if (intent_pending_ && pending_intent_ == generation)
    return;
  if (!finish_intent())
    return;
  // Already on the device (a change that failed before its commit wrote it).
  if (root_intent_ == generation && root_confirmed_ == state_.generation)
    return;
  pending_intent_ = generation;
  pending_confirmed_ = state_.generation;
  intent_pending_ = true;
  anchor_->start_write([this, generation, confirmed = pending_confirmed_] {
    return write_root(generation, confirmed);
  });
}

bool DurableObjectStore::finish_intent() {
  if (!intent_pending_)
    return health_ == StoreStatus::kOk;
  intent_pending_ = false;
  if (!anchor_->finish_write()) {
    // The root is unknown: as in the strict order, nothing may commit again
    // until an open has read it.
    health_ = StoreStatus::kIoError;
    return false;
  }
  root_intent_ = pending_intent_;
  root_confirmed_ = pending_confirmed_;
  return true;
}

}  // namespace captee::tee::storage::durable
