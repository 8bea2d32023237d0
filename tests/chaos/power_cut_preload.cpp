// power_cut_preload.so: an LD_PRELOAD interposer, built for the tests only,
// that lets the power-loss chaos run (storage_power_loss_test.cpp) drop the
// writes a real, unmodified capteed has not synced yet.
//
// For files whose absolute path starts with CAPTEE_POWER_CUT_DIR (capteed's
// state directory and the RPMB device file beside it), every write, pwrite
// and ftruncate first appends to that file's undo log in
// CAPTEE_POWER_CUT_LOG_DIR the bytes it is about to overwrite or cut off
// (power_cut_log.hpp), and a successful fsync or fdatasync of the file
// empties its log. After SIGKILL, the log holds exactly the changes the
// kernel was never asked to make durable, which the test may then undo.
//
// Every other file is passed straight through: the TA hosts capteed execs
// inherit LD_PRELOAD and run under seccomp, so for a file not tracked the
// wrappers make no system call of their own (one atomic load of the fd
// table). Changes it cannot undo (writev, pwritev, fallocate, a writable
// shared mapping) on a tracked file abort the process rather than pass
// unseen; capteed's SQLite and RPMB emulation use none of them.
//
// So that cuts also fall between a write and its sync (a window a timer
// rarely hits), the test may put a count in <log dir>/kill-after: the change
// that brings it to zero is made, then the process SIGKILLs itself.
//
// Limits (docs/SECURITY.md, "Trusted storage engine"): only absolute
// paths are tracked, through open, open64, openat and openat64 (and their
// fortified forms); a tracked fd duplicated with dup is not tracked;
// sync_file_range is not a sync (it makes no promise about the file's
// metadata), so it leaves the log as is. Creates, renames and unlinks are
// not logged: they count as durable at once.
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "power_cut_log.hpp"

