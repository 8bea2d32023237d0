// The WAL-gathering VFS (src/tee/storage/coalescing_vfs.hpp) under the
// power-cut test VFS, which counts every write and sync that reaches it.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "../../src/tee/storage/coalescing_vfs.hpp"
#include "power_cut_vfs.hpp"
#include "storage_fixture.hpp"

namespace captee::tee::storage::testing {
namespace {

using Rows = std::map<int64_t, std::vector<uint8_t>>;

class Db {
 public:
  Db(const std::string &path, const char *vfs) {
    rc_ = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs);
  }
  ~Db() { sqlite3_close(db_); }
  bool ok() const { return rc_ == SQLITE_OK; }
  int exec(const char *sql) { return sqlite3_exec(db_, sql, nullptr, nullptr, nullptr); }
  int put(int64_t key, const std::vector<uint8_t> &blob) {
    sqlite3_stmt *st = nullptr;
    int rc =
        sqlite3_prepare_v2(db_, "INSERT OR REPLACE INTO t(k, b) VALUES (?, ?)", -1, &st, nullptr);
    if (rc == SQLITE_OK) {
      sqlite3_bind_int64(st, 1, key);
      sqlite3_bind_blob(st, 2, blob.data(), static_cast<int>(blob.size()), SQLITE_STATIC);
      rc = sqlite3_step(st);
      rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    sqlite3_finalize(st);
    return rc;
  }
  Rows rows() {
    Rows out;
    sqlite3_stmt *st = nullptr;
    if (sqlite3_prepare_v2(db_, "SELECT k, b FROM t", -1, &st, nullptr) != SQLITE_OK)
      return out;
    while (sqlite3_step(st) == SQLITE_ROW) {
      const auto *p = static_cast<const uint8_t *>(sqlite3_column_blob(st, 1));
      out[sqlite3_column_int64(st, 0)].assign(p, p + sqlite3_column_bytes(st, 1));
    }
    sqlite3_finalize(st);
    return out;
  }
  std::string integrity() {
    std::string result;
    sqlite3_exec(
        db_, "PRAGMA integrity_check",
        [](void *r, int, char **v, char **) {
          *static_cast<std::string *>(r) += v[0] != nullptr ? v[0] : "";
          return 0;
        },
        &result, nullptr);
    return result;
  }

 private:
  sqlite3 *db_ = nullptr;
  int rc_ = SQLITE_ERROR;
};

// The store's settings, and a page cache small enough that a transaction of
// 300 records spills frames to the WAL before its commit and reads some back.
constexpr const char *kSetup =
    "PRAGMA locking_mode=EXCLUSIVE; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
    "PRAGMA cache_size=16; PRAGMA wal_autocheckpoint=4096;"
    "CREATE TABLE IF NOT EXISTS t(k INTEGER PRIMARY KEY, b BLOB NOT NULL);";

class CoalescingVfsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    register_power_cut_vfs();
    reset_power_cut_vfs();
    wrapper_ = storage::CoalescingVfs::over(kPowerCutVfs);
    ASSERT_NE(wrapper_, nullptr);
    gathering_ = wrapper_->name();
  }
  std::unique_ptr<storage::CoalescingVfs> wrapper_;
  const char *gathering_ = nullptr;
  ScratchDir dir_;
};

// A 1 MiB commit of 4 KiB records (a 1 MiB object write's shape) reaches
// the VFS below as a few dozen writes, not one per WAL frame.
TEST_F(CoalescingVfsTest, ACommitReachesTheFileAsFewLargeWrites) {
  for (const char *vfs : {static_cast<const char *>(kPowerCutVfs), gathering_}) {
    const std::string path = dir_.path() + "/" + (vfs == gathering_ ? "g" : "p") + ".db";
    Db db(path, vfs);
    ASSERT_TRUE(db.ok());
    ASSERT_EQ(db.exec(kSetup), SQLITE_OK);
    ASSERT_EQ(db.exec("PRAGMA cache_size=2000"), SQLITE_OK);
    ASSERT_EQ(db.exec("BEGIN"), SQLITE_OK);
    for (int64_t k = 0; k < 256; ++k)
      ASSERT_EQ(db.put(k, pattern(4124, static_cast<uint8_t>(k))), SQLITE_OK);
    const uint64_t before = power_cut_vfs_ticks();
    ASSERT_EQ(db.exec("COMMIT"), SQLITE_OK);
    const uint64_t ticks = power_cut_vfs_ticks() - before;
    if (vfs == gathering_) {
      // About 2 MiB of frames in pieces under 128 KiB, and the sync.
      EXPECT_LE(ticks, 24u);
    } else {
      EXPECT_GE(ticks, 400u);  // one write per frame: what the wrapper removes
    }
  }
}

// Many transactions, with frames spilled, rewritten and read back inside
// them and checkpoints between them: what SQLite reads through the wrapper,
// and what the files hold when opened without it, is exactly what was
// written.
TEST_F(CoalescingVfsTest, EveryByteWrittenIsReadBackWithAndWithoutTheWrapper) {
  const std::string path = dir_.path() + "/model.db";
  Rows model;
  std::mt19937_64 rng(7);
  {
    Db db(path, gathering_);
    ASSERT_TRUE(db.ok());
    ASSERT_EQ(db.exec(kSetup), SQLITE_OK);
    ASSERT_EQ(db.exec("PRAGMA wal_autocheckpoint=300"), SQLITE_OK);
    for (int round = 0; round < 40; ++round) {
      ASSERT_EQ(db.exec("BEGIN"), SQLITE_OK);
      Rows pending = model;
      const int records = 1 + static_cast<int>(rng() % 300);
      for (int i = 0; i < records; ++i) {
        const int64_t key = static_cast<int64_t>(rng() % 400);
        const size_t size = 1 + rng() % 9000;  // inline, one page, or overflow pages
        auto blob = pattern(size, static_cast<uint8_t>(rng()));
        ASSERT_EQ(db.put(key, blob), SQLITE_OK);
        pending[key] = std::move(blob);
      }
      if (round % 5 == 4) {
        ASSERT_EQ(db.exec("ROLLBACK"), SQLITE_OK);
      } else {
        ASSERT_EQ(db.exec("COMMIT"), SQLITE_OK);
        model = std::move(pending);
      }
      ASSERT_EQ(db.integrity(), "ok") << "round " << round;
      ASSERT_TRUE(db.rows() == model) << "round " << round;
    }
  }
  Db plain(path, nullptr);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain.integrity(), "ok");
  EXPECT_TRUE(plain.rows() == model);
}

TEST_F(CoalescingVfsTest, AnUnknownBaseIsRefusedAndEachWrapperHasItsOwnNameForItsLife) {
  EXPECT_EQ(storage::CoalescingVfs::over("no-such-vfs"), nullptr);
  auto second = storage::CoalescingVfs::over(kPowerCutVfs);
  ASSERT_NE(second, nullptr);
  const std::string name = second->name();
  EXPECT_NE(name, gathering_);
  EXPECT_NE(sqlite3_vfs_find(name.c_str()), nullptr);
  second.reset();
  // Gone with its owner: a store's wrapper is not left behind for every
  // supplicant registration (each has a VFS of its own).
  EXPECT_EQ(sqlite3_vfs_find(name.c_str()), nullptr);
}

}  // namespace
}  // namespace captee::tee::storage::testing
