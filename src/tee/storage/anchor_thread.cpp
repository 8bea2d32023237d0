// The durable store's anchor thread (anchor_thread.hpp).
#include "anchor_thread.hpp"

#include <utility>

namespace captee::tee::storage::durable {

AnchorThread::AnchorThread(std::chrono::milliseconds idle, std::function<bool()> confirm_when_idle)
    : idle_(idle), confirm_(std::move(confirm_when_idle)), thread_([this] { run(); }) {}

AnchorThread::~AnchorThread() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void AnchorThread::start_write(std::function<bool()> write) {
  {
    std::lock_guard lock(mu_);
    write_ = std::move(write);
    write_done_ = false;
  }
  wake_.notify_all();
}

bool AnchorThread::finish_write() {
  std::unique_lock lock(mu_);
  finished_.wait(lock, [&] { return write_done_; });
  return write_ok_;
}

void AnchorThread::arm_confirm() {
  {
    std::lock_guard lock(mu_);
    confirm_armed_ = true;
    confirm_at_ = std::chrono::steady_clock::now() + idle_;
  }
  wake_.notify_all();
}

void AnchorThread::run() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    if (write_) {
      auto write = std::move(write_);
      write_ = nullptr;
      lock.unlock();
      const bool ok = write();
      lock.lock();
      write_ok_ = ok;
      write_done_ = true;
      finished_.notify_all();
      continue;
    }
    if (!confirm_armed_) {
      wake_.wait(lock, [&] { return stop_ || write_ || confirm_armed_; });
      continue;
    }
    // Armed: wait out the idle time unless a write or a stop comes first
    // (a commit in between re-arms and so moves confirm_at_ on).
    const auto at = confirm_at_;
    if (wake_.wait_until(lock, at, [&] { return stop_ || write_ || confirm_at_ != at; }))
      continue;
    confirm_armed_ = false;
    lock.unlock();
    const bool done = confirm_();
    lock.lock();
    if (!done && !confirm_armed_) {
      confirm_armed_ = true;
      confirm_at_ = std::chrono::steady_clock::now() + idle_;
    }
  }
}

}  // namespace captee::tee::storage::durable
