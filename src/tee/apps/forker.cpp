#include "forker.hpp"

#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace captee::tee::apps::detail {

namespace {

class Forker {
 public:
  static Forker &instance() {
    // Never destroyed: the thread must outlive every TA host, and static
    // destructors run while capteed's last hosts may still be reaped.
    static Forker *f = new Forker();
    return *f;
  }

  pid_t fork(const std::function<void()> &in_child) {
    std::unique_lock lock(mu_);
    // One request at a time: callers queue on the mutex.
    turn_.wait(lock, [&] { return job_ == nullptr; });
    job_ = &in_child;
    done_ = false;
    work_.notify_one();
    finished_.wait(lock, [&] { return done_; });
    job_ = nullptr;
    const pid_t pid = pid_;
    errno = errno_;
    turn_.notify_one();
    return pid;
  }

 private:
  Forker() {
    std::thread([this] { run(); }).detach();
  }

  void run() {
    std::unique_lock lock(mu_);
    for (;;) {
      work_.wait(lock, [&] { return job_ != nullptr && !done_; });
      const pid_t pid = ::fork();
      if (pid == 0) {
        (*job_)();
        _exit(127);
      }
      pid_ = pid;
      errno_ = pid < 0 ? errno : 0;
      done_ = true;
      finished_.notify_all();
    }
  }

  std::mutex mu_;
  std::condition_variable work_;
  std::condition_variable finished_;
  std::condition_variable turn_;
  const std::function<void()> *job_ = nullptr;
  bool done_ = false;
  pid_t pid_ = -1;
  int errno_ = 0;
};

}  // namespace

void start_forker() {
  Forker::instance();
}

pid_t fork_from_forker_thread(const std::function<void()> &in_child) {
  return Forker::instance().fork(in_child);
}

}  // namespace captee::tee::apps::detail
