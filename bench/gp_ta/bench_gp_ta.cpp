// bench_gp_ta: the GP Internal Core API's property getters, inside a TA run
// by a real capteed (child process).
//
// gp.property_get.ns: one TEE_GetPropertyAsU32(TEE_PROPSET_CURRENT_TA,
//   "gpd.ta.dataSize"), timed by the TA itself over a batch of calls (so the
//   client's round trip is not in the figure): the iteration time is the
//   batch's, and the counter ns_per_get is that divided by the batch size.
// gp.property_get_ext.ns: the same for the TA's last extension property
//   (the longest walk of the TA set).
// gp.property_get_tee.ns: the same for gpd.tee.arith.maxBigIntSize (the TEE
//   set).
#include <benchmark/benchmark.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>

#include "tee_client_api.h"

namespace {

constexpr TEEC_UUID kBenchTa = {0x7e57c0de, 0x00bf, 0x4000, {0x80, 0, 0, 0, 0, 0, 0, 0xbf}};
constexpr uint32_t kCmdGetU32 = 0;
constexpr uint32_t kBatch = 20000;

// capteed on a temporary socket and state directory for the whole run.
class Capteed {
 public:
  Capteed() {
    char tmpl[] = "/tmp/captee-bench-gp-ta-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    socket_ = dir_ + "/s";
    pid_ = ::fork();
    if (pid_ == 0) {
      ::execl(CAPTEED_PATH, CAPTEED_PATH, "--socket", socket_.c_str(), "--ta-dir", CAPTEE_TA_DIR,
              "--state-dir", (dir_ + "/state").c_str(), "--allow-unsigned-tas",
              static_cast<char *>(nullptr));
      ::_exit(127);
    }
    for (int i = 0; i < 500 && !reachable(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::setenv("CAPTEE_SOCKET", socket_.c_str(), 1);
  }
  ~Capteed() {
    ::kill(pid_, SIGTERM);
    int st = 0;
    ::waitpid(pid_, &st, 0);
    std::filesystem::remove_all(dir_);
  }
  Capteed(const Capteed &) = delete;
  Capteed &operator=(const Capteed &) = delete;

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

void BM_GpPropertyGetU32(benchmark::State &state) {
  static Capteed capteed;
  TEEC_Context ctx{};
  TEEC_Session s{};
  if (TEEC_InitializeContext(nullptr, &ctx) != TEEC_SUCCESS ||
      TEEC_OpenSession(&ctx, &s, &kBenchTa, TEEC_LOGIN_PUBLIC, nullptr, nullptr, nullptr) !=
          TEEC_SUCCESS) {
    state.SkipWithError("no session with the benchmark TA");
    return;
  }
  double ns_per_get = 0;
  for (auto _ : state) {
    TEEC_Operation op{};
    op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE);
    op.params[0].value = {kBatch, static_cast<uint32_t>(state.range(0))};
    if (TEEC_InvokeCommand(&s, kCmdGetU32, &op, nullptr) != TEEC_SUCCESS) {
      state.SkipWithError("the benchmark command failed");
      break;
    }
    const uint64_t ns = uint64_t(op.params[1].value.b) << 32 | op.params[1].value.a;
    state.SetIterationTime(double(ns) / 1e9);
    ns_per_get += double(ns) / kBatch;
  }
  state.counters["ns_per_get"] = benchmark::Counter(ns_per_get, benchmark::Counter::kAvgIterations);
  TEEC_CloseSession(&s);
  TEEC_FinalizeContext(&ctx);
}
BENCHMARK(BM_GpPropertyGetU32)->Arg(0)->Arg(1)->Arg(2)->UseManualTime();

}  // namespace

BENCHMARK_MAIN();
