// When automatic recovery should stop: a firmware that crashes again soon
// after every restart would otherwise be reloaded forever, each time
// re-authenticated and re-dumped.
//
// The rule (docs/REMOTEPROC.md, "Recovery"): a crash less than
// `stable_after` after the processor last started continues a streak; one
// later starts a new streak. Recovery attempt n of a streak waits
// first_delay * 2^(n-1) (100, 200, 400 ms by default); after `max_attempts`
// attempts the next crash of the streak ends automatic recovery, and the
// processor stays CRASHED until someone asks for `recover` (which starts a
// new streak). Pure logic, no clock of its own; not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace captee::rproc {

struct RecoveryPolicy {
  unsigned max_attempts = 3;
  std::chrono::milliseconds first_delay{100};
  std::chrono::milliseconds stable_after{5000};
};

class CrashLoopGuard {
 public:
  using Clock = std::chrono::steady_clock;
  explicit CrashLoopGuard(RecoveryPolicy policy = {}) : policy_(policy) {}

  // The processor (re)started at `when`.
  void started(Clock::time_point when) { last_start_ = when; }
  // A crash at `when`: how long to wait before recovering, or nullopt to give
  // up (the streak used every attempt).
  std::optional<std::chrono::milliseconds> crashed(Clock::time_point when);
  // A recovery was asked for by hand: the next crash starts a new streak.
  void reset() { streak_ = 0; }

  unsigned streak() const { return streak_; }
  const RecoveryPolicy &policy() const { return policy_; }

 private:
  RecoveryPolicy policy_;
  std::optional<Clock::time_point> last_start_;
  unsigned streak_ = 0;  // crashes soon after a start, in a row
};

}  // namespace captee::rproc
