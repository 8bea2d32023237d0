// Channel benchmarks. Every figure has its baseline in this program:
//  - null invoke (one 64-byte BI, one 64-byte BO) between two processes vs a
//    raw SOCK_SEQPACKET socketpair ping-pong of 64 bytes, unpinned and with
//    both processes pinned to one CPU;
//  - 1 MiB BI and 1 MiB memory-object invokes vs memcpy bandwidth;
//  - 4 threads invoking at once vs one thread (aggregate calls per second).
#include <benchmark/benchmark.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <future>
#include <memory>
#include <vector>

#include "captee/testing/interleaved.hpp"
#include "captee/testing/raw_echo.hpp"
#include "captee/channel.hpp"
#include "captee/memory.hpp"

namespace {

using captee::testing::PinToOneCpu;
using captee::testing::RawEcho;

using namespace captee;

constexpr uint32_t kNull = 0, kSink = 1, kSumMemory = 2;

class BenchService : public LocalObject {
 protected:
  int32_t on_invoke(uint32_t method, ObjectOp, ObjectArg *a, ObjectCounts k) override {
    Args args(a, k);
    switch (method) {
      case kNull: {
        auto in = args.bi(0);
        std::memcpy(args.bo(0).ptr, in.data(), std::min(in.size(), args.bo(0).size));
        args.bo(0).size = std::min(in.size(), args.bo(0).size);
        return Object_OK;
      }
      case kSink:
        return Object_OK;
      case kSumMemory: {
        auto map = Mapping::map(args.oi(0), FdObject::kRead);
        if (!map) {
          return Object_ERROR_USERBASE;
        }
        uint64_t sum = 0;
        const auto *w = reinterpret_cast<const uint64_t *>(map->bytes().data());
        for (size_t i = 0; i < map->bytes().size() / 8; ++i) {
          sum += w[i];
        }
        benchmark::DoNotOptimize(sum);
        return Object_OK;
      }
      default:
        return Object_ERROR_INVALID;
    }
  }
};

// A child process serving BenchService over a socketpair; the parent's end is
// a channel whose primordial proxy is `root`.
struct ChannelServer {
  pid_t pid = -1;
  Ref root;
  ChannelServer() {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
      return;
    }
    pid = ::fork();
    if (pid == 0) {
      ::close(sv[0]);
      ChannelOptions o;
      if (const char *p = getenv("POOL")) {
        o.pool_threads = unsigned(atoi(p));
      }
      auto ch = start_channel(sv[1], make_object<BenchService>(), o);
      if (!ch) {
        ::_exit(2);
      }
      std::promise<void> done;
      ch->on_close([&] { done.set_value(); });
      done.get_future().wait();
      ::_exit(0);
    }
    ::close(sv[1]);
    auto ch = start_channel(sv[0], Ref());
    if (ch) {
      root = ch->peer_primordial();
    }
  }
  ~ChannelServer() {
    root.reset();  // last proxy: the connection closes and the child exits
    int status;
    ::waitpid(pid, &status, 0);
  }
};

void null_invoke_loop(benchmark::State &state, const Ref &root) {
  char in_buf[64] = "null invoke payload";
  char out_buf[64];
  for (auto _ : state) {
    size_t used = 0;
    if (root.invoke(kNull, in(in_buf, sizeof in_buf), out(out_buf, sizeof out_buf, &used)) !=
        Object_OK) {
      state.SkipWithError("invoke failed");
      break;
    }
    benchmark::DoNotOptimize(out_buf);
  }
}

void raw_loop(benchmark::State &state, int fd) {
  char buf[64] = "null invoke payload";
  for (auto _ : state) {
    if (::send(fd, buf, sizeof buf, 0) != sizeof buf || ::recv(fd, buf, sizeof buf, 0) != 64) {
      state.SkipWithError("raw ping-pong failed");
      break;
    }
  }
}

