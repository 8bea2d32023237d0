// The STM32MP15's hardware semaphores (HSEM, RM0436) as its M4 sees them: 32
// semaphores shared by the Cortex-A7 (COREID 1, the host's side) and the M4
// (COREID 2, the bus master of every access the emulated core makes).
//
//   0x000 + 4x  Rx     LOCK (bit 31), COREID (bits 11:8), PROCID (bits 7:0).
//                      A write with LOCK set and the M4's COREID takes a free
//                      semaphore with that PROCID (the 2-step lock); with LOCK
//                      clear it frees the semaphore if COREID and PROCID are
//                      the owner's. A write with another COREID is ignored.
//   0x080 + 4x  RLRx   a read takes a free semaphore for the M4 with PROCID 0
//                      (the 1-step lock) and returns Rx as it then is, so the
//                      M4 sees whether it or another owner holds it.
//   0x110 C2IER, 0x114 C2ICR (write 1s), 0x118 C2ISR, 0x11C C2MISR: the M4's
//                      interrupt. Freeing semaphore x sets bit x of C2ISR;
//                      HSEM_IT2_IRQn (125) is asserted while C2ISR & C2IER.
//   0x100-0x10C        the A7's interrupt registers: read 0, writes ignored.
//   0x140 CR           KEY (bits 31:16) equal to KEYR's and the M4's COREID
//                      free every semaphore the M4 holds; reads 0.
//   0x144 KEYR         KEY (bits 31:16).
//   0x3F0 HWCFGR1      32 semaphores, 2 interrupts.
// Every register takes 32-bit writes only (narrower ones are ignored: a
// semaphore write is one indivisible request, and firmware writes words);
// every other offset reads 0 and ignores writes.
#pragma once

#include <array>
#include <cstdint>

#include "captee/platform/interrupt_lines.hpp"
#include "peripheral.hpp"

namespace captee::platform {

class Hsem : public Peripheral {
 public:
  static constexpr uint32_t kCount = 32;
  static constexpr uint32_t kM4CoreId = 2;  // HSEM_CPU2_COREID
  static constexpr uint32_t kIrq = 125;     // HSEM_IT2_IRQn
  static constexpr uint32_t kLock = 1u << 31;
  static constexpr uint32_t kR = 0x000, kRlr = 0x080;
  static constexpr uint32_t kC2Ier = 0x110, kC2Icr = 0x114, kC2Isr = 0x118, kC2Misr = 0x11C;
  static constexpr uint32_t kCr = 0x140, kKeyr = 0x144, kHwcfgr1 = 0x3F0;

  explicit Hsem(InterruptLines &lines) : lines_(lines) {}

  uint32_t read(uint32_t offset, unsigned size) override;
  void write(uint32_t offset, unsigned size, uint32_t value) override;
  void reset() override;

 private:
  uint32_t read_word(uint32_t offset);
  void write_word(uint32_t offset, uint32_t value);
  void free(uint32_t x);
  void update_line();

  InterruptLines &lines_;
  std::array<uint32_t, kCount> sem_{};  // Rx: 0 when free
  uint32_t ier_ = 0, isr_ = 0, keyr_ = 0;
};

}  // namespace captee::platform
