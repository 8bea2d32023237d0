// The STM32MP15's IPCC (inter-processor communication controller) as its
// Cortex-M4 sees it: the M4 is processor 2, the host (Linux, here captee's
// host side through Mailbox) is processor 1. Offsets, bits and IRQ numbers
// are RM0436's ("IPCC") and the CMSIS header stm32mp157cxx_cm4.h's.
//
// Six channels each way. The channel flags live in the Mailbox: C1TOC2SR is
// the host's kicks (Mailbox::firmware_pending), C2TOC1SR the firmware's
// (Mailbox::host_pending). The M4's registers:
//   0x10 C2CR   RW  RXOIE (bit 0), TXFIE (bit 16)
//   0x14 C2MR   RW  CHnOM (bits 0-5, receive-occupied masks) and CHnFM
//                   (bits 16-21, transmit-free masks); reset: all masked
//   0x18 C2SCR  W   CHnC (bits 0-5) clears the host's flag n (C1TOC2SR),
//                   CHnS (bits 16-21) sets the M4's flag n (C2TOC1SR) and
//                   kicks the host; reads as 0
//   0x1C C2TOC1SR R the M4's flags the host has not cleared
//   0x0C C1TOC2SR R the host's flags, which the M4 reads to receive
// The host's own registers (C1CR, C1MR, C1SCR) read as 0 and ignore the
// M4's writes: the host side is captee's. HWCFGR reads 6 channels, VERR,
// IPIDR and SIDR their identification values; every other offset reads as
// 0 and ignores writes, like reserved registers.
//
// Interrupts, levels held while the condition lasts:
//   IPCC_RX1_IRQn (103): RXOIE and a host flag set on a channel whose CHnOM is 0
//   IPCC_TX1_IRQn (104): TXFIE and an M4 flag clear on a channel whose CHnFM is 0
// Platforms with fewer NVIC lines do not get them (set_irq_level refuses).
#pragma once

#include <cstdint>
#include <mutex>

#include "captee/platform/interrupt_lines.hpp"
#include "captee/platform/mailbox.hpp"

namespace captee::platform {

class Ipcc {
 public:
  static constexpr uint32_t kChannels = 6;
  static constexpr uint32_t kChannelMask = (1u << kChannels) - 1u;
  static constexpr uint32_t kRxIrq = 103;  // IPCC_RX1_IRQn
  static constexpr uint32_t kTxIrq = 104;  // IPCC_TX1_IRQn

  static constexpr uint32_t kC1Cr = 0x00, kC1Mr = 0x04, kC1Scr = 0x08, kC1ToC2Sr = 0x0C;
  static constexpr uint32_t kC2Cr = 0x10, kC2Mr = 0x14, kC2Scr = 0x18, kC2ToC1Sr = 0x1C;
  static constexpr uint32_t kHwcfgr = 0x3F0, kVerr = 0x3F4, kIpidr = 0x3F8, kSidr = 0x3FC;
  static constexpr uint32_t kCrRxoie = 1u << 0, kCrTxfie = 1u << 16;
  static constexpr uint32_t kMrReset = kChannelMask | (kChannelMask << 16);

  // Both borrowed; they must outlive the IPCC.
  Ipcc(Mailbox &mailbox, InterruptLines &lines) : mailbox_(mailbox), lines_(lines) {}

  // The M4's accesses: `size` is 1, 2 or 4 bytes at `offset` (a narrower
  // write to a read-write register keeps its other bytes).
  uint32_t read(uint32_t offset, unsigned size) const;
  void write(uint32_t offset, unsigned size, uint32_t value);

  // Registers to their reset values (a new boot); lines updated.
  void reset();
  // Drives the two interrupt lines from the flags and the M4's masks. Any
  // thread: the host side calls it after a kick or an ack.
  void update();

 private:
  uint32_t read_word(uint32_t offset) const;

  Mailbox &mailbox_;
  InterruptLines &lines_;
  mutable std::mutex mu_;  // guards cr_ and mr_, and orders line updates
  uint32_t cr_ = 0;
  uint32_t mr_ = kMrReset;
};

}  // namespace captee::platform
