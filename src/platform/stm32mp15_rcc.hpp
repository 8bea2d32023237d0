// The STM32MP15's reset and clock controller (RCC, RM0436) as its M4 sees it
// after the Cortex-A7's boot stages have set the clocks up, as in production
// boot (SYSCFG): the MCU runs from PLL3, HSI and HSE are on.
//
// Enough that vendor clock set-up completes:
//   - set/clear pairs (xxxSETR / xxxCLRR: oscillator, peripheral clock,
//     low-power and reset enables): writing 1s to SETR sets bits, to CLRR
//     clears them, and both read the enables;
//   - OCRDYR's ready flags follow OCENSETR's enables (HSIRDY and HSIDIVRDY
//     HSION, CSIRDY CSION, HSERDY HSEON);
//   - PLLxCR's PLLRDY (bit 1) follows PLLON (bit 0);
//   - clock source selections and dividers (MSSCKSELR, MCUDIVR, APBxDIVR,
//     RCKxSELR, ...) switch at once: their ready bit (31) reads 1;
//   - every other register reads back what was written.
// Nothing is clocked or reset for real: a peripheral works whatever its
// enable says.
#pragma once

#include "register_file.hpp"

namespace captee::platform {

class Stm32mp15Rcc : public RegisterFile {
 public:
  static constexpr uint32_t kOcensetr = 0x00C, kOcenclrr = 0x010, kOcrdyr = 0x808;
  static constexpr uint32_t kMssckselr = 0x048, kMcudivr = 0x830;
  static constexpr uint32_t kPll1cr = 0x080, kPll2cr = 0x094, kPll3cr = 0x880, kPll4cr = 0x894;
  static constexpr uint32_t kMcAhb3ensetr = 0xAA0, kMcAhb3enclrr = 0xAA4;

 protected:
  uint32_t read_word(uint32_t offset) override;
  void write_word(uint32_t offset, uint32_t value, uint32_t at, unsigned size) override;
  void set_reset_values() override;
};

// SYSCFG: BOOTR (0x00) reads the boot pins of a production boot from an SD
// card (BOOT[2:0] = 0b101, not engineering's 0b110) and ignores writes; the
// other registers read back what was written.
class Stm32mp15Syscfg : public RegisterFile {
 public:
  static constexpr uint32_t kBootr = 0x000;
  static constexpr uint32_t kBootrProduction = 0x5;

 protected:
  void write_word(uint32_t offset, uint32_t value, uint32_t at, unsigned size) override;
  void set_reset_values() override;
};

// PWR: registers read back what was written (the A7 owns the supplies).
class Stm32mp15Pwr : public RegisterFile {};

}  // namespace captee::platform
