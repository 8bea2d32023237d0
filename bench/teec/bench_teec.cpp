// bench_teec: the GP Client API against a real capteed (child process).
//
// teec.invoke4v.ratio_channel: TEEC_InvokeCommand with 4 VALUE_INOUT params,
//   against a plain Mink invoke of the same payload (32 bytes in, 32 out:
//   ICounter.echo of counter_ta) over the same path (client -> capteed -> TA),
//   with this process, capteed and the TA hosts pinned to one CPU (as the
//   other IPC benches); also unpinned.
// teec.invoke1v.ratio_raw_pinned / teec.invoke4v.ratio_raw_pinned: the same
//   call with one (four) VALUE_INOUT params on a direct session (client ->
//   TA process, issue 19), against a raw SOCK_SEQPACKET round trip of 32
//   bytes with a child process (RawEcho), in alternating batches, all pinned
//   to one CPU; `_forwarded` the same with CAPTEE_TEEC_DIRECT=0 (client ->
//   capteed -> TA).
// teec.memref1m.ratio_local: the TA reads every byte of a 1 MiB MEMREF_WHOLE
//   over allocated shared memory, against the TA reading its own 1 MiB.
// teec.tmpref1m.ratio_allocated / teec.regmem1m.ratio_allocated /
//   teec.allocpartial1m.ratio_allocated: a 1 MiB in/out temporary memref, a
//   1 MiB in/out memref over registered memory, and a 1 MiB PARTIAL window
//   over half of 2 MiB of allocated memory, that the TA reads, against a
//   memref naming all of 1 MiB of allocated memory (the zero-copy case): the
//   cost of libteec's copies in and out.
// BM_TeecTempInout/N: temporary in/out memrefs around the 4 KiB threshold
//   where they switch from inline to a call memory object.
#include <benchmark/benchmark.h>
#include <dirent.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <vector>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "CAppLoader.h"
#include "IAppController.h"
#include "IAppLoader.h"
#include "IClientEnv.h"
#include "ICounter.h"
#include "IOpener.h"
#include "MinkCom.h"
#include "captee/channel.hpp"
#include "captee/testing/bench_capteed.hpp"
#include "captee/testing/interleaved.hpp"
#include "captee/testing/process_tree.hpp"
#include "captee/testing/raw_echo.hpp"
#include "tee_client_api.h"

