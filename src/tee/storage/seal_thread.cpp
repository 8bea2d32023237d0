#include "seal_thread.hpp"

namespace captee::tee::storage::durable {

SealThread::SealThread() : thread_([this] { loop(); }) {}

SealThread::~SealThread() {
  finish();
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void SealThread::start(Run run) {
  {
    std::lock_guard lock(mu_);
    run_ = std::move(run);
    sealed_.assign(run_.count, {});
    done_ = 0;
    failed_ = false;
    cancel_ = false;
    running_ = true;
  }
  wake_.notify_one();
}

const std::vector<uint8_t> *SealThread::wait_for(size_t i) {
  std::unique_lock lock(mu_);
  progress_.wait(lock, [&] { return done_ > i || failed_ || !running_; });
  return done_ > i ? &sealed_[i] : nullptr;
}

void SealThread::finish() {
  std::unique_lock lock(mu_);
  cancel_ = true;
  progress_.wait(lock, [&] { return !running_; });
  run_ = Run{};
  sealed_.clear();
}

void SealThread::loop() {
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait(lock, [&] { return stop_ || (running_ && done_ == 0 && !failed_); });
    if (stop_)
      return;
    const Run &run = run_;
    for (size_t i = 0; i < run.count; ++i) {
      if (cancel_)
        break;
      // Each record is sealed with the lock released; only this thread
      // touches sealed_[i] until done_ says it is there.
      std::vector<uint8_t> &out = sealed_[i];
      lock.unlock();
      const bool ok = run.sealer->seal(run.aad(i), run.plain(i), &out);
      lock.lock();
      if (!ok) {
        failed_ = true;
        break;
      }
      done_ = i + 1;
      progress_.notify_all();
    }
    running_ = false;
    progress_.notify_all();
  }
}

}  // namespace captee::tee::storage::durable
