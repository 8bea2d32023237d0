// The WAL-gathering SQLite VFS (coalescing_vfs.hpp).
#include "coalescing_vfs.hpp"

#include <algorithm>
#include <cstring>
#include <atomic>
#include <memory>
#include <new>
#include <string>
#include <vector>

namespace captee::tee::storage {
namespace {

// What a WAL file has written but not yet passed on: the bytes of
// [start, start + bytes.size()).
struct Gathered {
  sqlite3_int64 start = 0;
  std::vector<unsigned char> bytes;
  sqlite3_int64 end() const { return start + static_cast<sqlite3_int64>(bytes.size()); }
};

// Our file, followed in the same allocation by the wrapped VFS's file
// (SQLite allocates szOsFile bytes for it).
struct File {
  sqlite3_file base;
  sqlite3_file *real;
  Gathered *gathered;  // nullptr: not a WAL file, everything passes through
};

sqlite3_file *real_of(sqlite3_file *f) {
  return reinterpret_cast<File *>(f)->real;
}

// SQLite's unix VFS writes at most 128 KiB - 1 bytes per call (it masks
// the count to 17 bits, since SQLite itself never writes more), so what is
// gathered goes out in pieces below that, each ending on a 4 KiB boundary
// of the file so the page cache never has to merge a partial page.
constexpr size_t kMaxPiece = (size_t{128} << 10) - 4096;
constexpr sqlite3_int64 kPageAlign = 4096;

// Writes what is gathered. The gathered bytes are dropped either way: after
// a failed write SQLite treats that transaction as failed.
int flush(File *f) {
  Gathered *g = f->gathered;
  if (g == nullptr || g->bytes.empty())
    return SQLITE_OK;
  int rc = SQLITE_OK;
  size_t done = 0;
  while (rc == SQLITE_OK && done < g->bytes.size()) {
    const sqlite3_int64 at = g->start + static_cast<sqlite3_int64>(done);
    size_t piece = std::min(kMaxPiece, g->bytes.size() - done);
    const sqlite3_int64 aligned_end =
        (at + static_cast<sqlite3_int64>(piece)) / kPageAlign * kPageAlign;
    if (done + piece < g->bytes.size() && aligned_end > at)
      piece = static_cast<size_t>(aligned_end - at);
    rc = f->real->pMethods->xWrite(f->real, g->bytes.data() + done, static_cast<int>(piece), at);
    done += piece;
  }
  g->bytes.clear();
  return rc;
}

int flush_of(sqlite3_file *f) {
  return flush(reinterpret_cast<File *>(f));
}

int x_close(sqlite3_file *pf) {
  File *f = reinterpret_cast<File *>(pf);
  const int flushed = flush(f);
  const int closed = f->real->pMethods->xClose(f->real);
  delete f->gathered;
  f->gathered = nullptr;
  return flushed != SQLITE_OK ? flushed : closed;
}

int x_read(sqlite3_file *pf, void *out, int amount, sqlite3_int64 offset) {
  File *f = reinterpret_cast<File *>(pf);
  Gathered *g = f->gathered;
  // A read of gathered bytes must see them: they go out first.
  if (g != nullptr && !g->bytes.empty() && offset < g->end() && offset + amount > g->start) {
    if (int rc = flush(f); rc != SQLITE_OK)
      return rc;
  }
  return f->real->pMethods->xRead(f->real, out, amount, offset);
}

int x_write(sqlite3_file *pf, const void *data, int amount, sqlite3_int64 offset) {
  File *f = reinterpret_cast<File *>(pf);
  Gathered *g = f->gathered;
  if (g == nullptr || amount <= 0 || offset < 0)
    return f->real->pMethods->xWrite(f->real, data, amount, offset);
  const auto *bytes = static_cast<const unsigned char *>(data);
  const size_t n = static_cast<size_t>(amount);
  if (!g->bytes.empty() && offset >= g->start && offset + amount <= g->end()) {
    // SQLite rewrites a frame of the open transaction: in place.
    std::memcpy(g->bytes.data() + (offset - g->start), bytes, n);
    return SQLITE_OK;
  }
  if (!g->bytes.empty() && offset != g->end()) {
    if (int rc = flush(f); rc != SQLITE_OK)
      return rc;
  }
  if (n > kMaxGathered - g->bytes.size()) {
    if (int rc = flush(f); rc != SQLITE_OK)
      return rc;
    if (n > kMaxGathered)
      return f->real->pMethods->xWrite(f->real, data, amount, offset);
  }
  if (g->bytes.empty())
    g->start = offset;
  try {
    g->bytes.insert(g->bytes.end(), bytes, bytes + n);
  } catch (const std::bad_alloc &) {
    if (int rc = flush(f); rc != SQLITE_OK)
      return rc;
    return f->real->pMethods->xWrite(f->real, data, amount, offset);
  }
  return SQLITE_OK;
}

int x_truncate(sqlite3_file *pf, sqlite3_int64 size) {
  if (int rc = flush_of(pf); rc != SQLITE_OK)
    return rc;
  sqlite3_file *r = real_of(pf);
  return r->pMethods->xTruncate(r, size);
}

int x_sync(sqlite3_file *pf, int flags) {
  if (int rc = flush_of(pf); rc != SQLITE_OK)
    return rc;
  sqlite3_file *r = real_of(pf);
  return r->pMethods->xSync(r, flags);
}

int x_file_size(sqlite3_file *pf, sqlite3_int64 *size) {
  if (int rc = flush_of(pf); rc != SQLITE_OK)
    return rc;
  sqlite3_file *r = real_of(pf);
  return r->pMethods->xFileSize(r, size);
}

int x_lock(sqlite3_file *pf, int level) {
  sqlite3_file *r = real_of(pf);
  return r->pMethods->xLock(r, level);
}

int x_unlock(sqlite3_file *pf, int level) {
  sqlite3_file *r = real_of(pf);
  return r->pMethods->xUnlock(r, level);
}

int x_check_reserved_lock(sqlite3_file *pf, int *out) {
  sqlite3_file *r = real_of(pf);
  return r->pMethods->xCheckReservedLock(r, out);
}

int x_file_control(sqlite3_file *pf, int op, void *arg) {
  // Whatever the control does to the file, it sees every byte written.
  if (int rc = flush_of(pf); rc != SQLITE_OK)
    return rc;
  sqlite3_file *r = real_of(pf);
  return r->pMethods->xFileControl(r, op, arg);
}

int x_sector_size(sqlite3_file *pf) {
  sqlite3_file *r = real_of(pf);
  return r->pMethods->xSectorSize(r);
}

int x_device_characteristics(sqlite3_file *pf) {
  sqlite3_file *r = real_of(pf);
  return r->pMethods->xDeviceCharacteristics(r);
}

int x_shm_map(sqlite3_file *pf, int region, int size, int extend, void volatile **out) {
  sqlite3_file *r = real_of(pf);
  return r->pMethods->iVersion >= 2 && r->pMethods->xShmMap != nullptr
             ? r->pMethods->xShmMap(r, region, size, extend, out)
             : SQLITE_IOERR_SHMMAP;
}

int x_shm_lock(sqlite3_file *pf, int offset, int n, int flags) {
  sqlite3_file *r = real_of(pf);
  return r->pMethods->iVersion >= 2 && r->pMethods->xShmLock != nullptr
             ? r->pMethods->xShmLock(r, offset, n, flags)
             : SQLITE_IOERR_SHMLOCK;
}

void x_shm_barrier(sqlite3_file *pf) {
  sqlite3_file *r = real_of(pf);
  if (r->pMethods->iVersion >= 2 && r->pMethods->xShmBarrier != nullptr)
    r->pMethods->xShmBarrier(r);
}

int x_shm_unmap(sqlite3_file *pf, int remove) {
  sqlite3_file *r = real_of(pf);
  return r->pMethods->iVersion >= 2 && r->pMethods->xShmUnmap != nullptr
             ? r->pMethods->xShmUnmap(r, remove)
             : SQLITE_OK;
}

// Memory-mapped reads are never offered (SQLite then reads with xRead),
// so no mapping can miss gathered bytes.
int x_fetch(sqlite3_file *, sqlite3_int64, int, void **out) {
  *out = nullptr;
  return SQLITE_OK;
}

int x_unfetch(sqlite3_file *, sqlite3_int64, void *) {
  return SQLITE_OK;
}

const sqlite3_io_methods kMethods = {
    3,
    x_close,
    x_read,
    x_write,
    x_truncate,
    x_sync,
    x_file_size,
    x_lock,
    x_unlock,
    x_check_reserved_lock,
    x_file_control,
    x_sector_size,
    x_device_characteristics,
    x_shm_map,
    x_shm_lock,
    x_shm_barrier,
    x_shm_unmap,
    x_fetch,
    x_unfetch,
};

}  // namespace

struct CoalescingVfs::Shim {
  sqlite3_vfs vfs{};
  sqlite3_vfs *base = nullptr;
  std::string name;
};

namespace {

sqlite3_vfs *base_of(sqlite3_vfs *vfs) {
  return static_cast<CoalescingVfs::Shim *>(vfs->pAppData)->base;
}

int x_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *pf, int flags, int *out_flags) {
  File *f = reinterpret_cast<File *>(pf);
  sqlite3_vfs *base = base_of(vfs);
  f->base.pMethods = nullptr;
  f->real = reinterpret_cast<sqlite3_file *>(f + 1);
  f->gathered = nullptr;
  if ((flags & SQLITE_OPEN_WAL) != 0) {
    f->gathered = new (std::nothrow) Gathered;
    if (f->gathered == nullptr)
      return SQLITE_NOMEM;
  }
  const int rc = base->xOpen(base, name, f->real, flags, out_flags);
  if (f->real->pMethods == nullptr) {
    delete f->gathered;
    f->gathered = nullptr;
    return rc != SQLITE_OK ? rc : SQLITE_CANTOPEN;
  }
  // The wrapped file is open: from here SQLite closes it through us.
  f->base.pMethods = &kMethods;
  return rc;
}

int x_delete(sqlite3_vfs *vfs, const char *name, int sync_dir) {
  sqlite3_vfs *b = base_of(vfs);
  return b->xDelete(b, name, sync_dir);
}

int x_access(sqlite3_vfs *vfs, const char *name, int flags, int *out) {
  sqlite3_vfs *b = base_of(vfs);
  return b->xAccess(b, name, flags, out);
}

int x_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out) {
  sqlite3_vfs *b = base_of(vfs);
  return b->xFullPathname(b, name, n, out);
}

