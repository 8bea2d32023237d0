// An STM32MP15 USART (RM0436, "USART"), as the board's console (USART3,
// USART3_IRQn 39 on the M4) with the host's end in UartConsole.
//
//   0x00 CR1   RW  UE (0), RE (2), TE (3), RXNEIE (5), TCIE (6), TXEIE (7), ...
//   0x04 CR2, 0x08 CR3, 0x0C BRR, 0x10 GTPR, 0x14 RTOR, 0x2C PRESC: read back
//   0x18 RQR   W   RXFRQ (3) drops the received bytes waiting
//   0x1C ISR   R   RXNE (5) while a byte waits and UE and RE are set; TC (6)
//                  and TXE (7) always (a byte goes out at once); TEACK (21)
//                  and REACK (22) follow TE and RE while UE is set; TXFE (23)
//   0x20 ICR   W   clear flags: nothing to clear (no error can happen)
//   0x24 RDR   R   the next waiting byte (0 when none), which it consumes
//   0x28 TDR   W   with UE and TE set, the byte goes to the console log
// The interrupt is asserted while (RXNEIE and RXNE) or (TXEIE and TXE) or
// (TCIE and TC). No baud rate, parity, FIFO thresholds, DMA or errors are
// modelled: bytes move as fast as the firmware reads and writes them.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>

#include "captee/platform/interrupt_lines.hpp"
#include "captee/platform/uart_console.hpp"
#include "peripheral.hpp"

namespace captee::platform {

class Usart : public Peripheral, public UartConsole {
 public:
  static constexpr uint32_t kUsart3Irq = 39;  // USART3_IRQn
  static constexpr uint32_t kCr1 = 0x00, kRqr = 0x18, kIsr = 0x1C, kIcr = 0x20, kRdr = 0x24,
                            kTdr = 0x28;
  static constexpr uint32_t kCr1Ue = 1u << 0, kCr1Re = 1u << 2, kCr1Te = 1u << 3,
                            kCr1Rxneie = 1u << 5, kCr1Tcie = 1u << 6, kCr1Txeie = 1u << 7;
  static constexpr uint32_t kIsrRxne = 1u << 5, kIsrTc = 1u << 6, kIsrTxe = 1u << 7,
                            kIsrTeack = 1u << 21, kIsrReack = 1u << 22, kIsrTxfe = 1u << 23;
  static constexpr uint32_t kRqrRxfrq = 1u << 3;

  Usart(InterruptLines &lines, uint32_t irq) : lines_(lines), irq_(irq) {}

  // Peripheral: the firmware's side.
  uint32_t read(uint32_t offset, unsigned size) override;
  void write(uint32_t offset, unsigned size, uint32_t value) override;
  void reset() override;  // registers and waiting input; the log is kept

  // UartConsole: the host's side.
  std::string output() const override;
  uint64_t output_total() const override;
  std::string output_from(uint64_t from, size_t max, uint64_t *first) const override;
  size_t send(std::span<const uint8_t> bytes) override;

 private:
  uint32_t isr_locked() const;
  void update_line_locked();

  InterruptLines &lines_;
  const uint32_t irq_;
  mutable std::mutex mu_;   // the core's thread and the host's share everything below
  uint32_t regs_[16] = {};  // 0x00..0x3C, as written
  std::deque<uint8_t> input_;
  std::deque<char> log_;
  uint64_t total_ = 0;
};

}  // namespace captee::platform
