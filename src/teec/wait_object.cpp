#include "wait_object.hpp"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>

#include "IWait.hpp"

namespace captee::teec {
namespace {

// libminkteec's CWait in C++: the generated skeleton checks each call's
// shape (spec mink-interfaces §5.7), this holds the queue.
class WaitObject final : public iface::IWaitSkeleton {
 public:
  int32_t wait(uint32_t msec, uint32_t code, uint32_t events, uint32_t &result) override {
    // On a timeout `result` keeps what the caller sent: left unwritten (§5.7).
    (void)wait_for_signal(msec, code, events, &result);
    return Object_OK;
  }

  int32_t signal(uint32_t code, uint32_t events) override {
    queue_signal(code, events);
    return Object_OK;
  }

 private:
  struct Signal {
    uint32_t code;
    uint32_t events;
  };

  static bool matches(const Signal &s, uint32_t code, uint32_t events) {
    return (s.events & events) != 0 && (s.code == code || s.code == 0);
  }

  void queue_signal(uint32_t code, uint32_t events) {
    std::lock_guard lock(mu_);
    if (waiters_ == 0 && code == 0) {
      return;
    }
    // A repeated request (a client retrying TEEC_RequestCancellation) is
    // already queued: the queue holds each pending signal once, so it cannot
    // grow without bound.
    for (const Signal &s : signals_) {
      if (s.code == code && s.events == events) {
        cv_.notify_all();
        return;
      }
    }
    signals_.push_back({code, events});
    cv_.notify_all();
  }

  // True when a signal matched (and *result was set).
  bool wait_for_signal(uint32_t msec, uint32_t code, uint32_t events, uint32_t *result) {
    if (events == 0 || msec == 0) {
      *result = 0;
      return true;
    }
    std::unique_lock lock(mu_);
    auto find = [&] {
      for (auto it = signals_.begin(); it != signals_.end(); ++it) {
        if (matches(*it, code, events)) {
          *result = it->events & events;
          signals_.erase(it);
          return true;
        }
      }
      return false;
    };
    ++waiters_;
    bool got = false;
    if (msec == IWait_WAIT_INFINITE) {
      cv_.wait(lock, [&] { return (got = find()); });
    } else {
      got = cv_.wait_for(lock, std::chrono::milliseconds(msec), [&] { return find(); });
    }
    --waiters_;
    return got;
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Signal> signals_;
  unsigned waiters_ = 0;
};

}  // namespace

Ref make_wait_object() {
  return make_object<WaitObject>();
}

}  // namespace captee::teec
