#include "nvic.hpp"

#include <algorithm>

namespace captee::platform {

bool ExternalLines::set_level(uint32_t line, bool asserted) {
  if (line / 32 >= words_.size()) {
    return false;
  }
  const uint32_t bit = 1u << (line % 32);
  if (asserted) {
    words_[line / 32].level.fetch_or(bit);
  } else {
    words_[line / 32].level.fetch_and(~bit);
  }
  return true;
}

bool ExternalLines::pulse(uint32_t line) {
  if (line / 32 >= words_.size()) {
    return false;
  }
  words_[line / 32].pulsed.fetch_or(1u << (line % 32));
  return true;
}

void ExternalLines::clear() {
  for (Word &w : words_) {
    w.level.store(0);
    w.pulsed.store(0);
  }
}

Nvic::Nvic(uint32_t irqs, uint8_t priority_bits)
    : irqs_(irqs),
      priority_mask_(static_cast<uint8_t>(0xFF00u >> priority_bits)),
      state_(kExcFirstIrq + irqs, 0),
      priority_(kExcFirstIrq + irqs, 0) {
  reset();
}

void Nvic::reset() {
  std::fill(state_.begin(), state_.end(), 0);
  std::fill(priority_.begin(), priority_.end(), 0);
  prigroup_ = 0;
  active_count_ = 0;
  pending_count_ = 0;
}

bool Nvic::enabled(uint32_t n) const {
  if (!valid(n)) {
    return false;
  }
  switch (n) {
    case kExcMemManage:
    case kExcBusFault:
    case kExcUsageFault:
      return (state_[n] & kEnabled) != 0;
    default:
      // NMI, HardFault, SVCall, DebugMonitor, PendSV and SysTick cannot be
      // disabled here (SysTick is pended only when its TICKINT asks); an
      // external interrupt needs its ISER bit.
      return n < kExcFirstIrq || (state_[n] & kEnabled) != 0;
  }
}

void Nvic::set_enabled(uint32_t n, bool on) {
  if (!valid(n)) {
    return;
  }
  state_[n] = static_cast<uint8_t>(on ? state_[n] | kEnabled : state_[n] & ~kEnabled);
}

bool Nvic::fault_enabled(uint32_t n) const {
  return (n == kExcMemManage || n == kExcBusFault || n == kExcUsageFault) &&
         (state_[n] & kEnabled) != 0;
}

void Nvic::set_fault_enabled(uint32_t n, bool on) {
  if (n == kExcMemManage || n == kExcBusFault || n == kExcUsageFault) {
    set_enabled(n, on);
  }
}

void Nvic::set_pending(uint32_t n, bool on) {
  if (!valid(n) || pending(n) == on) {
    return;
  }
  state_[n] = static_cast<uint8_t>(on ? state_[n] | kPending : state_[n] & ~kPending);
  if (on) {
    ++pending_count_;
  } else {
    --pending_count_;
  }
}

void Nvic::set_active(uint32_t n, bool on) {
  if (!valid(n) || active(n) == on) {
    return;
  }
  state_[n] = static_cast<uint8_t>(on ? state_[n] | kActive : state_[n] & ~kActive);
  if (on) {
    ++active_count_;
  } else {
    --active_count_;
  }
}

uint8_t Nvic::priority_register(uint32_t n) const {
  return valid(n) && n > kExcHardFault ? priority_[n] : 0;
}

void Nvic::set_priority_register(uint32_t n, uint8_t value) {
  if (valid(n) && n > kExcHardFault) {
    priority_[n] = value & priority_mask_;
  }
}

int Nvic::priority(uint32_t n) const {
  switch (n) {
    case kExcReset:
      return kPriorityReset;
    case kExcNmi:
      return kPriorityNmi;
    case kExcHardFault:
      return kPriorityHardFault;
    default:
      return valid(n) ? priority_[n] : kPriorityThread;
  }
}

int Nvic::group_priority(int priority) const {
  if (priority < 0 || priority >= kPriorityThread) {
    return priority;
  }
  const int subpriority_mask = (2 << prigroup_) - 1;
  return priority & ~subpriority_mask;
}

int Nvic::active_priority() const {
  int p = kPriorityThread;
  if (active_count_ == 0) {
    return p;
  }
  for (uint32_t n = kExcNmi; n < exceptions(); ++n) {
    if ((state_[n] & kActive) != 0) {
      p = std::min(p, group_priority(priority(n)));
    }
  }
  return p;
}

int Nvic::execution_priority(const ExceptionMasks &m) const {
  int p = active_priority();
  const uint8_t basepri = m.basepri & priority_mask_;
  if (basepri != 0) {
    p = std::min(p, group_priority(basepri));
  }
  if (m.primask) {
    p = std::min(p, 0);
  }
  if (m.faultmask) {
    p = std::min(p, kPriorityHardFault);
  }
  return p;
}

uint32_t Nvic::highest_pending() const {
  if (pending_count_ == 0) {
    return 0;
  }
  uint32_t best = 0;
  int best_group = 0, best_priority = 0;
  for (uint32_t n = kExcNmi; n < exceptions(); ++n) {
    if ((state_[n] & kPending) == 0 || !enabled(n)) {
      continue;
    }
    const int p = priority(n);
    const int g = group_priority(p);
    if (best == 0 || g < best_group || (g == best_group && p < best_priority)) {
      best = n;
      best_group = g;
      best_priority = p;
    }
  }
  return best;
}

bool Nvic::preempts(uint32_t n, int execution) const {
  return group_priority(priority(n)) < execution;
}

void Nvic::sample(ExternalLines &lines) {
  for (uint32_t w = 0; w < lines.words(); ++w) {
    const uint32_t pulses = lines.take_pulses(w);
    const uint32_t levels = lines.level(w);
    uint32_t bits = pulses | levels;
    while (bits != 0) {
      const uint32_t b = static_cast<uint32_t>(__builtin_ctz(bits));
      bits &= bits - 1;
      const uint32_t n = kExcFirstIrq + w * 32 + b;
      if (!valid(n)) {
        continue;
      }
      if ((pulses & (1u << b)) != 0 || !active(n)) {
        set_pending(n, true);
      }
    }
  }
}

}  // namespace captee::platform
