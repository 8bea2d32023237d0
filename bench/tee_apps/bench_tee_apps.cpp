// TA invocation cost. Every figure has its baseline in this program:
//  - a 64-byte echo on a TA object: client (this process) -> loader (a child
//    process, as capteed would be) -> TA (a captee-tahost grandchild), i.e.
//    through two channels (a client that does not accept channel
//    references), vs a raw SOCK_SEQPACKET socketpair ping-pong of the same 64
//    bytes with a child process; unpinned and with everything pinned to one
//    CPU;
//  - the same echo over the direct channel the loader hands a client that
//    accepts channel references: client -> TA process, one hop.
#include <benchmark/benchmark.h>
#include <dirent.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <mutex>
#include <vector>

#include "captee/testing/interleaved.hpp"
#include "captee/testing/raw_echo.hpp"
#include "IAppController.hpp"
#include "IAppLoader.hpp"
#include "ICounter.hpp"
#include "IOpener.hpp"
#include "captee/channel.hpp"
#include "captee/tee/apps/app_loader.hpp"

namespace {

using captee::testing::RawEcho;

using namespace captee;

// The loader's process: forked before any thread exists, serves the loader
// on two channels until the bench closes them: one to a client that does not
// accept channel references (calls are forwarded), one to a client that does
// (it gets direct channels to the TA processes).
pid_t g_loader_pid = -1;
std::shared_ptr<Channel> g_channel, g_direct_channel;
Ref g_loader, g_direct_loader;

[[noreturn]] void serve_loader(int forwarded_fd, int direct_fd) {
  tee::apps::AppLoaderConfig cfg;
  cfg.tahost_path = CAPTEE_TAHOST;
  cfg.listeners = std::make_shared<tee::apps::ListenerTable>();  // as capteed runs it
  Ref loader = tee::apps::make_app_loader(cfg);
  std::mutex mu;
  std::condition_variable cv;
  int open = 2;
  {
    ChannelOptions o;
    o.accept_channel_refs = false;  // as capteed
    auto a = start_channel(forwarded_fd, loader, o);
    auto b = start_channel(direct_fd, loader, o);
    if (!a || !b) {
      _exit(1);
    }
    loader.reset();
    for (auto *ch : {&a, &b}) {
      (*ch)->on_close([&] {
        std::lock_guard lock(mu);
        --open;
        cv.notify_all();
      });
    }
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return open == 0; });
  }
  _exit(0);
}

