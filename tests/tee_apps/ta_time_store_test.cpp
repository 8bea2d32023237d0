// The TA persistent time store (include/captee/tee/apps/ta_time_store.hpp):
// offsets from a wall clock the test drives, records that survive the store,
// keys by (authority, UUID), and, from the attacker's side, what is found in
// the directory instead of a record, clocks set back, and users inventing
// UUIDs.
#include "captee/tee/apps/ta_time_store.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace captee::tee::apps {
namespace {

using Status = TaTimeStore::Status;

const TaUuid kUuid = {0x7e, 0x57, 0xc0, 0xde, 0, 0x13, 0x40, 0, 0x80, 0, 0, 0, 0, 0, 0, 0x13};
const TaUuid kOther = {0x7e, 0x57, 0xc0, 0xde, 0, 0x14, 0x40, 0, 0x80, 0, 0, 0, 0, 0, 0, 0x14};

class TaTimeStoreTest : public ::testing::Test {
 protected:
  TaTimeStoreTest() {
    char tmpl[] = "/tmp/captee-ta-time-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
  }
  ~TaTimeStoreTest() override { std::filesystem::remove_all(dir_); }

  TaTimeStore store() {
    return TaTimeStore(dir_, [this] { return clock_ms_; });
  }
  std::string record(const TaAuthority &a = TaAuthority::ta_dir(), const TaUuid &u = kUuid) const {
    return dir_ + "/" + TaTimeStore::file_name(a, u);
  }