namespace {

using captee::test::power_cut::kRecordMagic;
using captee::test::power_cut::RecordHeader;

using OpenFn = int (*)(const char *, int, ...);
using OpenatFn = int (*)(int, const char *, int, ...);
using Open2Fn = int (*)(const char *, int);
using Openat2Fn = int (*)(int, const char *, int);
using WriteFn = ssize_t (*)(int, const void *, size_t);
using PwriteFn = ssize_t (*)(int, const void *, size_t, off_t);
using VecFn = ssize_t (*)(int, const struct iovec *, int);
using PvecFn = ssize_t (*)(int, const struct iovec *, int, off_t);
using TruncateFn = int (*)(int, off_t);
using SyncFn = int (*)(int);
using CloseFn = int (*)(int);
using FallocateFn = int (*)(int, int, off_t, off_t);
using MmapFn = void *(*)(void *, size_t, int, int, int, off_t);

// The next definitions (libc's), found once when the library is loaded:
// dlsym later, in a sandboxed TA host, could make system calls.
struct Next {
  OpenFn open, open64;
  OpenatFn openat, openat64;
  Open2Fn open_2, open64_2;
  Openat2Fn openat_2, openat64_2;
  WriteFn write;
  PwriteFn pwrite, pwrite64;
  VecFn writev;
  PvecFn pwritev;
  TruncateFn ftruncate, ftruncate64;
  SyncFn fsync, fdatasync;
  CloseFn close;
  FallocateFn fallocate, fallocate64;
  MmapFn mmap, mmap64;
} next;

template <typename Fn>
void find(Fn *slot, const char *name) {
  *slot = reinterpret_cast<Fn>(::dlsym(RTLD_NEXT, name));
}

// Configuration, read once: fixed buffers, so nothing runs before main.
char g_dir[4096];
size_t g_dir_size = 0;  // 0: nothing is tracked
char g_log_dir[4096];
char g_kill_after[4096 + 16];

struct Tracked {
  std::string path;
  std::string log_path;
  int log_fd = -1;  // opened at the first change
};

constexpr int kMaxFds = 1 << 16;
std::atomic<Tracked *> g_fds[kMaxFds];
// Held for every change to a tracked file and every table update, so that
// a file's records are in the order of its changes.
std::mutex g_mu;

[[noreturn]] void die(const char *what) {
  static const char prefix[] = "power_cut_preload: ";
  (void)!next.write(2, prefix, sizeof prefix - 1);
  (void)!next.write(2, what, std::strlen(what));
  (void)!next.write(2, "\n", 1);
  std::abort();
}

void init() {
  find(&next.open, "open");
  find(&next.open64, "open64");
  find(&next.openat, "openat");
  find(&next.openat64, "openat64");
  find(&next.open_2, "__open_2");
  find(&next.open64_2, "__open64_2");
  find(&next.openat_2, "__openat_2");
  find(&next.openat64_2, "__openat64_2");
  find(&next.write, "write");
  find(&next.pwrite, "pwrite");
  find(&next.pwrite64, "pwrite64");
  find(&next.writev, "writev");
  find(&next.pwritev, "pwritev");
  find(&next.ftruncate, "ftruncate");
  find(&next.ftruncate64, "ftruncate64");
  find(&next.fsync, "fsync");
  find(&next.fdatasync, "fdatasync");
  find(&next.close, "close");
  find(&next.fallocate, "fallocate");
  find(&next.fallocate64, "fallocate64");
  find(&next.mmap, "mmap");
  find(&next.mmap64, "mmap64");
  const char *dir = std::getenv("CAPTEE_POWER_CUT_DIR");
  const char *log_dir = std::getenv("CAPTEE_POWER_CUT_LOG_DIR");
  if (dir == nullptr || log_dir == nullptr || dir[0] != '/' || std::strlen(dir) >= sizeof g_dir ||
      std::strlen(log_dir) >= sizeof g_log_dir) {
    return;
  }
  std::strcpy(g_log_dir, log_dir);
  std::strcpy(g_kill_after, log_dir);
  std::strcat(g_kill_after, "/kill-after");
  std::strcpy(g_dir, dir);
  g_dir_size = std::strlen(dir);
}

// Runs at load time, before any sandbox; again from a wrapper only if some
// other library's constructor reached it first (then also before main).
std::once_flag g_once;
__attribute__((constructor)) void ready() {
  std::call_once(g_once, init);
}

bool tracked_path(const char *path) {
  return g_dir_size != 0 && path != nullptr && std::strncmp(path, g_dir, g_dir_size) == 0;
}

// The fd's entry, or null; no system call.
Tracked *entry(int fd) {
  if (g_dir_size == 0 || fd < 0 || fd >= kMaxFds) {
    return nullptr;
  }
  return g_fds[fd].load(std::memory_order_acquire);
}

void forget(int fd) {
  std::lock_guard lock(g_mu);
  if (Tracked *t = g_fds[fd].exchange(nullptr, std::memory_order_acq_rel); t != nullptr) {
    if (t->log_fd >= 0) {
      next.close(t->log_fd);
    }
    delete t;
  }
}

int track(int fd, const char *path) {
  if (fd < 0 || !tracked_path(path)) {
    // A tracked fd closed behind our back (close_range) and now reused.
    if (entry(fd) != nullptr) {
      forget(fd);
    }
    return fd;
  }
  if (fd >= kMaxFds) {
    die("a tracked file's descriptor is past the table");
  }
  auto *t =
      new Tracked{path, std::string(g_log_dir) + "/" + captee::test::power_cut::log_name(path)};
  forget(fd);  // the fd may have been closed behind our back (close_range)
  g_fds[fd].store(t, std::memory_order_release);
  return fd;
}

mode_t mode_of(int flags, va_list ap) {
  return (flags & O_CREAT) != 0 || (flags & O_TMPFILE) == O_TMPFILE ? mode_t(va_arg(ap, int)) : 0;
}

bool read_exact(int fd, char *p, size_t n, off_t at) {
  while (n > 0) {
    const ssize_t r = ::pread(fd, p, n, at);
    if (r < 0 && errno == EINTR) {
      continue;
    }
    if (r <= 0) {
      return false;
    }
    p += r;
    n -= size_t(r);
    at += r;
  }
  return true;
}

// Logs the change of [offset, offset + span) of `fd`, leaving the file
// `new_size` long (g_mu held). Aborts if it cannot: a change that passed
// unlogged would make the test's disk states impossible ones.
void log_change(Tracked *t, int fd, uint64_t offset, uint64_t span, uint64_t new_size) {
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    die("fstat of a tracked file failed");
  }
  if (!S_ISREG(st.st_mode)) {
    return;
  }
  const uint64_t old_size = uint64_t(st.st_size);
  const uint64_t end = offset + span < offset ? UINT64_MAX : offset + span;
  const uint64_t old_bytes = offset >= old_size ? 0 : std::min(end, old_size) - offset;
  RecordHeader h{kRecordMagic, uint32_t(t->path.size()), offset, span, old_size, new_size,
                 old_bytes};
  std::vector<char> rec(sizeof h + t->path.size() + old_bytes);
  std::memcpy(rec.data(), &h, sizeof h);
  std::memcpy(rec.data() + sizeof h, t->path.data(), t->path.size());
  if (old_bytes > 0 &&
      !read_exact(fd, rec.data() + sizeof h + t->path.size(), old_bytes, off_t(offset))) {
    die("cannot read the bytes a change overwrites");
  }
  if (t->log_fd < 0) {
    t->log_fd = next.open(t->log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (t->log_fd < 0) {
      die("cannot open an undo log");
    }
  }
  // One write: a record is either whole in the log or cut short at its end.
  if (next.write(t->log_fd, rec.data(), rec.size()) != ssize_t(rec.size())) {
    die("cannot append to an undo log");
  }
}

// After a tracked change (g_mu held): counts it down if the test asked for
// a cut, and dies at zero.
void count_down() {
  const int fd = next.open(g_kill_after, O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    return;
  }
  char text[24] = {};
  const ssize_t n = ::pread(fd, text, sizeof text - 1, 0);
  const long left = n > 0 ? std::strtol(text, nullptr, 10) : 0;
  if (left <= 1) {
    ::unlink(g_kill_after);
    ::kill(::getpid(), SIGKILL);
  }
  const int size = std::snprintf(text, sizeof text, "%ld\n", left - 1);
  if (next.ftruncate(fd, 0) != 0 || next.pwrite(fd, text, size_t(size), 0) != size) {
    die("cannot count down kill-after");
  }
  next.close(fd);
}

uint64_t size_after_write(int fd, uint64_t offset, uint64_t n) {
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    die("fstat of a tracked file failed");
  }
  return std::max(uint64_t(st.st_size), offset + n);
}

