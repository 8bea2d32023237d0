// bench_gp_ta2ta: GP TA-to-TA against a real capteed (child process).
//
// gp.ta2ta_invoke.ratio_client_invoke: one TEE_InvokeTACommand with one
//   VALUE_INOUT from a TA to another TA (TA -> TA on a direct session since
//   decision 0028; TA -> capteed -> TA with CAPTEE_TA2TA_DIRECT=0), against one
//   TEEC_InvokeCommand with one VALUE_INOUT from a client to a TA (client ->
//   capteed -> TA), in the same run, with this process, capteed and the TA
//   hosts pinned to one CPU (as the other IPC benches); also unpinned. Target
//   <= 1.3 (issue 14). The client's session is forwarded through capteed
//   (CAPTEE_TEEC_DIRECT=0), the same path as the TA's.
// gp.ta2ta_invoke.ratio_direct_client_invoke: the same TA-to-TA invoke
//   against a client's invoke on a direct session (client -> TA, issue 19).
//   TA-to-TA takes direct sessions too (decision 0028: TA -> TA); with
//   CAPTEE_TA2TA_DIRECT=0 in this process's environment (capteed inherits
//   it) it goes through capteed as before, for a before/after comparison.
//
// The TA-to-TA time is the calling TA's own: each iteration asks it for a
// loop of kLoop invokes, which it times with the monotonic clock (manual
// time), so the client's call that starts the loop is not part of it. The
// client's invokes are timed the same way, kLoop of them per iteration.
// An iteration's time is that of kLoop invokes; summary.json's figures in
// microseconds divide by it.
#include <benchmark/benchmark.h>
#include <dirent.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "captee/testing/bench_capteed.hpp"
#include "captee/testing/process_tree.hpp"
#include "tee_client_api.h"

