#include "exception_engine.hpp"

#include <unicorn/unicorn.h>

#include <cstring>
#include <utility>

#include "captee/detail/hex.hpp"

namespace captee::platform {

using captee::detail::hex32;

namespace {

constexpr uint32_t kXpsrT = 1u << 24;
constexpr uint32_t kXpsrAligned = 1u << 9;  // the stacked xPSR's "SP was realigned" bit
constexpr uint32_t kXpsrIpsr = 0x1FF;
constexpr uint32_t kXpsrApsr = 0xF80F0000;  // N Z C V Q and GE
constexpr uint32_t kControlNpriv = 1, kControlSpsel = 2, kControlFpca = 4, kControlSfpa = 8;
constexpr uint32_t kBasicFrame = 0x20, kExtendedFrame = 0x68;
constexpr uint32_t kExcReturnFtype = 0x10, kExcReturnThread = 0x08, kExcReturnPsp = 0x04;

uint32_t reg(uc_engine *uc, int r) {
  uint32_t v = 0;
  uc_reg_read(uc, r, &v);
  return v;
}

void set(uc_engine *uc, int r, uint32_t v) {
  uc_reg_write(uc, r, &v);
}

}  // namespace

struct ExceptionEngine::Context {
  uint32_t r[4] = {}, r12 = 0, lr = 0, xpsr = 0, control = 0, msp = 0, psp = 0;
  uint64_t d[8] = {};  // S0-S15
  uint32_t fpscr = 0;
  uint32_t ipsr() const { return xpsr & kXpsrIpsr; }
  bool fp() const { return (control & kControlFpca) != 0; }
};

ExceptionEngine::ExceptionEngine(const ProcessorDescription &desc,
                                 std::vector<MemoryRegion *> regions, SystemControlSpace &scs,
                                 ExternalLines &lines)
    : regions_(std::move(regions)),
      scs_(scs),
      lines_(lines),
      armv8_(desc.core == CoreType::kCortexM33) {}

const char *ExceptionEngine::name(uint32_t n) {
  switch (n) {
    case kExcReset:
      return "Reset";
    case kExcNmi:
      return "NMI";
    case kExcHardFault:
      return "HardFault";
    case kExcMemManage:
      return "MemManage";
    case kExcBusFault:
      return "BusFault";
    case kExcUsageFault:
      return "UsageFault";
    case kExcSvcall:
      return "SVCall";
    case kExcDebugMonitor:
      return "DebugMonitor";
    case kExcPendSv:
      return "PendSV";
    case kExcSysTick:
      return "SysTick";
    default:
      return nullptr;
  }
}

std::string ExceptionEngine::describe(uint32_t n) {
  const char *s = name(n);
  return s != nullptr        ? s
         : n >= kExcFirstIrq ? "IRQ " + std::to_string(n - kExcFirstIrq)
                             : "exception " + std::to_string(n);
}

ExceptionMasks ExceptionEngine::masks() const {
  ExceptionMasks m;
  m.primask = (reg(uc_, UC_ARM_REG_PRIMASK) & 1) != 0;
  m.faultmask = (reg(uc_, UC_ARM_REG_FAULTMASK) & 1) != 0;
  m.basepri = static_cast<uint8_t>(reg(uc_, UC_ARM_REG_BASEPRI));
  return m;
}

uint32_t ExceptionEngine::ipsr() const {
  return reg(uc_, UC_ARM_REG_IPSR) & kXpsrIpsr;
}

bool ExceptionEngine::in_fault_handler() const {
  const Nvic &n = scs_.nvic();
  return n.active(kExcHardFault) || n.active(kExcMemManage) || n.active(kExcBusFault) ||
         n.active(kExcUsageFault);
}

ExceptionEngine::Context ExceptionEngine::snapshot() const {
  Context c;
  static constexpr int kLow[4] = {UC_ARM_REG_R0, UC_ARM_REG_R1, UC_ARM_REG_R2, UC_ARM_REG_R3};
  for (int i = 0; i < 4; ++i) {
    c.r[i] = reg(uc_, kLow[i]);
  }
  c.r12 = reg(uc_, UC_ARM_REG_R12);
  c.lr = reg(uc_, UC_ARM_REG_LR);
  c.xpsr = reg(uc_, UC_ARM_REG_XPSR);
  c.control = reg(uc_, UC_ARM_REG_CONTROL);
  // MSP and PSP read as 0 to unprivileged code: peek from handler mode and
  // come back (IPSR writes switch the stack pointer as the mode changes).
  const bool unprivileged_thread = c.ipsr() == 0 && (c.control & kControlNpriv) != 0;
  if (unprivileged_thread) {
    set(uc_, UC_ARM_REG_IPSR, 1);
  }
  c.msp = reg(uc_, UC_ARM_REG_MSP);
  c.psp = reg(uc_, UC_ARM_REG_PSP);
  if (unprivileged_thread) {
    set(uc_, UC_ARM_REG_IPSR, 0);
  }
  if (c.fp()) {
    for (int i = 0; i < 8; ++i) {
      uc_reg_read(uc_, UC_ARM_REG_D0 + i, &c.d[i]);
    }
    c.fpscr = reg(uc_, UC_ARM_REG_FPSCR);
  }
  return c;
}

bool ExceptionEngine::read_word(uint32_t address, uint32_t *value) const {
  return read_words(address, value, 1);
}

bool ExceptionEngine::read_words(uint32_t address, uint32_t *words, size_t count) const {
  for (MemoryRegion *r : regions_) {
    if ((r->description().access & kRead) != 0 && (address & 3) == 0 &&
        r->contains(address, count * 4)) {
      std::memcpy(words, r->at(address), count * 4);
      return true;
    }
  }
  return false;
}

bool ExceptionEngine::write_words(uint32_t address, const uint32_t *words, size_t count) {
  for (MemoryRegion *r : regions_) {
    if ((r->description().access & kWrite) != 0 && (address & 3) == 0 &&
        r->contains(address, count * 4)) {
      std::memcpy(r->at(address), words, count * 4);
      return true;
    }
  }
  return false;
}

uint32_t ExceptionEngine::exc_return_bits(bool handler, bool psp, bool fp) const {
  // Armv7-M: bits [31:5] set, bit 0 set. Armv8-M without the Security
  // Extension: bits [31:7] and DCRS (bit 5) set, S (6) and ES (0) clear.
  uint32_t v = armv8_ ? 0xFFFFFFA0 : 0xFFFFFFE1;
  v |= fp ? 0 : kExcReturnFtype;
  v |= handler ? 0 : kExcReturnThread | (psp ? kExcReturnPsp : 0);
  return v;
}

bool ExceptionEngine::valid_exc_return(uint32_t v) const {
  const uint32_t mode = v & (kExcReturnThread | kExcReturnPsp);
  if (mode == kExcReturnPsp) {
    return false;  // handler mode always uses the main stack
  }
  const uint32_t rest = v & ~(kExcReturnFtype | kExcReturnThread | kExcReturnPsp);
  if (!armv8_) {
    return rest == 0xFFFFFFE1;
  }
  // Armv8-M without the Security Extension: prefix, DCRS set, bit 1 clear.
  // S (bit 6) and ES (bit 0) name security states this core does not have;
  // the Armv7-M values firmware ported from an M4 uses are taken as well.
  return (rest & ~0x41u) == 0xFFFFFFA0;
}

Transfer ExceptionEngine::lockup(std::string reason, uint32_t context_pc, uint32_t fault_address) {
  Transfer t;
  t.lockup = true;
  t.reason = std::move(reason);
  t.context_pc = context_pc;
  t.fault_address = fault_address;
  return t;
}

bool ExceptionEngine::resolve_vector(uint32_t *target, uint32_t *handler, int execution,
                                     std::string *why) {
  ScbRegisters &scb = scs_.scb();
  for (;;) {
    const uint64_t entry = uint64_t{scb.vtor} + 4ull * *target;
    uint32_t v = 0;
    if (entry > 0xFFFFFFFCull || !read_word(static_cast<uint32_t>(entry), &v)) {
      if (*target == kExcHardFault) {
        *why = "the vector table at " + hex32(scb.vtor) + " (VTOR) is outside memory";
        return false;
      }
      scb.hfsr |= kHfsrVecttbl;
    } else if ((v & 1) == 0) {
      if (*target == kExcHardFault) {
        *why = "no HardFault handler (its vector is " + hex32(v) + ", not a Thumb address)";
        return false;
      }
      // Running the handler would fault at once (INVSTATE): HardFault.
      scb.cfsr |= kCfsrInvstate;
      scb.hfsr |= kHfsrForced;
    } else {
      *handler = v & ~1u;
      return true;
    }
    *target = kExcHardFault;
    if (!scs_.nvic().preempts(kExcHardFault, execution)) {
      *why = "HardFault cannot preempt the code running at priority " + std::to_string(execution);
      return false;
    }
  }
}

void ExceptionEngine::apply_mode(uint32_t ipsr_value, uint32_t control, uint32_t msp,
                                 uint32_t psp) {
  // Handler mode first, where every register is writable; then the target
  // mode, whose IPSR write puts the right stack pointer in SP.
  set(uc_, UC_ARM_REG_IPSR, 1);
  set(uc_, UC_ARM_REG_MSP, msp);
  set(uc_, UC_ARM_REG_PSP, psp);
  set(uc_, UC_ARM_REG_CONTROL, control);
  set(uc_, UC_ARM_REG_IPSR, ipsr_value);
}

void ExceptionEngine::activated(uint32_t n, const std::string &what) {
  const bool fault =
      n == kExcHardFault || n == kExcMemManage || n == kExcBusFault || n == kExcUsageFault;
  if (fault && !in_fault_handler()) {
    fault_reason_ = what;
  }
  scs_.nvic().set_pending(n, false);
  scs_.nvic().set_active(n, true);
  event_ = true;
  ++taken_;
}

Transfer ExceptionEngine::enter(uint32_t target, uint32_t return_address, const Context &ctx,
                                const std::string &what) {
  uint32_t handler = 0;
  std::string why;
  if (!resolve_vector(&target, &handler, scs_.nvic().execution_priority(masks()), &why)) {
    return lockup(what + "; lock-up: " + why, return_address);
  }
  const bool from_handler = ctx.ipsr() != 0;
  const bool psp = !from_handler && (ctx.control & kControlSpsel) != 0;
  const bool fp = ctx.fp();
  const uint32_t size = fp ? kExtendedFrame : kBasicFrame;
  const bool force_align = fp || scs_.scb().stkalign();
  const uint32_t sp = psp ? ctx.psp : ctx.msp;
  const bool realigned = force_align && (sp & 4) != 0;
  const uint32_t frame = (sp - size) & (force_align ? ~7u : ~3u);
  uint32_t words[kExtendedFrame / 4] = {
      ctx.r[0],
      ctx.r[1],
      ctx.r[2],
      ctx.r[3],
      ctx.r12,
      ctx.lr,
      return_address & ~1u,
      (ctx.xpsr & ~kXpsrAligned) | (realigned ? kXpsrAligned : 0)};
  if (fp) {
    std::memcpy(&words[8], ctx.d, sizeof ctx.d);
    words[24] = ctx.fpscr;
    words[25] = 0;
  }
  if (sp < size || !write_words(frame, words, size / 4)) {
    return lockup(what + "; lock-up: stacking failed: the " + (psp ? "process" : "main") +
                      " stack pointer " + hex32(sp) + " leaves no writable memory for the " +
                      std::to_string(size) + "-byte frame",
                  return_address);
  }
  const uint32_t control = ctx.control & ~(kControlSpsel | kControlFpca | kControlSfpa);
  apply_mode(target, control, psp ? ctx.msp : frame, psp ? frame : ctx.psp);
  set(uc_, UC_ARM_REG_XPSR_NZCVQG, (ctx.xpsr & kXpsrApsr) | kXpsrT | target);
  set(uc_, UC_ARM_REG_LR, exc_return_bits(from_handler, psp, fp));
  activated(target, what);
  Transfer t;
  t.pc = handler | 1;
  return t;
}

Transfer ExceptionEngine::chain(uint32_t target, uint32_t exc_return, const std::string &what) {
  uint32_t handler = 0;
  std::string why;
  if (!resolve_vector(&target, &handler, scs_.nvic().execution_priority(masks()), &why)) {
    return lockup(what + "; lock-up: " + why, exc_return);
  }
  // Still in handler mode, on the main stack, over the same frame: only the
  // exception changes, and the new handler starts without FP context.
  const uint32_t control = reg(uc_, UC_ARM_REG_CONTROL);
  set(uc_, UC_ARM_REG_CONTROL, control & ~(kControlFpca | kControlSfpa));
  set(uc_, UC_ARM_REG_XPSR_NZCVQG, (reg(uc_, UC_ARM_REG_XPSR) & kXpsrApsr) | kXpsrT | target);
  set(uc_, UC_ARM_REG_LR, exc_return);
  activated(target, what);
  ++chained_;
  Transfer t;
  t.pc = handler | 1;
  return t;
}

Transfer ExceptionEngine::take(uint32_t n, uint32_t return_address) {
  return enter(n, return_address, snapshot(), describe(n));
}

Transfer ExceptionEngine::raise(const Fault &f, uint32_t return_address) {
  ScbRegisters &scb = scs_.scb();
  Nvic &nvic = scs_.nvic();
  scb.cfsr |= f.cfsr;
  scb.hfsr |= f.hfsr;
  scb.dfsr |= f.dfsr;
  if (f.address && f.exception == kExcMemManage) {
    scb.mmfar = *f.address;
    scb.cfsr |= kCfsrMmarvalid;
  } else if (f.address && f.exception == kExcBusFault) {
    scb.bfar = *f.address;
    scb.cfsr |= kCfsrBfarvalid;
  }
  const int execution = nvic.execution_priority(masks());
  uint32_t target = f.exception;
  const bool configurable =
      target == kExcMemManage || target == kExcBusFault || target == kExcUsageFault;
  if ((configurable && !nvic.fault_enabled(target)) ||
      (target != kExcHardFault && !nvic.preempts(target, execution))) {
    target = kExcHardFault;
    scb.hfsr |= kHfsrForced;
  }
  if (target == kExcHardFault && !nvic.preempts(kExcHardFault, execution)) {
    const uint32_t at = ipsr();
    const std::string where = at == kExcHardFault || at == kExcNmi
                                  ? "in the " + describe(at) + " handler"
                                  : "at priority " + std::to_string(execution) + " (FAULTMASK set)";
    return lockup(f.what + "; lock-up: a fault " + where, return_address, f.address.value_or(0));
  }
  Transfer t = enter(target, return_address, snapshot(), f.what);
  if (t.lockup) {
    t.fault_address = f.address.value_or(0);
  }
  return t;
}

Transfer ExceptionEngine::exception_return(uint32_t exc_return) {
  Nvic &nvic = scs_.nvic();
  const uint32_t returning = ipsr();
  const std::string what = "exception return to " + hex32(exc_return);
  if (returning == 0) {
    // Only Armv8-M reports these branches in thread mode; there they are a
    // branch into the execute-never system region, as on hardware.
    Fault f{kExcMemManage,
            kCfsrIaccviol,
            0,
            0,
            std::nullopt,
            "instruction fetch from " + hex32(exc_return & ~1u) + " in thread mode"};
    return raise(f, exc_return & ~1u);
  }
  const bool to_thread = (exc_return & kExcReturnThread) != 0;
  const bool others_active = nvic.active_count() > 1;
  if (!valid_exc_return(exc_return) || !nvic.active(returning) ||
      (to_thread && others_active && !scs_.scb().nonbasethrdena()) ||
      (!to_thread && !others_active)) {
    Fault f{kExcUsageFault,
            kCfsrInvpc,
            0,
            0,
            std::nullopt,
            "invalid " + what + " from " + describe(returning)};
    return raise(f, exc_return & ~1u);
  }
  nvic.set_active(returning, false);
  if (returning != kExcNmi) {
    set(uc_, UC_ARM_REG_FAULTMASK, 0);
  }
  if (!in_fault_handler()) {
    fault_reason_.clear();
  }
  event_ = true;
  // A pending exception that preempts what we return to runs first, over
  // the same frame; a line still asserted is pending again.
  nvic.sample(lines_);
  if (const uint32_t next = nvic.highest_pending();
      next != 0 && nvic.preempts(next, nvic.execution_priority(masks()))) {
    return chain(next, exc_return, describe(next));
  }
  const Context ctx = snapshot();
  const bool psp = to_thread && (exc_return & kExcReturnPsp) != 0;
  const bool fp = (exc_return & kExcReturnFtype) == 0;
  const uint32_t size = fp ? kExtendedFrame : kBasicFrame;
  const uint32_t frame = psp ? ctx.psp : ctx.msp;
  uint32_t words[kExtendedFrame / 4] = {};
  if (frame > 0xFFFFFFFFu - size || !read_words(frame, words, size / 4)) {
    return lockup(what + " from " + describe(returning) + "; lock-up: unstacking failed: the " +
                      (psp ? "process" : "main") + " stack pointer " + hex32(frame) +
                      " leaves no readable frame",
                  exc_return);
  }
  const uint32_t stacked_xpsr = words[7];
  const bool realigned = (stacked_xpsr & kXpsrAligned) != 0 && (fp || scs_.scb().stkalign());
  const uint32_t new_sp = frame + size + (realigned ? 4 : 0);
  const uint32_t to_ipsr = to_thread ? 0 : stacked_xpsr & kXpsrIpsr;
  // Unicorn's cores run in the Secure state of Armv8-M's model and create a
  // new FP context (FPSCR from FPDSCR) on the next FP instruction unless SFPA
  // is set with FPCA, so both go back together.
  const uint32_t control = (ctx.control & ~(kControlSpsel | kControlFpca | kControlSfpa)) |
                           (psp ? kControlSpsel : 0) | (fp ? kControlFpca | kControlSfpa : 0);
  apply_mode(to_ipsr, control, psp ? ctx.msp : new_sp, psp ? new_sp : ctx.psp);
  static constexpr int kLow[4] = {UC_ARM_REG_R0, UC_ARM_REG_R1, UC_ARM_REG_R2, UC_ARM_REG_R3};
  for (int i = 0; i < 4; ++i) {
    set(uc_, kLow[i], words[i]);
  }
  set(uc_, UC_ARM_REG_R12, words[4]);
  set(uc_, UC_ARM_REG_LR, words[5]);
  set(uc_, UC_ARM_REG_XPSR_NZCVQG, (stacked_xpsr & ~(kXpsrIpsr | kXpsrAligned)) | to_ipsr);
  if (fp) {
    for (int i = 0; i < 8; ++i) {
      uint64_t d = 0;
      std::memcpy(&d, &words[8 + 2 * i], 8);
      uc_reg_write(uc_, UC_ARM_REG_D0 + i, &d);
    }
    set(uc_, UC_ARM_REG_FPSCR, words[24]);
  }
  Transfer t;
  t.pc = (words[6] & ~1u) | ((stacked_xpsr & kXpsrT) != 0 ? 1 : 0);
  return t;
}

}  // namespace captee::platform
