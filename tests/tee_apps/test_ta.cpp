// The TA the tests load: C++, built from ITestTa.idl with captee_add_ta.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

#include "IListenerCBO.hpp"
#include "IMemRegion.hpp"
#include "IOpener.hpp"
#include "ITestTa.hpp"
#include "captee/memory.hpp"
#include "captee/ta_sdk.h"

#ifndef TEST_TA_NAME  // the default; CMake builds variants with other flags
#define TEST_TA_NAME "captee_test_ta"
#define TEST_TA_FLAGS CAPTEE_TA_FLAG_MULTI_SESSION
#define TEST_TA_UUID_LAST 0x01
#endif

#ifndef TEST_TA_UUID  // a variant may bear another TA's UUID (tests/hostile's squatters)
#define TEST_TA_UUID \
  CAPTEE_TA_UUID(0x6a1c0de0, 0x7e57, 0x4a11, 0x80, 0x01, 0, 0, 0, 0, 0, TEST_TA_UUID_LAST)
#endif

CAPTEE_TA_MANIFEST(TEST_TA_UUID, TEST_TA_NAME, TEST_TA_FLAGS, 32u << 20, 1000);

namespace {

captee::Ref g_env;
std::mutex g_kept_mu;
captee::Ref g_kept;

class TestTa final : public captee::iface::ITestTaSkeleton {
 public:
  int32_t echo(std::span<const std::byte> in, std::span<std::byte> out, size_t &len) override {
    if (in.size() > out.size()) {
      return Object_ERROR_SIZE_OUT;
    }
    std::memcpy(out.data(), in.data(), in.size());
    len = in.size();
    return Object_OK;
  }
  int32_t add(uint32_t a, uint32_t b, uint32_t &sum) override {
    sum = a + b;
    return Object_OK;
  }
  int32_t crash(uint32_t how) override {
    switch (how) {
      case ITestTa_CRASH_SEGV:
        std::raise(SIGSEGV);
        break;
      case ITestTa_CRASH_ABORT:
        std::abort();
      case ITestTa_CRASH_LOOP:
        for (;;) {
          asm volatile("" ::: "memory");
        }
      case ITestTa_CRASH_HOG: {
        // Like a C++ TA running out of memory: the allocation fails at the
        // manifest's limit and the TA dies of it (std::bad_alloc).
        std::vector<std::vector<char>> hog;
        for (size_t total = 0; total < (2ull << 30); total += 1u << 20) {
          char *p = static_cast<char *>(std::malloc(1u << 20));
          if (p == nullptr) {
            std::abort();
          }
          std::memset(p, 1, 1u << 20);
        }
        return Object_ERROR;  // no limit in force (sanitizer builds)
      }
      default:
        break;
    }
    return Object_ERROR_INVALID;
  }
  int32_t tryEscape(int32_t &open_errno, int32_t &socket_errno, int32_t &fork_errno,
                    int32_t &signal_errno) override {
    int fd = ::open("/etc/hostname", O_RDONLY);
    open_errno = fd < 0 ? errno : 0;
    if (fd >= 0) {
      ::close(fd);
    }
    int s = ::socket(AF_UNIX, SOCK_STREAM, 0);
    socket_errno = s < 0 ? errno : 0;
    if (s >= 0) {
      ::close(s);
    }
    pid_t p = ::fork();
    if (p == 0) {
      _exit(0);
    }
    fork_errno = p < 0 ? errno : 0;
    // The loader runs under the same uid: only the filter stops this.
    signal_errno = ::kill(::getppid(), 0) != 0 ? errno : 0;
    if (signal_errno == 0) {
      signal_errno = ::syscall(SYS_tgkill, ::getppid(), ::getppid(), 0) != 0 ? errno : 0;
    }
    return Object_OK;
  }
  int32_t spawnHelpers(uint32_t count, int32_t &err) override {
    err = 0;
    for (uint32_t i = 0; i < count && err == 0; ++i) {
      pid_t p = ::fork();
      if (p == 0) {
        ::signal(SIGTERM, SIG_IGN);
        ::signal(SIGHUP, SIG_IGN);
        for (;;) {
          ::pause();
        }
      }
      err = p < 0 ? errno : 0;
    }
    return Object_OK;
  }
  int32_t callListener(uint32_t id, std::span<const std::byte> req, std::span<std::byte> resp,
                       size_t &len) override {
    captee::iface::IOpener env(g_env);
    captee::Ref cbo_ref;
    captee::Ref region_ref;
    int32_t rv = env.open(CAPTEE_TA_LISTENER_CBO(id), cbo_ref);
    if (rv == Object_OK) {
      rv = env.open(CAPTEE_TA_LISTENER_REGION(id), region_ref);
    }
    if (rv != Object_OK) {
      return rv;
    }
    captee::iface::IMemRegion region(region_ref);
    rv = region.setData(0, req);
    if (rv != Object_OK) {
      return rv;
    }
    captee::iface::IListenerCBO cbo(cbo_ref);
    uint32_t offsets[4] = {};
    size_t noffsets = 0;
    uint32_t is64 = 0;
    captee::Ref s1, s2, s3, s4;
    rv = cbo.request(offsets, noffsets, is64, s1, s2, s3, s4);
    if (rv != Object_OK) {
      return rv;
    }
    len = 0;
    return region.getData(0, resp.first(std::min(resp.size(), req.size())), len);
  }
  int32_t child(captee::Ref &obj) override {
    obj = captee::make_object<TestTa>();
    return Object_OK;
  }
  int32_t pid(uint32_t &pid) override {
    pid = static_cast<uint32_t>(::getpid());
    return Object_OK;
  }
  int32_t sleepMs(uint32_t ms) override {
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    return Object_OK;
  }
  int32_t callPeer(Object peer, uint32_t a, uint32_t b, uint32_t &sum) override {
    return captee::iface::ITestTa(captee::Ref::share(peer)).add(a, b, sum);
  }
  int32_t isMine(Object obj, uint32_t &mine) override {
    mine = captee::LocalObject::from_as<TestTa>(obj) != nullptr ? 1 : 0;
    return Object_OK;
  }
  int32_t keep(Object obj) override {
    std::lock_guard lock(g_kept_mu);
    g_kept = captee::Ref::share(obj);
    return Object_OK;
  }
  int32_t kept(captee::Ref &obj) override {
    std::lock_guard lock(g_kept_mu);
    obj = g_kept;
    return Object_OK;
  }
  int32_t listener(uint32_t id, captee::Ref &cbo) override {
    return captee::iface::IOpener(g_env).open(CAPTEE_TA_LISTENER_CBO(id), cbo);
  }
  int32_t sumMemory(Object mem, uint32_t &sum) override {
    auto m = captee::Mapping::map(mem, captee::FdObject::kRead);
    if (!m) {
      return Object_ERROR_INVALID;
    }
    sum = 0;
    for (std::byte b : m->bytes()) {
      sum += static_cast<uint8_t>(b);
    }
    return Object_OK;
  }
};

}  // namespace

extern "C" int32_t captee_ta_init(Object env) {
#ifdef TEST_TA_REFUSE_INIT
  (void)env;
  return Object_ERROR_INVALID;
#else
  g_env = captee::Ref::share(env);
  return Object_OK;
#endif
}

extern "C" int32_t captee_ta_get_app_object(Object *out) {
  *out = captee::make_object<TestTa>().detach();
  return Object_OK;
}
