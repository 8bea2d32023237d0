// A SQLite VFS that gathers a write-ahead log's appends into a few large
// writes (internal to captee_tee_storage; decision 0032 has the measurements).
//
// SQLite writes its WAL one frame (a page and a 24-byte header) per system
// call: a 1 MiB object write is about 535 pwrite(2) calls, and removing them
// took 0.4-0.5 ms off a 1.85 ms commit on this project's test machine. This
// VFS wraps another one and keeps a WAL file's contiguous appends in memory
// until SQLite syncs, reads that range, asks for the size, truncates, calls
// a file control or closes the file, or the gathered bytes reach
// kMaxGathered; then it writes them in pieces of under 128 KiB. Nothing
// SQLite relies on changes: bytes written before a sync were never durable,
// and every read sees what was written. Other files (the database, its
// journal) pass straight through.
#pragma once

#include <sqlite3.h>

#include <cstddef>
#include <memory>

namespace captee::tee::storage {

// The VFS over `base` (nullptr: SQLite's default), registered under a name
// of its own (never the default) for as long as this object lives. Every
// connection opened through it must be closed (and its statements
// finalized) before it is destroyed, and `base` must outlive it.
class CoalescingVfs {
 public:
  // nullptr if `base` is unknown or registration failed.
  static std::unique_ptr<CoalescingVfs> over(const char *base);
  ~CoalescingVfs();
  CoalescingVfs(const CoalescingVfs &) = delete;
  CoalescingVfs &operator=(const CoalescingVfs &) = delete;

  // The name to give sqlite3_open_v2.
  const char *name() const;

  struct Shim;  // the registered sqlite3_vfs and its base

 private:
  explicit CoalescingVfs(std::unique_ptr<Shim> shim);
  std::unique_ptr<Shim> shim_;
};

// The most bytes gathered before they are written anyway.
inline constexpr size_t kMaxGathered = size_t{16} << 20;

}  // namespace captee::tee::storage
