// The host's end of a processor's serial console: the board's UART the
// firmware prints to (USART3 on the STM32MP15's M4), as a terminal attached
// to its pins would see it. Thread-safe; the core's thread feeds it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace captee::platform {

class UartConsole {
 public:
  static constexpr size_t kOutputKept = 64 * 1024;  // the console log keeps the newest bytes
  static constexpr size_t kInputQueued = 4096;      // bytes waiting for the firmware to read

  virtual ~UartConsole() = default;
  // What the firmware transmitted since the processor was created, the newest
  // kOutputKept bytes of it (older bytes are dropped first). Raw bytes: the
  // caller escapes them before showing them on a terminal.
  virtual std::string output() const = 0;
  // Bytes the firmware transmitted in all, including dropped ones.
  virtual uint64_t output_total() const = 0;
  // Up to `max` bytes of the output from byte number `from` on (counting
  // from the first byte ever transmitted), skipping what the log no longer
  // keeps; *first is the number of the first byte returned.
  virtual std::string output_from(uint64_t from, size_t max, uint64_t *first) const = 0;
  // Queues bytes for the firmware's receive register; returns how many were
  // taken (fewer when kInputQueued bytes already wait). They wait, in order,
  // until the firmware reads RDR, as if the host held its line until then.
  virtual size_t send(std::span<const uint8_t> bytes) = 0;
};

}  // namespace captee::platform
