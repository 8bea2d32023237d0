#include "captee/tee/apps/sandbox.hpp"

#include <grp.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "image_open_trap.hpp"

namespace captee::tee::apps {

namespace {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__) || defined(CAPTEE_UBSAN)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

bool set_limit(int resource, rlim_t value, const char *what, std::string *why) {
  rlimit cur{};
  if (getrlimit(resource, &cur) != 0) {
    cur.rlim_max = RLIM_INFINITY;
  }
  rlim_t v = value < cur.rlim_max ? value : cur.rlim_max;
  rlimit r{v, v};
  if (setrlimit(resource, &r) != 0) {
    if (why != nullptr) {
      *why = std::string("cannot set ") + what + ": " + std::strerror(errno);
    }
    return false;
  }
  return true;
}

// Syscalls a TA host needs once it runs: none of them names a path or makes a
// new descriptor to the outside world.
const char *const kAllowed[] = {"read",
                                "write",
                                "readv",
                                "writev",
                                "pread64",
                                "pwrite64",
                                "close",
                                "recvmsg",
                                "sendmsg",
                                "recvfrom",
                                "sendto",
                                "recvmmsg",
                                "sendmmsg",
                                "shutdown",
                                "getsockopt",
                                "getsockname",
                                "getpeername",
                                "poll",
                                "ppoll",
                                "epoll_wait",
                                "epoll_pwait",
                                "epoll_ctl",
                                "epoll_create1",
                                "eventfd2",
                                "mmap",
                                "munmap",
                                "mprotect",
                                "madvise",
                                "mremap",
                                "mincore",
                                "brk",
                                "futex",
                                "futex_waitv",
                                "set_robust_list",
                                "get_robust_list",
                                "rseq",
                                "set_tid_address",
                                "exit",
                                "exit_group",
                                "rt_sigaction",
                                "rt_sigprocmask",
                                "rt_sigreturn",
                                "rt_sigtimedwait",
                                "sigaltstack",
                                "gettid",
                                "getpid",
                                "getppid",
                                "tgkill",
                                "tkill",
                                "nanosleep",
                                "clock_nanosleep",
                                "clock_gettime",
                                "clock_getres",
                                "gettimeofday",
                                "sched_yield",
                                "sched_getaffinity",
                                "getrandom",
                                "fstat",
                                "newfstatat",
                                "fstatfs",
                                "lseek",
                                "fcntl",
                                "dup",
                                "dup3",
                                "memfd_create",
                                "ftruncate",
                                "prctl",
                                "getrlimit",
                                "prlimit64",
                                "uname",
                                "getuid",
                                "geteuid",
                                "getgid",
                                "getegid",
                                "membarrier",
                                "restart_syscall",
                                "getcpu",
                                "pause"};

}  // namespace

bool drop_privileges(int64_t uid, int64_t parent_pid, std::string *why) {
  auto fail = [&](const char *what) {
    if (why != nullptr) {
      *why = std::string(what) + ": " + std::strerror(errno);
    }
    return false;
  };
  if (uid >= 0) {
    const auto id = static_cast<uid_t>(uid);
    if (::setgroups(0, nullptr) != 0) {
      return fail("cannot drop supplementary groups");
    }
    if (::setresgid(id, id, id) != 0) {
      return fail("cannot change group");
    }
    if (::setresuid(id, id, id) != 0) {
      return fail("cannot change user");
    }
    // A partial change would leave root in one of the three: check them all.
    uid_t r = 0, e = 0, sv = 0;
    if (::getresuid(&r, &e, &sv) != 0 || r != id || e != id || sv != id) {
      errno = EPERM;
      return fail("root privileges remain after the user change");
    }
  }
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) {
    return fail("cannot ask to die with capteed");
  }
  if (parent_pid >= 0 && ::getppid() != static_cast<pid_t>(parent_pid)) {
    errno = ESRCH;
    return fail("capteed is gone");
  }
  return true;
}

bool confine_process(uint64_t memory_limit, unsigned direct_channels, std::string *why) {
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    if (why != nullptr) {
      *why = std::string("cannot set no_new_privs: ") + std::strerror(errno);
    }
    return false;
  }
  if (!set_limit(RLIMIT_CORE, 0, "RLIMIT_CORE", why) ||
      !set_limit(RLIMIT_NOFILE, 64, "RLIMIT_NOFILE", why)) {
    return false;
  }
  if (kSanitized || memory_limit == 0) {
    return true;
  }
  uint64_t data = 0;
  uint64_t as = 0;
  const uint64_t overhead = kHostOverheadBytes + uint64_t(direct_channels) * kDirectChannelBytes;
  if (__builtin_add_overflow(memory_limit, overhead, &data) ||
      __builtin_add_overflow(data, uint64_t{1} << 30, &as)) {
    data = RLIM_INFINITY;
    as = RLIM_INFINITY;
  }
  return set_limit(RLIMIT_DATA, data, "RLIMIT_DATA", why) &&
         set_limit(RLIMIT_AS, as, "RLIMIT_AS", why);
}

std::string image_path(int image_fd) {
  return "/proc/self/fd/" + std::to_string(image_fd);
}

bool install_seccomp(int image_fd, std::string *why) {
  // The handler reads the path from a signal context: it lives in static
  // storage for the life of the process.
  static char path[32];
  std::snprintf(path, sizeof path, "%s", image_path(image_fd).c_str());
  if (!detail::install_image_open_trap(image_fd, path)) {
    if (why != nullptr) {
      *why = std::string("cannot install the SIGSYS handler: ") + std::strerror(errno);
    }
    return false;
  }
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
  if (ctx == nullptr) {
    if (why != nullptr) {
      *why = "seccomp_init failed";
    }
    return false;
  }
  int rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
  for (const char *name : kAllowed) {
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR || rc != 0) {
      continue;  // not on this architecture
    }
    rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
  }
  if (rc == 0) {
    rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
                          SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD));
  }
  if (rc == 0) {
    rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
  }
  // Opening traps to the image-open handler (sandbox.hpp): dlopen of the
  // image after this filter is in place is the whole point.
  for (const char *name : {"open", "openat"}) {
    const int nr = seccomp_syscall_resolve_name(name);
    if (rc == 0 && nr != __NR_SCMP_ERROR) {
      rc = seccomp_rule_add(ctx, SCMP_ACT_TRAP, nr, 0);
    }
  }
  // Sanitizer runtimes probe whether memory is readable by write()ing it into
  // a pipe (UBSan's vptr check does, on every call): allow anonymous pipes.
  if (rc == 0 && kSanitized) {
    rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(pipe2), 0);
  }
  if (rc == 0 && kSanitized) {
    rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(pipe), 0);
  }
  // Signals and limits only for this process: same-uid neighbours (the
  // daemon, other TAs) stay out of reach.
  const auto self = static_cast<scmp_datum_t>(getpid());
  if (rc == 0) {
    rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1, SCMP_A0(SCMP_CMP_EQ, self));
  }
  if (rc == 0) {
    rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prlimit64), 1, SCMP_A0(SCMP_CMP_EQ, 0));
  }
  if (rc == 0) {
    rc = seccomp_load(ctx);
  }
  seccomp_release(ctx);
  if (rc != 0) {
    if (why != nullptr) {
      *why = std::string("cannot install the seccomp filter: ") + std::strerror(-rc);
    }
    return false;
  }
  return true;
}

}  // namespace captee::tee::apps
