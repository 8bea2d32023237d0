#include "captee/rproc/crash_loop_guard.hpp"

namespace captee::rproc {

std::optional<std::chrono::milliseconds> CrashLoopGuard::crashed(Clock::time_point when) {
  const bool soon = last_start_ && when - *last_start_ < policy_.stable_after;
  streak_ = soon ? streak_ + 1 : 1;
  if (streak_ > policy_.max_attempts) {
    return std::nullopt;
  }
  return policy_.first_delay * (1u << (streak_ - 1));
}

}  // namespace captee::rproc
