// The external interrupt lines of a core's NVIC, as a peripheral model drives
// them: the IPCC, a timer or a UART holds its line asserted while it wants
// service (the interrupt is pending again after its handler returns if the
// line is still asserted), or pulses it for a single event. Lines are
// numbered as the SoC's vector table numbers its IRQs (IRQ n is exception
// 16 + n). Thread-safe: peripherals call these from any thread, and a core
// sleeping in WFI or WFE wakes.
#pragma once

#include <cstdint>

namespace captee::platform {

class InterruptLines {
 public:
  virtual ~InterruptLines() = default;
  // False (and nothing happens) for a line the NVIC does not have.
  virtual bool set_irq_level(uint32_t irq, bool asserted) = 0;
  virtual bool pulse_irq(uint32_t irq) = 0;
};

}  // namespace captee::platform
