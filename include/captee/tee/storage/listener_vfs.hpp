// A SQLite VFS whose files live in another process: the durable store's
// database and WAL kept by captee-supplicant through its storage listener
// (capteed --storage-backend supplicant; captee/storage_listener_protocol.h,
// docs/STORAGE.md, decision 0030).
//
// Everything the listener answers is hostile: a reply is checked by
// parse_file_reply before any field is used, a read never copies more than
// was asked, and a short or failed read is zero-filled. Wrong bytes that
// pass those checks are SQLite pages of sealed records: the store's
// authentication (decision 0023) turns them into kCorrupt or kIoError,
// never into wrong data.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "captee/tee/storage/object_store.hpp"

namespace captee::tee::storage {

// One operation to the storage listener.
class FileListener {
 public:
  virtual ~FileListener() = default;
  // Puts `request` (a header, and WRITE's data) in the listener's region,
  // runs the listener once, and copies into `reply` (the caller's size: the
  // header and at most READ's length) what the listener left there. False if
  // the listener cannot be reached (gone, refused the call, or its region is
  // too small); `reply` then means nothing. Called one at a time per VFS.
  virtual bool call(ByteView request, std::span<uint8_t> reply) = 0;
};

// A reply's fields, once checked.
struct FileReply {
  uint32_t result = 0;  // CAPTEE_STORAGE_RESULT_*
  uint64_t value = 0;   // per op (storage_listener_protocol.h)
};

// Checks what the listener left for a request of `op` asking `length` bytes:
// `reply` must hold the whole header, the result must be one the protocol
// knows, and the value must fit the op (READ: at most `length`; SIZE: at
// most CAPTEE_STORAGE_MAX_FILE_SIZE; ACCESS: 0 or 1). False: the reply is
// refused and the operation is an I/O error.
bool parse_file_reply(ByteView reply, uint32_t op, uint32_t length, FileReply *out);

// A SQLite VFS over one FileListener, registered (not as the default) under
// a name of its own for as long as the object lives. It serves the store's
// database, WAL and journal (by their names' endings) and refuses every other
// file, so the store must keep temporary data in memory. It has no locks and
// no shared memory: the store runs SQLite in exclusive locking mode, alone.
class ListenerVfs {
 public:
  // Null if SQLite cannot register it.
  static std::unique_ptr<ListenerVfs> create(std::shared_ptr<FileListener> listener);
  // Unregisters. Every connection opened with it must be closed first.
  ~ListenerVfs();
  ListenerVfs(const ListenerVfs &) = delete;
  ListenerVfs &operator=(const ListenerVfs &) = delete;

  // The name to open the database with (DurableStoreOptions::sqlite_vfs).
  const std::string &name() const;

  struct Impl;

 private:
  explicit ListenerVfs(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace captee::tee::storage
