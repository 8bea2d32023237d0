// Per-call deadlines for TA invocations (internal).
//
// One thread per registry watches the calls in flight. A call links a Watch
// (on its own stack) for its duration; when a deadline passes the watchdog
// runs the watch's expiry action (kill the TA process). The thread wakes at
// most every kTick while calls are in flight and sleeps without a timeout
// when there are none, so the per-call cost is one uncontended mutex pair.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace captee::tee::apps::detail {

class Watchdog {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr auto kTick = std::chrono::milliseconds(10);

  struct Watch {
    Clock::time_point deadline;
    std::function<void()> *expire = nullptr;  // borrowed; runs under the watchdog lock
    bool fired = false;
    Watch *prev = nullptr;
    Watch *next = nullptr;
  };

  Watchdog();
  ~Watchdog();
  Watchdog(const Watchdog &) = delete;
  Watchdog &operator=(const Watchdog &) = delete;

  void arm(Watch &w);
  // Unlinks `w`; returns whether it fired.
  bool disarm(Watch &w);

 private:
  void run();

  std::mutex mu_;
  std::condition_variable cv_;
  Watch head_;
  bool idle_ = false;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace captee::tee::apps::detail
