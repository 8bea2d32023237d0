// A general-purpose timer of the STM32MP15 (TIM2, RM0436 "TIM2/TIM3/TIM4/
// TIM5"), as RTOS tick sources use it: a 32-bit up-counter on the core's
// instruction clock (docs/REMOTEPROC.md, "Time") divided by PSC+1, which
// wraps after ARR and raises the update interrupt (TIM2_IRQn 28).
//
//   0x00 CR1   RW  CEN (0) counts, UDIS (1) no update events, URS (2) UG
//                  sets no UIF; DIR, CMS and OPM are stored, not modelled
//   0x0C DIER  RW  UIE (0): the update interrupt
//   0x10 SR    rc_w0  UIF (0), set at each update event; writing 0 clears
//   0x14 EGR   W   UG (0): counter to 0, PSC loaded, UIF set unless URS
//   0x24 CNT   RW  the counter
//   0x28 PSC   RW  the prescaler (16 bits), loaded at the next update event
//   0x2C ARR   RW  the auto-reload value (reset 0xFFFFFFFF), at once
//   other registers (CR2, SMCR, CCMRx, CCER, CCRx, ...) read back.
// Being on the instruction clock, a firmware that does not sleep sees the
// same ticks on every run, as with SysTick.
#pragma once

#include <array>
#include <cstdint>
#include <functional>

#include "captee/platform/interrupt_lines.hpp"
#include "peripheral.hpp"

namespace captee::platform {

class Timer : public Peripheral {
 public:
  static constexpr uint32_t kTim2Irq = 28;  // TIM2_IRQn
  static constexpr uint32_t kCr1 = 0x00, kDier = 0x0C, kSr = 0x10, kEgr = 0x14, kCnt = 0x24,
                            kPsc = 0x28, kArr = 0x2C;
  static constexpr uint32_t kCen = 1u << 0, kUdis = 1u << 1, kUrs = 1u << 2, kUif = 1u << 0,
                            kUie = 1u << 0, kUg = 1u << 0;

  // `now`: the core's clock, in cycles (called on the core's thread).
  Timer(InterruptLines &lines, uint32_t irq, std::function<uint64_t()> now)
      : lines_(lines), irq_(irq), now_(std::move(now)) {}

  uint32_t read(uint32_t offset, unsigned size) override;
  void write(uint32_t offset, unsigned size, uint32_t value) override;
  void reset() override;
  bool clocked() const override { return true; }
  void advance(uint64_t now) override;
  uint64_t next_event() const override;

 private:
  uint64_t ticks_per_count() const { return uint64_t{psc_active_} + 1; }
  uint64_t period() const { return uint64_t{reg(kArr)} + 1; }
  uint32_t count_at(uint64_t now) const;
  void restart_from(uint32_t count, uint64_t now);  // re-anchors the counter
  void update_line();
  uint32_t &reg(uint32_t offset) { return regs_[offset / 4]; }
  uint32_t reg(uint32_t offset) const { return regs_[offset / 4]; }

  InterruptLines &lines_;
  const uint32_t irq_;
  std::function<uint64_t()> now_;
  std::array<uint32_t, 32> regs_{};  // 0x00..0x7C as written
  uint32_t psc_active_ = 0;
  // While counting: the counter held anchor_count_ at cycle anchor_cycle_,
  // and the next update event (the wrap after ARR) is at next_update_.
  uint64_t anchor_cycle_ = 0;
  uint32_t anchor_count_ = 0;
  uint64_t next_update_ = kNever;
};

}  // namespace captee::platform
