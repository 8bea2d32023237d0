// The process-wide thread that keeps channels readable while their only
// reader serves a long request (stall_watch.cpp).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#pragma GCC visibility push(hidden)

namespace captee::detail {

class ChannelImpl;

// A reader serving a request for this long has its channel's socket read by
// another pool thread meanwhile.
inline constexpr int64_t kStallNs = 1'000'000;

inline int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// One thread per process that keeps channels readable while their only
// reader serves a long request. It ticks every millisecond while requests
// are being served and sleeps when the process has been idle for 100 ms, so
// the call path never wakes anything but the peer.
class StallWatch {
 public:
  static StallWatch &get() {
    static StallWatch *w = create();
    return *w;
  }
  // Watches `ch` (ChannelImpl::check_stall) until it is gone.
  void add(std::weak_ptr<ChannelImpl> ch);
  // A pool thread went off to serve at `now`: tick (again) for a while.
  void note_busy(int64_t now) {
    last_busy_ns_.store(now, std::memory_order_relaxed);
    if (idle_.load(std::memory_order_acquire)) {
      std::lock_guard lk(mu_);
      idle_.store(false, std::memory_order_release);
      cv_.notify_one();
    }
  }

 private:
  static StallWatch *create();
  void run();
  std::mutex mu_;
  std::condition_variable cv_;
  bool started_ = false;
  std::atomic<bool> idle_{false};
  std::atomic<int64_t> last_busy_ns_{0};
  std::vector<std::weak_ptr<ChannelImpl>> channels_;
  static inline StallWatch *instance_ = nullptr;
};

}  // namespace captee::detail

#pragma GCC visibility pop
