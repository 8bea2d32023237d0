// The SQLite VFS over the storage listener (listener_vfs.hpp).
#include "captee/tee/storage/listener_vfs.hpp"

#include <sqlite3.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <string_view>
#include <vector>

#include "captee/detail/little_endian.hpp"
#include "captee/storage_listener_protocol.h"

namespace captee::tee::storage {

using detail::load_le32;
using detail::load_le64;
using detail::store_le32;
using detail::store_le64;

bool parse_file_reply(ByteView reply, uint32_t op, uint32_t length, FileReply *out) {
  if (reply.size() < CAPTEE_STORAGE_HEADER_SIZE) {
    return false;
  }
  const uint32_t result = load_le32(reply.data() + CAPTEE_STORAGE_OFF_RESULT);
  const uint64_t value = load_le64(reply.data() + CAPTEE_STORAGE_OFF_VALUE);
  switch (result) {
    case CAPTEE_STORAGE_RESULT_OK:
    case CAPTEE_STORAGE_RESULT_IO:
    case CAPTEE_STORAGE_RESULT_NOSPACE:
    case CAPTEE_STORAGE_RESULT_BAD:
      break;
    default:
      return false;
  }
  if (result == CAPTEE_STORAGE_RESULT_OK) {
    // The value is the supplicant's claim: it must fit what was asked.
    if (op == CAPTEE_STORAGE_OP_READ &&
        (value > length || reply.size() - CAPTEE_STORAGE_HEADER_SIZE < value)) {
      return false;
    }
    if (op == CAPTEE_STORAGE_OP_SIZE && value > CAPTEE_STORAGE_MAX_FILE_SIZE) {
      return false;
    }
    if (op == CAPTEE_STORAGE_OP_ACCESS && value > 1) {
      return false;
    }
  }
  out->result = result;
  out->value = value;
  return true;
}

struct ListenerVfs::Impl {
  sqlite3_vfs vfs{};
  std::string name;
  std::shared_ptr<FileListener> listener;
  sqlite3_vfs *fallback = nullptr;  // the default VFS: time, randomness, sleep
  std::mutex mu;                    // one operation at a time on the region