namespace {

constexpr TEEC_UUID kBenchTa = {0x7e57c0de, 0x00be, 0x4000, {0x80, 0, 0, 0, 0, 0, 0, 0xbe}};
constexpr size_t kMiB = 1 << 20;

captee::testing::BenchCapteed &daemon_instance() {
  static captee::testing::BenchCapteed d(CAPTEED_PATH, CAPTEE_TA_DIR, "teec");
  return d;
}

using captee::testing::PinTree;
using captee::testing::tree_blocks;
using captee::testing::tree_cpu_ns;

// Reports the tree's CPU microseconds per iteration as counter "tree_cpu_us",
// and how often the client, capteed and the TA hosts blocked per iteration
// ("blocks_client", "blocks_capteed", "blocks_tahost").
struct TreeCpu {
  explicit TreeCpu(benchmark::State &s) : state(s), start(tree_cpu_ns(::getpid())) {
    tree_blocks(::getpid(), blocks_at_start);
  }
  ~TreeCpu() {
    if (state.iterations() > 0) {
      std::map<std::string, uint64_t> blocks;
      tree_blocks(::getpid(), blocks);
      const double n = static_cast<double>(state.iterations());
      auto per_call = [&](const std::string &name) {
        return static_cast<double>(blocks[name] - blocks_at_start[name]) / n;
      };
      std::string self;
      std::ifstream("/proc/self/comm") >> self;
      state.counters["blocks_client"] = per_call(self);
      state.counters["blocks_capteed"] = per_call("capteed");
      state.counters["blocks_tahost"] = per_call("captee-tahost");
      state.counters["tree_cpu_us"] = static_cast<double>(tree_cpu_ns(::getpid()) - start) / 1e3 /
                                      static_cast<double>(state.iterations());
    }
  }
  benchmark::State &state;
  uint64_t start;
  std::map<std::string, uint64_t> blocks_at_start;
};

struct GpSession {
  TEEC_Context ctx{};
  TEEC_Session sess{};
  bool ok = false;
  // `forwarded`: every call through capteed (CAPTEE_TEEC_DIRECT=0 while the
  // session opens; libteec reads it there only), not on a direct session.
  explicit GpSession(bool forwarded = false) {
    daemon_instance();
    if (forwarded) {
      ::setenv("CAPTEE_TEEC_DIRECT", "0", 1);
    }
    TEEC_UUID uuid = kBenchTa;
    uint32_t origin = 0;
    ok = TEEC_InitializeContext(nullptr, &ctx) == TEEC_SUCCESS &&
         TEEC_OpenSession(&ctx, &sess, &uuid, TEEC_LOGIN_PUBLIC, nullptr, nullptr, &origin) ==
             TEEC_SUCCESS;
    ::unsetenv("CAPTEE_TEEC_DIRECT");
  }
  ~GpSession() {
    TEEC_CloseSession(&sess);
    TEEC_FinalizeContext(&ctx);
  }
};

// Forwarded through capteed, as its baseline (channel_invoke32_loop) is,
// unless `direct`.
void teec_invoke4_loop(benchmark::State &state, const PinTree *pin, bool direct = false) {
  GpSession s(/*forwarded=*/!direct);
  if (!s.ok) {
    state.SkipWithError("cannot open the bench TA");
    return;
  }
  if (pin != nullptr) {
    pin->again();  // the TA host spawned for the session
  }
  TEEC_Operation op{};
  op.paramTypes =
      TEEC_PARAM_TYPES(TEEC_VALUE_INOUT, TEEC_VALUE_INOUT, TEEC_VALUE_INOUT, TEEC_VALUE_INOUT);
  uint32_t origin = 0;
  TreeCpu cpu(state);
  for (auto _ : state) {
    if (TEEC_InvokeCommand(&s.sess, 0, &op, &origin) != TEEC_SUCCESS) {
      state.SkipWithError("invoke failed");
      return;
    }
  }
  benchmark::DoNotOptimize(op.params[0].value.a);
}

// capteed's root over a connection that refuses channel references, so the
// TA's object is forwarded through capteed (client -> capteed -> TA host),
// the path libteec's sessions take: the baseline compares like with like.
int32_t forwarded_root(Object *root) {
  captee::ChannelOptions o;
  o.accept_channel_refs = false;
  o.log = [](const std::string &) {};
  captee::Ref r = captee::connect(std::getenv("CAPTEE_SOCKET"), o);
  *root = r.detach();
  return Object_isNull(*root) ? Object_ERROR : Object_OK;
}

// The baseline: a Mink TA's object invoked through capteed with the same
// payload size (32 bytes each way).
void channel_invoke32_loop(benchmark::State &state, const PinTree *pin) {
  daemon_instance();
  Object root = Object_NULL, env = Object_NULL, loader = Object_NULL, ctrl = Object_NULL,
         app = Object_NULL, counter = Object_NULL;
  bool ok = forwarded_root(&root) == Object_OK &&
            MinkCom_getClientEnvObject(root, &env) == Object_OK &&
            IClientEnv_open(env, CAppLoader_UID, &loader) == Object_OK &&
            IAppLoader_loadEmbedded(loader, "counter_ta", 10, &ctrl) == Object_OK &&
            IAppController_getAppObject(ctrl, &app) == Object_OK &&
            IOpener_open(app, ICounter_OPEN_ID, &counter) == Object_OK;
  if (pin != nullptr) {
    pin->again();
  }
  uint8_t in[32] = {1}, out[32];
  size_t out_len = 0;
  TreeCpu cpu(state);
  for (auto _ : state) {
    if (!ok || ICounter_echo(counter, in, sizeof in, out, sizeof out, &out_len) != Object_OK) {
      state.SkipWithError("echo failed");
      break;
    }
  }
  Object_ASSIGN_NULL(counter);
  Object_ASSIGN_NULL(app);
  Object_ASSIGN_NULL(ctrl);
  Object_ASSIGN_NULL(loader);
  Object_ASSIGN_NULL(env);
  Object_ASSIGN_NULL(root);
}

// A session to the bench TA, on a direct session or forwarded through
// capteed (CAPTEE_TEEC_DIRECT=0 while it opens), and one call on it with
// `values` VALUE_INOUT params.
struct ValuesCall {
  std::unique_ptr<GpSession> s;
  TEEC_Operation op{};
  const char *error = nullptr;