  std::string dir_;
  int64_t clock_ms_ = 1'700'000'000'000;  // the wall clock the stores read
};

TEST_F(TaTimeStoreTest, FileNamesAreTheAuthorityAndTheUuid) {
  EXPECT_EQ(TaTimeStore::file_name(TaAuthority::ta_dir(), kUuid),
            "ta-dir.7e57c0de-0013-4000-8000-000000000013");
  EXPECT_EQ(TaTimeStore::file_name(TaAuthority::user(1000), kUuid),
            "uid-1000.7e57c0de-0013-4000-8000-000000000013");
  EXPECT_EQ(TaTimeStore::file_name(TaAuthority::signing_key("0123abcd"), kUuid),
            "key-0123abcd.7e57c0de-0013-4000-8000-000000000013");
  // Whatever a fingerprint holds, the name stays within [a-z0-9.-].
  EXPECT_EQ(TaTimeStore::file_name(TaAuthority::signing_key("../X/"), kUuid),
            "keyx-2e2e2f582f.7e57c0de-0013-4000-8000-000000000013");
}

TEST_F(TaTimeStoreTest, TimeRunsOnFromWhereItWasSet) {
  TaTimeStore s = store();
  EXPECT_EQ(s.get(TaAuthority::ta_dir(), kUuid).status, Status::kNotSet);
  ASSERT_EQ(s.set(TaAuthority::ta_dir(), kUuid, 5000), Status::kOk);
  clock_ms_ += 1234;
  auto r = s.get(TaAuthority::ta_dir(), kUuid);
  EXPECT_EQ(r.status, Status::kOk);
  EXPECT_EQ(r.millis, 6234u);
}

TEST_F(TaTimeStoreTest, RecordsOutliveTheStore) {
  ASSERT_EQ(store().set(TaAuthority::ta_dir(), kUuid, 77), Status::kOk);
  clock_ms_ += 10;
  auto r = store().get(TaAuthority::ta_dir(), kUuid);
  EXPECT_EQ(r.status, Status::kOk);
  EXPECT_EQ(r.millis, 87u);
  struct stat st {};
  ASSERT_EQ(::stat(record().c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 40);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // Nothing left behind by the atomic write.
  size_t files = 0;
  for (const auto &e : std::filesystem::directory_iterator(dir_)) {
    (void)e;
    ++files;
  }
  EXPECT_EQ(files, 1u);
}

TEST_F(TaTimeStoreTest, InMemoryStoreKeepsTimesOnlyWhileItLives) {
  TaTimeStore s("", [this] { return clock_ms_; });
  ASSERT_EQ(s.set(TaAuthority::ta_dir(), kUuid, 1), Status::kOk);
  EXPECT_EQ(s.get(TaAuthority::ta_dir(), kUuid).status, Status::kOk);
  TaTimeStore fresh("", [this] { return clock_ms_; });
  EXPECT_EQ(fresh.get(TaAuthority::ta_dir(), kUuid).status, Status::kNotSet);
}

// Hostile: a UUID names a TA only with its authority.
TEST_F(TaTimeStoreTest, EachAuthorityAndUuidHasItsOwnTime) {
  TaTimeStore s = store();
  ASSERT_EQ(s.set(TaAuthority::ta_dir(), kUuid, 1000), Status::kOk);
  EXPECT_EQ(s.get(TaAuthority::user(1000), kUuid).status, Status::kNotSet);
  EXPECT_EQ(s.get(TaAuthority::signing_key("ab"), kUuid).status, Status::kNotSet);
  EXPECT_EQ(s.get(TaAuthority::ta_dir(), kOther).status, Status::kNotSet);
  ASSERT_EQ(s.set(TaAuthority::user(1000), kUuid, 9000), Status::kOk);
  EXPECT_EQ(s.get(TaAuthority::ta_dir(), kUuid).millis, 1000u);
  EXPECT_EQ(s.get(TaAuthority::user(1000), kUuid).millis, 9000u);
  EXPECT_EQ(s.get(TaAuthority::user(1001), kUuid).status, Status::kNotSet);
}

TEST_F(TaTimeStoreTest, LimitsOfATime) {
  TaTimeStore s = store();
  EXPECT_EQ(s.set(TaAuthority::ta_dir(), kUuid, TaTimeStore::kMaxMillis + 1), Status::kInvalid);
  EXPECT_EQ(s.set(TaAuthority::ta_dir(), kUuid, UINT64_MAX), Status::kInvalid);
  EXPECT_EQ(s.get(TaAuthority::ta_dir(), kUuid).status, Status::kNotSet);
  ASSERT_EQ(s.set(TaAuthority::ta_dir(), kUuid, TaTimeStore::kMaxMillis), Status::kOk);
  clock_ms_ += 5000;
  auto r = s.get(TaAuthority::ta_dir(), kUuid);
  EXPECT_EQ(r.status, Status::kOk);
  EXPECT_EQ(r.millis, TaTimeStore::kMaxMillis + 5000) << "the caller reports the overflow";
  ASSERT_EQ(s.set(TaAuthority::ta_dir(), kUuid, 0), Status::kOk);
  EXPECT_EQ(s.get(TaAuthority::ta_dir(), kUuid).millis, 0u);
}

// Hostile: the wall clock set back (by whoever controls the REE) would take
// the TA's time back with it: the time needs a reset instead, and stays so.
TEST_F(TaTimeStoreTest, AClockSetBackNeedsAReset) {
  TaTimeStore s = store();
  ASSERT_EQ(s.set(TaAuthority::ta_dir(), kUuid, 100000), Status::kOk);
  clock_ms_ -= TaTimeStore::kClockSlackMs;  // within NTP's steps: fine
  EXPECT_EQ(s.get(TaAuthority::ta_dir(), kUuid).status, Status::kOk);
  clock_ms_ -= 1;
  EXPECT_EQ(s.get(TaAuthority::ta_dir(), kUuid).status, Status::kNeedsReset);
  clock_ms_ += 3600'000;
  EXPECT_EQ(s.get(TaAuthority::ta_dir(), kUuid).status, Status::kNeedsReset) << "remembered";
  EXPECT_EQ(store().get(TaAuthority::ta_dir(), kUuid).status, Status::kNeedsReset) << "and on disk";
  ASSERT_EQ(s.set(TaAuthority::ta_dir(), kUuid, 5), Status::kOk);
  EXPECT_EQ(s.get(TaAuthority::ta_dir(), kUuid).status, Status::kOk);
}

TEST_F(TaTimeStoreTest, AClockSetBackBelowTheLatestReadingNeedsAReset) {
  TaTimeStore s = store();
  ASSERT_EQ(s.set(TaAuthority::ta_dir(), kUuid, 0), Status::kOk);
  clock_ms_ += 3600'000;
  EXPECT_EQ(s.get(TaAuthority::ta_dir(), kUuid).status, Status::kOk);
  clock_ms_ -= 1800'000;  // still after the set, but before what the TA saw
  EXPECT_EQ(s.get(TaAuthority::ta_dir(), kUuid).status, Status::kNeedsReset);
}

// Hostile: whatever stands where a record should, the store answers
// kNeedsReset (never kOk with a made-up time, never a hang or a crash), and
// the TA's next set repairs what a file can repair.
TEST_F(TaTimeStoreTest, WhateverIsFoundInsteadOfARecordNeedsAReset) {
  auto valid = [&] {
    std::filesystem::remove_all(record());
    ASSERT_EQ(store().set(TaAuthority::ta_dir(), kUuid, 1), Status::kOk);
  };
  auto edit = [&](size_t offset, char byte) {
    valid();
    std::fstream f(record(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(std::streamoff(offset));
    f.put(byte);
  };
  struct Case {
    const char *what;
    std::function<void()> make;
  };
  const Case cases[] = {
      {"bad magic", [&] { edit(0, 'X'); }},
      {"unknown version", [&] { edit(8, 2); }},
      {"unknown flag", [&] { edit(12, 2); }},
      {"changed offset", [&] { edit(16, 0x55); }},
      {"changed set time", [&] { edit(24, 0x55); }},
      {"bad checksum", [&] { edit(39, 0x55); }},
      {"truncated",
       [&] {
         valid();
         std::filesystem::resize_file(record(), 39);
       }},
      {"empty",
       [&] {
         valid();
         std::filesystem::resize_file(record(), 0);
       }},
      {"too long",
       [&] {
         valid();
         std::filesystem::resize_file(record(), 41);
       }},
      {"huge",
       [&] {
         valid();
         std::filesystem::resize_file(record(), 1 << 30);  // sparse
       }},
      {"a directory",
       [&] {
         std::filesystem::remove_all(record());
         std::filesystem::create_directory(record());
       }},
      {"a FIFO",
       [&] {
         std::filesystem::remove_all(record());
         ASSERT_EQ(::mkfifo(record().c_str(), 0600), 0);
       }},
      {"a symlink to a valid record",
       [&] {
         std::filesystem::remove_all(record());
         ASSERT_EQ(store().set(TaAuthority::ta_dir(), kOther, 1), Status::kOk);
         std::filesystem::create_symlink(record(TaAuthority::ta_dir(), kOther), record());
       }},
      {"a dangling symlink",
       [&] {
         std::filesystem::remove_all(record());
         std::filesystem::create_symlink(dir_ + "/nowhere", record());
       }},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(c.what);
    c.make();
    TaTimeStore s = store();
    EXPECT_EQ(s.get(TaAuthority::ta_dir(), kUuid).status, Status::kNeedsReset);
    Status repaired = s.set(TaAuthority::ta_dir(), kUuid, 2);
    if (std::filesystem::is_directory(std::filesystem::symlink_status(record()))) {
      EXPECT_EQ(repaired, Status::kStorageError) << "a directory stays in the way";
      EXPECT_EQ(s.get(TaAuthority::ta_dir(), kUuid).status, Status::kNeedsReset);
    } else {
      EXPECT_EQ(repaired, Status::kOk);
      EXPECT_EQ(s.get(TaAuthority::ta_dir(), kUuid).millis, 2u);
    }
    std::filesystem::remove_all(record());
  }
}

// Hostile: a user loading TAs with UUIDs of their own invention cannot fill
// capteed's state directory; administrators' TAs have no cap.
TEST_F(TaTimeStoreTest, AUserHasABoundedNumberOfRecords) {
  TaTimeStore s = store();
  const TaAuthority user = TaAuthority::user(4242);
  TaUuid u = kUuid;
  for (size_t n = 0; n < TaTimeStore::kMaxRecordsPerUser; ++n) {
    u[15] = static_cast<uint8_t>(n);
    u[14] = static_cast<uint8_t>(n >> 8);
    ASSERT_EQ(s.set(user, u, n), Status::kOk) << n;
  }
  u[14] = 0xFF;
  EXPECT_EQ(s.set(user, u, 1), Status::kTooMany);
  EXPECT_EQ(TaTimeStore(dir_).set(user, u, 1), Status::kTooMany) << "counted from the directory";
  // Existing records can still be set; other users and the administrator's
  // TAs are not affected.
  u[14] = 0;
  u[15] = 3;
  EXPECT_EQ(s.set(user, u, 99), Status::kOk);
  EXPECT_EQ(s.set(TaAuthority::user(4243), u, 1), Status::kOk);
  EXPECT_EQ(s.set(TaAuthority::ta_dir(), u, 1), Status::kOk);
}

// A reading of a missing record costs nothing but a failed open: nothing is
// kept for it.
TEST_F(TaTimeStoreTest, UnsetUuidsLeaveNoTrace) {
  TaTimeStore s = store();
  TaUuid u = kUuid;
  for (int n = 0; n < 1000; ++n) {
    u[15] = static_cast<uint8_t>(n);
    u[14] = static_cast<uint8_t>(n >> 8);
    EXPECT_EQ(s.get(TaAuthority::user(7), u).status, Status::kNotSet);
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir_));
}

}  // namespace
}  // namespace captee::tee::apps
