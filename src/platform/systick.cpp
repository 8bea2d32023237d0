#include "systick.hpp"

namespace captee::platform {

namespace {
constexpr uint32_t kCounterMask = 0x00FFFFFF;
constexpr uint32_t kCalibNoref = 1u << 31;
constexpr uint32_t kCalibSkew = 1u << 30;
}  // namespace

void SysTick::reset() {
  enabled_ = tickint_ = countflag_ = false;
  rvr_ = 0;
  anchor_cycle_ = 0;
  anchor_value_ = 0;
}

uint32_t SysTick::value_at(uint64_t now) const {
  if (!enabled_) {
    return anchor_value_;
  }
  if (now < anchor_cycle_) {
    return 0;  // reached zero, reloading on the next cycle
  }
  const uint64_t elapsed = now - anchor_cycle_;
  return elapsed >= anchor_value_ ? 0 : anchor_value_ - static_cast<uint32_t>(elapsed);
}

uint32_t SysTick::read_csr() {
  const uint32_t v = (enabled_ ? kCsrEnable : 0) | (tickint_ ? kCsrTickint : 0) | kCsrClksource |
                     (countflag_ ? kCsrCountflag : 0);
  countflag_ = false;
  return v;
}

uint32_t SysTick::read_cvr(uint64_t now) const {
  return value_at(now);
}

uint32_t SysTick::read_calib() const {
  // No reference clock. TENMS is the reload for 10 ms of the core clock when
  // it fits the 24-bit field; SKEW says it is not exact otherwise.
  const uint32_t tenms = clock_hz_ / 100 - 1;
  return kCalibNoref | (tenms <= kCounterMask ? tenms : kCalibSkew);
}

void SysTick::write_csr(uint32_t value, uint64_t now) {
  const bool enable = (value & kCsrEnable) != 0;
  tickint_ = (value & kCsrTickint) != 0;
  if (enable == enabled_) {
    return;
  }
  const uint32_t current = value_at(now);
  enabled_ = enable;
  if (enable && current == 0) {
    anchor_cycle_ = now + 1;  // loads the reload value on the next cycle
    anchor_value_ = rvr_;
  } else {
    anchor_cycle_ = now;  // counts on (or stands still) from where it is
    anchor_value_ = current;
  }
}

void SysTick::write_rvr(uint32_t value, uint64_t now) {
  rvr_ = value & kCounterMask;
  // A counter stuck at zero (reload value 0) takes the new one next cycle.
  if (enabled_ && value_at(now) == 0 && now >= anchor_cycle_) {
    anchor_cycle_ = now + 1;
    anchor_value_ = rvr_;
  }
}

void SysTick::write_cvr(uint64_t now) {
  countflag_ = false;
  if (enabled_) {
    anchor_cycle_ = now + 1;
    anchor_value_ = rvr_;
  } else {
    anchor_cycle_ = now;
    anchor_value_ = 0;
  }
}

uint64_t SysTick::next_event() const {
  return enabled_ && anchor_value_ != 0 ? anchor_cycle_ + anchor_value_ : kNever;
}

bool SysTick::advance(uint64_t now) {
  const uint64_t zero = next_event();
  if (zero == kNever || zero > now) {
    return false;
  }
  countflag_ = true;
  // Zero at `zero`, then a reload every rvr_+1 cycles: find the last zero
  // crossing up to `now` without stepping through each period.
  uint64_t last = zero;
  if (rvr_ != 0) {
    last += (now - zero) / (uint64_t{rvr_} + 1) * (uint64_t{rvr_} + 1);
  }
  anchor_cycle_ = last + 1;
  anchor_value_ = rvr_;
  return tickint_;
}

}  // namespace captee::platform
