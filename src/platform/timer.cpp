#include "timer.hpp"

namespace captee::platform {

uint32_t Timer::count_at(uint64_t now) const {
  if ((reg(kCr1) & kCen) == 0 || now < anchor_cycle_) {
    return anchor_count_;
  }
  const uint64_t counted = anchor_count_ + (now - anchor_cycle_) / ticks_per_count();
  return static_cast<uint32_t>(counted % period());
}

void Timer::restart_from(uint32_t count, uint64_t now) {
  anchor_cycle_ = now;
  anchor_count_ = count;
  if ((reg(kCr1) & kCen) == 0) {
    next_update_ = kNever;
    return;
  }
  // The counter reaches ARR, then wraps to 0: the update event. A counter
  // already past ARR (ARR lowered) counts up to 2^32 first, as on the SoC.
  const uint64_t arr = reg(kArr);
  const uint64_t to_wrap = count <= arr ? arr - count + 1 : (1ull << 32) - count + arr + 1;
  next_update_ = now + to_wrap * ticks_per_count();
}

void Timer::advance(uint64_t now) {
  if (next_update_ == kNever || now < next_update_) {
    return;
  }
  // One or more update events passed: the last one re-anchors the counter
  // at 0 with the prescaler it loaded.
  const uint64_t step = period() * ticks_per_count();
  const uint64_t last = next_update_ + (now - next_update_) / step * step;
  if ((reg(kCr1) & kUdis) == 0) {
    reg(kSr) |= kUif;
    psc_active_ = reg(kPsc);
  }
  restart_from(0, last);
  update_line();
}

uint64_t Timer::next_event() const {
  // Only an interrupt needs to come on time: a polling firmware reads SR,
  // which advances the timer first.
  if ((reg(kDier) & kUie) == 0 || (reg(kSr) & kUif) != 0) {
    return kNever;
  }
  return next_update_;
}

uint32_t Timer::read(uint32_t offset, unsigned size) {
  const uint64_t now = now_();
  advance(now);
  const uint32_t word_offset = offset & ~3u;
  uint32_t word = 0;
  if (word_offset == kCnt) {
    word = count_at(now);
  } else if (word_offset == kEgr) {
    word = 0;  // write-only
  } else if (word_offset < sizeof regs_) {
    word = regs_[word_offset / 4];
  }
  return read_lanes(word, offset, size);
}

void Timer::write(uint32_t offset, unsigned size, uint32_t value) {
  const uint64_t now = now_();
  advance(now);
  const uint32_t word_offset = offset & ~3u;
  if (word_offset >= sizeof regs_) {
    return;
  }
  const uint32_t count = count_at(now);
  switch (word_offset) {
    case kSr:
      reg(kSr) &= written_lanes(value, offset, size) | ~byte_lanes(offset, size);
      break;
    case kEgr:
      if (written_lanes(value, offset, size) & kUg) {
        psc_active_ = reg(kPsc);
        if ((reg(kCr1) & kUrs) == 0) {
          reg(kSr) |= kUif;
        }
        restart_from(0, now);
      }
      break;
    case kCnt:
      reg(kCnt) = merge_lanes(count, value, offset, size);
      restart_from(reg(kCnt), now);
      break;
    case kPsc:
      reg(kPsc) = merge_lanes(reg(kPsc), value, offset, size) & 0xFFFFu;  // 16 bits
      break;
    case kCr1:
    case kArr:
      reg(word_offset) = merge_lanes(reg(word_offset), value, offset, size);
      restart_from(count, now);
      break;
    default:
      reg(word_offset) = merge_lanes(reg(word_offset), value, offset, size);
      break;
  }
  update_line();
}

void Timer::reset() {
  regs_.fill(0);
  reg(kArr) = 0xFFFFFFFFu;
  psc_active_ = 0;
  anchor_cycle_ = 0;
  anchor_count_ = 0;
  next_update_ = kNever;
  update_line();
}

void Timer::update_line() {
  lines_.set_irq_level(irq_, (reg(kDier) & kUie) != 0 && (reg(kSr) & kUif) != 0);
}

}  // namespace captee::platform
