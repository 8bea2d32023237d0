// The SysTick timer of a Cortex-M core (SYST_CSR, SYST_RVR, SYST_CVR,
// SYST_CALIB), counting the core's cycles: one per retired instruction, and
// the cycles a sleeping core is credited (docs/REMOTEPROC.md, "Time").
// Because the count is a function of the instruction stream, a firmware that
// does not sleep sees exactly the same ticks on every run.
//
// The counter counts down from its value; on reaching 0 it sets COUNTFLAG,
// raises the SysTick exception when TICKINT is set, and reloads SYST_RVR on
// the next cycle, so a reload value of N-1 gives a period of N cycles. There
// is no reference clock (CALIB.NOREF): CLKSOURCE reads as 1.
#pragma once

#include <cstdint>

namespace captee::platform {

class SysTick {
 public:
  static constexpr uint32_t kCsr = 0x10, kRvr = 0x14, kCvr = 0x18, kCalib = 0x1C;  // in the SCS
  static constexpr uint32_t kCsrEnable = 1u << 0, kCsrTickint = 1u << 1, kCsrClksource = 1u << 2,
                            kCsrCountflag = 1u << 16;
  static constexpr uint64_t kNever = UINT64_MAX;

  explicit SysTick(uint32_t clock_hz) : clock_hz_(clock_hz) {}
  void reset();

  // Register reads and writes at cycle `now`; advance(now) must have run
  // first, so no zero crossing is outstanding. Reading CSR clears COUNTFLAG.
  uint32_t read_csr();
  uint32_t read_rvr() const { return rvr_; }
  uint32_t read_cvr(uint64_t now) const;
  uint32_t read_calib() const;
  void write_csr(uint32_t value, uint64_t now);
  void write_rvr(uint32_t value, uint64_t now);
  void write_cvr(uint64_t now);  // any write clears the counter and COUNTFLAG

  // Moves the counter to cycle `now`. True if it reached zero since the last
  // call with TICKINT set: the caller pends the SysTick exception (once, even
  // if several periods passed, as a pending bit holds one).
  bool advance(uint64_t now);
  // The cycle at which the counter next reaches zero, or kNever.
  uint64_t next_event() const;

 private:
  uint32_t value_at(uint64_t now) const;

  uint32_t clock_hz_;
  bool enabled_ = false;
  bool tickint_ = false;
  bool countflag_ = false;
  uint32_t rvr_ = 0;
  // The counter holds anchor_value_ at anchor_cycle_ and counts down from
  // there while enabled (before anchor_cycle_ it is 0, about to reload).
  uint64_t anchor_cycle_ = 0;
  uint32_t anchor_value_ = 0;
};

}  // namespace captee::platform
