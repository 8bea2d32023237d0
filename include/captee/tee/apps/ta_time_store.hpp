// The TA persistent times capteed keeps (GP TEE_GetTAPersistentTime /
// TEE_SetTAPersistentTime), one per TA, keyed by (authority, UUID)
// (ta_authority.hpp): a TA bearing another's UUID from another authority
// has a time of its own.
//
// A TA's time is kept as an offset from the REE's wall clock
// (CLOCK_REALTIME): set(T) stores T - now, get() answers now + offset. So it
// runs on across TA restarts, capteed restarts and reboots, and it is as
// trustworthy as the wall clock (gpd.tee.TAPersistentTime.protectionLevel
// 100).
//
// Storage. With a directory, each TA's record is one file there, named by
// file_name(): written to a temporary file, fsync'd, renamed over the old
// one, then the directory fsync'd, so a crash leaves the old record or the
// new one, never a mix. Without a directory, records live in memory and go
// with the store.
//
// Trust. get() answers kNeedsReset, until the TA sets its time again, when
// the record cannot be read back exactly (wrong size, magic, version or
// checksum: damage, or writes not capteed's) or cannot be read at all, and
// when the wall clock is found earlier than when the time was set, or than
// the latest reading of it, by more than kClockSlackMs (the clock was set
// back: the TA's time would go back with it). Nothing a record holds makes
// the store fail otherwise; a missing record is kNotSet.
//
// Thread-safety: all members are thread-safe (one lock). One store per
// directory: two processes writing the same directory are not coordinated.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "captee/tee/apps/ta_authority.hpp"

namespace captee::tee::apps {

using TaUuid = std::array<uint8_t, 16>;  // RFC 4122 byte order

class TaTimeStore {
 public:
  // How far the wall clock may step back (NTP's corrections) before a TA's
  // time is no longer trusted.
  static constexpr int64_t kClockSlackMs = 2000;
  // The latest time a TA can set: GP's TEE_Time, 2^32 - 1 seconds and 999
  // milliseconds.
  static constexpr uint64_t kMaxMillis = 0xffffffffull * 1000 + 999;
  // Records one user authority (TAs a uid loaded itself) may have: each TA
  // UUID a user invents is a file in capteed's state directory. Trusted
  // authorities (the administrator's) have no cap.
  static constexpr size_t kMaxRecordsPerUser = 256;

  enum class Status { kOk, kNotSet, kNeedsReset, kStorageError, kInvalid, kTooMany };
  struct Reading {
    Status status = Status::kNotSet;
    uint64_t millis = 0;  // kOk: the TA's time in milliseconds
  };
  // The wall clock, in milliseconds since 1970 (tests pass their own).
  using Clock = std::function<int64_t()>;

  // `dir` empty: records in memory only. The directory must exist (capteed
  // makes it); it is not created here. `clock` empty: CLOCK_REALTIME.
  explicit TaTimeStore(std::string dir, Clock clock = {});

  Reading get(const TaAuthority &authority, const TaUuid &uuid);
  // kOk once stored durably; otherwise the old time stays: kStorageError if
  // the record could not be written, kInvalid if `millis` > kMaxMillis,
  // kTooMany if a user authority already has kMaxRecordsPerUser records.
  Status set(const TaAuthority &authority, const TaUuid &uuid, uint64_t millis);

  // The record's file name: "<authority>.<uuid>", the authority written
  // "ta-dir", "uid-<n>" or "key-<hex fingerprint>" (a fingerprint that is
  // not lower-case hex is hex-encoded, as "keyx-<hex of its bytes>"), the
  // UUID in its 8-4-4-4-12 lower-case form. Only [a-z0-9.-] characters.
  static std::string file_name(const TaAuthority &authority, const TaUuid &uuid);

 private:
  struct Record {
    bool trusted = false;     // read back exactly, and the clock never went back
    int64_t offset_ms = 0;    // the TA's time minus the wall clock
    int64_t set_at_ms = 0;    // the wall clock when it was set
    int64_t latest_seen = 0;  // the latest wall clock it was read at
  };

  // The record `name`, read from the directory on first use; nullptr if there
  // is none. mu_ held.
  Record *find(const std::string &name);
  // Reads record `name` from the directory: nullopt if there is no file, an
  // untrusted record if there is one that does not read back exactly.
  std::optional<Record> read(const std::string &name) const;
  // Stores `r` as record `name` (in the directory, durably, when there is
  // one). mu_ held.
  bool write(const std::string &name, const Record &r);
  // How many records names starting with `prefix` has. mu_ held.
  size_t count(const std::string &prefix) const;
  int64_t now() const;

  std::string dir_;
  Clock clock_;
  std::mutex mu_;
  std::map<std::string, Record> records_;  // guarded by mu_
};

}  // namespace captee::tee::apps