void *x_dl_open(sqlite3_vfs *vfs, const char *name) {
  sqlite3_vfs *b = base_of(vfs);
  return b->xDlOpen != nullptr ? b->xDlOpen(b, name) : nullptr;
}

void x_dl_error(sqlite3_vfs *vfs, int n, char *out) {
  sqlite3_vfs *b = base_of(vfs);
  if (b->xDlError != nullptr)
    b->xDlError(b, n, out);
}

void (*x_dl_sym(sqlite3_vfs *vfs, void *handle, const char *symbol))(void) {
  sqlite3_vfs *b = base_of(vfs);
  return b->xDlSym != nullptr ? b->xDlSym(b, handle, symbol) : nullptr;
}

void x_dl_close(sqlite3_vfs *vfs, void *handle) {
  sqlite3_vfs *b = base_of(vfs);
  if (b->xDlClose != nullptr)
    b->xDlClose(b, handle);
}

int x_randomness(sqlite3_vfs *vfs, int n, char *out) {
  sqlite3_vfs *b = base_of(vfs);
  return b->xRandomness(b, n, out);
}

int x_sleep(sqlite3_vfs *vfs, int microseconds) {
  sqlite3_vfs *b = base_of(vfs);
  return b->xSleep(b, microseconds);
}

int x_current_time(sqlite3_vfs *vfs, double *out) {
  sqlite3_vfs *b = base_of(vfs);
  return b->xCurrentTime(b, out);
}

