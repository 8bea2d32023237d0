// The TA persistent times capteed keeps (ta_time_store.hpp).
//
// A record on disk is 40 bytes, little-endian: the magic "CTTATIME", the
// format version (1), flags (bit 0: the time needs a reset), the offset of
// the TA's time from the wall clock and the wall clock when it was set (both
// signed milliseconds), and an FNV-1a 64 checksum of the 32 bytes before it.
// Anything else in a record's file (another size, magic, version, flag or
// checksum) is damage: the time then needs a reset.
#include "captee/tee/apps/ta_time_store.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "captee/detail/little_endian.hpp"
#include "captee/detail/write_all.hpp"

namespace captee::tee::apps {

namespace {

constexpr uint8_t kMagic[8] = {'C', 'T', 'T', 'A', 'T', 'I', 'M', 'E'};
constexpr uint32_t kFormatVersion = 1;
constexpr uint32_t kFlagNeedsReset = 1;
constexpr size_t kRecordSize = 40;
constexpr size_t kChecksummed = 32;

uint64_t fnv1a64(const uint8_t *p, size_t n) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < n; ++i) {
    h = (h ^ p[i]) * 0x100000001b3ull;
  }
  return h;
}

std::string to_hex(const uint8_t *p, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    s += kDigits[p[i] >> 4];
    s += kDigits[p[i] & 0xF];
  }
  return s;
}

std::string authority_token(const TaAuthority &a) {
  switch (a.kind) {
    case TaAuthorityKind::kTaDir:
      return "ta-dir";
    case TaAuthorityKind::kSigningKey: {
      const bool hex = !a.key.empty() && std::all_of(a.key.begin(), a.key.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
      });
      return hex ? "key-" + a.key
                 : "keyx-" + to_hex(reinterpret_cast<const uint8_t *>(a.key.data()), a.key.size());
    }
    case TaAuthorityKind::kUser:
      break;
  }
  return "uid-" + std::to_string(a.uid);
}

// Reads up to `max` bytes of a regular file; nullopt if it cannot be opened
// as one (a missing file: *missing).
std::optional<std::string> read_small_file(const std::string &path, size_t max, bool *missing) {
  *missing = false;
  // O_NONBLOCK: a FIFO planted in the directory must not hold capteed up.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) {
    *missing = errno == ENOENT;
    return std::nullopt;
  }
  struct stat st {};
  std::optional<std::string> out;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    std::string bytes(max, '\0');
    size_t got = 0;
    for (;;) {
      ssize_t n = ::read(fd, bytes.data() + got, bytes.size() - got);
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n < 0) {
        break;
      }
      got += static_cast<size_t>(n);
      if (n == 0 || got == bytes.size()) {
        bytes.resize(got);
        out = std::move(bytes);
        break;
      }
    }
  }
  ::close(fd);
  return out;
}

}  // namespace

TaTimeStore::TaTimeStore(std::string dir, Clock clock)
    : dir_(std::move(dir)), clock_(std::move(clock)) {}

std::string TaTimeStore::file_name(const TaAuthority &authority, const TaUuid &uuid) {
  std::string u = to_hex(uuid.data(), uuid.size());
  for (size_t pos : {8, 13, 18, 23}) {
    u.insert(pos, 1, '-');
  }
  return authority_token(authority) + "." + u;
}

