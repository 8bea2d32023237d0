#include "image_open_trap.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include <cerrno>

namespace captee::tee::apps::detail {

namespace {

// Read from the signal handler: plain globals written once before the
// filter is installed, never changed afterwards.
volatile sig_atomic_t g_image_fd = -1;
const char *g_image_path = nullptr;
// The TA's own memory map, opened before the filter: the GP runtime reads it
// for TEE_CheckMemoryAccessRights. It shows nothing but this process.
int g_maps_fd = -1;
constexpr char kMapsPath[] = "/proc/self/maps";

bool same_path(const char *a, const char *b) {
  if (a == nullptr || b == nullptr) {
    return false;
  }
  while (*a != '\0' && *a == *b) {
    ++a;
    ++b;
  }
  return *a == *b;
}

// The trapped call's path and flags, and where its result goes.
struct TrappedOpen {
  const char *path = nullptr;
  long flags = 0;
};

#if defined(__x86_64__)
TrappedOpen trapped(const siginfo_t *info, const ucontext_t *uc) {
  const greg_t *r = uc->uc_mcontext.gregs;
  if (info->si_syscall == SYS_openat) {
    return {reinterpret_cast<const char *>(r[REG_RSI]), static_cast<long>(r[REG_RDX])};
  }
  if (info->si_syscall == SYS_open) {
    return {reinterpret_cast<const char *>(r[REG_RDI]), static_cast<long>(r[REG_RSI])};
  }
  return {};
}
void set_result(ucontext_t *uc, long v) {
  uc->uc_mcontext.gregs[REG_RAX] = v;
}
#elif defined(__aarch64__)
TrappedOpen trapped(const siginfo_t *info, const ucontext_t *uc) {
  if (info->si_syscall == SYS_openat) {
    return {reinterpret_cast<const char *>(uc->uc_mcontext.regs[1]),
            static_cast<long>(uc->uc_mcontext.regs[2])};
  }
  return {};
}
void set_result(ucontext_t *uc, long v) {
  uc->uc_mcontext.regs[0] = static_cast<unsigned long long>(v);
}
#else
#error "captee-tahost's open trap knows x86_64 and aarch64 only"
#endif

void on_sigsys(int, siginfo_t *info, void *context) {
  auto *uc = static_cast<ucontext_t *>(context);
  const int saved = errno;
  long result = -EPERM;
  const TrappedOpen call = trapped(info, uc);
  // Read-only, no creation: what dlopen asks for and nothing more.
  constexpr long kRefused = O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_PATH;
  int source = -1;
  if ((call.flags & kRefused) == 0) {
    const int image_fd = g_image_fd;
    if (image_fd >= 0 && same_path(call.path, g_image_path)) {
      source = image_fd;
    } else if (g_maps_fd >= 0 && same_path(call.path, kMapsPath)) {
      source = g_maps_fd;
    }
  }
  if (source >= 0) {
    // A duplicate shares the file offset (the loader's copy of the image
    // left it at its end): a fresh open would start at 0.
    const int fd = ::fcntl(source, F_DUPFD_CLOEXEC, 0);
    result = fd >= 0 ? fd : -errno;
    if (fd >= 0 && ::lseek(fd, 0, SEEK_SET) != 0) {
      result = -errno;
      ::close(fd);
    }
  }
  set_result(uc, result);
  errno = saved;
}

}  // namespace

bool install_image_open_trap(int image_fd, const char *path) {
  g_image_fd = image_fd;
  g_image_path = path;
  g_maps_fd = ::open(kMapsPath, O_RDONLY | O_CLOEXEC);
  struct sigaction sa {};
  sa.sa_sigaction = on_sigsys;
  sa.sa_flags = SA_SIGINFO;
  sigemptyset(&sa.sa_mask);
  if (::sigaction(SIGSYS, &sa, nullptr) != 0) {
    return false;
  }
  // A SIGSYS blocked by an inherited mask would kill the process at the
  // first trap instead of reaching the handler.
  sigset_t sys;
  sigemptyset(&sys);
  sigaddset(&sys, SIGSYS);
  return ::pthread_sigmask(SIG_UNBLOCK, &sys, nullptr) == 0;
}

void disarm_image_open_trap() {
  g_image_fd = -1;
}

}  // namespace captee::tee::apps::detail
