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

StatementCache::~StatementCache() {
  for (auto &[sql, stmt] : statements_)
    sqlite3_finalize(stmt);
}

sqlite3_stmt *StatementCache::take(const char *sql, int *rc) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    sqlite3_stmt *stmt = nullptr;
    *rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (*rc != SQLITE_OK) {
      sqlite3_finalize(stmt);
      return nullptr;
    }
    it = statements_.emplace(sql, stmt).first;
  }
  *rc = SQLITE_OK;
  return sqlite3_stmt_busy(it->second) ? nullptr : it->second;
}

SqliteStatement::SqliteStatement(StatementCache &cache, const char *sql) {
  stmt_ = cache.take(sql, &prepare_rc_);
  if (stmt_ != nullptr) {
    cached_ = true;
  } else if (prepare_rc_ == SQLITE_OK) {
    // In use further up the stack: a statement of our own.
    prepare_rc_ = sqlite3_prepare_v2(cache.db(), sql, -1, &stmt_, nullptr);
    if (prepare_rc_ != SQLITE_OK) {
      sqlite3_finalize(stmt_);
      stmt_ = nullptr;
    }
  }
}

SqliteStatement::~SqliteStatement() {
  if (cached_) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  } else {
    sqlite3_finalize(stmt_);
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