int64_t TaTimeStore::now() const {
  if (clock_) {
    return clock_();
  }
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

std::optional<TaTimeStore::Record> TaTimeStore::read(const std::string &name) const {
  bool missing = false;
  auto bytes = read_small_file(dir_ + "/" + name, kRecordSize + 1, &missing);
  if (!bytes) {
    if (missing) {
      return std::nullopt;
    }
    return Record{};  // there, but not readable: not to be trusted
  }
  Record r;
  const auto *p = reinterpret_cast<const uint8_t *>(bytes->data());
  if (bytes->size() != kRecordSize || std::memcmp(p, kMagic, sizeof kMagic) != 0 ||
      detail::load_le32(p + 8) != kFormatVersion ||
      (detail::load_le32(p + 12) & ~kFlagNeedsReset) != 0 ||
      detail::load_le64(p + kChecksummed) != fnv1a64(p, kChecksummed)) {
    return r;
  }
  r.trusted = (detail::load_le32(p + 12) & kFlagNeedsReset) == 0;
  r.offset_ms = static_cast<int64_t>(detail::load_le64(p + 16));
  r.set_at_ms = static_cast<int64_t>(detail::load_le64(p + 24));
  r.latest_seen = r.set_at_ms;
  return r;
}

TaTimeStore::Record *TaTimeStore::find(const std::string &name) {
  auto it = records_.find(name);
  if (it != records_.end()) {
    return &it->second;
  }
  if (dir_.empty()) {
    return nullptr;
  }
  auto r = read(name);
  if (!r) {
    return nullptr;  // not cached: a user's unset UUIDs cost capteed nothing
  }
  return &records_.emplace(name, *r).first->second;
}

bool TaTimeStore::write(const std::string &name, const Record &r) {
  if (dir_.empty()) {
    records_[name] = r;
    return true;
  }
  uint8_t rec[kRecordSize] = {};
  std::memcpy(rec, kMagic, sizeof kMagic);
  detail::store_le32(rec + 8, kFormatVersion);
  detail::store_le32(rec + 12, r.trusted ? 0 : kFlagNeedsReset);
  detail::store_le64(rec + 16, static_cast<uint64_t>(r.offset_ms));
  detail::store_le64(rec + 24, static_cast<uint64_t>(r.set_at_ms));
  detail::store_le64(rec + kChecksummed, fnv1a64(rec, kChecksummed));

  // A temporary file, made durable, then renamed over the record: a crash
  // leaves the old record or the new one.
  const std::string path = dir_ + "/" + name;
  const std::string tmp = dir_ + "/." + name + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    return false;
  }
  bool ok = captee::detail::write_all(fd, rec, sizeof rec) == 0 && ::fsync(fd) == 0;
  ok = ::close(fd) == 0 && ok;
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return false;
  }
  int dfd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);  // the rename itself
    ::close(dfd);
  }
  records_[name] = r;
  return true;
}

size_t TaTimeStore::count(const std::string &prefix) const {
  size_t n = 0;
  if (dir_.empty()) {
    for (const auto &[name, r] : records_) {
      n += name.compare(0, prefix.size(), prefix) == 0 ? 1 : 0;
    }
    return n;
  }
  DIR *d = ::opendir(dir_.c_str());
  if (d == nullptr) {
    return 0;
  }
  while (const dirent *e = ::readdir(d)) {
    n += std::strncmp(e->d_name, prefix.c_str(), prefix.size()) == 0 ? 1 : 0;
  }
  ::closedir(d);
  return n;
}

TaTimeStore::Reading TaTimeStore::get(const TaAuthority &authority, const TaUuid &uuid) {
  const std::string name = file_name(authority, uuid);
  std::lock_guard lock(mu_);
  const int64_t t = now();
  Record *r = find(name);
  if (r == nullptr) {
    return {Status::kNotSet, 0};
  }
  int64_t millis = 0;
  if (r->trusted && (t < std::max(r->set_at_ms, r->latest_seen) - kClockSlackMs ||
                     __builtin_add_overflow(t, r->offset_ms, &millis) || millis < 0)) {
    // The wall clock went back: so would the TA's time. Remembered (on disk
    // too, when that works) until the TA sets its time again.
    r->trusted = false;
    Record copy = *r;
    write(name, copy);
  }
  if (!r->trusted) {
    return {Status::kNeedsReset, 0};
  }
  r->latest_seen = std::max(r->latest_seen, t);
  return {Status::kOk, static_cast<uint64_t>(millis)};
}

TaTimeStore::Status TaTimeStore::set(const TaAuthority &authority, const TaUuid &uuid,
                                     uint64_t millis) {
  if (millis > kMaxMillis) {
    return Status::kInvalid;
  }
  const std::string name = file_name(authority, uuid);
  std::lock_guard lock(mu_);
  const int64_t t = now();
  if (authority.kind == TaAuthorityKind::kUser && find(name) == nullptr) {
    bool missing = true;
    if (!dir_.empty()) {
      // A record that exists but could not be read counts as one.
      struct stat st {};
      missing = ::lstat((dir_ + "/" + name).c_str(), &st) != 0 && errno == ENOENT;
    }
    if (missing && count(authority_token(authority) + ".") >= kMaxRecordsPerUser) {
      return Status::kTooMany;
    }
  }
  Record r;
  r.trusted = true;
  if (__builtin_sub_overflow(static_cast<int64_t>(millis), t, &r.offset_ms)) {
    return Status::kInvalid;  // a wall clock no real one reads
  }
  r.set_at_ms = t;
  r.latest_seen = t;
  return write(name, r) ? Status::kOk : Status::kStorageError;
}

}  // namespace captee::tee::apps
