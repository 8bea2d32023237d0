// A thin RAII layer over the SQLite C API for the durable store: one
// connection, prepared statements, and SQLite's result codes mapped to
// StoreStatus (SQLite's own file damage is kIoError: the store cannot say
// which objects it touched; docs/STORAGE.md).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <string>

#include "captee/tee/storage/object_store.hpp"

namespace captee::tee::storage {

StoreStatus status_from_sqlite(int rc);

// Prepared statements kept for the connection's life: the store runs the
// same few statements for every chunk, and preparing each time costs more
// than running it. Destroy before closing the connection.
class StatementCache {
 public:
  explicit StatementCache(sqlite3 *db) : db_(db) {}
  ~StatementCache();
  StatementCache(const StatementCache &) = delete;
  StatementCache &operator=(const StatementCache &) = delete;
  sqlite3 *db() const { return db_; }
  // The cached statement for `sql`, or null if it is in use (then the
  // caller prepares its own) or cannot be prepared (`*rc` says why).
  sqlite3_stmt *take(const char *sql, int *rc);

 private:
  sqlite3 *db_;
  std::map<std::string, sqlite3_stmt *> statements_;
};

class SqliteStatement {
 public:
  SqliteStatement(sqlite3 *db, const char *sql);
  SqliteStatement(StatementCache &cache, const char *sql);
  ~SqliteStatement();
  SqliteStatement(const SqliteStatement &) = delete;
  SqliteStatement &operator=(const SqliteStatement &) = delete;

  bool ok() const { return stmt_ != nullptr; }
  int prepare_rc() const { return prepare_rc_; }
  void bind(int i, int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  void bind(int i, ByteView v) {
    // SQLITE_TRANSIENT: SQLite copies, so the caller may wipe its buffer.
    sqlite3_bind_blob64(stmt_, i, v.empty() ? "" : static_cast<const void *>(v.data()), v.size(),
                        SQLITE_TRANSIENT);
  }
  // SQLITE_ROW, SQLITE_DONE or an error.
  int step() { return stmt_ ? sqlite3_step(stmt_) : prepare_rc_; }
  int64_t column_int(int i) { return sqlite3_column_int64(stmt_, i); }
  ByteView column_blob(int i);

 private:
  sqlite3_stmt *stmt_ = nullptr;
  bool cached_ = false;  // reset, not finalized, when done
  int prepare_rc_ = SQLITE_OK;
};

// One write transaction (BEGIN IMMEDIATE); rolled back unless committed.
class SqliteTransaction {
 public:
  explicit SqliteTransaction(sqlite3 *db);
  ~SqliteTransaction();
  int begin_rc() const { return begin_rc_; }
  int commit();

 private:
  sqlite3 *db_;
  int begin_rc_;
  bool open_ = false;
};

}  // namespace captee::tee::storage