  ValuesCall(int values, bool forwarded) {
    s = std::make_unique<GpSession>(forwarded);
    if (!s->ok) {
      error = "cannot open the bench TA";
    } else if (Object_isNull(s->sess.imp.direct) != forwarded) {
      error = forwarded ? "a direct session where none was asked for" : "no direct session";
    }
    op.paramTypes = values == 1
                        ? TEEC_PARAM_TYPES(TEEC_VALUE_INOUT, TEEC_NONE, TEEC_NONE, TEEC_NONE)
                        : TEEC_PARAM_TYPES(TEEC_VALUE_INOUT, TEEC_VALUE_INOUT, TEEC_VALUE_INOUT,
                                           TEEC_VALUE_INOUT);
  }
  bool operator()() {
    uint32_t origin = 0;
    return TEEC_InvokeCommand(&s->sess, 0, &op, &origin) == TEEC_SUCCESS;
  }
};

// The call against a raw round trip of 32 bytes (what 4 values weigh) with a
// child process, in alternating batches, the whole tree pinned to one CPU.
void values_vs_raw(benchmark::State &state, int values, bool forwarded) {
  daemon_instance();
  PinTree pin;
  ValuesCall call(values, forwarded);
  if (call.error != nullptr) {
    state.SkipWithError(call.error);
    return;
  }
  captee::testing::RawEcho echo;
  pin.again();  // the TA host spawned for the session, and the echo child
  char raw[32] = {1};
  captee::testing::run_interleaved(state, call, [&] { return echo.round_trip(raw, sizeof raw); });
}

void BM_TeecInvoke1ValueVsRaw_Direct_Pinned(benchmark::State &state) {
  values_vs_raw(state, 1, false);
}
BENCHMARK(BM_TeecInvoke1ValueVsRaw_Direct_Pinned)->UseRealTime();

void BM_TeecInvoke4ValuesVsRaw_Direct_Pinned(benchmark::State &state) {
  values_vs_raw(state, 4, false);
}
BENCHMARK(BM_TeecInvoke4ValuesVsRaw_Direct_Pinned)->UseRealTime();

void BM_TeecInvoke1ValueVsRaw_Forwarded_Pinned(benchmark::State &state) {
  values_vs_raw(state, 1, true);
}
BENCHMARK(BM_TeecInvoke1ValueVsRaw_Forwarded_Pinned)->UseRealTime();

void BM_TeecInvoke4ValuesVsRaw_Forwarded_Pinned(benchmark::State &state) {
  values_vs_raw(state, 4, true);
}
BENCHMARK(BM_TeecInvoke4ValuesVsRaw_Forwarded_Pinned)->UseRealTime();

// The direct session's call alone, for its blocking counts per call.
void BM_TeecInvoke4Values_DirectOnly_Pinned(benchmark::State &state) {
  daemon_instance();
  PinTree pin;
  teec_invoke4_loop(state, &pin, /*direct=*/true);
}
BENCHMARK(BM_TeecInvoke4Values_DirectOnly_Pinned)->UseRealTime();

void BM_TeecInvoke4Values_Pinned(benchmark::State &state) {
  daemon_instance();
  PinTree pin;
  teec_invoke4_loop(state, &pin);
}
BENCHMARK(BM_TeecInvoke4Values_Pinned)->UseRealTime();

void BM_ChannelInvoke32Bytes_Pinned(benchmark::State &state) {
  daemon_instance();
  PinTree pin;
  channel_invoke32_loop(state, &pin);
}
BENCHMARK(BM_ChannelInvoke32Bytes_Pinned)->UseRealTime();

void BM_TeecInvoke4Values(benchmark::State &state) {
  teec_invoke4_loop(state, nullptr);
}
BENCHMARK(BM_TeecInvoke4Values)->UseRealTime();

void BM_ChannelInvoke32Bytes(benchmark::State &state) {
  channel_invoke32_loop(state, nullptr);
}
BENCHMARK(BM_ChannelInvoke32Bytes)->UseRealTime();

void BM_TeecMemrefWhole1MiB(benchmark::State &state) {
  GpSession s;
  TEEC_SharedMemory shm{};
  shm.size = kMiB;
  shm.flags = TEEC_MEM_INPUT;
  if (!s.ok || TEEC_AllocateSharedMemory(&s.ctx, &shm) != TEEC_SUCCESS) {
    state.SkipWithError("setup failed");
    return;
  }
  std::memset(shm.buffer, 1, kMiB);
  TEEC_Operation op{};
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_MEMREF_WHOLE, TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE);
  op.params[0].memref.parent = &shm;
  uint32_t origin = 0;
  for (auto _ : state) {
    if (TEEC_InvokeCommand(&s.sess, 1, &op, &origin) != TEEC_SUCCESS ||
        op.params[1].value.a != kMiB) {
      state.SkipWithError("invoke failed");
      break;
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kMiB));
  TEEC_ReleaseSharedMemory(&shm);
}
BENCHMARK(BM_TeecMemrefWhole1MiB)->UseRealTime();

