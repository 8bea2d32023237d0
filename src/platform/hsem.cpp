#include "hsem.hpp"

namespace captee::platform {

namespace {

constexpr uint32_t kCoreIdShift = 8;
constexpr uint32_t kCoreIdMask = 0xFu << kCoreIdShift;
constexpr uint32_t kProcIdMask = 0xFFu;
constexpr uint32_t kKeyMask = 0xFFFF0000u;
constexpr uint32_t kM4 = Hsem::kM4CoreId << kCoreIdShift;
constexpr uint32_t kHwcfgr1Value = (2u << 8) | Hsem::kCount;  // NBINT, SEMNB

}  // namespace

uint32_t Hsem::read(uint32_t offset, unsigned size) {
  return read_lanes(read_word(offset & ~3u), offset, size);
}

uint32_t Hsem::read_word(uint32_t offset) {
  if (offset < kRlr) {
    return sem_[offset / 4];
  }
  if (offset < kRlr + 4 * kCount) {
    uint32_t &s = sem_[(offset - kRlr) / 4];
    if ((s & kLock) == 0) {
      s = kLock | kM4;  // the 1-step lock: PROCID 0
    }
    return s;
  }
  switch (offset) {
    case kC2Ier:
      return ier_;
    case kC2Isr:
      return isr_;
    case kC2Misr:
      return isr_ & ier_;
    case kKeyr:
      return keyr_;
    case kHwcfgr1:
      return kHwcfgr1Value;
    default:
      return 0;
  }
}

void Hsem::write(uint32_t offset, unsigned size, uint32_t value) {
  if (size != 4 || (offset & 3u) != 0) {
    return;
  }
  write_word(offset, value);
}

void Hsem::write_word(uint32_t offset, uint32_t value) {
  if (offset < kRlr) {
    uint32_t &s = sem_[offset / 4];
    if ((value & kCoreIdMask) != kM4) {
      return;  // the bus master is the M4: another core's id is refused
    }
    if ((value & kLock) != 0) {
      if ((s & kLock) == 0) {
        s = kLock | kM4 | (value & kProcIdMask);
      }
    } else if ((s & kLock) != 0 &&
               (s & (kCoreIdMask | kProcIdMask)) == (value & (kCoreIdMask | kProcIdMask))) {
      free(offset / 4);
    }
    return;
  }
  switch (offset) {
    case kC2Ier:
      ier_ = value;
      break;
    case kC2Icr:
      isr_ &= ~value;
      break;
    case kCr:
      if ((value & kKeyMask) == keyr_ && (value & kCoreIdMask) == kM4) {
        for (uint32_t x = 0; x < kCount; ++x) {
          if ((sem_[x] & kLock) != 0 && (sem_[x] & kCoreIdMask) == kM4) {
            free(x);
          }
        }
      }
      break;
    case kKeyr:
      keyr_ = value & kKeyMask;
      break;
    default:
      return;  // read-only, the A7's registers, RLRx, or reserved
  }
  update_line();
}

void Hsem::free(uint32_t x) {
  sem_[x] = 0;
  isr_ |= 1u << x;
  update_line();
}

void Hsem::update_line() {
  lines_.set_irq_level(kIrq, (isr_ & ier_) != 0);
}

void Hsem::reset() {
  sem_.fill(0);
  ier_ = isr_ = keyr_ = 0;
  update_line();
}

}  // namespace captee::platform
