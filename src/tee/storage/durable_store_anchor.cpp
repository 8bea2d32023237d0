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

bool DurableObjectStore::write_root(uint64_t intent, uint64_t confirmed) {
  uint8_t block[kRpmbBlockSize] = {};
  std::memcpy(block, kRootMagicV2, 8);
  std::memcpy(block + 8, state_.store_id.data(), kStoreIdSize);
  store_le64(block + 8 + kStoreIdSize, intent);
  store_le64(block + 16 + kStoreIdSize, confirmed);
  return driver_->write(kRootBlock, block) == RpmbStatus::kOk;
}

void DurableObjectStore::confirm_root() {
  if (driver_ == nullptr || health_ != StoreStatus::kOk || root_intent_ != state_.generation ||
      root_confirmed_ == root_intent_)
    return;
  // A failed confirmation leaves the root an intent over the previous
  // generation, which the next open still accepts: nothing is lost but
  // the shorter window.
  if (write_root(state_.generation, state_.generation))
    root_confirmed_ = state_.generation;
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
  // SQLite commits. Whichever flush a crash interrupts, the next open finds
  // the store at the intent, at the confirmed generation under an intent
  // one above it, or one above the root: each a state only this store's
  // own commits make (durable_store_open.cpp).
  const uint64_t confirmed = state_.generation;
  anchor_->start_write([this, generation, confirmed] { return write_root(generation, confirmed); });
  const int rc = txn.commit();
  const bool root_written = anchor_->finish_write();
  if (!root_written) {
    // The root is unknown: as in the strict order, nothing may commit again
    // until an open has read it.
    health_ = StoreStatus::kIoError;
    return rc == SQLITE_OK ? StoreStatus::kIoError : sqlite_status(rc);
  }
  root_intent_ = generation;
  root_confirmed_ = confirmed;
  if (rc != SQLITE_OK)
    return sqlite_status(rc);  // the intent stays unconfirmed; the next commit reuses it
  anchor_->arm_confirm();
  return StoreStatus::kOk;
}

}  // namespace captee::tee::storage::durable
