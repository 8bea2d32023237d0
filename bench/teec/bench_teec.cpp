// bench_teec: the GP Client API against a real capteed (child process).
//
// teec.invoke4v.ratio_channel: TEEC_InvokeCommand with 4 VALUE_INOUT params,
//   against a plain Mink invoke of the same payload (32 bytes in, 32 out:
//   ICounter.echo of counter_ta) over the same path (client -> capteed -> TA).
// teec.memref1m.ratio_local: the TA reads every byte of a 1 MiB MEMREF_WHOLE
//   over allocated shared memory, against the TA reading its own 1 MiB.
#include <benchmark/benchmark.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>

#include "CAppLoader.h"
#include "IAppController.h"
#include "IAppLoader.h"
#include "IClientEnv.h"
#include "ICounter.h"
#include "IOpener.h"
#include "MinkCom.h"
#include "tee_client_api.h"

namespace {

constexpr TEEC_UUID kBenchTa = {0x7e57c0de, 0x00be, 0x4000, {0x80, 0, 0, 0, 0, 0, 0, 0xbe}};
constexpr size_t kMiB = 1 << 20;

// capteed on a temporary socket for the whole run.
class Daemon {
 public:
  Daemon() {
    char tmpl[] = "/tmp/captee-bench-teec-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    socket_ = dir_ + "/s";
    pid_ = ::fork();
    if (pid_ == 0) {
      ::execl(CAPTEED_PATH, CAPTEED_PATH, "--socket", socket_.c_str(), "--ta-dir", CAPTEE_TA_DIR,
              "--state-dir", (dir_ + "/state").c_str(), static_cast<char *>(nullptr));
      ::_exit(127);
    }
    for (int i = 0; i < 500 && !reachable(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::setenv("CAPTEE_SOCKET", socket_.c_str(), 1);
  }
  ~Daemon() {
    ::kill(pid_, SIGTERM);
    int st = 0;
    ::waitpid(pid_, &st, 0);
    std::filesystem::remove_all(dir_);
  }

 private:
  bool reachable() const {
    int fd = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::snprintf(a.sun_path, sizeof a.sun_path, "%s", socket_.c_str());
    bool ok = ::connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
  }
  std::string dir_;
  std::string socket_;
  pid_t pid_ = -1;
};

Daemon &daemon_instance() {
  static Daemon d;
  return d;
}

struct GpSession {
  TEEC_Context ctx{};
  TEEC_Session sess{};
  bool ok = false;
  GpSession() {
    daemon_instance();
    TEEC_UUID uuid = kBenchTa;
    uint32_t origin = 0;
    ok = TEEC_InitializeContext(nullptr, &ctx) == TEEC_SUCCESS &&
         TEEC_OpenSession(&ctx, &sess, &uuid, TEEC_LOGIN_PUBLIC, nullptr, nullptr, &origin) ==
             TEEC_SUCCESS;
  }
  ~GpSession() {
    TEEC_CloseSession(&sess);
    TEEC_FinalizeContext(&ctx);
  }
};

void BM_TeecInvoke4Values(benchmark::State &state) {
  GpSession s;
  if (!s.ok) {
    state.SkipWithError("cannot open the bench TA");
    return;
  }
  TEEC_Operation op{};
  op.paramTypes =
      TEEC_PARAM_TYPES(TEEC_VALUE_INOUT, TEEC_VALUE_INOUT, TEEC_VALUE_INOUT, TEEC_VALUE_INOUT);
  uint32_t origin = 0;
  for (auto _ : state) {
    if (TEEC_InvokeCommand(&s.sess, 0, &op, &origin) != TEEC_SUCCESS) {
      state.SkipWithError("invoke failed");
      return;
    }
  }
  benchmark::DoNotOptimize(op.params[0].value.a);
}
BENCHMARK(BM_TeecInvoke4Values)->UseRealTime();

// The baseline: a Mink TA's object invoked through capteed with the same
// payload size (32 bytes each way).
void BM_ChannelInvoke32Bytes(benchmark::State &state) {
  daemon_instance();
  Object root = Object_NULL, env = Object_NULL, loader = Object_NULL, ctrl = Object_NULL,
         app = Object_NULL, counter = Object_NULL;
  bool ok = MinkCom_getRootEnvObject(&root) == Object_OK &&
            MinkCom_getClientEnvObject(root, &env) == Object_OK &&
            IClientEnv_open(env, CAppLoader_UID, &loader) == Object_OK &&
            IAppLoader_loadEmbedded(loader, "counter_ta", 10, &ctrl) == Object_OK &&
            IAppController_getAppObject(ctrl, &app) == Object_OK &&
            IOpener_open(app, ICounter_OPEN_ID, &counter) == Object_OK;
  uint8_t in[32] = {1}, out[32];
  size_t out_len = 0;
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

}  // namespace
BENCHMARK_MAIN();