ssize_t logged_pwrite(PwriteFn real, int fd, const void *buf, size_t n, off_t at) {
  if (entry(fd) == nullptr) {
    return real(fd, buf, n, at);
  }
  std::lock_guard lock(g_mu);
  Tracked *t = entry(fd);
  if (t != nullptr && at >= 0) {
    log_change(t, fd, uint64_t(at), n, size_after_write(fd, uint64_t(at), n));
  }
  const ssize_t rc = real(fd, buf, n, at);
  if (t != nullptr) {
    count_down();
  }
  return rc;
}

int logged_ftruncate(TruncateFn real, int fd, off_t size) {
  if (entry(fd) == nullptr) {
    return real(fd, size);
  }
  std::lock_guard lock(g_mu);
  Tracked *t = entry(fd);
  if (t != nullptr && size >= 0) {
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      die("fstat of a tracked file failed");
    }
    const uint64_t from = uint64_t(size), to = uint64_t(st.st_size);
    log_change(t, fd, std::min(from, to), from > to ? from - to : to - from, from);
  }
  const int rc = real(fd, size);
  if (t != nullptr) {
    count_down();
  }
  return rc;
}

// After a sync that returned: the file's changes so far are durable.
int forget_on_success(SyncFn real, int fd) {
  const int rc = real(fd);
  if (rc == 0 && entry(fd) != nullptr) {
    std::lock_guard lock(g_mu);
    if (Tracked *t = entry(fd); t != nullptr) {
      if (t->log_fd >= 0 ? next.ftruncate(t->log_fd, 0) != 0
                         : ::truncate(t->log_path.c_str(), 0) != 0 && errno != ENOENT) {
        die("cannot empty an undo log");
      }
    }
  }
  return rc;
}

void refuse_if_tracked(int fd, const char *what) {
  if (entry(fd) != nullptr) {
    die(what);
  }
}

}  // namespace