  // One operation. `data` is WRITE's; `read_out` gets READ's bytes (at most
  // `length`, the count in *reply). SQLITE_OK only when the reply passed
  // parse_file_reply; the listener's result is in *reply.
  int call(uint32_t op, uint32_t file, uint64_t offset, uint32_t length, uint64_t value,
           ByteView data, uint8_t *read_out, FileReply *reply) {
    std::vector<uint8_t> request(CAPTEE_STORAGE_HEADER_SIZE + data.size());
    store_le32(request.data() + CAPTEE_STORAGE_OFF_OP, op);
    store_le32(request.data() + CAPTEE_STORAGE_OFF_FILE, file);
    store_le64(request.data() + CAPTEE_STORAGE_OFF_OFFSET, offset);
    store_le32(request.data() + CAPTEE_STORAGE_OFF_LENGTH, length);
    store_le64(request.data() + CAPTEE_STORAGE_OFF_VALUE, value);
    if (!data.empty()) {
      std::memcpy(request.data() + CAPTEE_STORAGE_HEADER_SIZE, data.data(), data.size());
    }
    const size_t back = op == CAPTEE_STORAGE_OP_READ ? length : 0;
    std::vector<uint8_t> answer(CAPTEE_STORAGE_HEADER_SIZE + back);
    std::lock_guard one_operation(mu);
    if (!listener->call(request, answer) || !parse_file_reply(answer, op, length, reply)) {
      return SQLITE_IOERR;
    }
    if (back > 0 && reply->result == CAPTEE_STORAGE_RESULT_OK && reply->value > 0) {
      std::memcpy(read_out, answer.data() + CAPTEE_STORAGE_HEADER_SIZE, reply->value);
    }
    return SQLITE_OK;
  }
};

namespace {

struct ListenerFile {
  sqlite3_file base;  // first: SQLite hands this back as sqlite3_file*
  ListenerVfs::Impl *vfs;
  uint32_t file;  // CAPTEE_STORAGE_FILE_*
};

ListenerVfs::Impl *impl_of(sqlite3_vfs *v) {
  return static_cast<ListenerVfs::Impl *>(v->pAppData);
}

ListenerFile *file_of(sqlite3_file *f) {
  return reinterpret_cast<ListenerFile *>(f);
}

int error_of(const FileReply &r, int io_error) {
  return r.result == CAPTEE_STORAGE_RESULT_NOSPACE ? SQLITE_FULL : io_error;
}

bool ends_with(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

uint32_t file_by_name(const char *name) {
  if (ends_with(name, "-wal")) {
    return CAPTEE_STORAGE_FILE_WAL;
  }
  if (ends_with(name, "-journal")) {
    return CAPTEE_STORAGE_FILE_JOURNAL;
  }
  return CAPTEE_STORAGE_FILE_DB;
}

int file_close(sqlite3_file *) {
  return SQLITE_OK;
}

int file_read(sqlite3_file *f, void *buf, int amount, sqlite3_int64 offset) {
  ListenerFile *lf = file_of(f);
  if (amount < 0 || offset < 0) {
    return SQLITE_IOERR_READ;
  }
  auto *out = static_cast<uint8_t *>(buf);
  size_t done = 0;
  const size_t want = static_cast<size_t>(amount);
  while (done < want) {
    const uint32_t n =
        static_cast<uint32_t>(std::min<size_t>(want - done, CAPTEE_STORAGE_MAX_DATA));
    FileReply r;
    // offset >= 0 and done < INT_MAX: no overflow in u64.
    const int rc = lf->vfs->call(CAPTEE_STORAGE_OP_READ, lf->file,
                                 static_cast<uint64_t>(offset) + done, n, 0, {}, out + done, &r);
    if (rc != SQLITE_OK || r.result != CAPTEE_STORAGE_RESULT_OK) {
      std::memset(out, 0, want);  // nothing half-read reaches SQLite
      return SQLITE_IOERR_READ;
    }
    done += r.value;
    if (r.value < n) {
      // The file ends here: SQLite wants the rest zeroed and told.
      std::memset(out + done, 0, want - done);
      return SQLITE_IOERR_SHORT_READ;
    }
  }
  return SQLITE_OK;
}

int file_write(sqlite3_file *f, const void *buf, int amount, sqlite3_int64 offset) {
  ListenerFile *lf = file_of(f);
  if (amount < 0 || offset < 0) {
    return SQLITE_IOERR_WRITE;
  }
  const auto *in = static_cast<const uint8_t *>(buf);
  size_t done = 0;
  const size_t want = static_cast<size_t>(amount);
  while (done < want) {
    const size_t n = std::min<size_t>(want - done, CAPTEE_STORAGE_MAX_DATA);
    FileReply r;
    const int rc =
        lf->vfs->call(CAPTEE_STORAGE_OP_WRITE, lf->file, static_cast<uint64_t>(offset) + done,
                      static_cast<uint32_t>(n), 0, ByteView(in + done, n), nullptr, &r);
    if (rc != SQLITE_OK) {
      return SQLITE_IOERR_WRITE;
    }
    if (r.result != CAPTEE_STORAGE_RESULT_OK) {
      return error_of(r, SQLITE_IOERR_WRITE);
    }
    done += n;
  }
  return SQLITE_OK;
}

int file_truncate(sqlite3_file *f, sqlite3_int64 size) {
  ListenerFile *lf = file_of(f);
  FileReply r;
  if (size < 0 || lf->vfs->call(CAPTEE_STORAGE_OP_TRUNCATE, lf->file, 0, 0,
                                static_cast<uint64_t>(size), {}, nullptr, &r) != SQLITE_OK) {
    return SQLITE_IOERR_TRUNCATE;
  }
  return r.result == CAPTEE_STORAGE_RESULT_OK ? SQLITE_OK : error_of(r, SQLITE_IOERR_TRUNCATE);
}

int file_sync(sqlite3_file *f, int) {
  ListenerFile *lf = file_of(f);
  FileReply r;
  if (lf->vfs->call(CAPTEE_STORAGE_OP_SYNC, lf->file, 0, 0, 0, {}, nullptr, &r) != SQLITE_OK ||
      r.result != CAPTEE_STORAGE_RESULT_OK) {
    return SQLITE_IOERR_FSYNC;
  }
  return SQLITE_OK;
}

int file_size(sqlite3_file *f, sqlite3_int64 *size) {
  ListenerFile *lf = file_of(f);
  FileReply r;
  *size = 0;
  if (lf->vfs->call(CAPTEE_STORAGE_OP_SIZE, lf->file, 0, 0, 0, {}, nullptr, &r) != SQLITE_OK ||
      r.result != CAPTEE_STORAGE_RESULT_OK) {
    return SQLITE_IOERR_FSTAT;
  }
  *size = static_cast<sqlite3_int64>(r.value);  // <= CAPTEE_STORAGE_MAX_FILE_SIZE
  return SQLITE_OK;
}

// No other process shares the store (exclusive locking mode, and the
// supplicant is not SQLite): locks always succeed.
int file_lock(sqlite3_file *, int) {
  return SQLITE_OK;
}

int file_check_reserved(sqlite3_file *, int *out) {
  *out = 0;
  return SQLITE_OK;
}

int file_control(sqlite3_file *, int, void *) {
  return SQLITE_NOTFOUND;
}

int file_sector_size(sqlite3_file *) {
  return 4096;
}

int file_characteristics(sqlite3_file *) {
  return 0;  // promise nothing: SQLite takes the careful path
}

const sqlite3_io_methods kFileMethods = {
    1,  // no shared memory: WAL works in exclusive locking mode only
    file_close,
    file_read,
    file_write,
    file_truncate,
    file_sync,
    file_size,
    file_lock,
    file_lock,
    file_check_reserved,
    file_control,
    file_sector_size,
    file_characteristics,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
};

int vfs_open(sqlite3_vfs *v, sqlite3_filename name, sqlite3_file *f, int flags, int *out_flags) {
  auto *lf = reinterpret_cast<ListenerFile *>(f);
  lf->base.pMethods = nullptr;  // SQLite calls no method of a file that failed to open
  uint32_t which;
  if (name == nullptr) {
    return SQLITE_CANTOPEN;  // a temporary file: the store keeps those in memory
  }
  if ((flags & SQLITE_OPEN_MAIN_DB) != 0) {
    which = CAPTEE_STORAGE_FILE_DB;
  } else if ((flags & SQLITE_OPEN_WAL) != 0) {
    which = CAPTEE_STORAGE_FILE_WAL;
  } else if ((flags & SQLITE_OPEN_MAIN_JOURNAL) != 0) {
    which = CAPTEE_STORAGE_FILE_JOURNAL;
  } else {
    return SQLITE_CANTOPEN;
  }
  lf->vfs = impl_of(v);
  lf->file = which;
  lf->base.pMethods = &kFileMethods;
  if (out_flags != nullptr) {
    *out_flags = flags;
  }
  return SQLITE_OK;
}

int vfs_delete(sqlite3_vfs *v, const char *name, int) {
  FileReply r;
  if (impl_of(v)->call(CAPTEE_STORAGE_OP_DELETE, file_by_name(name), 0, 0, 0, {}, nullptr, &r) !=
          SQLITE_OK ||
      r.result != CAPTEE_STORAGE_RESULT_OK) {
    return SQLITE_IOERR_DELETE;
  }
  return SQLITE_OK;
}

int vfs_access(sqlite3_vfs *v, const char *name, int, int *out) {
  FileReply r;
  *out = 0;
  if (impl_of(v)->call(CAPTEE_STORAGE_OP_ACCESS, file_by_name(name), 0, 0, 0, {}, nullptr, &r) !=
          SQLITE_OK ||
      r.result != CAPTEE_STORAGE_RESULT_OK) {
    return SQLITE_IOERR_ACCESS;
  }
  *out = r.value == 1 ? 1 : 0;
  return SQLITE_OK;
}

int vfs_full_pathname(sqlite3_vfs *, const char *name, int n, char *out) {
  const size_t len = std::strlen(name);
  if (n <= 0 || len >= static_cast<size_t>(n)) {
    return SQLITE_CANTOPEN;
  }
  std::memcpy(out, name, len + 1);
  return SQLITE_OK;
}

int vfs_randomness(sqlite3_vfs *v, int n, char *out) {
  sqlite3_vfs *d = impl_of(v)->fallback;
  return d->xRandomness(d, n, out);
}

int vfs_sleep(sqlite3_vfs *v, int us) {
  sqlite3_vfs *d = impl_of(v)->fallback;
  return d->xSleep(d, us);
}

int vfs_current_time(sqlite3_vfs *v, double *out) {
  sqlite3_vfs *d = impl_of(v)->fallback;
  return d->xCurrentTime(d, out);
}

int vfs_current_time64(sqlite3_vfs *v, sqlite3_int64 *out) {
  sqlite3_vfs *d = impl_of(v)->fallback;
  if (d->iVersion >= 2 && d->xCurrentTimeInt64 != nullptr) {
    return d->xCurrentTimeInt64(d, out);
  }
  double now = 0;
  const int rc = d->xCurrentTime(d, &now);
  *out = static_cast<sqlite3_int64>(now * 86400000.0);
  return rc;
}

int vfs_last_error(sqlite3_vfs *, int, char *) {
  return 0;
}

std::atomic<uint64_t> next_vfs_number{0};

}  // namespace

std::unique_ptr<ListenerVfs> ListenerVfs::create(std::shared_ptr<FileListener> listener) {
  if (!listener || sqlite3_initialize() != SQLITE_OK) {
    return nullptr;
  }
  auto impl = std::make_unique<Impl>();
  impl->fallback = sqlite3_vfs_find(nullptr);
  if (impl->fallback == nullptr) {
    return nullptr;
  }
  impl->listener = std::move(listener);
  impl->name = "captee-listener-" + std::to_string(next_vfs_number.fetch_add(1));
  sqlite3_vfs &v = impl->vfs;
  v.iVersion = 2;
  v.szOsFile = sizeof(ListenerFile);
  v.mxPathname = 1024;
  v.zName = impl->name.c_str();
  v.pAppData = impl.get();
  v.xOpen = vfs_open;
  v.xDelete = vfs_delete;
  v.xAccess = vfs_access;
  v.xFullPathname = vfs_full_pathname;
  v.xRandomness = vfs_randomness;
  v.xSleep = vfs_sleep;
  v.xCurrentTime = vfs_current_time;
  v.xGetLastError = vfs_last_error;
  v.xCurrentTimeInt64 = vfs_current_time64;
  if (sqlite3_vfs_register(&v, 0) != SQLITE_OK) {
    return nullptr;
  }
  return std::unique_ptr<ListenerVfs>(new ListenerVfs(std::move(impl)));
}

ListenerVfs::ListenerVfs(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ListenerVfs::~ListenerVfs() {
  sqlite3_vfs_unregister(&impl_->vfs);
}

const std::string &ListenerVfs::name() const {
  return impl_->name;
}

}  // namespace captee::tee::storage
