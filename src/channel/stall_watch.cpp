// The StallWatch thread (stall_watch.hpp), and what it does to a channel.
#include "stall_watch.hpp"

#include <pthread.h>

#include <new>
#include <system_error>
#include <thread>

#include "channel_impl.hpp"

namespace captee::detail {
namespace {

constexpr auto kTick = std::chrono::milliseconds(1);
constexpr int64_t kIdleAfterNs = 100'000'000;

}  // namespace

StallWatch *StallWatch::create() {
  instance_ = new StallWatch;  // never destroyed: threads may use it at exit
  ::pthread_atfork([] { instance_->mu_.lock(); }, [] { instance_->mu_.unlock(); },
                   [] {
                     // The child has no watch thread; start afresh.
                     new (&instance_->mu_) std::mutex;
                     new (&instance_->cv_) std::condition_variable;
                     instance_->started_ = false;
                     instance_->idle_.store(false);
                     new (&instance_->channels_) std::vector<std::weak_ptr<ChannelImpl>>;
                   });
  return instance_;
}

void StallWatch::add(std::weak_ptr<ChannelImpl> ch) {
  std::lock_guard lk(mu_);
  channels_.push_back(std::move(ch));
  if (!started_) {
    try {
      std::thread([this] { run(); }).detach();
      started_ = true;
    } catch (const std::system_error &) {
      // No watch for now (the next channel tries again): long handlers
      // then hold up their channel, which is slower but still correct.
    }
  }
}

void StallWatch::run() {
  std::unique_lock lk(mu_);
  for (;;) {
    std::vector<std::weak_ptr<ChannelImpl>> list = channels_;
    lk.unlock();
    int64_t now = now_ns();
    for (auto &w : list) {
      if (auto ch = w.lock()) {
        ch->check_stall(now);
      }
    }
    list.clear();  // may drop the last reference to a channel: not under mu_
    lk.lock();
    std::erase_if(channels_, [](const auto &w) { return w.expired(); });
    if (now - last_busy_ns_.load(std::memory_order_relaxed) > kIdleAfterNs) {
      idle_.store(true, std::memory_order_release);
      cv_.wait(lk, [&] { return !idle_.load(std::memory_order_acquire); });
    } else {
      cv_.wait_for(lk, kTick);
    }
  }
}

void ChannelImpl::check_stall(int64_t now) {
  std::lock_guard lk(mu_);
  if (!dead_ && stall_since_ != 0 && now - stall_since_ >= kStallNs && readers_ == 0 &&
      parked_ > 0) {
    stall_since_ = 0;
    stall_owner_ = {};
    pool_cv_.notify_one();
  }
}

}  // namespace captee::detail