extern "C" {

int open(const char *path, int flags, ...) {
  ready();
  va_list ap;
  va_start(ap, flags);
  const mode_t mode = mode_of(flags, ap);
  va_end(ap);
  return track(next.open(path, flags, mode), path);
}
int open64(const char *path, int flags, ...) {
  ready();
  va_list ap;
  va_start(ap, flags);
  const mode_t mode = mode_of(flags, ap);
  va_end(ap);
  return track(next.open64(path, flags, mode), path);
}
int openat(int dirfd, const char *path, int flags, ...) {
  ready();
  va_list ap;
  va_start(ap, flags);
  const mode_t mode = mode_of(flags, ap);
  va_end(ap);
  return track(next.openat(dirfd, path, flags, mode), path);
}
int openat64(int dirfd, const char *path, int flags, ...) {
  ready();
  va_list ap;
  va_start(ap, flags);
  const mode_t mode = mode_of(flags, ap);
  va_end(ap);
  return track(next.openat64(dirfd, path, flags, mode), path);
}
int __open_2(const char *path, int flags) {
  ready();
  return track(next.open_2(path, flags), path);
}
int __open64_2(const char *path, int flags) {
  ready();
  return track(next.open64_2(path, flags), path);
}
int __openat_2(int dirfd, const char *path, int flags) {
  ready();
  return track(next.openat_2(dirfd, path, flags), path);
}
int __openat64_2(int dirfd, const char *path, int flags) {
  ready();
  return track(next.openat64_2(dirfd, path, flags), path);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t at) {
  ready();
  return logged_pwrite(next.pwrite, fd, buf, n, at);
}
ssize_t pwrite64(int fd, const void *buf, size_t n, off_t at) {
  ready();
  return logged_pwrite(next.pwrite64, fd, buf, n, at);
}

ssize_t write(int fd, const void *buf, size_t n) {
  ready();
  if (entry(fd) == nullptr) {
    return next.write(fd, buf, n);
  }
  std::lock_guard lock(g_mu);
  Tracked *t = entry(fd);
  if (t != nullptr) {
    const int fl = ::fcntl(fd, F_GETFL);
    struct stat st;
    if (fl < 0 || ::fstat(fd, &st) != 0) {
      die("cannot find where a write to a tracked file goes");
    }
    const off_t at = (fl & O_APPEND) != 0 ? st.st_size : ::lseek(fd, 0, SEEK_CUR);
    if (at < 0) {
      die("cannot find where a write to a tracked file goes");
    }
    log_change(t, fd, uint64_t(at), n, std::max(uint64_t(st.st_size), uint64_t(at) + n));
  }
  const ssize_t rc = next.write(fd, buf, n);
  if (t != nullptr) {
    count_down();
  }
  return rc;
}

int ftruncate(int fd, off_t size) {
  ready();
  return logged_ftruncate(next.ftruncate, fd, size);
}
int ftruncate64(int fd, off_t size) {
  ready();
  return logged_ftruncate(next.ftruncate64, fd, size);
}

int fsync(int fd) {
  ready();
  return forget_on_success(next.fsync, fd);
}
int fdatasync(int fd) {
  ready();
  return forget_on_success(next.fdatasync, fd);
}

int close(int fd) {
  ready();
  if (entry(fd) != nullptr) {
    forget(fd);
  }
  return next.close(fd);
}

ssize_t writev(int fd, const struct iovec *iov, int n) {
  ready();
  refuse_if_tracked(fd, "writev on a tracked file is not logged");
  return next.writev(fd, iov, n);
}
ssize_t pwritev(int fd, const struct iovec *iov, int n, off_t at) {
  ready();
  refuse_if_tracked(fd, "pwritev on a tracked file is not logged");
  return next.pwritev(fd, iov, n, at);
}
int fallocate(int fd, int mode, off_t at, off_t len) {
  ready();
  refuse_if_tracked(fd, "fallocate on a tracked file is not logged");
  return next.fallocate(fd, mode, at, len);
}
int fallocate64(int fd, int mode, off_t at, off_t len) {
  ready();
  refuse_if_tracked(fd, "fallocate on a tracked file is not logged");
  return next.fallocate64(fd, mode, at, len);
}
void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t at) {
  ready();
  if ((prot & PROT_WRITE) != 0 && (flags & MAP_SHARED) != 0) {
    refuse_if_tracked(fd, "a writable shared mapping of a tracked file is not logged");
  }
  return next.mmap(addr, len, prot, flags, fd, at);
}
void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t at) {
  ready();
  if ((prot & PROT_WRITE) != 0 && (flags & MAP_SHARED) != 0) {
    refuse_if_tracked(fd, "a writable shared mapping of a tracked file is not logged");
  }
  return next.mmap64(addr, len, prot, flags, fd, at);
}

}  // extern "C"
