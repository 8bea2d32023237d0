// A ratio that survives a shared machine: the subject and its baseline run in
// alternating short batches inside one Google Benchmark loop, and the figure
// is the median of the per-batch ratios. Other jobs' load then falls on both
// sides alike, and a burst of it spoils a few batches, not the result (two
// benchmarks run one after the other can see very different machines). For
// benchmarks only.
#pragma once

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <vector>

namespace captee::testing {

// Each iteration of `state` runs `batch` calls of `subject` and `batch` of
// `baseline` (in turns first), both returning false on failure. Sets the
// counters `ratio` (median of subject/baseline over the batches),
// `subject_ns` and `baseline_ns` (mean time per call of each).
template <class Subject, class Baseline>
void run_interleaved(benchmark::State &state, Subject &&subject, Baseline &&baseline,
                     int batch = 32) {
  using Clock = std::chrono::steady_clock;
  std::vector<double> ratios;
  double subject_total = 0;
  double baseline_total = 0;
  size_t calls = 0;
  bool subject_first = true;
  auto time = [&](auto &fn) {
    auto t0 = Clock::now();
    for (int i = 0; i < batch; ++i) {
      if (!fn()) {
        return -1.0;
      }
    }
    return std::chrono::duration<double, std::nano>(Clock::now() - t0).count();
  };
  for (auto _ : state) {
    double s = 0;
    double b = 0;
    if (subject_first) {
      s = time(subject);
      b = time(baseline);
    } else {
      b = time(baseline);
      s = time(subject);
    }
    subject_first = !subject_first;
    if (s < 0 || b <= 0) {
      state.SkipWithError("a call failed");
      return;
    }
    ratios.push_back(s / b);
    subject_total += s;
    baseline_total += b;
    calls += size_t(batch);
  }
  if (ratios.empty()) {
    return;
  }
  std::nth_element(ratios.begin(), ratios.begin() + ratios.size() / 2, ratios.end());
  state.counters["ratio"] = ratios[ratios.size() / 2];
  state.counters["subject_ns"] = subject_total / double(calls);
  state.counters["baseline_ns"] = baseline_total / double(calls);
}

}  // namespace captee::testing
