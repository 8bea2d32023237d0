// The host's hand on a processor's GPIO pins: what a button or a wire on the
// board would do to an input, and what an LED would show of an output.
// Ports are numbered as the SoC's GPIO blocks (STM32MP15: 0 = GPIOA ... 10 =
// GPIOK, 11 = GPIOZ), pins 0-15. Thread-safe.
#pragma once

#include <cstdint>

namespace captee::platform {

class GpioPins {
 public:
  virtual ~GpioPins() = default;
  // Drives an input pin high or low, as a button would; an edge the EXTI
  // watches raises its interrupt. False for a port or pin that does not exist.
  virtual bool set_input(uint32_t port, uint32_t pin, bool high) = 0;
  // The pin's level as the firmware's IDR reads it (an output reads what the
  // firmware drives). False for a pin that does not exist (and *high unset).
  virtual bool read_pin(uint32_t port, uint32_t pin, bool *high) const = 0;
};

}  // namespace captee::platform