// A counter object in a freshly loaded counter TA, reached through `loader`.
struct TaCounter {
  Ref ctrl, app, counter;
  bool ok = false;
  explicit TaCounter(const Ref &loader = g_loader) {
    std::ifstream f(CAPTEE_COUNTER_TA, std::ios::binary);
    std::vector<char> c((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    auto bytes = std::as_bytes(std::span(c));
    ok = iface::IAppLoader(loader).loadFromBuffer(bytes, ctrl) == Object_OK &&
         iface::IAppController(ctrl).getAppObject(app) == Object_OK &&
         iface::IOpener(app).open(ICounter_OPEN_ID, counter) == Object_OK;
  }
};

// Pins this thread to its CPU; children forked (and TAs spawned) from now on
// inherit it. The loader process is pinned by the same mask via sched_setaffinity.
struct PinToOneCpu {
  cpu_set_t old{};
  cpu_set_t old_loader{};
  PinToOneCpu() {
    sched_getaffinity(0, sizeof old, &old);
    sched_getaffinity(g_loader_pid, sizeof old_loader, &old_loader);
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(sched_getcpu(), &one);
    sched_setaffinity(0, sizeof one, &one);
    pin_tree(g_loader_pid, one);
  }
  ~PinToOneCpu() {
    sched_setaffinity(0, sizeof old, &old);
    pin_tree(g_loader_pid, old_loader);
  }
  // Every thread of `pid` and, recursively, of its children (the TAs).
  static void pin_tree(pid_t pid, const cpu_set_t &set) {
    std::string task_dir = "/proc/" + std::to_string(pid) + "/task";
    DIR *d = opendir(task_dir.c_str());
    if (d == nullptr) {
      return;
    }
    std::vector<pid_t> kids;
    while (dirent *e = readdir(d)) {
      if (e->d_name[0] == '.') {
        continue;
      }
      pid_t tid = static_cast<pid_t>(std::atoi(e->d_name));
      sched_setaffinity(tid, sizeof set, &set);
      std::ifstream children(task_dir + "/" + e->d_name + "/children");
      for (pid_t k; children >> k;) {
        kids.push_back(k);
      }
    }
    closedir(d);
    for (pid_t k : kids) {
      pin_tree(k, set);
    }
  }
};

void ta_loop(benchmark::State &state, TaCounter &t) {
  if (!t.ok) {
    state.SkipWithError("cannot load the counter TA");
    return;
  }
  iface::ICounter counter(t.counter);
  std::byte in_buf[64] = {};
  std::byte out_buf[64];
  for (auto _ : state) {
    size_t len = 0;
    if (counter.echo(in_buf, out_buf, len) != Object_OK || len != 64) {
      state.SkipWithError("TA invoke failed");
      break;
    }
    benchmark::DoNotOptimize(out_buf);
  }
}

void raw_loop(benchmark::State &state, int fd) {
  char buf[64] = "ta invoke payload";
  for (auto _ : state) {
    if (::send(fd, buf, sizeof buf, 0) != sizeof buf || ::recv(fd, buf, sizeof buf, 0) != 64) {
      state.SkipWithError("raw ping-pong failed");
      break;
    }
  }
}

void BM_TaInvoke_Unpinned(benchmark::State &state) {
  TaCounter t;
  ta_loop(state, t);
}
BENCHMARK(BM_TaInvoke_Unpinned)->UseRealTime();

// One hop for reference: an op answered by the loader itself (connect to a
// TA that is not loaded).
void BM_LoaderInvoke_Unpinned(benchmark::State &state) {
  iface::IAppLoader loader(g_loader);
  const std::byte name[64] = {std::byte{'x'}};
  for (auto _ : state) {
    Ref ctrl;
    if (loader.connect(name, ctrl) != IAppLoader_ERROR_APP_NOT_LOADED) {
      state.SkipWithError("loader invoke failed");
      break;
    }
  }
}
BENCHMARK(BM_LoaderInvoke_Unpinned)->UseRealTime();

void BM_RawPingPong_Unpinned(benchmark::State &state) {
  RawEcho e;
  raw_loop(state, e.fd);
}
BENCHMARK(BM_RawPingPong_Unpinned)->UseRealTime();

void BM_TaInvoke_Pinned(benchmark::State &state) {
  TaCounter t;
  PinToOneCpu pin;
  ta_loop(state, t);
}
BENCHMARK(BM_TaInvoke_Pinned)->UseRealTime();

void BM_RawPingPong_Pinned(benchmark::State &state) {
  PinToOneCpu pin;
  RawEcho e;
  raw_loop(state, e.fd);
}
BENCHMARK(BM_RawPingPong_Pinned)->UseRealTime();

// The TA figures against the raw ping-pong in alternating batches
// (interleaved.hpp), everything pinned to one CPU.
void interleaved_vs_raw(benchmark::State &state, const Ref &loader) {
  TaCounter t(loader);
  if (!t.ok) {
    state.SkipWithError("cannot load the counter TA");
    return;
  }
  PinToOneCpu pin;
  RawEcho e;
  iface::ICounter counter(t.counter);
  std::byte in_buf[64] = {};
  std::byte out_buf[64];
  char raw[64] = "ta invoke payload";
  captee::testing::run_interleaved(
      state,
      [&] {
        size_t len = 0;
        return counter.echo(in_buf, out_buf, len) == Object_OK && len == 64;
      },
      [&] { return e.round_trip(raw, sizeof raw); });
}

void BM_TaVsRaw_Interleaved_Pinned(benchmark::State &state) {
  interleaved_vs_raw(state, g_loader);
}
BENCHMARK(BM_TaVsRaw_Interleaved_Pinned)->UseRealTime();

void BM_TaDirectVsRaw_Interleaved_Pinned(benchmark::State &state) {
  interleaved_vs_raw(state, g_direct_loader);
}
BENCHMARK(BM_TaDirectVsRaw_Interleaved_Pinned)->UseRealTime();

void BM_TaInvokeDirect_Unpinned(benchmark::State &state) {
  TaCounter t(g_direct_loader);
  ta_loop(state, t);
}
BENCHMARK(BM_TaInvokeDirect_Unpinned)->UseRealTime();

void BM_TaInvokeDirect_Pinned(benchmark::State &state) {
  TaCounter t(g_direct_loader);
  PinToOneCpu pin;
  ta_loop(state, t);
}
BENCHMARK(BM_TaInvokeDirect_Pinned)->UseRealTime();

}  // namespace

int main(int argc, char **argv) {
  int sv[2], dv[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0 ||
      ::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, dv) != 0) {
    return 1;
  }
  g_loader_pid = ::fork();
  if (g_loader_pid == 0) {
    ::close(sv[0]);
    ::close(dv[0]);
    serve_loader(sv[1], dv[1]);
  }
  ::close(sv[1]);
  ::close(dv[1]);
  ChannelOptions forwarded;
  forwarded.accept_channel_refs = false;  // a client that does not want direct channels
  g_channel = start_channel(sv[0], Ref(), forwarded);
  g_direct_channel = start_channel(dv[0], Ref());
  if (!g_channel || !g_direct_channel) {
    return 1;
  }
  g_loader = g_channel->peer_primordial();
  g_direct_loader = g_direct_channel->peer_primordial();

  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
    return 1;
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();

  g_loader.reset();
  g_direct_loader.reset();
  g_channel->close();
  g_direct_channel->close();
  int status = 0;
  ::waitpid(g_loader_pid, &status, 0);
  return 0;
}