int x_get_last_error(sqlite3_vfs *vfs, int n, char *out) {
  sqlite3_vfs *b = base_of(vfs);
  return b->xGetLastError != nullptr ? b->xGetLastError(b, n, out) : 0;
}

int x_current_time_int64(sqlite3_vfs *vfs, sqlite3_int64 *out) {
  sqlite3_vfs *b = base_of(vfs);
  if (b->iVersion >= 2 && b->xCurrentTimeInt64 != nullptr)
    return b->xCurrentTimeInt64(b, out);
  double days = 0;
  const int rc = b->xCurrentTime(b, &days);
  *out = static_cast<sqlite3_int64>(days * 86400000.0);
  return rc;
}

}  // namespace

std::unique_ptr<CoalescingVfs> CoalescingVfs::over(const char *base_name) {
  static std::atomic<uint64_t> next_number{0};
  sqlite3_vfs *base = sqlite3_vfs_find(base_name);
  if (base == nullptr)
    return nullptr;
  auto shim = std::make_unique<Shim>();
  shim->base = base;
  shim->name = "captee-gather-" + std::to_string(next_number.fetch_add(1));
  sqlite3_vfs &v = shim->vfs;
  v.iVersion = 2;
  v.szOsFile = static_cast<int>(sizeof(File)) + base->szOsFile;
  v.mxPathname = base->mxPathname;
  v.zName = shim->name.c_str();
  v.pAppData = shim.get();
  v.xOpen = x_open;
  v.xDelete = x_delete;
  v.xAccess = x_access;
  v.xFullPathname = x_full_pathname;
  v.xDlOpen = x_dl_open;
  v.xDlError = x_dl_error;
  v.xDlSym = x_dl_sym;
  v.xDlClose = x_dl_close;
  v.xRandomness = x_randomness;
  v.xSleep = x_sleep;
  v.xCurrentTime = x_current_time;
  v.xGetLastError = x_get_last_error;
  v.xCurrentTimeInt64 = x_current_time_int64;
  if (sqlite3_vfs_register(&v, 0) != SQLITE_OK)
    return nullptr;
  return std::unique_ptr<CoalescingVfs>(new CoalescingVfs(std::move(shim)));
}

CoalescingVfs::CoalescingVfs(std::unique_ptr<Shim> shim) : shim_(std::move(shim)) {}

CoalescingVfs::~CoalescingVfs() {
  sqlite3_vfs_unregister(&shim_->vfs);
}

const char *CoalescingVfs::name() const {
  return shim_->name.c_str();
}

}  // namespace captee::tee::storage
