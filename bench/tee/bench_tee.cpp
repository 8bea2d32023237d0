// capteed benchmarks, each with its baseline in this program:
//  - invoking a built-in capteed object (the memory service's queryPool: a
//    4-byte BI and a 24-byte BO) vs a raw SOCK_SEQPACKET socketpair ping-pong
//    of 64 bytes between two processes, unpinned and pinned to one CPU;
//  - 1000 idle client connections: capteed's resident memory per connection.
// capteed is the real binary, started on a temporary socket.
#include <benchmark/benchmark.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "captee/testing/interleaved.hpp"
#include "captee/testing/raw_echo.hpp"
#include "CMemoryService.h"
#include "IClientEnv.hpp"
#include "IMemoryService.hpp"
#include "captee/channel.hpp"

namespace {

using captee::testing::PinToOneCpu;
using captee::testing::RawEcho;

using namespace captee;

struct Capteed {
  std::string dir, socket;
  pid_t pid = -1;
  explicit Capteed(const char *threads = "2") {
    char tmpl[] = "/tmp/captee-bench-XXXXXX";
    dir = ::mkdtemp(tmpl);
    socket = dir + "/s";
    pid = ::fork();
    if (pid == 0) {
      ::execl(CAPTEED_PATH, CAPTEED_PATH, "--socket", socket.c_str(), "--log-level", "error",
              "--connection-threads", threads, "--allow-unsigned-tas", nullptr);
      ::_exit(127);
    }
    for (int i = 0; i < 500; ++i) {
      int fd = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
      sockaddr_un a{};
      a.sun_family = AF_UNIX;
      std::snprintf(a.sun_path, sizeof a.sun_path, "%s", socket.c_str());
      bool ok = ::connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0;
      ::close(fd);
      if (ok) {
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  ~Capteed() {
    ::kill(pid, SIGTERM);
    int st;
    ::waitpid(pid, &st, 0);
    std::filesystem::remove_all(dir);
  }
  long rss_kib() const {
    std::ifstream f("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(f, line)) {
      if (line.rfind("VmRSS:", 0) == 0) {
        return std::stol(line.substr(6));
      }
    }
    return -1;
  }
  Ref root() const {
    ChannelOptions o;
    o.log = [](const std::string &) {};
    return connect(socket, o);
  }
};

void builtin_loop(benchmark::State &state, const char *threads = "2") {
  Capteed d(threads);
  Ref env, svc;
  if (iface::IClientEnv(d.root()).registerAsClient(Ref(), env) != Object_OK ||
      iface::IClientEnv(env).open(CMemoryService_UID, svc) != Object_OK) {
    state.SkipWithError("cannot open the memory service");
    return;
  }
  iface::IMemoryService mem(svc);
  IMemoryService_PoolInfo info{};
  for (auto _ : state) {
    if (mem.queryPool(IMemoryService_POOL_TEE_PRIVATE, info) != Object_OK) {
      state.SkipWithError("invoke failed");
      break;
    }
    benchmark::DoNotOptimize(info);
  }
}

void raw_loop(benchmark::State &state) {
  RawEcho e;
  char buf[64] = "ping";
  for (auto _ : state) {
    if (::send(e.fd, buf, sizeof buf, 0) != sizeof buf || ::recv(e.fd, buf, sizeof buf, 0) != 64) {
      state.SkipWithError("raw ping-pong failed");
      break;
    }
  }
}

// The same two figures in alternating batches (interleaved.hpp): the ratio
// that holds up while other jobs share the CPUs.
void BM_BuiltinVsRaw_Interleaved_Pinned(benchmark::State &state) {
  PinToOneCpu pin;
  Capteed d;
  RawEcho e;
  Ref env, svc;
  if (iface::IClientEnv(d.root()).registerAsClient(Ref(), env) != Object_OK ||
      iface::IClientEnv(env).open(CMemoryService_UID, svc) != Object_OK) {
    state.SkipWithError("cannot open the memory service");
    return;
  }
  iface::IMemoryService mem(svc);
  IMemoryService_PoolInfo info{};
  char buf[64] = "ping";
  captee::testing::run_interleaved(
      state, [&] { return mem.queryPool(IMemoryService_POOL_TEE_PRIVATE, info) == Object_OK; },
      [&] { return e.round_trip(buf, sizeof buf); });
}
BENCHMARK(BM_BuiltinVsRaw_Interleaved_Pinned)->UseRealTime();

void BM_BuiltinInvoke_Unpinned(benchmark::State &state) {
  builtin_loop(state);
}
BENCHMARK(BM_BuiltinInvoke_Unpinned)->UseRealTime();

void BM_RawPingPong_Unpinned(benchmark::State &state) {
  raw_loop(state);
}
BENCHMARK(BM_RawPingPong_Unpinned)->UseRealTime();

void BM_BuiltinInvoke_Pinned(benchmark::State &state) {
  PinToOneCpu pin;
  builtin_loop(state);
}
BENCHMARK(BM_BuiltinInvoke_Pinned)->UseRealTime();

// capteed --connection-threads 1: no standby reader per connection.
void BM_BuiltinInvoke_OneThread_Pinned(benchmark::State &state) {
  PinToOneCpu pin;
  builtin_loop(state, "1");
}
BENCHMARK(BM_BuiltinInvoke_OneThread_Pinned)->UseRealTime();

void BM_BuiltinInvoke_OneThread_Unpinned(benchmark::State &state) {
  builtin_loop(state, "1");
}
BENCHMARK(BM_BuiltinInvoke_OneThread_Unpinned)->UseRealTime();

void BM_RawPingPong_Pinned(benchmark::State &state) {
  PinToOneCpu pin;
  raw_loop(state);
}
BENCHMARK(BM_RawPingPong_Pinned)->UseRealTime();

// 1000 clients that connected, registered and opened a service, then idle.
void BM_IdleConnections(benchmark::State &state) {
  const int n = int(state.range(0));
  rlimit rl{};
  ::getrlimit(RLIMIT_NOFILE, &rl);
  rl.rlim_cur = rl.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &rl);
  for (auto _ : state) {
    state.PauseTiming();
    Capteed d;
    // Warm up: one client, so the baseline includes the first-use costs.
    Ref warm = d.root();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    long before = d.rss_kib();
    state.ResumeTiming();
    std::vector<Ref> envs;
    envs.reserve(size_t(n));
    for (int i = 0; i < n; ++i) {
      Ref env;
      if (iface::IClientEnv(d.root()).registerAsClient(Ref(), env) != Object_OK) {
        state.SkipWithError("client could not register");
        return;
      }
      envs.push_back(std::move(env));
    }
    state.PauseTiming();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    long after = d.rss_kib();
    state.counters["kib_per_conn"] = double(after - before) / n;
    state.counters["rss_kib_before"] = double(before);
    state.counters["rss_kib_after"] = double(after);
    envs.clear();
    state.ResumeTiming();
  }
}
BENCHMARK(BM_IdleConnections)
    ->Arg(1000)
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
