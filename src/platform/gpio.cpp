#include "gpio.hpp"

namespace captee::platform {

namespace {

constexpr uint32_t kModer = 0x00, kPupdr = 0x0C, kIdr = 0x10, kOdr = 0x14, kBsrr = 0x18,
                   kBrr = 0x28;
constexpr uint32_t kRtsr1 = 0x00, kFtsr1 = 0x04, kSwier1 = 0x08, kRpr1 = 0x0C, kFpr1 = 0x10,
                   kExticr1 = 0x60, kC2imr1 = 0xC0;
constexpr uint32_t kGpioLines = 0xFFFF;

// EXTI0_IRQn .. EXTI15_IRQn of the M4 (CMSIS stm32mp157cxx_cm4.h).
constexpr uint32_t kLineIrq[16] = {6, 7, 8, 9, 10, 23, 64, 65, 66, 67, 40, 42, 76, 77, 121, 127};

}  // namespace

uint32_t GpioBank::idr_locked(const Port &p) const {
  uint32_t idr = 0;
  for (uint32_t pin = 0; pin < kPins; ++pin) {
    const uint32_t mode = (p.regs[kModer / 4] >> (2 * pin)) & 3u;
    const uint32_t pull = (p.regs[kPupdr / 4] >> (2 * pin)) & 3u;
    bool high;
    if (mode == 1) {
      high = ((p.regs[kOdr / 4] >> pin) & 1u) != 0;
    } else if ((p.driven >> pin) & 1u) {
      high = ((p.level >> pin) & 1u) != 0;
    } else {
      high = pull == 1;
    }
    idr |= high ? 1u << pin : 0;
  }
  return idr;
}

void GpioBank::edges_locked(uint32_t port, uint32_t before, uint32_t after) {
  const uint32_t changed = (before ^ after) & kGpioLines;
  for (uint32_t line = 0; line < kPins; ++line) {
    if (((changed >> line) & 1u) == 0) {
      continue;
    }
    const uint32_t selected = (exti_[(kExticr1 / 4) + line / 4] >> (8 * (line % 4))) & 0xFFu;
    if (selected != port) {
      continue;
    }
    const bool rising = ((after >> line) & 1u) != 0;
    const uint32_t bit = 1u << line;
    if (rising && (exti_[kRtsr1 / 4] & bit)) {
      exti_[kRpr1 / 4] |= bit;
    }
    if (!rising && (exti_[kFtsr1 / 4] & bit)) {
      exti_[kFpr1 / 4] |= bit;
    }
  }
}

void GpioBank::update_lines_locked() {
  const uint32_t pending = (exti_[kRpr1 / 4] | exti_[kFpr1 / 4]) & exti_[kC2imr1 / 4] & kGpioLines;
  for (uint32_t line = 0; line < kPins; ++line) {
    const uint32_t bit = 1u << line;
    if ((pending ^ asserted_) & bit) {
      lines_.set_irq_level(kLineIrq[line], (pending & bit) != 0);
    }
  }
  asserted_ = pending;
}

bool GpioBank::set_input(uint32_t port, uint32_t pin, bool high) {
  if (port >= kPorts || pin >= kPins) {
    return false;
  }
  std::lock_guard<std::mutex> lock(mu_);
  Port &p = ports_[port];
  const uint32_t before = idr_locked(p);
  p.driven |= static_cast<uint16_t>(1u << pin);
  p.level = static_cast<uint16_t>(high ? p.level | (1u << pin) : p.level & ~(1u << pin));
  edges_locked(port, before, idr_locked(p));
  update_lines_locked();
  return true;
}

bool GpioBank::read_pin(uint32_t port, uint32_t pin, bool *high) const {
  if (port >= kPorts || pin >= kPins) {
    return false;
  }
  std::lock_guard<std::mutex> lock(mu_);
  *high = ((idr_locked(ports_[port]) >> pin) & 1u) != 0;
  return true;
}

uint32_t GpioBank::read_port(uint32_t port, uint32_t offset) {
  std::lock_guard<std::mutex> lock(mu_);
  const Port &p = ports_[port % kPorts];
  if (offset == kIdr) {
    return idr_locked(p);
  }
  if (offset == kBsrr || offset == kBrr || offset >= 4 * p.regs.size()) {
    return 0;  // write-only, or past the registers
  }
  return p.regs[offset / 4];
}

void GpioBank::write_port(uint32_t port, uint32_t offset, uint32_t value, uint32_t at,
                          unsigned size) {
  std::lock_guard<std::mutex> lock(mu_);
  Port &p = ports_[port % kPorts];
  const uint32_t before = idr_locked(p);
  const uint32_t bits = written_lanes(value, at, size);
  if (offset == kBsrr) {
    p.regs[kOdr / 4] = (p.regs[kOdr / 4] | (bits & 0xFFFFu)) & ~(bits >> 16);
  } else if (offset == kBrr) {
    p.regs[kOdr / 4] &= ~(bits & 0xFFFFu);
  } else if (offset != kIdr && offset < 4 * p.regs.size()) {
    p.regs[offset / 4] = merge_lanes(p.regs[offset / 4], value, at, size);
    if (offset == kOdr) {
      p.regs[kOdr / 4] &= 0xFFFFu;
    }
  }
  // A firmware driving its own pin sees the edge too, as the SoC's EXTI does.
  edges_locked(port % kPorts, before, idr_locked(p));
  update_lines_locked();
}

uint32_t GpioBank::read_exti(uint32_t offset) {
  std::lock_guard<std::mutex> lock(mu_);
  if (offset == kSwier1 || offset >= 4 * exti_.size()) {
    return 0;
  }
  return exti_[offset / 4];
}

void GpioBank::write_exti(uint32_t offset, uint32_t value, uint32_t at, unsigned size) {
  std::lock_guard<std::mutex> lock(mu_);
  if (offset >= 4 * exti_.size()) {
    return;
  }
  const uint32_t bits = written_lanes(value, at, size);
  switch (offset) {
    case kSwier1:
      exti_[kRpr1 / 4] |= bits & kGpioLines;
      break;
    case kRpr1:
    case kFpr1:
      exti_[offset / 4] &= ~bits;  // write 1 to clear
      break;
    default:
      exti_[offset / 4] = merge_lanes(exti_[offset / 4], value, at, size);
      break;
  }
  update_lines_locked();
}

void GpioBank::reset() {
  std::lock_guard<std::mutex> lock(mu_);
  for (Port &p : ports_) {
    p.regs.fill(0);
    p.regs[kModer / 4] = 0xFFFFFFFFu;  // analog
    // The host's levels stay: a button is where the user left it.
  }
  exti_.fill(0);
  update_lines_locked();
}

}  // namespace captee::platform
