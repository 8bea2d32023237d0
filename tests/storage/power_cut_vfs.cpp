#include "power_cut_vfs.hpp"

#include <sqlite3.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

namespace captee::tee::storage::testing {
namespace {

struct State {
  std::mutex mu;
  int countdown = 0;  // 0: disarmed
  bool dead = false;
  uint64_t ticks = 0;  // writes and syncs seen
  // Path -> contents at the last sync (nullopt: never synced, so gone).
  std::map<std::string, std::optional<std::vector<char>>> durable;
};
State &state() {
  static State s;
  return s;
}

sqlite3_vfs *g_real = nullptr;
sqlite3_vfs g_vfs;

struct ShimFile {
  sqlite3_file base;
  std::string *path;
  sqlite3_file *real;  // allocated after this struct
};

sqlite3_file *real_of(sqlite3_file *f) {
  return reinterpret_cast<ShimFile *>(f)->real;
}

// Counts a write or sync; true if power is (now) out.
bool tick() {
  auto &s = state();
  std::lock_guard lock(s.mu);
  if (s.dead)
    return true;
  ++s.ticks;
  if (s.countdown > 0 && --s.countdown == 0)
    s.dead = true;
  return s.dead;
}

bool dead() {
  std::lock_guard lock(state().mu);
  return state().dead;
}

std::optional<std::vector<char>> contents(sqlite3_file *real) {
  sqlite3_int64 size = 0;
  if (real->pMethods->xFileSize(real, &size) != SQLITE_OK)
    return std::nullopt;
  std::vector<char> buf(static_cast<size_t>(size));
  if (size > 0 && real->pMethods->xRead(real, buf.data(), static_cast<int>(size), 0) != SQLITE_OK)
    return std::nullopt;
  return buf;
}

int x_close(sqlite3_file *f) {
  auto *shim = reinterpret_cast<ShimFile *>(f);
  const int rc = shim->real->pMethods->xClose(shim->real);
  delete shim->path;
  return rc;
}
int x_read(sqlite3_file *f, void *p, int n, sqlite3_int64 at) {
  return real_of(f)->pMethods->xRead(real_of(f), p, n, at);
}
int x_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 at) {
  if (tick())
    return SQLITE_IOERR_WRITE;
  return real_of(f)->pMethods->xWrite(real_of(f), p, n, at);
}
int x_truncate(sqlite3_file *f, sqlite3_int64 size) {
  if (tick())
    return SQLITE_IOERR_TRUNCATE;
  return real_of(f)->pMethods->xTruncate(real_of(f), size);
}
int x_sync(sqlite3_file *f, int flags) {
  if (tick())
    return SQLITE_IOERR_FSYNC;
  const int rc = real_of(f)->pMethods->xSync(real_of(f), flags);
  if (rc == SQLITE_OK) {
    auto c = contents(real_of(f));
    std::lock_guard lock(state().mu);
    state().durable[*reinterpret_cast<ShimFile *>(f)->path] = std::move(c);
  }
  return rc;
}
int x_file_size(sqlite3_file *f, sqlite3_int64 *size) {
  return real_of(f)->pMethods->xFileSize(real_of(f), size);
}
int x_lock(sqlite3_file *f, int l) {
  return real_of(f)->pMethods->xLock(real_of(f), l);
}
int x_unlock(sqlite3_file *f, int l) {
  return real_of(f)->pMethods->xUnlock(real_of(f), l);
}
int x_check_reserved(sqlite3_file *f, int *out) {
  return real_of(f)->pMethods->xCheckReservedLock(real_of(f), out);
}
int x_file_control(sqlite3_file *f, int op, void *arg) {
  return real_of(f)->pMethods->xFileControl(real_of(f), op, arg);
}
int x_sector_size(sqlite3_file *f) {
  return real_of(f)->pMethods->xSectorSize(real_of(f));
}
int x_device_characteristics(sqlite3_file *f) {
  // No atomic-write or safe-append promises: the worst disk.
  return real_of(f)->pMethods->xDeviceCharacteristics(real_of(f)) &
         ~(SQLITE_IOCAP_ATOMIC | SQLITE_IOCAP_SAFE_APPEND | SQLITE_IOCAP_SEQUENTIAL |
           SQLITE_IOCAP_POWERSAFE_OVERWRITE);
}

// Version 1 methods: no shared memory (the store runs in exclusive locking
// mode) and no memory mapping, so every byte goes through xWrite.
const sqlite3_io_methods g_methods = {1,
                                      x_close,
                                      x_read,
                                      x_write,
                                      x_truncate,
                                      x_sync,
                                      x_file_size,
                                      x_lock,
                                      x_unlock,
                                      x_check_reserved,
                                      x_file_control,
                                      x_sector_size,
                                      x_device_characteristics,
                                      nullptr,
                                      nullptr,
                                      nullptr,
                                      nullptr,
                                      nullptr,
                                      nullptr};

int x_open(sqlite3_vfs *, sqlite3_filename name, sqlite3_file *f, int flags, int *out_flags) {
  auto *shim = reinterpret_cast<ShimFile *>(f);
  shim->real = reinterpret_cast<sqlite3_file *>(reinterpret_cast<char *>(f) + sizeof(ShimFile));
  const int rc = g_real->xOpen(g_real, name, shim->real, flags, out_flags);
  if (rc != SQLITE_OK) {
    shim->base.pMethods = nullptr;
    return rc;
  }
  shim->path = new std::string(name ? name : "");
  shim->base.pMethods = &g_methods;
  // What is on disk when a file is first opened survived the last power cut.
  std::lock_guard lock(state().mu);
  if (!state().durable.count(*shim->path))
    state().durable[*shim->path] = contents(shim->real);
  return SQLITE_OK;
}

int x_delete(sqlite3_vfs *, const char *name, int sync_dir) {
  if (dead())
    return SQLITE_IOERR_DELETE;
  const int rc = g_real->xDelete(g_real, name, sync_dir);
  std::lock_guard lock(state().mu);
  state().durable[name] = std::nullopt;
  return rc;
}
int x_access(sqlite3_vfs *, const char *name, int flags, int *out) {
  return g_real->xAccess(g_real, name, flags, out);
}
int x_full_pathname(sqlite3_vfs *, const char *name, int n, char *out) {
  return g_real->xFullPathname(g_real, name, n, out);
}
int x_randomness(sqlite3_vfs *, int n, char *out) {
  return g_real->xRandomness(g_real, n, out);
}
int x_sleep(sqlite3_vfs *, int us) {
  return g_real->xSleep(g_real, us);
}
int x_current_time(sqlite3_vfs *, double *out) {
  return g_real->xCurrentTime(g_real, out);
}
int x_last_error(sqlite3_vfs *, int n, char *out) {
  return g_real->xGetLastError(g_real, n, out);
}

}  // namespace