void BM_ChannelNullInvoke_Unpinned(benchmark::State &state) {
  ChannelServer s;
  null_invoke_loop(state, s.root);
}
BENCHMARK(BM_ChannelNullInvoke_Unpinned)->UseRealTime();

void BM_RawPingPong_Unpinned(benchmark::State &state) {
  RawEcho e;
  raw_loop(state, e.fd);
}
BENCHMARK(BM_RawPingPong_Unpinned)->UseRealTime();

void BM_ChannelNullInvoke_Pinned(benchmark::State &state) {
  PinToOneCpu pin;
  ChannelServer s;
  null_invoke_loop(state, s.root);
}
BENCHMARK(BM_ChannelNullInvoke_Pinned)->UseRealTime();

void BM_RawPingPong_Pinned(benchmark::State &state) {
  PinToOneCpu pin;
  RawEcho e;
  raw_loop(state, e.fd);
}
BENCHMARK(BM_RawPingPong_Pinned)->UseRealTime();

// The pinned pair in alternating batches (interleaved.hpp).
void BM_NullVsRaw_Interleaved_Pinned(benchmark::State &state) {
  PinToOneCpu pin;
  ChannelServer s;
  RawEcho e;
  char in_buf[64] = "null invoke payload";
  char out_buf[64];
  char raw[64] = "null invoke payload";
  captee::testing::run_interleaved(
      state,
      [&] {
        size_t used = 0;
        return s.root.invoke(kNull, in(in_buf, sizeof in_buf),
                             out(out_buf, sizeof out_buf, &used)) == Object_OK;
      },
      [&] { return e.round_trip(raw, sizeof raw); });
}
BENCHMARK(BM_NullVsRaw_Interleaved_Pinned)->UseRealTime();

constexpr size_t kMiB = 1 << 20;

void BM_ChannelBufIn1M(benchmark::State &state) {
  ChannelServer s;
  std::vector<char> data(kMiB, 'd');
  for (auto _ : state) {
    if (s.root.invoke(kSink, in(data.data(), data.size())) != Object_OK) {
      state.SkipWithError("invoke failed");
      break;
    }
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(kMiB));
}
BENCHMARK(BM_ChannelBufIn1M)->UseRealTime();

void BM_ChannelMemory1M(benchmark::State &state) {
  ChannelServer s;
  Ref mem = MemoryObject::create(kMiB);
  std::memset(LocalObject::from_as<MemoryObject>(mem.get())->bytes().data(), 1, kMiB);
  for (auto _ : state) {
    if (s.root.invoke(kSumMemory, in(mem)) != Object_OK) {
      state.SkipWithError("invoke failed");
      break;
    }
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(kMiB));
}
BENCHMARK(BM_ChannelMemory1M)->UseRealTime();

void BM_Memcpy1M(benchmark::State &state) {
  std::vector<char> a(kMiB, 'a'), b(kMiB);
  for (auto _ : state) {
    std::memcpy(b.data(), a.data(), kMiB);
    benchmark::DoNotOptimize(b.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(kMiB));
}
BENCHMARK(BM_Memcpy1M)->UseRealTime();

// Several threads share one channel (one server process). Reported real time
// per iteration is wall time / total calls, so 1-thread time divided by
// 4-thread time is the aggregate speed-up.
std::unique_ptr<ChannelServer> shared_server;

void BM_ChannelThreads(benchmark::State &state) {
  if (state.thread_index() == 0) {
    shared_server = std::make_unique<ChannelServer>();
  }
  // The loop start is a barrier: setup above is done before anyone invokes.
  char in_buf[64] = "threads";
  char out_buf[64];
  for (auto _ : state) {
    size_t used = 0;
    if (shared_server->root.invoke(kNull, in(in_buf, sizeof in_buf),
                                   out(out_buf, sizeof out_buf, &used)) != Object_OK) {
      state.SkipWithError("invoke failed");
      break;
    }
  }
  if (state.thread_index() == 0) {
    shared_server.reset();
  }
}
BENCHMARK(BM_ChannelThreads)->Threads(1)->Threads(4)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
