#include "ta_sessions_wait.hpp"

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "IWait.h"
#include "IWait.hpp"
#include "call_state.hpp"
#include "captee/object.hpp"
#include "tee_api_defines.h"

namespace captee::gp_ta {

using Clock = std::chrono::steady_clock;

struct OutgoingCallState {
  std::optional<Clock::time_point> deadline;  // cancellationRequestTimeout
  Ref upstream;                               // this TA's client's IWait, if cancellable
  uint32_t upstream_code = 0;
  std::atomic<bool> cancelled{false};
  std::atomic<bool> by_client{false};  // the cancellation came from this TA's client
};

namespace {

// The longest one sleep lasts when nothing can cancel the call and the
// callee waits for ever: the loop wakes up to nothing, harmlessly.
constexpr uint32_t kIdleSliceMs = 1000;

class CallerWait final : public iface::IWaitSkeleton {
 public:
  uint32_t add(std::shared_ptr<OutgoingCallState> s) {
    std::lock_guard lock(mu_);
    uint32_t code;
    do {
      code = next_code_++;
    } while (code == 0 || calls_.count(code) != 0);
    calls_.emplace(code, std::move(s));
    return code;
  }

  void remove(uint32_t code) {
    std::lock_guard lock(mu_);
    calls_.erase(code);
  }

  int32_t wait(uint32_t msec, uint32_t code, uint32_t events, uint32_t &result) override {
    // As a client's wait object: nothing to wait for answers at once, and a
    // timeout leaves `result` as the caller sent it (IWait.idl).
    if ((events & IWait_EVENT_CANCEL) == 0 || msec == 0) {
      result = 0;
      return Object_OK;
    }
    std::shared_ptr<OutgoingCallState> s = find(code);
    if (!s) {
      return Object_OK;
    }
    const bool forever = msec == IWait_WAIT_INFINITE;
    const Clock::time_point end = Clock::now() + std::chrono::milliseconds(forever ? 0 : msec);
    Object upstream = s->upstream.get();
    for (;;) {
      const Clock::time_point now = Clock::now();
      if (s->deadline && now >= *s->deadline) {
        s->cancelled.store(true, std::memory_order_release);
      }
      if (s->cancelled.load(std::memory_order_acquire)) {
        result = IWait_EVENT_CANCEL;
        return Object_OK;
      }
      if (!forever && now >= end) {
        return Object_OK;
      }
      uint32_t slice = forever ? IWait_WAIT_INFINITE : ms_until(now, end);
      if (s->deadline) {
        slice = std::min(slice, ms_until(now, *s->deadline));
      }
      if (!Object_isNull(upstream)) {
        uint32_t r = 0;
        if (IWait_wait(upstream, slice, s->upstream_code, IWait_EVENT_CANCEL, &r) == Object_OK) {
          if ((r & IWait_EVENT_CANCEL) != 0) {
            s->by_client.store(true, std::memory_order_release);
            s->cancelled.store(true, std::memory_order_release);
          }
          continue;
        }
        upstream = Object_NULL;  // the client is gone: only the timeout remains
      }
      std::this_thread::sleep_for(
          std::chrono::milliseconds(slice == IWait_WAIT_INFINITE ? kIdleSliceMs : slice));
    }
  }

  int32_t signal(uint32_t, uint32_t) override {
    // Cancellation of this TA's calls comes from its client or its timeouts,
    // never from the callee.
    return Object_OK;
  }

 private:
  // Milliseconds from `now` to `t`, rounded up, at least 1.
  static uint32_t ms_until(Clock::time_point now, Clock::time_point t) {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(t - now).count();
    const long long ms = us <= 0 ? 1 : (us + 999) / 1000;
    return ms >= IWait_WAIT_INFINITE ? IWait_WAIT_INFINITE - 1 : static_cast<uint32_t>(ms);
  }

  std::shared_ptr<OutgoingCallState> find(uint32_t code) {
    std::lock_guard lock(mu_);
    auto it = calls_.find(code);
    return it == calls_.end() ? nullptr : it->second;
  }

  std::mutex mu_;
  std::map<uint32_t, std::shared_ptr<OutgoingCallState>> calls_;  // guarded by mu_
  uint32_t next_code_ = 1;                                        // guarded by mu_
};

// Made once, kept for the life of the process (callees hold it).
CallerWait &caller_wait() {
  static CallerWait *const w = [] {
    Ref r = make_object<CallerWait>();
    return LocalObject::from_as<CallerWait>(r.detach());
  }();
  return *w;
}

}  // namespace

OutgoingCall::OutgoingCall(uint32_t timeout_ms) : state_(std::make_shared<OutgoingCallState>()) {
  if (timeout_ms != TEE_TIMEOUT_INFINITE) {
    state_->deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  }
  const CurrentCancellation current = current_cancellation();
  if (current.unmasked) {
    // A TA that masked cancellation is not cancelled, nor are its callees
    // on its behalf.
    if (current.cancelled) {
      state_->cancelled.store(true, std::memory_order_relaxed);
    } else if (!Object_isNull(current.wait) && current.cancel_code != 0) {
      state_->upstream = Ref::share(current.wait);
      state_->upstream_code = current.cancel_code;
    }
  }
  code_ = caller_wait().add(state_);
}

OutgoingCall::~OutgoingCall() {
  caller_wait().remove(code_);
  if (state_->by_client.load(std::memory_order_acquire)) {
    note_cancelled();
  }
}

Object outgoing_wait() {
  CallerWait &w = caller_wait();
  return w.as_object();
}

}  // namespace captee::gp_ta
