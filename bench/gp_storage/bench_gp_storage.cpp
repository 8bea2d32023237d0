// bench_gp_storage: GP trusted storage inside a TA run by a real capteed
// (child process) whose --state-dir is on the build tree's file system (a
// disk, not tmpfs).
//
// storage.write4k.us / storage.read4k.us: one TEE_WriteObjectData /
//   TEE_ReadObjectData of 4 KiB at position 0 of an open object, timed by
//   the TA over a batch (the client's round trip is not in the figure);
//   counter us_per_op.
// storage.create_small.us: one TEE_CreatePersistentObject of a 16-byte data
//   object (closed at once), the same way.
// storage.write1m.ratio_fsync_file: one TEE_WriteObjectData of 1 MiB at
//   position 0 of an open object, against writing 1 MiB to a plain file
//   and fsync'ing it, in the same directory as capteed's state, batch by
//   batch in turns (counter `ratio`: the median of the batches' ratios;
//   `storage_us`, `file_us`: the mean time of one). Counter `tmpfs` is 1 if
//   the directory turned out to be on tmpfs (the comparison then means
//   little).
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "captee/testing/bench_capteed.hpp"
#include "tee_client_api.h"

namespace {

constexpr TEEC_UUID kStorageTa = {0x7e57c0de, 0x00c1, 0x4000, {0x80, 0, 0, 0, 0, 0, 0, 0xc1}};
constexpr uint32_t kRun = 0;
constexpr uint32_t kWrite1m = 3;
constexpr size_t kMiB = size_t(1) << 20;

captee::testing::BenchCapteed &capteed() {
  static captee::testing::BenchCapteed d(CAPTEED_PATH, CAPTEE_TA_DIR, "gp-storage",
                                         BENCH_STATE_PARENT);
  return d;
}

struct Session {
  TEEC_Context ctx{};
  TEEC_Session s{};
  bool ok = false;
  Session() {
    ok = TEEC_InitializeContext(nullptr, &ctx) == TEEC_SUCCESS &&
         TEEC_OpenSession(&ctx, &s, &kStorageTa, TEEC_LOGIN_PUBLIC, nullptr, nullptr, nullptr) ==
             TEEC_SUCCESS;
  }
  ~Session() {
    if (ok) {
      TEEC_CloseSession(&s);
    }
    TEEC_FinalizeContext(&ctx);
  }
  // Runs N operations of `what` in the TA; their nanoseconds, or -1.
  double run(uint32_t n, uint32_t what) {
    TEEC_Operation op{};
    op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE);
    op.params[0].value = {n, what};
    if (TEEC_InvokeCommand(&s, kRun, &op, nullptr) != TEEC_SUCCESS) {
      return -1;
    }
    return double(uint64_t(op.params[1].value.b) << 32 | op.params[1].value.a);
  }
};

void BM_StorageOp(benchmark::State &state) {
  capteed();
  Session s;
  if (!s.ok) {
    state.SkipWithError("no session with the storage benchmark TA");
    return;
  }
  const uint32_t batch = state.range(0) == 2 ? 200 : 500;
  double ns = 0;
  for (auto _ : state) {
    const double t = s.run(batch, uint32_t(state.range(0)));
    if (t < 0) {
      state.SkipWithError("the benchmark command failed");
      break;
    }
    state.SetIterationTime(t / 1e9);
    ns += t;
  }
  state.counters["us_per_op"] =
      benchmark::Counter(ns / batch / 1e3, benchmark::Counter::kAvgIterations);
}
BENCHMARK(BM_StorageOp)->Arg(0)->Arg(1)->Arg(2)->UseManualTime();

// `n` times: 1 MiB written at offset 0 of `path` and fsync'd; nanoseconds,
// or -1.
double fsync_file_batch(const std::string &path, const std::vector<char> &data, uint32_t n) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return -1;
  }
  const auto t0 = std::chrono::steady_clock::now();
  bool ok = true;
  for (uint32_t i = 0; i < n && ok; ++i) {
    ok = ::pwrite(fd, data.data(), data.size(), 0) == ssize_t(data.size()) && ::fsync(fd) == 0;
  }
  const double ns =
      std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
  ::close(fd);
  return ok ? ns : -1;
}

void BM_StorageWrite1mVsFsyncFile(benchmark::State &state) {
  auto &d = capteed();
  Session s;
  if (!s.ok || d.dir().empty()) {
    state.SkipWithError("no session with the storage benchmark TA");
    return;
  }
  constexpr uint32_t kBatch = 4;
  const std::string file = d.dir() + "/fsync-file";
  const std::vector<char> data(kMiB, 'x');
  struct statfs fs {};
  const bool tmpfs = ::statfs(d.dir().c_str(), &fs) == 0 && fs.f_type == TMPFS_MAGIC;
  std::vector<double> ratios;
  double storage_ns = 0, file_ns = 0;
  for (auto _ : state) {
    const double ta = s.run(kBatch, kWrite1m);
    const double local = fsync_file_batch(file, data, kBatch);
    if (ta < 0 || local < 0) {
      state.SkipWithError("a batch failed");
      break;
    }
    state.SetIterationTime(ta / 1e9);
    ratios.push_back(ta / local);
    storage_ns += ta;
    file_ns += local;
  }
  ::unlink(file.c_str());
  if (!ratios.empty()) {
    std::nth_element(ratios.begin(), ratios.begin() + long(ratios.size() / 2), ratios.end());
    const double writes = double(ratios.size()) * kBatch;
    state.counters["ratio"] = ratios[ratios.size() / 2];
    state.counters["storage_us"] = storage_ns / writes / 1e3;
    state.counters["file_us"] = file_ns / writes / 1e3;
    state.counters["tmpfs"] = tmpfs ? 1 : 0;
  }
}
BENCHMARK(BM_StorageWrite1mVsFsyncFile)->UseManualTime();

}  // namespace

BENCHMARK_MAIN();
