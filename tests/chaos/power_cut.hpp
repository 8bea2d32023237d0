// The power cut of the power-loss run: after capteed was killed, each file's
// unsynced changes (its undo log, power_cut_log.hpp) are kept, dropped or
// torn at random, and the file is rewritten as a disk could have left it.
//
// A disk may persist any subset of the writes made since the last sync, and
// a write may reach it in part, 512-byte sector by sector. So each change
// is kept, dropped, or (one in eight, if it spans more than one sector) torn:
// each sector kept or dropped. Undoing goes newest first: a dropped change
// puts back the bytes it overwrote, except where a newer kept change wrote
// (that change's bytes are what the disk holds there). The file's size is
// the size after the newest change whose size was kept, or the size before
// the oldest change if none was. Bytes past the old size that a dropped
// change had written read back as zeros (a hole).
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "power_cut_log.hpp"

namespace captee::test::power_cut {

constexpr uint64_t kSector = 512;

struct CutFigures {
  unsigned files = 0;    // files with unsynced changes
  unsigned kept = 0;     // changes the disk holds whole
  unsigned dropped = 0;  // changes it lost whole
  unsigned torn = 0;     // changes it holds some sectors of
};

namespace detail {

inline std::string read_all(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Rewrites `path` as `content` and syncs it (the test's own write: durable).
inline bool rewrite(const std::string &path, const std::string &content) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    return false;
  }
  bool ok = ::ftruncate(fd, off_t(content.size())) == 0;
  for (size_t at = 0; ok && at < content.size();) {
    const ssize_t n = ::pwrite(fd, content.data() + at, content.size() - at, off_t(at));
    ok = n > 0;
    at += ok ? size_t(n) : 0;
  }
  ok = ::fsync(fd) == 0 && ok;
  return ::close(fd) == 0 && ok;
}

}  // namespace detail

// Cuts the power for one file: `changes` are its unsynced ones, oldest
// first. False if the file cannot be rewritten.
inline bool cut_file(const std::string &path, const std::vector<Change> &changes, std::mt19937 &rng,
                     CutFigures *figures) {
  std::string content = detail::read_all(path);
  uint64_t extent = content.size();
  for (const Change &c : changes) {
    extent = std::max({extent, c.offset + c.span, c.old_size, c.new_size});
  }
  content.resize(extent, '\0');
  // Bytes a newer kept change wrote: older undos leave them alone.
  std::vector<bool> kept_by_newer(extent, false);
  bool size_known = false;
  uint64_t size = changes.empty() ? content.size() : changes.front().old_size;
  for (auto it = changes.rbegin(); it != changes.rend(); ++it) {
    const Change &c = *it;
    enum { kKeep, kDrop, kTear } fate = rng() % 2 == 0 ? kKeep : kDrop;
    if (c.span > kSector && rng() % 8 == 0) {
      fate = kTear;
    }
    figures->kept += fate == kKeep;
    figures->dropped += fate == kDrop;
    figures->torn += fate == kTear;
    if (!size_known && (fate == kKeep || (fate == kTear && rng() % 2 == 0))) {
      size = c.new_size;
      size_known = true;
    }
    // Sector by sector, on the file's own 512-byte boundaries.
    for (uint64_t at = c.offset; at < c.offset + c.span;) {
      const uint64_t end = std::min(c.offset + c.span, (at / kSector + 1) * kSector);
      const bool keep = fate == kKeep || (fate == kTear && rng() % 2 == 0);
      for (uint64_t b = at; b < end; ++b) {
        if (keep) {
          kept_by_newer[b] = true;
        } else if (!kept_by_newer[b]) {
          content[b] = b - c.offset < c.old.size() ? c.old[b - c.offset] : '\0';
        }
      }
      at = end;
    }
  }
  content.resize(size, '\0');
  ++figures->files;
  return detail::rewrite(path, content);
}

// Cuts the power for every file with a log in `log_dir`, then empties the
// logs (what is on disk now is what the disk holds).
inline bool cut_power(const std::string &log_dir, std::mt19937 &rng, CutFigures *figures) {
  std::vector<std::filesystem::path> logs;
  for (const auto &e : std::filesystem::directory_iterator(log_dir)) {
    logs.push_back(e.path());
  }
  std::sort(logs.begin(), logs.end());  // the same order every run, for the seed
  bool ok = true;
  for (const auto &log : logs) {
    const std::vector<Change> changes = parse_log(detail::read_all(log));
    // A file unlinked since is gone for good (unlinks count as durable).
    if (!changes.empty() && std::filesystem::exists(changes.front().path)) {
      ok = cut_file(changes.front().path, changes, rng, figures) && ok;
    }
    std::filesystem::remove(log);
  }
  return ok;
}

}  // namespace captee::test::power_cut
