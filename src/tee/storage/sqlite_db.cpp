#include "sqlite_db.hpp"

namespace captee::tee::storage {

StoreStatus status_from_sqlite(int rc) {
  switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
      return StoreStatus::kOk;
    case SQLITE_FULL:
      return StoreStatus::kNoSpace;
    default:
      // SQLITE_CORRUPT, SQLITE_NOTADB, SQLITE_IOERR, SQLITE_BUSY (another
      // process holds the store), ...: the medium is not usable.
      return StoreStatus::kIoError;
  }
}

SqliteStatement::SqliteStatement(sqlite3 *db, const char *sql) {
  prepare_rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr);
  if (prepare_rc_ != SQLITE_OK) {
    sqlite3_finalize(stmt_);
    stmt_ = nullptr;
  }
}

ByteView SqliteStatement::column_blob(int i) {
  const void *p = sqlite3_column_blob(stmt_, i);
  const int n = sqlite3_column_bytes(stmt_, i);
  if (p == nullptr || n <= 0)
    return {};
  return {static_cast<const uint8_t *>(p), static_cast<size_t>(n)};
}

SqliteTransaction::SqliteTransaction(sqlite3 *db) : db_(db) {
  begin_rc_ = sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
  open_ = begin_rc_ == SQLITE_OK;
}

SqliteTransaction::~SqliteTransaction() {
  if (open_)
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

int SqliteTransaction::commit() {
  const int rc = sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
  if (rc == SQLITE_OK)
    open_ = false;
  return rc;
}

}  // namespace captee::tee::storage
