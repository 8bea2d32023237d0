#include "exit_watch.hpp"

#include <sys/epoll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

namespace captee::tee::apps::detail {

namespace {

class ExitWatch {
 public:
  static ExitWatch &instance() {
    // Never destroyed: hosts may still be watched while statics are torn down.
    static ExitWatch *w = new ExitWatch();
    return *w;
  }

  uint64_t watch(pid_t pid, std::function<void()> on_exit) {
    if (epoll_ < 0) {
      return 0;
    }
    const int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    if (fd < 0) {
      return 0;
    }
    std::lock_guard lock(mu_);
    const uint64_t key = ++next_key_;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLONESHOT;
    ev.data.u64 = key;
    if (::epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev) != 0) {
      ::close(fd);
      return 0;
    }
    watched_.emplace(key, Entry{fd, std::move(on_exit)});
    return key;
  }

  void unwatch(uint64_t key) {
    std::unique_lock lock(mu_);
    // A callback of this key may be running on the watch thread: wait for it.
    idle_.wait(lock, [&] { return running_ != key; });
    auto it = watched_.find(key);
    if (it == watched_.end()) {
      return;
    }
    ::epoll_ctl(epoll_, EPOLL_CTL_DEL, it->second.fd, nullptr);
    ::close(it->second.fd);
    watched_.erase(it);
  }

 private:
  struct Entry {
    int fd;
    std::function<void()> on_exit;
  };

  ExitWatch() : epoll_(::epoll_create1(EPOLL_CLOEXEC)) {
    if (epoll_ >= 0) {
      std::thread([this] { run(); }).detach();
    }
  }

  void run() {
    for (;;) {
      epoll_event ev{};
      if (::epoll_wait(epoll_, &ev, 1, -1) != 1) {
        continue;  // EINTR
      }
      std::function<void()> on_exit;
      {
        std::lock_guard lock(mu_);
        auto it = watched_.find(ev.data.u64);
        if (it == watched_.end()) {
          continue;  // unwatched meanwhile
        }
        ::close(it->second.fd);
        on_exit = std::move(it->second.on_exit);
        watched_.erase(it);
        running_ = ev.data.u64;
      }
      on_exit();
      {
        std::lock_guard lock(mu_);
        running_ = 0;
      }
      idle_.notify_all();
    }
  }

  const int epoll_;
  std::mutex mu_;
  std::condition_variable idle_;
  std::map<uint64_t, Entry> watched_;
  uint64_t next_key_ = 0;
  uint64_t running_ = 0;
};

}  // namespace

void start_exit_watch() {
  ExitWatch::instance();
}

uint64_t watch_exit(pid_t pid, std::function<void()> on_exit) {
  return ExitWatch::instance().watch(pid, std::move(on_exit));
}

void unwatch_exit(uint64_t key) {
  if (key != 0) {
    ExitWatch::instance().unwatch(key);
  }
}

}  // namespace captee::tee::apps::detail