namespace {

constexpr TEEC_UUID kBenchTa = {0x7e57c0de, 0x00b2, 0x4000, {0x80, 0, 0, 0, 0, 0, 0, 0xb2}};
constexpr uint32_t kCmdValue = 0;
constexpr uint32_t kCmdOpenPeer = 1;
constexpr uint32_t kCmdLoop = 2;
constexpr uint32_t kCmdClosePeer = 3;
constexpr uint32_t kLoop = 64;  // invokes per iteration (summary.json divides by it)

using Clock = std::chrono::steady_clock;

captee::testing::BenchCapteed &daemon_instance() {
  static captee::testing::BenchCapteed d(CAPTEED_PATH, CAPTEE_TA_DIR, "ta2ta");
  return d;
}

using captee::testing::PinTree;
using captee::testing::tree_cpu_ns;

// Reports counter "tree_cpu_us": the tree's CPU microseconds per `per`
// calls, over the benchmark's scope.
struct TreeCpu {
  TreeCpu(benchmark::State &s, double per) : state(s), calls_per_iteration(per) {}
  ~TreeCpu() {
    if (state.iterations() > 0) {
      state.counters["tree_cpu_us"] =
          static_cast<double>(tree_cpu_ns(::getpid()) - start) / 1e3 /
          (static_cast<double>(state.iterations()) * calls_per_iteration);
    }
  }
  benchmark::State &state;
  double calls_per_iteration;
  uint64_t start = tree_cpu_ns(::getpid());
};

struct Session {
  TEEC_Context ctx{};
  TEEC_Session sess{};
  bool ok = false;
  // `forwarded`: the client's calls go through capteed, not on a direct
  // session (libteec reads CAPTEE_TEEC_DIRECT when the session opens).
  explicit Session(bool forwarded = true) {
    daemon_instance();
    TEEC_UUID uuid = kBenchTa;
    uint32_t origin = 0;
    if (forwarded) {
      ::setenv("CAPTEE_TEEC_DIRECT", "0", 1);
    }
    ok = TEEC_InitializeContext(nullptr, &ctx) == TEEC_SUCCESS &&
         TEEC_OpenSession(&ctx, &sess, &uuid, TEEC_LOGIN_PUBLIC, nullptr, nullptr, &origin) ==
             TEEC_SUCCESS &&
         Object_isNull(sess.imp.direct) == forwarded;
    ::unsetenv("CAPTEE_TEEC_DIRECT");
  }
  ~Session() {
    if (ok) {
      TEEC_CloseSession(&sess);
    }
    TEEC_FinalizeContext(&ctx);
  }
  // CMD_LOOP: *n invokes of the peer; *n the count done, *ns the time.
  TEEC_Result loop(uint32_t *n, uint32_t *ns) {
    TEEC_Operation op{};
    op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INOUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
    op.params[0].value.a = *n;
    uint32_t origin = 0;
    TEEC_Result r = TEEC_InvokeCommand(&sess, kCmdLoop, &op, &origin);
    *n = op.params[0].value.a;
    *ns = op.params[0].value.b;
    return r;
  }
  TEEC_Result call(uint32_t cmd, uint32_t *a) {
    TEEC_Operation op{};
    op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INOUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
    op.params[0].value.a = *a;
    uint32_t origin = 0;
    TEEC_Result r = TEEC_InvokeCommand(&sess, cmd, &op, &origin);
    *a = op.params[0].value.a;
    return r;
  }
};

void ta2ta_loop(benchmark::State &state, bool pin) {
  Session s;
  uint32_t unused = 0;
  if (!s.ok || s.call(kCmdOpenPeer, &unused) != TEEC_SUCCESS) {
    state.SkipWithError("cannot open the bench TA and its peer");
    return;
  }
  std::unique_ptr<PinTree> pinned = pin ? std::make_unique<PinTree>() : nullptr;
  // Per invoke; the client's call that starts each loop is counted in.
  TreeCpu cpu(state, kLoop);
  for (auto _ : state) {
    uint32_t ns = 0;
    uint32_t n = kLoop;
    if (s.loop(&n, &ns) != TEEC_SUCCESS || n != kLoop) {
      state.SkipWithError("the TA-to-TA loop failed");
      break;
    }
    state.SetIterationTime(static_cast<double>(ns) / 1e9);
  }
  (void)s.call(kCmdClosePeer, &unused);
}

void client_loop(benchmark::State &state, bool pin, bool forwarded = true) {
  Session s(forwarded);
  if (!s.ok) {
    state.SkipWithError("cannot open the bench TA");
    return;
  }
  std::unique_ptr<PinTree> pinned = pin ? std::make_unique<PinTree>() : nullptr;
  TreeCpu cpu(state, kLoop);
  uint32_t a = 0;
  for (auto _ : state) {
    const Clock::time_point start = Clock::now();
    for (uint32_t i = 0; i < kLoop; ++i) {
      if (s.call(kCmdValue, &a) != TEEC_SUCCESS) {
        state.SkipWithError("invoke failed");
        return;
      }
    }
    state.SetIterationTime(std::chrono::duration<double>(Clock::now() - start).count());
  }
  benchmark::DoNotOptimize(a);
}

void BM_Ta2TaInvoke1Value_Pinned(benchmark::State &state) {
  ta2ta_loop(state, true);
}
BENCHMARK(BM_Ta2TaInvoke1Value_Pinned)->UseManualTime();

void BM_ClientInvoke1Value_Pinned(benchmark::State &state) {
  client_loop(state, true);
}
BENCHMARK(BM_ClientInvoke1Value_Pinned)->UseManualTime();

void BM_DirectClientInvoke1Value_Pinned(benchmark::State &state) {
  client_loop(state, true, /*forwarded=*/false);
}
BENCHMARK(BM_DirectClientInvoke1Value_Pinned)->UseManualTime();

void BM_Ta2TaInvoke1Value(benchmark::State &state) {
  ta2ta_loop(state, false);
}
BENCHMARK(BM_Ta2TaInvoke1Value)->UseManualTime();

void BM_ClientInvoke1Value(benchmark::State &state) {
  client_loop(state, false);
}
BENCHMARK(BM_ClientInvoke1Value)->UseManualTime();

}  // namespace

BENCHMARK_MAIN();
