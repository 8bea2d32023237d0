#include "stm32mp15_rcc.hpp"

namespace captee::platform {

namespace {

constexpr uint32_t kReady = 1u << 31;
constexpr uint32_t kPllOn = 1u << 0, kPllRdy = 1u << 1;
constexpr uint32_t kHsiOn = 1u << 0, kCsiOn = 1u << 4, kHseOn = 1u << 8;
constexpr uint32_t kHsiRdy = 1u << 0, kHsiDivRdy = 1u << 2, kCsiRdy = 1u << 4, kHseRdy = 1u << 8;

// Set/clear pairs: in each span the SETR is at the span's start plus a
// multiple of 8, its CLRR 4 bytes later.
struct Span {
  uint32_t first, last;
};
constexpr Span kSetClear[] = {
    {0x00C, 0x010}, {0x104, 0x108}, {0x180, 0x1A4}, {0x200, 0x224}, {0x280, 0x29C},
    {0x300, 0x324}, {0x380, 0x39C}, {0x40C, 0x410}, {0x980, 0x9AC}, {0xA00, 0xA2C},
    {0xA38, 0xA3C}, {0xA80, 0xABC}, {0xB00, 0xB3C}, {0xB80, 0xBBC},
};

// The SETR of the pair holding `offset`, and whether `offset` is the CLRR.
bool set_clear(uint32_t offset, uint32_t *setr, bool *clear) {
  for (const Span &s : kSetClear) {
    if (offset >= s.first && offset <= s.last) {
      *clear = ((offset - s.first) % 8) != 0;
      *setr = *clear ? offset - 4 : offset;
      return true;
    }
  }
  return false;
}

// Clock selections and dividers whose bit 31 says the switch is done.
constexpr uint32_t kSwitches[] = {0x020, 0x024, 0x028, 0x02C, 0x030, 0x03C, 0x040, 0x048,
                                  0x820, 0x824, 0x828, 0x82C, 0x830, 0x834, 0x838, 0x83C};

bool is_switch(uint32_t offset) {
  for (uint32_t s : kSwitches) {
    if (s == offset) {
      return true;
    }
  }
  return false;
}

bool is_pll(uint32_t offset) {
  return offset == Stm32mp15Rcc::kPll1cr || offset == Stm32mp15Rcc::kPll2cr ||
         offset == Stm32mp15Rcc::kPll3cr || offset == Stm32mp15Rcc::kPll4cr;
}

}  // namespace

uint32_t Stm32mp15Rcc::read_word(uint32_t offset) {
  uint32_t setr = 0;
  bool clear = false;
  if (set_clear(offset, &setr, &clear)) {
    return reg(setr);
  }
  if (offset == kOcrdyr) {
    const uint32_t on = reg(kOcensetr);
    return ((on & kHsiOn) ? kHsiRdy | kHsiDivRdy : 0) | ((on & kCsiOn) ? kCsiRdy : 0) |
           ((on & kHseOn) ? kHseRdy : 0);
  }
  if (is_pll(offset)) {
    const uint32_t v = reg(offset) & ~kPllRdy;
    return (v & kPllOn) ? v | kPllRdy : v;
  }
  if (is_switch(offset)) {
    return reg(offset) | kReady;
  }
  return reg(offset);
}

void Stm32mp15Rcc::write_word(uint32_t offset, uint32_t value, uint32_t at, unsigned size) {
  uint32_t setr = 0;
  bool clear = false;
  if (set_clear(offset, &setr, &clear)) {
    const uint32_t bits = written_lanes(value, at, size);
    reg(setr) = clear ? reg(setr) & ~bits : reg(setr) | bits;
    return;
  }
  if (offset == kOcrdyr) {
    return;  // read-only
  }
  RegisterFile::write_word(offset, value, at, size);
}

void Stm32mp15Rcc::set_reset_values() {
  // As the A7's boot stages leave them for the M4: HSI and HSE on, PLL3 on
  // with its three outputs, the MCU on PLL3 (MCUSSRC 3).
  reg(kOcensetr) = kHsiOn | kHseOn;
  reg(kPll3cr) = kPllOn | (7u << 4);  // DIVPEN, DIVQEN, DIVREN
  reg(kMssckselr) = 3;
}

void Stm32mp15Syscfg::write_word(uint32_t offset, uint32_t value, uint32_t at, unsigned size) {
  if (offset == kBootr) {
    return;  // the boot pins, latched at reset
  }
  RegisterFile::write_word(offset, value, at, size);
}

void Stm32mp15Syscfg::set_reset_values() {
  reg(kBootr) = kBootrProduction;
}

}  // namespace captee::platform