void BM_TeecLocal1MiB(benchmark::State &state) {
  GpSession s;
  if (!s.ok) {
    state.SkipWithError("setup failed");
    return;
  }
  TEEC_Operation op{};
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE);
  op.params[0].value.a = kMiB;
  uint32_t origin = 0;
  for (auto _ : state) {
    if (TEEC_InvokeCommand(&s.sess, 2, &op, &origin) != TEEC_SUCCESS) {
      state.SkipWithError("invoke failed");
      break;
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kMiB));
}
BENCHMARK(BM_TeecLocal1MiB)->UseRealTime();

// The TA sums an in/out memref of state.range(0) bytes over memory of one
// kind: 0 allocated (the whole of it), 1 registered, 2 temporary, 3 a PARTIAL
// window over the first half of allocated memory twice its size.
void memref_inout_loop(benchmark::State &state, int kind, size_t size) {
  GpSession s;
  std::vector<uint8_t> user(size, 1);
  TEEC_SharedMemory shm{};
  shm.size = kind == 3 ? 2 * size : size;
  shm.flags = TEEC_MEM_INPUT | TEEC_MEM_OUTPUT;
  bool ok = s.ok;
  if (ok && (kind == 0 || kind == 3)) {
    ok = TEEC_AllocateSharedMemory(&s.ctx, &shm) == TEEC_SUCCESS;
    if (ok) {
      std::memset(shm.buffer, 1, shm.size);
    }
  } else if (ok && kind == 1) {
    shm.buffer = user.data();
    ok = TEEC_RegisterSharedMemory(&s.ctx, &shm) == TEEC_SUCCESS;
  }
  if (!ok) {
    state.SkipWithError("setup failed");
    return;
  }
  TEEC_Operation op{};
  uint32_t origin = 0;
  TreeCpu cpu(state);
  for (auto _ : state) {
    if (kind == 2) {
      op.paramTypes =
          TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INOUT, TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE);
      op.params[0].tmpref = {user.data(), size};
    } else {
      op.paramTypes =
          TEEC_PARAM_TYPES(TEEC_MEMREF_PARTIAL_INOUT, TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE);
      op.params[0].memref = {&shm, size, 0};
    }
    if (TEEC_InvokeCommand(&s.sess, 1, &op, &origin) != TEEC_SUCCESS ||
        op.params[1].value.a != size) {
      state.SkipWithError("invoke failed");
      break;
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * size));
  if (kind != 2) {
    TEEC_ReleaseSharedMemory(&shm);
  }
}

void BM_TeecAllocatedInout1MiB(benchmark::State &state) {
  memref_inout_loop(state, 0, kMiB);
}
BENCHMARK(BM_TeecAllocatedInout1MiB)->UseRealTime();

void BM_TeecAllocatedPartialInout1MiB(benchmark::State &state) {
  memref_inout_loop(state, 3, kMiB);
}
BENCHMARK(BM_TeecAllocatedPartialInout1MiB)->UseRealTime();

void BM_TeecRegisteredInout1MiB(benchmark::State &state) {
  memref_inout_loop(state, 1, kMiB);
}
BENCHMARK(BM_TeecRegisteredInout1MiB)->UseRealTime();

void BM_TeecTempInout1MiB(benchmark::State &state) {
  memref_inout_loop(state, 2, kMiB);
}
BENCHMARK(BM_TeecTempInout1MiB)->UseRealTime();

void BM_TeecTempInout(benchmark::State &state) {
  memref_inout_loop(state, 2, static_cast<size_t>(state.range(0)));
}
BENCHMARK(BM_TeecTempInout)->Arg(1024)->Arg(4096)->Arg(4097)->Arg(16384)->Arg(65536)->UseRealTime();

void BM_TeecRegisteredInout(benchmark::State &state) {
  memref_inout_loop(state, 1, static_cast<size_t>(state.range(0)));
}
BENCHMARK(BM_TeecRegisteredInout)->Arg(4096)->Arg(4097)->Arg(16384)->UseRealTime();

}  // namespace
BENCHMARK_MAIN();
