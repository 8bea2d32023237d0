// Feeds hostile storage-listener replies to capteed's side of the protocol
// (captee/storage_listener_protocol.h), as a lying captee-supplicant would.
// The input is the supplicant's whole answer stream: each operation's reply
// is the next bytes of the input (so headers, results, claimed lengths and
// data are all the fuzzer's), and the supplicant goes away when the input
// ends. A SQLite database is opened over the listener VFS (and the
// WAL-gathering wrapper over it) the way the durable store opens it, and
// written and read; the VFS must never read or
// write out of bounds, never hand SQLite more than it asked for, and never
// ask the supplicant for more than the protocol allows. parse_file_reply is
// also checked alone against its promises.
#include <sqlite3.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "captee/detail/little_endian.hpp"
#include "captee/storage_listener_protocol.h"
#include "captee/tee/storage/listener_vfs.hpp"
#include "../../src/tee/storage/coalescing_vfs.hpp"

using namespace captee::tee::storage;

namespace {

class ReplayedSupplicant final : public FileListener {
 public:
  ReplayedSupplicant(const uint8_t *data, size_t size) : data_(data), size_(size) {}

  bool call(ByteView request, std::span<uint8_t> reply) override {
    // What capteed sends must be what the protocol allows.
    if (request.size() < CAPTEE_STORAGE_HEADER_SIZE ||
        request.size() > CAPTEE_STORAGE_HEADER_SIZE + CAPTEE_STORAGE_MAX_DATA ||
        reply.size() < CAPTEE_STORAGE_HEADER_SIZE ||
        reply.size() > CAPTEE_STORAGE_HEADER_SIZE + CAPTEE_STORAGE_MAX_DATA)
      std::abort();
    const uint32_t length = captee::detail::load_le32(request.data() + CAPTEE_STORAGE_OFF_LENGTH);
    if (length > CAPTEE_STORAGE_MAX_DATA)
      std::abort();
    if (pos_ >= size_)
      return false;  // the supplicant died
    // Only the header comes from the input: keep inputs short and the data
    // part of a read whatever the fuzzer's bytes say after it.
    for (size_t i = 0; i < reply.size(); ++i)
      reply[i] = data_[(pos_ + i) % size_];
    pos_ += std::min<size_t>(reply.size(), CAPTEE_STORAGE_HEADER_SIZE + 16);
    return true;
  }

 private:
  const uint8_t *data_;
  size_t size_;
  size_t pos_ = 0;
};

void check_parse(const uint8_t *data, size_t size) {
  if (size < 5)
    return;
  const uint32_t op = data[0] % 8;
  const uint32_t length = captee::detail::load_le32(data + 1) % (CAPTEE_STORAGE_MAX_DATA + 1);
  FileReply r;
  if (!parse_file_reply(ByteView(data + 5, size - 5), op, length, &r))
    return;
  if (r.result > CAPTEE_STORAGE_RESULT_BAD)
    std::abort();
  if (r.result == CAPTEE_STORAGE_RESULT_OK && op == CAPTEE_STORAGE_OP_READ &&
      (r.value > length || r.value > size - 5 - CAPTEE_STORAGE_HEADER_SIZE))
    std::abort();
  if (r.result == CAPTEE_STORAGE_RESULT_OK && op == CAPTEE_STORAGE_OP_SIZE &&
      r.value > CAPTEE_STORAGE_MAX_FILE_SIZE)
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  check_parse(data, size);
  if (size == 0)
    return 0;
  auto vfs = ListenerVfs::create(std::make_shared<ReplayedSupplicant>(data, size));
  if (!vfs)
    return 0;
  // Through the WAL-gathering wrapper, as the store opens it.
  auto gather = CoalescingVfs::over(vfs->name().c_str());
  if (!gather)
    return 0;
  sqlite3 *db = nullptr;
  if (sqlite3_open_v2("fuzz/store.db", &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      gather->name()) == SQLITE_OK) {
    sqlite3_exec(db,
                 "PRAGMA locking_mode=EXCLUSIVE; PRAGMA journal_mode=WAL; PRAGMA "
                 "synchronous=FULL; PRAGMA temp_store=MEMORY;"
                 "CREATE TABLE IF NOT EXISTS t(k INTEGER PRIMARY KEY, v BLOB);"
                 "INSERT INTO t(v) VALUES (randomblob(5000));"
                 "SELECT count(*), sum(length(v)) FROM t;",
                 nullptr, nullptr, nullptr);
  }
  sqlite3_close_v2(db);
  return 0;
}
