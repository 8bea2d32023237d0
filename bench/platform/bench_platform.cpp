// Speed of the emulated Cortex-M core: the heartbeat test program runs for a
// fixed wall-clock slice and the core's retired-instruction count is read.
#include <benchmark/benchmark.h>
#include <openssl/sha.h>

#include <array>
#include <chrono>
#include <fstream>
#include <iterator>
#include <thread>
#include <vector>

#include "captee/platform/remote_processor.hpp"

namespace {

using namespace captee::platform;

void BM_CoreHeartbeat(benchmark::State &state) {
  std::ifstream in(CAPTEE_BENCH_PROGRAM, std::ios::binary);
  std::vector<uint8_t> code((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string error;
  auto proc = RemoteProcessor::create(default_platform().processors[0], &error);
  if (!proc || code.empty()) {
    state.SkipWithError(("cannot set up the processor: " + error).c_str());
    return;
  }
  std::array<uint8_t, 32> digest;
  SHA256(code.data(), code.size(), digest.data());
  auto hash_matches = [&](std::span<const uint8_t> destination) {
    std::array<uint8_t, 32> landed;
    SHA256(destination.data(), destination.size(), landed.data());
    return landed == digest;
  };
  if (!proc->load_segment(0, code, static_cast<uint32_t>(code.size()), hash_matches).ok()) {
    state.SkipWithError("cannot load the heartbeat program");
    return;
  }
  uint64_t instructions = 0;
  double seconds = 0;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    proc->start(0);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const uint64_t retired = proc->core().instructions_retired();
    const auto t1 = std::chrono::steady_clock::now();
    proc->stop();
    instructions += retired;
    seconds += std::chrono::duration<double>(t1 - t0).count();
  }
  state.counters["mips"] = benchmark::Counter(static_cast<double>(instructions) / seconds / 1e6);
}
BENCHMARK(BM_CoreHeartbeat)->Iterations(4)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
