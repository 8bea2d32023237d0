// A register model of one of the SoC's peripherals, as the core maps it: the
// firmware's loads and stores in its 4 KiB page come here, on the core's
// thread. Byte and half-word accesses act on their byte lanes of the 32-bit
// register, as on the SoC's buses.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "captee/platform/description.hpp"
#include "captee/platform/interrupt_lines.hpp"

namespace captee::platform {

class Peripheral {
 public:
  virtual ~Peripheral() = default;
  // `offset` into the page; `size` 1, 2 or 4 bytes.
  virtual uint32_t read(uint32_t offset, unsigned size) = 0;
  virtual void write(uint32_t offset, unsigned size, uint32_t value) = 0;
  // The registers at the values a new boot finds (start()).
  virtual void reset() = 0;

  // Peripherals that count the core's clock (cycles, docs/REMOTEPROC.md
  // "Time"): the core calls advance(now) between basic blocks and when the
  // cycle next_event() names comes, so their interrupts come on time.
  static constexpr uint64_t kNever = UINT64_MAX;
  virtual bool clocked() const { return false; }
  virtual void advance(uint64_t now) { (void)now; }
  virtual uint64_t next_event() const { return kNever; }
};

// The bits of its 32-bit register an access of `size` bytes at `offset` touches.
inline uint32_t byte_lanes(uint32_t offset, unsigned size) {
  const uint32_t width = size >= 4 ? 0xFFFFFFFFu : (1u << (size * 8u)) - 1u;
  return width << ((offset & 3u) * 8u);
}

// What a read of `size` bytes at `offset` returns from the register's `word`.
inline uint32_t read_lanes(uint32_t word, uint32_t offset, unsigned size) {
  return (word & byte_lanes(offset, size)) >> ((offset & 3u) * 8u);
}

// `value` written with `size` bytes at `offset`, moved to its lanes.
inline uint32_t written_lanes(uint32_t value, uint32_t offset, unsigned size) {
  return (value << ((offset & 3u) * 8u)) & byte_lanes(offset, size);
}

// A read-write register after such a write: the other lanes keep their bits.
inline uint32_t merge_lanes(uint32_t old, uint32_t value, uint32_t offset, unsigned size) {
  const uint32_t lanes = byte_lanes(offset, size);
  return (old & ~lanes) | written_lanes(value, offset, size);
}

class GpioBank;

// What a model may use of its processor: its interrupt lines, the core's
// clock, and the GPIO bank the GPIO ports and the EXTI share (borrowed; they
// outlive the models).
struct PeripheralContext {
  InterruptLines &lines;
  std::function<uint64_t()> now;
  GpioBank *gpio = nullptr;  // set when the description has a GPIO or EXTI model
};

// The model of `d` (whose model is not kNone).
std::unique_ptr<Peripheral> make_peripheral(const PeripheralDescription &d,
                                            const PeripheralContext &context);

}  // namespace captee::platform
