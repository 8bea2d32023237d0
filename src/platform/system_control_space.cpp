#include "system_control_space.hpp"

namespace captee::platform {

namespace {

// Offsets in the SCS page.
constexpr uint32_t kIctr = 0x004, kActlr = 0x008;
constexpr uint32_t kIser = 0x100, kIcer = 0x180, kIspr = 0x200, kIcpr = 0x280, kIabr = 0x300;
constexpr uint32_t kIpr = 0x400;
constexpr uint32_t kCpuid = 0xD00, kIcsr = 0xD04, kVtor = 0xD08, kAircr = 0xD0C, kScr = 0xD10,
                   kCcr = 0xD14, kShpr = 0xD18, kShcsr = 0xD24, kCfsr = 0xD28, kHfsr = 0xD2C,
                   kDfsr = 0xD30, kMmfar = 0xD34, kBfar = 0xD38, kAfsr = 0xD3C, kIdBase = 0xD40,
                   kCpacr = 0xD88, kMpuType = 0xD90, kMpuCtrl = 0xD94, kMpuRnr = 0xD98,
                   kMpuRbar = 0xD9C, kMpuRasr = 0xDA0, kMpuAliasEnd = 0xDBC, kMair0 = 0xDC0,
                   kMair1 = 0xDC4, kDhcsr = 0xDF0, kDcrdr = 0xDF8, kDemcr = 0xDFC, kStir = 0xF00,
                   kFpccr = 0xF34, kFpcar = 0xF38, kFpdscr = 0xF3C, kMvfr0 = 0xF40, kMvfr1 = 0xF44,
                   kMvfr2 = 0xF48;

constexpr uint32_t kIcsrPendstclr = 1u << 25, kIcsrPendstset = 1u << 26, kIcsrPendsvclr = 1u << 27,
                   kIcsrPendsvset = 1u << 28, kIcsrNmipendset = 1u << 31;
constexpr uint32_t kAircrSysresetreq = 1u << 2, kAircrVectreset = 1u << 0;
constexpr uint32_t kMpuRegions = 8;

// The Cortex-M4 r0p1 and Cortex-M33 r0p4 identification, and the CPUID
// scheme registers firmware and debuggers read (the M4's; the values tell a
// Thumb-2 core with the DSP extension and a single-precision FPU).
constexpr uint32_t kCpuidM4 = 0x410FC241, kCpuidM33 = 0x410FD214;
constexpr uint32_t kIdRegisters[16] = {
    0x00000030, 0x00000200, 0x00100000, 0x00000000, 0x00100030, 0x00000000, 0x01000000, 0x00000000,
    0x01101110, 0x02111000, 0x21112231, 0x01111110, 0x01310132, 0x00000000, 0x00000000, 0x00000000};

// SHCSR bits and the exceptions they show.
struct ShcsrBit {
  uint32_t bit;
  uint32_t exception;
  bool pending;  // else active
};
constexpr ShcsrBit kShcsrBits[] = {
    {0, kExcMemManage, false}, {1, kExcBusFault, false},     {3, kExcUsageFault, false},
    {7, kExcSvcall, false},    {8, kExcDebugMonitor, false}, {10, kExcPendSv, false},
    {11, kExcSysTick, false},  {12, kExcUsageFault, true},   {13, kExcMemManage, true},
    {14, kExcBusFault, true},  {15, kExcSvcall, true},
};
constexpr uint32_t kShcsrEnables[3][2] = {
    {16, kExcMemManage}, {17, kExcBusFault}, {18, kExcUsageFault}};

}  // namespace

SystemControlSpace::SystemControlSpace(const ProcessorDescription &desc, ScsEnvironment &env)
    : env_(env),
      armv8_(desc.core == CoreType::kCortexM33),
      irq_words_((desc.irqs + 31) / 32),
      nvic_(desc.irqs, desc.priority_bits),
      systick_(desc.clock_hz) {}

void SystemControlSpace::reset(uint32_t vector_table) {
  nvic_.reset();
  systick_.reset();
  scb_ = ScbRegisters{};
  scb_.vtor = vector_table;
  // STKALIGN set (RES1 on Armv8-M, where NONBASETHRDENA is RES1 too).
  scb_.ccr = armv8_ ? 0x201 : 0x200;
  // Automatic and lazy FP state preservation on, as at reset.
  scb_.fpccr = 0xC0000000;
}

uint32_t SystemControlSpace::read(uint32_t offset, unsigned size) {
  const uint32_t shift = (offset & 3) * 8;
  const uint32_t word = read_word(offset & ~3u) >> shift;
  return size >= 4 ? word : word & ((1u << (8 * size)) - 1);
}

void SystemControlSpace::write(uint32_t offset, unsigned size, uint32_t value) {
  const uint32_t shift = (offset & 3) * 8;
  const uint32_t bytes = size >= 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
  write_word(offset & ~3u, value << shift, bytes << shift);
}

uint32_t SystemControlSpace::nvic_bits(uint32_t base, uint32_t word,
                                       bool (Nvic::*get)(uint32_t) const) {
  uint32_t v = 0;
  for (uint32_t b = 0; b < 32; ++b) {
    if ((nvic_.*get)(base + word * 32 + b)) {
      v |= 1u << b;
    }
  }
  return v;
}

uint32_t SystemControlSpace::icsr() {
  const uint32_t active = env_.current_exception() & 0x1FF;
  const uint32_t pending = nvic_.highest_pending();
  bool external_pending = false;
  for (uint32_t n = kExcFirstIrq; n < nvic_.exceptions() && !external_pending; ++n) {
    external_pending = nvic_.pending(n);
  }
  // RETTOBASE: nothing active but the exception being handled.
  const bool rettobase = nvic_.active_count() <= 1;
  return active | (rettobase ? 1u << 11 : 0) | ((pending & 0x1FF) << 12) |
         (external_pending ? 1u << 22 : 0) | (nvic_.pending(kExcSysTick) ? kIcsrPendstset : 0) |
         (nvic_.pending(kExcPendSv) ? kIcsrPendsvset : 0) |
         (nvic_.pending(kExcNmi) ? kIcsrNmipendset : 0);
}

void SystemControlSpace::write_icsr(uint32_t v) {
  if ((v & kIcsrNmipendset) != 0) {
    nvic_.set_pending(kExcNmi, true);
  }
  if ((v & kIcsrPendsvset) != 0) {
    nvic_.set_pending(kExcPendSv, true);
  } else if ((v & kIcsrPendsvclr) != 0) {
    nvic_.set_pending(kExcPendSv, false);
  }
  if ((v & kIcsrPendstset) != 0) {
    nvic_.set_pending(kExcSysTick, true);
  } else if ((v & kIcsrPendstclr) != 0) {
    nvic_.set_pending(kExcSysTick, false);
  }
}

uint32_t SystemControlSpace::shcsr() const {
  uint32_t v = 0;
  for (const ShcsrBit &b : kShcsrBits) {
    if (b.pending ? nvic_.pending(b.exception) : nvic_.active(b.exception)) {
      v |= 1u << b.bit;
    }
  }
  for (const auto &e : kShcsrEnables) {
    if (nvic_.fault_enabled(e[1])) {
      v |= 1u << e[0];
    }
  }
  return v;
}

void SystemControlSpace::write_shcsr(uint32_t v) {
  for (const ShcsrBit &b : kShcsrBits) {
    const bool on = (v & (1u << b.bit)) != 0;
    if (b.pending) {
      nvic_.set_pending(b.exception, on);
    } else {
      nvic_.set_active(b.exception, on);
    }
  }
  for (const auto &e : kShcsrEnables) {
    nvic_.set_fault_enabled(e[1], (v & (1u << e[0])) != 0);
  }
}

uint32_t SystemControlSpace::read_word(uint32_t off) {
  const uint64_t now = env_.cycles();
  if (off >= kIser && off < kIser + irq_words_ * 4) {
    return nvic_bits(kExcFirstIrq, (off - kIser) / 4, &Nvic::enabled);
  }
  if (off >= kIcer && off < kIcer + irq_words_ * 4) {
    return nvic_bits(kExcFirstIrq, (off - kIcer) / 4, &Nvic::enabled);
  }
  if (off >= kIspr && off < kIspr + irq_words_ * 4) {
    return nvic_bits(kExcFirstIrq, (off - kIspr) / 4, &Nvic::pending);
  }
  if (off >= kIcpr && off < kIcpr + irq_words_ * 4) {
    return nvic_bits(kExcFirstIrq, (off - kIcpr) / 4, &Nvic::pending);
  }
  if (off >= kIabr && off < kIabr + irq_words_ * 4) {
    return nvic_bits(kExcFirstIrq, (off - kIabr) / 4, &Nvic::active);
  }
  if (off >= kIpr && off < kIpr + nvic_.irqs()) {
    uint32_t v = 0;
    for (uint32_t b = 0; b < 4; ++b) {
      v |= uint32_t{nvic_.priority_register(kExcFirstIrq + off - kIpr + b)} << (8 * b);
    }
    return v;
  }
  if (off >= kShpr && off < kShpr + 12) {
    uint32_t v = 0;
    for (uint32_t b = 0; b < 4; ++b) {
      v |= uint32_t{nvic_.priority_register(4 + off - kShpr + b)} << (8 * b);
    }
    return v;
  }
  if (off >= kIdBase && off < kIdBase + 64) {
    return kIdRegisters[(off - kIdBase) / 4];
  }
  if (off >= kMpuRbar && off <= kMpuAliasEnd) {
    const uint32_t r = scb_.mpu_rnr % kMpuRegions;
    return ((off - kMpuRbar) / 4) % 2 == 0 ? scb_.mpu_rbar[r] : scb_.mpu_rasr[r];
  }
  switch (off) {
    case kIctr:
      return irq_words_ - 1;
    case kActlr:
      return scb_.actlr;
    case SysTick::kCsr:
      return systick_.read_csr();
    case SysTick::kRvr:
      return systick_.read_rvr();
    case SysTick::kCvr:
      return systick_.read_cvr(now);
    case SysTick::kCalib:
      return systick_.read_calib();
    case kCpuid:
      return armv8_ ? kCpuidM33 : kCpuidM4;
    case kIcsr:
      return icsr();
    case kVtor:
      return scb_.vtor;
    case kAircr:
      return 0xFA050000u | (nvic_.prigroup() << 8);
    case kScr:
      return scb_.scr;
    case kCcr:
      return scb_.ccr;
    case kShcsr:
      return shcsr();
    case kCfsr:
      return scb_.cfsr;
    case kHfsr:
      return scb_.hfsr;
    case kDfsr:
      return scb_.dfsr;
    case kMmfar:
      return scb_.mmfar;
    case kBfar:
      return scb_.bfar;
    case kAfsr:
      return scb_.afsr;
    case kCpacr:
      return scb_.cpacr;
    case kMpuType:
      return kMpuRegions << 8;
    case kMpuCtrl:
      return scb_.mpu_ctrl;
    case kMpuRnr:
      return scb_.mpu_rnr;
    case kMair0:
      return armv8_ ? scb_.mair0 : 0;
    case kMair1:
      return armv8_ ? scb_.mair1 : 0;
    case kDhcsr:
      return 0;  // no debugger attached
    case kDcrdr:
      return scb_.dcrdr;
    case kDemcr:
      return scb_.demcr;
    case kFpccr:
      return scb_.fpccr;
    case kFpcar:
      return scb_.fpcar;
    case kFpdscr:
      return scb_.fpdscr;
    case kMvfr0:
      return 0x10110021;  // single precision, 16 doubleword registers
    case kMvfr1:
      return 0x11000011;
    case kMvfr2:
      return armv8_ ? 0x00000040 : 0;
    default:
      return 0;  // reserved: RAZ/WI
  }
}

void SystemControlSpace::write_word(uint32_t off, uint32_t value, uint32_t mask) {
  const uint64_t now = env_.cycles();
  const uint32_t v = value & mask;
  const auto merge = [&](uint32_t &reg, uint32_t writable) {
    reg = (reg & ~(mask & writable)) | (v & writable);
  };
  const auto each_irq_bit = [&](uint32_t base, auto &&apply) {
    const uint32_t first = kExcFirstIrq + (off - base) / 4 * 32;
    for (uint32_t b = 0; b < 32; ++b) {
      if ((v & (1u << b)) != 0) {
        apply(first + b);
      }
    }
    env_.exception_state_changed();
  };
  if (off >= kIser && off < kIser + irq_words_ * 4) {
    return each_irq_bit(kIser, [&](uint32_t n) { nvic_.set_enabled(n, true); });
  }
  if (off >= kIcer && off < kIcer + irq_words_ * 4) {
    return each_irq_bit(kIcer, [&](uint32_t n) { nvic_.set_enabled(n, false); });
  }
  if (off >= kIspr && off < kIspr + irq_words_ * 4) {
    return each_irq_bit(kIspr, [&](uint32_t n) { nvic_.set_pending(n, true); });
  }
  if (off >= kIcpr && off < kIcpr + irq_words_ * 4) {
    return each_irq_bit(kIcpr, [&](uint32_t n) { nvic_.set_pending(n, false); });
  }
  const bool ipr = off >= kIpr && off < kIpr + nvic_.irqs();
  if (ipr || (off >= kShpr && off < kShpr + 12)) {
    const uint32_t first = ipr ? kExcFirstIrq + off - kIpr : 4 + off - kShpr;
    for (uint32_t b = 0; b < 4; ++b) {
      if ((mask & (0xFFu << (8 * b))) != 0) {
        // Reserved SHPR bytes (exceptions 7-10, 13) are not configurable.
        const uint32_t n = first + b;
        if (n >= kExcFirstIrq || n <= kExcUsageFault || n == kExcSvcall || n == kExcDebugMonitor ||
            n == kExcPendSv || n == kExcSysTick) {
          nvic_.set_priority_register(n, static_cast<uint8_t>(v >> (8 * b)));
        }
      }
    }
    env_.exception_state_changed();
    return;
  }
  if (off >= kMpuRbar && off <= kMpuAliasEnd) {
    uint32_t r = scb_.mpu_rnr % kMpuRegions;
    const bool rbar = ((off - kMpuRbar) / 4) % 2 == 0;
    if (rbar && !armv8_ && (v & 0x10) != 0) {
      r = (v & 0xF) % kMpuRegions;  // RBAR.VALID selects the region (Armv7-M)
      scb_.mpu_rnr = r;
    }
    merge(rbar ? scb_.mpu_rbar[r] : scb_.mpu_rasr[r], 0xFFFFFFFF);
    return;
  }
  switch (off) {
    case kActlr:
      return merge(scb_.actlr, 0xFFFFFFFF);
    case SysTick::kCsr:
      if ((mask & 0xFF) != 0) {  // ENABLE and TICKINT; COUNTFLAG is read-only
        systick_.advance(now);
        systick_.write_csr(v, now);
        env_.exception_state_changed();  // the next timer event moved
      }
      return;
    case SysTick::kRvr: {
      uint32_t rvr = systick_.read_rvr();
      merge(rvr, 0x00FFFFFF);
      systick_.write_rvr(rvr, now);
      env_.exception_state_changed();
      return;
    }
    case SysTick::kCvr:
      systick_.write_cvr(now);
      env_.exception_state_changed();
      return;
    case kIcsr:
      write_icsr(v);
      env_.exception_state_changed();
      return;
    case kVtor:
      // TBLOFF: bits [29:7] on the M4, [31:7] on Armv8-M.
      return merge(scb_.vtor, armv8_ ? 0xFFFFFF80 : 0x3FFFFF80);
    case kAircr:
      if ((mask & 0xFFFF0000u) != 0xFFFF0000u || (v >> 16) != 0x05FA) {
        return;  // writes without the key are ignored
      }
      if ((mask & 0x700) != 0) {
        nvic_.set_prigroup((v >> 8) & 7);
        env_.exception_state_changed();
      }
      if ((v & kAircrSysresetreq) != 0 || (!armv8_ && (v & kAircrVectreset) != 0)) {
        env_.reset_requested();
      }
      return;
    case kScr:
      return merge(scb_.scr, 0x16);
    case kCcr:
      return merge(scb_.ccr, armv8_ ? 0x51A : 0x31B);
    case kShcsr: {
      uint32_t s = shcsr();
      s = (s & ~mask) | v;
      write_shcsr(s);
      env_.exception_state_changed();
      return;
    }
    case kCfsr:
      scb_.cfsr &= ~v;  // write one to clear
      return;
    case kHfsr:
      scb_.hfsr &= ~v;
      return;
    case kDfsr:
      scb_.dfsr &= ~v;
      return;
    case kMmfar:
      return merge(scb_.mmfar, 0xFFFFFFFF);
    case kBfar:
      return merge(scb_.bfar, 0xFFFFFFFF);
    case kAfsr:
      scb_.afsr &= ~v;
      return;
    case kCpacr:
      return merge(scb_.cpacr, 0x00F00000);  // CP10 and CP11
    case kMpuCtrl:
      return merge(scb_.mpu_ctrl, 7);
    case kMpuRnr:
      return merge(scb_.mpu_rnr, 0xFF);
    case kMair0:
      return merge(scb_.mair0, 0xFFFFFFFF);
    case kMair1:
      return merge(scb_.mair1, 0xFFFFFFFF);
    case kDcrdr:
      return merge(scb_.dcrdr, 0xFFFFFFFF);
    case kDemcr:
      return merge(scb_.demcr, 0x010F07F1);
    case kStir:
      if ((mask & 0x1FF) != 0 && (v & 0x1FF) < nvic_.irqs()) {
        nvic_.set_pending(kExcFirstIrq + (v & 0x1FF), true);
        env_.exception_state_changed();
      }
      return;
    case kFpccr:
      // ASPEN, LSPEN and the ready bits are stored; LSPACT stays 0, as the
      // FP context is saved at exception entry (docs/REMOTEPROC.md).
      return merge(scb_.fpccr, 0xC00001FE);
    case kFpcar:
      return merge(scb_.fpcar, 0xFFFFFFF8);
    case kFpdscr:
      return merge(scb_.fpdscr, 0x07C00000);
    default:
      return;  // read-only or reserved
  }
}

}  // namespace captee::platform
