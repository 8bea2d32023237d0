#include "wait_object.hpp"

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>

#include "IWait.h"

namespace captee::teec {
namespace {

class WaitObject final : public LocalObject {
 protected:
  int32_t on_invoke(uint32_t method, ObjectOp, ObjectArg *a, ObjectCounts k) override {
    if (method == IWait_OP_signal) {
      if (k != ObjectCounts_pack(1, 0, 0, 0) || a[0].bi.size != 8) {
        return Object_ERROR_INVALID;
      }
      uint32_t v[2];
      std::memcpy(v, a[0].bi.ptr, sizeof v);
      signal(v[0], v[1]);
      return Object_OK;
    }
    if (method == IWait_OP_wait) {
      if (k != ObjectCounts_pack(1, 1, 0, 0) || a[0].bi.size != 12 || a[1].b.size != 4) {
        return Object_ERROR_INVALID;
      }
      uint32_t v[3];
      std::memcpy(v, a[0].bi.ptr, sizeof v);
      uint32_t result = 0;
      if (wait(v[0], v[1], v[2], &result)) {
        std::memcpy(a[1].b.ptr, &result, 4);
      }
      return Object_OK;
    }
    return Object_ERROR_INVALID;
  }

 private:
  struct Signal {
    uint32_t code;
    uint32_t events;
  };

  static bool matches(const Signal &s, uint32_t code, uint32_t events) {
    return (s.events & events) != 0 && (s.code == code || s.code == 0);
  }

  void signal(uint32_t code, uint32_t events) {
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
  bool wait(uint32_t msec, uint32_t code, uint32_t events, uint32_t *result) {
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
