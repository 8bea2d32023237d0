// A limit on how long one call may wait for another process (internal to
// captee_tee): the supplicant storage backend's file requests
// (supplicant_files.hpp, decision 0030).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace captee::tee {

// One thread that runs an expiry action when a call outlives its limit. The
// call itself runs on the caller's thread: the channel layer cannot abandon
// an invoke, so the action must make the call return (closing the
// connection it waits on). Calls to run() are one at a time.
class CallDeadline {
 public:
  using Clock = std::chrono::steady_clock;

  // Starts the thread; throws std::system_error if it cannot.
  explicit CallDeadline(std::chrono::milliseconds limit);
  // Waits for an expiry action that is running.
  ~CallDeadline();
  CallDeadline(const CallDeadline &) = delete;
  CallDeadline &operator=(const CallDeadline &) = delete;

  // Runs `call`. If it has not returned `limit` after it began, `expire`
  // runs once, on the deadline's thread and without any lock held, while
  // `call` still runs; it must hold by value whatever it uses. True if
  // `expire` was started (the call outlived its limit).
  bool run(const std::function<void()> &call, std::function<void()> expire);

 private:
  void watch();

  const std::chrono::milliseconds limit_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool armed_ = false;  // a call is running
  Clock::time_point deadline_;
  std::function<void()> expire_;
  bool fired_ = false;  // the running call outlived its limit
  bool stop_ = false;
  std::thread thread_;  // last: started once the rest is set up
};

}  // namespace captee::tee
