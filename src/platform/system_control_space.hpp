// The System Control Space of a Cortex-M core (0xE000E000, one 4 KiB page):
// the registers firmware uses to drive exceptions. Owns the NVIC and SysTick
// state and the System Control Block registers, and decodes the firmware's
// accesses to them (ISER/ICER/ISPR/ICPR/IABR/IPR, STIR, ICSR, VTOR, AIRCR,
// SCR, CCR, SHPR, SHCSR, CFSR/HFSR/DFSR/MMFAR/BFAR, CPACR, FPCCR/FPCAR/
// FPDSCR, SysTick, plus read-back storage for the MPU and debug registers).
//
// Every access runs on the core's thread (Unicorn's MMIO callbacks), so
// nothing here locks. What the core must know about is reported through
// ScsEnvironment: exception state changed (re-evaluate pending exceptions),
// or the firmware asked for a reset (AIRCR.SYSRESETREQ).
#pragma once

#include <array>
#include <cstdint>

#include "captee/platform/description.hpp"
#include "nvic.hpp"
#include "systick.hpp"

namespace captee::platform {

inline constexpr uint32_t kScsBase = 0xE000E000;

class ScsEnvironment {
 public:
  virtual ~ScsEnvironment() = default;
  virtual uint64_t cycles() = 0;             // the core's clock now
  virtual uint32_t current_exception() = 0;  // IPSR
  virtual void exception_state_changed() = 0;
  virtual void reset_requested() = 0;
};

// Configurable Fault Status Register bits (MMFSR, BFSR, UFSR).
enum : uint32_t {
  kCfsrIaccviol = 1u << 0,
  kCfsrDaccviol = 1u << 1,
  kCfsrMunstkerr = 1u << 3,
  kCfsrMstkerr = 1u << 4,
  kCfsrMmarvalid = 1u << 7,
  kCfsrIbuserr = 1u << 8,
  kCfsrPreciserr = 1u << 9,
  kCfsrUnstkerr = 1u << 11,
  kCfsrStkerr = 1u << 12,
  kCfsrBfarvalid = 1u << 15,
  kCfsrUndefinstr = 1u << 16,
  kCfsrInvstate = 1u << 17,
  kCfsrInvpc = 1u << 18,
  kCfsrNocp = 1u << 19,
  kCfsrStkof = 1u << 20,
  kCfsrUnaligned = 1u << 24,
  kCfsrDivbyzero = 1u << 25,
};
// HardFault Status Register bits.
enum : uint32_t {
  kHfsrVecttbl = 1u << 1,
  kHfsrForced = 1u << 30,
  kHfsrDebugevt = 1u << 31,
};
inline constexpr uint32_t kDfsrBkpt = 1u << 1;

// The System Control Block registers that are plain state.
struct ScbRegisters {
  uint32_t vtor = 0;
  uint32_t scr = 0;
  uint32_t ccr = 0;
  uint32_t cfsr = 0, hfsr = 0, dfsr = 0, mmfar = 0, bfar = 0, afsr = 0;
  uint32_t cpacr = 0;
  uint32_t fpccr = 0, fpcar = 0, fpdscr = 0;
  uint32_t actlr = 0;
  uint32_t demcr = 0, dcrdr = 0;
  uint32_t mpu_ctrl = 0, mpu_rnr = 0, mair0 = 0, mair1 = 0;
  std::array<uint32_t, 16> mpu_rbar{}, mpu_rasr{};

  bool nonbasethrdena() const { return (ccr & 1u) != 0; }
  bool stkalign() const { return (ccr & (1u << 9)) != 0; }
  bool sleeponexit() const { return (scr & (1u << 1)) != 0; }
  bool sevonpend() const { return (scr & (1u << 4)) != 0; }
};

class SystemControlSpace {
 public:
  SystemControlSpace(const ProcessorDescription &desc, ScsEnvironment &env);

  // Reset values; VTOR points at the vector table the core boots from.
  void reset(uint32_t vector_table);

  Nvic &nvic() { return nvic_; }
  const Nvic &nvic() const { return nvic_; }
  SysTick &systick() { return systick_; }
  ScbRegisters &scb() { return scb_; }
  bool armv8() const { return armv8_; }

  // The firmware's accesses, `size` 1, 2 or 4 bytes at `offset` in the page.
  uint32_t read(uint32_t offset, unsigned size);
  void write(uint32_t offset, unsigned size, uint32_t value);

 private:
  uint32_t read_word(uint32_t offset);
  // `mask` says which bytes of the word the access covers.
  void write_word(uint32_t offset, uint32_t value, uint32_t mask);
  uint32_t icsr();
  void write_icsr(uint32_t value);
  uint32_t shcsr() const;
  void write_shcsr(uint32_t value);
  uint32_t nvic_bits(uint32_t base_exception, uint32_t word, bool (Nvic::*get)(uint32_t) const);

  ScsEnvironment &env_;
  bool armv8_;
  uint32_t irq_words_;
  Nvic nvic_;
  SysTick systick_;
  ScbRegisters scb_;
};

}  // namespace captee::platform