void register_power_cut_vfs() {
  static std::once_flag once;
  std::call_once(once, [] {
    g_real = sqlite3_vfs_find(nullptr);
    std::memset(&g_vfs, 0, sizeof g_vfs);
    g_vfs.iVersion = 1;
    g_vfs.szOsFile = static_cast<int>(sizeof(ShimFile)) + g_real->szOsFile;
    g_vfs.mxPathname = g_real->mxPathname;
    g_vfs.zName = kPowerCutVfs;
    g_vfs.xOpen = x_open;
    g_vfs.xDelete = x_delete;
    g_vfs.xAccess = x_access;
    g_vfs.xFullPathname = x_full_pathname;
    g_vfs.xDlOpen = nullptr;
    g_vfs.xRandomness = x_randomness;
    g_vfs.xSleep = x_sleep;
    g_vfs.xCurrentTime = x_current_time;
    g_vfs.xGetLastError = x_last_error;
    sqlite3_vfs_register(&g_vfs, 0);
  });
}

void arm_power_cut(int n) {
  std::lock_guard lock(state().mu);
  state().countdown = n;
}

bool power_is_cut() {
  return dead();
}

uint64_t power_cut_vfs_ticks() {
  std::lock_guard lock(state().mu);
  return state().ticks;
}

void restore_after_power_cut() {
  std::lock_guard lock(state().mu);
  for (const auto &[path, content] : state().durable) {
    if (!content) {
      unlink(path.c_str());
      continue;
    }
    FILE *f = std::fopen(path.c_str(), "wb");
    if (f == nullptr)
      continue;
    if (!content->empty())
      std::fwrite(content->data(), 1, content->size(), f);
    std::fclose(f);
  }
  state().dead = false;
  state().countdown = 0;
}

void reset_power_cut_vfs() {
  std::lock_guard lock(state().mu);
  state().durable.clear();
  state().dead = false;
  state().countdown = 0;
}

}  // namespace captee::tee::storage::testing
