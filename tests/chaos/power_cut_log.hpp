// The undo log of the power-loss run (issue 16): what power_cut_preload.so
// writes in capteed before each change to a file of the store, and what the
// test reads back to make a possible disk state after a power cut.
//
// One log per file (named by a hash of the file's path, in the directory
// CAPTEE_POWER_CUT_LOG_DIR names). Each change appends one record: the header
// below, the file's path, then the bytes the change overwrites or cuts off
// (those within the file's size before it). A file's log is emptied once an
// fsync or fdatasync of that file has returned: what is left is the changes
// since the last sync, oldest first. A record is appended before its change
// is made, so a process killed in between leaves a record whose undo is a
// no-op; a record cut short by the kill is ignored (its change never ran).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace captee::test::power_cut {

constexpr uint32_t kRecordMagic = 0x55444e31;  // "UDN1"

struct RecordHeader {
  uint32_t magic;
  uint32_t path_size;
  uint64_t offset;  // the change covers [offset, offset + span)
  uint64_t span;
  uint64_t old_size;   // the file's size before the change
  uint64_t new_size;   // and after it
  uint64_t old_bytes;  // how many old bytes follow the path: [offset, min(offset + span, old_size))
};

// The log file's name for `path`: FNV-1a, 64 bits, in hex.
inline std::string log_name(const char *path) {
  uint64_t h = 14695981039346656037ull;
  for (const char *p = path; *p != '\0'; ++p) {
    h = (h ^ uint8_t(*p)) * 1099511628211ull;
  }
  static const char digits[] = "0123456789abcdef";
  std::string out = "undo-";
  for (int shift = 60; shift >= 0; shift -= 4) {
    out += digits[(h >> shift) & 0xF];
  }
  return out;
}

// One change as the test reads it back.
struct Change {
  std::string path;
  uint64_t offset = 0, span = 0, old_size = 0, new_size = 0;
  std::string old;
};

// Parses a log's bytes, oldest change first; stops at the first record that
// is cut short or malformed (the tail a kill left).
inline std::vector<Change> parse_log(const std::string &bytes) {
  std::vector<Change> out;
  size_t at = 0;
  while (bytes.size() - at >= sizeof(RecordHeader)) {
    RecordHeader h;
    std::memcpy(&h, bytes.data() + at, sizeof h);
    const size_t rest = bytes.size() - at - sizeof h;
    if (h.magic != kRecordMagic || h.path_size > rest || h.old_bytes > rest - h.path_size ||
        h.old_bytes > h.span) {
      break;
    }
    Change c;
    const char *p = bytes.data() + at + sizeof h;
    c.path.assign(p, h.path_size);
    c.old.assign(p + h.path_size, h.old_bytes);
    c.offset = h.offset;
    c.span = h.span;
    c.old_size = h.old_size;
    c.new_size = h.new_size;
    out.push_back(std::move(c));
    at += sizeof h + h.path_size + h.old_bytes;
  }
  return out;
}

}  // namespace captee::test::power_cut
