// The deadline of one call at a time (call_deadline.hpp).
#include "call_deadline.hpp"

#include <utility>

namespace captee::tee {

CallDeadline::CallDeadline(std::chrono::milliseconds limit)
    : limit_(limit), thread_([this] { watch(); }) {}

CallDeadline::~CallDeadline() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

bool CallDeadline::run(const std::function<void()> &call, std::function<void()> expire) {
  {
    std::lock_guard lock(mu_);
    deadline_ = Clock::now() + limit_;
    expire_ = std::move(expire);
    fired_ = false;
    armed_ = true;
  }
  cv_.notify_all();
  call();
  std::function<void()> unused;  // released outside the lock
  std::lock_guard lock(mu_);
  armed_ = false;
  unused.swap(expire_);
  return fired_;
}

void CallDeadline::watch() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    if (!armed_) {
      cv_.wait(lock);
      continue;
    }
    if (Clock::now() < deadline_) {
      cv_.wait_until(lock, deadline_);
      continue;  // the call may have ended, or another begun
    }
    std::function<void()> expire;
    expire.swap(expire_);
    fired_ = true;
    armed_ = false;  // once per call
    lock.unlock();
    if (expire) {
      expire();
    }
    expire = nullptr;
    lock.lock();
  }
}

}  // namespace captee::tee
