// A SQLite VFS that gathers a write-ahead log's appends into one write
// (internal to captee_tee_storage; decision 0032 has the measurements).
//
// SQLite writes its WAL one frame (4 KiB and a 24-byte header) per system
// call: a 1 MiB object write is about 530 pwrite(2) calls, and on this
// project's test machine those calls cost more than the flush itself. This
// VFS wraps another one and keeps a WAL file's contiguous appends in memory
// until SQLite syncs, reads that range, asks for the size, truncates or
// closes the file, or the gathered bytes reach kMaxGathered; then it writes
// them with one call. Nothing SQLite relies on changes: bytes written before
// a sync were never durable, and every read sees what was written. Other
// files (the database, its journal) pass straight through.
#pragma once

#include <sqlite3.h>

#include <cstddef>

namespace captee::tee::storage {

// The VFS over `base` (nullptr: SQLite's default), registered once per base
// under its own name (not made the default) and alive for the process.
// Returns that name for sqlite3_open_v2, or nullptr if `base` is unknown
// or registration failed.
const char *coalescing_vfs_over(const char *base);

// The most bytes gathered before they are written anyway.
inline constexpr size_t kMaxGathered = size_t{16} << 20;

}  // namespace captee::tee::storage
