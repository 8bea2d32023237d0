// The IListenerCBO captee-supplicant --storage-dir registers with capteed:
// each request() runs one file operation of capteed's durable store
// (captee/storage_listener_protocol.h) on the few fixed files of one
// directory, and leaves the answer in the shared region. The bytes are
// capteed's sealed SQLite pages: the supplicant reads and writes them, never
// interprets them.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "captee/object.hpp"
#include "captee/supplicant/plugin_set.hpp"

namespace captee::supplicant {

// The directory the store's files live in, opened and locked for this
// process (a second supplicant on the same directory is refused, as two
// writers would tear the store). Null with `*why` if `path` cannot be
// created (mode 0700), opened or locked.
class StorageDir {
 public:
  static std::unique_ptr<StorageDir> open(const std::string &path, std::string *why);
  ~StorageDir();
  StorageDir(const StorageDir &) = delete;
  StorageDir &operator=(const StorageDir &) = delete;
  int fd() const { return fd_; }
  const std::string &path() const { return path_; }

 private:
  StorageDir(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_;
  std::string path_;
};

// `region` is the MemoryObject registered with the listener (null Ref if it
// is not a MemoryObject of this process). `released` runs once, when the
// last reference to the listener goes (capteed let go of it). A request
// whose header or length does not fit the region, names no known file or
// operation, or reaches past 2^63 bytes is answered
// CAPTEE_STORAGE_RESULT_BAD without touching a file. Requests run one at a
// time.
Ref make_storage_listener(std::shared_ptr<StorageDir> dir, Ref region, Log log,
                          std::function<void()> released);

}  // namespace captee::supplicant
