#include "watchdog.hpp"

namespace captee::tee::apps::detail {

Watchdog::Watchdog() {
  head_.prev = head_.next = &head_;
  thread_ = std::thread([this] { run(); });
}

Watchdog::~Watchdog() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    cv_.notify_all();
  }
  thread_.join();
}

void Watchdog::arm(Watch &w) {
  std::lock_guard lock(mu_);
  w.fired = false;
  w.next = &head_;
  w.prev = head_.prev;
  head_.prev->next = &w;
  head_.prev = &w;
  if (idle_) {
    idle_ = false;
    cv_.notify_one();
  }
}

bool Watchdog::disarm(Watch &w) {
  std::lock_guard lock(mu_);
  w.prev->next = w.next;
  w.next->prev = w.prev;
  w.prev = w.next = nullptr;
  return w.fired;
}

void Watchdog::run() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    if (head_.next == &head_) {
      idle_ = true;
      cv_.wait(lock, [&] { return stop_ || !idle_; });
      continue;
    }
    auto now = Clock::now();
    for (Watch *w = head_.next; w != &head_; w = w->next) {
      if (!w->fired && w->deadline <= now) {
        w->fired = true;
        if (w->expire != nullptr && *w->expire) {
          (*w->expire)();
        }
      }
    }
    cv_.wait_for(lock, kTick);
  }
}

}  // namespace captee::tee::apps::detail
