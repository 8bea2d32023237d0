// The STM32MP15's GPIO ports and its EXTI (RM0436 "GPIO", "EXTI"), as the M4
// sees them, with the host's hand on the pins (GpioPins). One GpioBank holds
// every port and the EXTI, because an input's edge reaches the EXTI line its
// EXTICR selects; each mapped page is a view of it.
//
// GPIO port x (4 KiB each; 0 = GPIOA at 0x50002000 ... 10 = GPIOK, 11 = GPIOZ):
//   0x00 MODER, 0x04 OTYPER, 0x08 OSPEEDR, 0x0C PUPDR, 0x1C LCKR, 0x20 AFRL,
//   0x24 AFRH: read back (reset: MODER all analog, 0xFFFFFFFF)
//   0x10 IDR  R  an output pin (MODER 01) reads ODR; another pin the level
//                the host drives, or its pull (PUPDR 01 up: 1) until then
//   0x14 ODR  RW;  0x18 BSRR  W  bits 0-15 set, 16-31 reset ODR bits;
//   0x28 BRR  W  reset ODR bits
// EXTI (0x5000D000), lines 0-15 (the GPIO lines):
//   0x00 RTSR1, 0x04 FTSR1  RW  rising and falling edge triggers
//   0x08 SWIER1  W  a 1 sets the line's rising pending bit
//   0x0C RPR1, 0x10 FPR1  rc_w1  rising and falling pending bits
//   0x60-0x6C EXTICR1-4  RW  the port of each line, 8 bits per line
//   0xC0 C2IMR1  RW  the M4's interrupt mask (1: delivered)
// Line n's interrupt (EXTI0_IRQn 6 ... EXTI15_IRQn 127, the M4's numbers) is
// asserted while its rising or falling pending bit is set and C2IMR1 lets it
// through. Other EXTI registers read back what was written.
// Not modelled: alternate functions (a pin in AF mode is just a pin), open
// drain, speeds, locking (LCKR reads back, locks nothing), the A7's EXTI
// masks, events (EMR), and EXTI lines 16 and up.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>

#include "captee/platform/gpio_pins.hpp"
#include "captee/platform/interrupt_lines.hpp"
#include "peripheral.hpp"

namespace captee::platform {

class GpioBank : public GpioPins {
 public:
  static constexpr uint32_t kPorts = 12;
  static constexpr uint32_t kPins = 16;

  explicit GpioBank(InterruptLines &lines) : lines_(lines) {}

  // GpioPins: the host's side.
  bool set_input(uint32_t port, uint32_t pin, bool high) override;
  bool read_pin(uint32_t port, uint32_t pin, bool *high) const override;

  // The firmware's side (core thread), word-aligned offsets into a page.
  uint32_t read_port(uint32_t port, uint32_t offset);
  void write_port(uint32_t port, uint32_t offset, uint32_t value, uint32_t at, unsigned size);
  uint32_t read_exti(uint32_t offset);
  void write_exti(uint32_t offset, uint32_t value, uint32_t at, unsigned size);
  void reset();

 private:
  struct Port {
    std::array<uint32_t, 16> regs{};  // 0x00..0x3C as written (IDR computed)
    uint16_t driven = 0;              // pins whose level the host set
    uint16_t level = 0;               // those levels
  };
  uint32_t idr_locked(const Port &p) const;
  // Edges between `before` and `after` of port `port`'s pins reach the EXTI.
  void edges_locked(uint32_t port, uint32_t before, uint32_t after);
  void update_lines_locked();

  InterruptLines &lines_;
  mutable std::mutex mu_;  // the host's and the core's threads share everything below
  std::array<Port, kPorts> ports_{};
  std::array<uint32_t, 64> exti_{};  // 0x00..0xFC as written
  uint32_t asserted_ = 0;            // lines whose interrupt is asserted
};

// One GPIO port's page.
class GpioPort : public Peripheral {
 public:
  GpioPort(GpioBank &bank, uint32_t port) : bank_(bank), port_(port) {}
  uint32_t read(uint32_t offset, unsigned size) override {
    return read_lanes(bank_.read_port(port_, offset & ~3u), offset, size);
  }
  void write(uint32_t offset, unsigned size, uint32_t value) override {
    bank_.write_port(port_, offset & ~3u, value, offset, size);
  }
  void reset() override { bank_.reset(); }

 private:
  GpioBank &bank_;
  const uint32_t port_;
};

// The EXTI's page.
class Exti : public Peripheral {
 public:
  explicit Exti(GpioBank &bank) : bank_(bank) {}
  uint32_t read(uint32_t offset, unsigned size) override {
    return read_lanes(bank_.read_exti(offset & ~3u), offset, size);
  }
  void write(uint32_t offset, unsigned size, uint32_t value) override {
    bank_.write_exti(offset & ~3u, value, offset, size);
  }
  void reset() override { bank_.reset(); }

 private:
  GpioBank &bank_;
};

}  // namespace captee::platform
