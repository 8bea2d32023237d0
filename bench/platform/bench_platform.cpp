// Speed of the emulated Cortex-M core: the heartbeat test program runs for a
// fixed wall-clock slice and the core's retired-instruction count is read;
// then the same loop with SysTick interrupting it at 1 kHz of the core's
// clock, to show what checking for interrupts and taking them costs.
#include <benchmark/benchmark.h>
#include <openssl/sha.h>

#include <array>
#include <time.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "captee/platform/remote_processor.hpp"

namespace {

using namespace captee::platform;

std::vector<uint8_t> read_program(const char *path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A processor of the default platform with `program` loaded at 0.
std::unique_ptr<RemoteProcessor> loaded(const std::vector<uint8_t> &code, std::string *error) {
  auto proc = RemoteProcessor::create(default_platform().processors[0], error);
  if (!proc || code.empty()) {
    return nullptr;
  }
  std::array<uint8_t, 32> digest;
  SHA256(code.data(), code.size(), digest.data());
  auto hash_matches = [&](std::span<const uint8_t> destination) {
    std::array<uint8_t, 32> landed;
    SHA256(destination.data(), destination.size(), landed.data());
    return landed == digest;
  };
  if (!proc->load_segment(0, code, static_cast<uint32_t>(code.size()), hash_matches).ok()) {
    *error = "cannot load the program";
    return nullptr;
  }
  return proc;
}

struct Slice {
  uint64_t instructions = 0;
  double seconds = 0;      // wall clock
  double cpu_seconds = 0;  // the process's CPU time: the core's thread, as the rest sleeps
  uint32_t ticks = 0;
};

double process_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

// Runs the loaded program for `ms` of wall-clock time; `without_systick`
// tells the SysTick program to leave its timer off.
Slice run(RemoteProcessor &proc, int ms, bool without_systick = false) {
  uint32_t zero = 0, off = without_systick ? 1 : 0;
  std::memcpy(proc.translate(0x10000108, 4).data(), &zero, 4);
  std::memcpy(proc.translate(0x10000200, 4).data(), &off, 4);
  const auto t0 = std::chrono::steady_clock::now();
  const double c0 = process_cpu_seconds();
  proc.start(0);
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  Slice s;
  s.instructions = proc.core().instructions_retired();
  const auto t1 = std::chrono::steady_clock::now();
  s.cpu_seconds = process_cpu_seconds() - c0;
  proc.stop();
  s.seconds = std::chrono::duration<double>(t1 - t0).count();
  std::memcpy(&s.ticks, proc.translate(0x10000108, 4).data(), 4);
  return s;
}

void BM_CoreHeartbeat(benchmark::State &state) {
  std::string error;
  auto proc = loaded(read_program(CAPTEE_BENCH_PROGRAM), &error);
  if (!proc) {
    state.SkipWithError(("cannot set up the processor: " + error).c_str());
    return;
  }
  uint64_t instructions = 0;
  double seconds = 0, cpu_seconds = 0;
  for (auto _ : state) {
    const Slice s = run(*proc, 500);
    instructions += s.instructions;
    seconds += s.seconds;
    cpu_seconds += s.cpu_seconds;
  }
  state.counters["mips"] = benchmark::Counter(static_cast<double>(instructions) / seconds / 1e6);
  state.counters["mips_cpu"] =
      benchmark::Counter(static_cast<double>(instructions) / cpu_seconds / 1e6);
}
BENCHMARK(BM_CoreHeartbeat)->Iterations(4)->Unit(benchmark::kMillisecond);

// The same loop with SysTick at 1 kHz of the 209 MHz clock.
void BM_CoreHeartbeatSysTick(benchmark::State &state) {
  std::string error;
  auto proc = loaded(read_program(CAPTEE_BENCH_SYSTICK_PROGRAM), &error);
  if (!proc) {
    state.SkipWithError(("cannot set up the processor: " + error).c_str());
    return;
  }
  uint64_t instructions = 0, ticks = 0;
  double seconds = 0, cpu_seconds = 0;
  for (auto _ : state) {
    const Slice s = run(*proc, 500);
    instructions += s.instructions;
    ticks += s.ticks;
    seconds += s.seconds;
    cpu_seconds += s.cpu_seconds;
  }
  if (ticks == 0) {
    state.SkipWithError("SysTick never fired");
    return;
  }
  state.counters["mips"] = benchmark::Counter(static_cast<double>(instructions) / seconds / 1e6);
  state.counters["mips_cpu"] =
      benchmark::Counter(static_cast<double>(instructions) / cpu_seconds / 1e6);
  state.counters["ticks_per_minstr"] =
      benchmark::Counter(static_cast<double>(ticks) / (static_cast<double>(instructions) / 1e6));
}
BENCHMARK(BM_CoreHeartbeatSysTick)->Iterations(4)->Unit(benchmark::kMillisecond);

// The SysTick program with and without its timer (the same code at the same
// addresses), alternating in 250 ms slices, each speed taken per second of
// the core thread's CPU time so other load on the machine cancels out: the
// ratio of the two is the cost of checking for and taking interrupts.
void BM_CoreSysTickVsPlain_Interleaved(benchmark::State &state) {
  std::string error;
  auto proc = loaded(read_program(CAPTEE_BENCH_SYSTICK_PROGRAM), &error);
  if (!proc) {
    state.SkipWithError(("cannot set up the processor: " + error).c_str());
    return;
  }
  double plain_mips = 0, irq_mips = 0;
  for (auto _ : state) {
    const Slice a = run(*proc, 250, /*without_systick=*/true);
    const Slice b = run(*proc, 250);
    const Slice c = run(*proc, 250);
    const Slice d = run(*proc, 250, /*without_systick=*/true);
    if (a.ticks + d.ticks != 0 || b.ticks == 0 || c.ticks == 0) {
      state.SkipWithError("SysTick did not run as asked");
      return;
    }
    plain_mips +=
        static_cast<double>(a.instructions + d.instructions) / (a.cpu_seconds + d.cpu_seconds);
    irq_mips +=
        static_cast<double>(b.instructions + c.instructions) / (b.cpu_seconds + c.cpu_seconds);
  }
  state.counters["mips_cpu_plain"] =
      benchmark::Counter(plain_mips / 1e6 / static_cast<double>(state.iterations()));
  state.counters["mips_cpu_irq"] =
      benchmark::Counter(irq_mips / 1e6 / static_cast<double>(state.iterations()));
  state.counters["ratio"] = benchmark::Counter(irq_mips / plain_mips);
}
BENCHMARK(BM_CoreSysTickVsPlain_Interleaved)->Iterations(3)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
