/* USART3, the board's console, as the M4's firmware drives it.
 * Scenario 0, polled: enables the USART, waits for TEACK and REACK, prints a
 *   banner ([0] = 1 after it), then echoes every received byte back
 *   upper-cased, counting them in [1].
 * Scenario 1, interrupts: RXNEIE set, asleep in WFI; the handler reads every
 *   waiting byte, counts it in [2] and echoes it.
 * Scenario 2, hostile: ones written to every word of the page twice, then
 *   [0] ISR, [20] = 1. */
#include "stm32mp15.h"

static void put(char c) {
  while ((USART3_ISR & USART_ISR_TXE) == 0) {
  }
  USART3_TDR = (uint8_t)c;
}

static void puts_(const char *s) {
  while (*s != '\0') {
    put(*s++);
  }
}

void usart3_handler(void) {
  while (USART3_ISR & USART_ISR_RXNE) {
    const char c = (char)USART3_RDR;
    results[2]++;
    put(c);
  }
}

void program(void) {
  if (scenario == 2) {
    for (uint32_t pass = 0; pass < 2; pass++) {
      for (uint32_t off = 0; off < 0x1000; off += 4) {
        REG(USART3_BASE + off) = 0xFFFFFFFFu;
      }
    }
    results[0] = USART3_ISR;
    results[20] = 1;
    return;
  }
  USART3_CR1 = USART_CR1_UE | USART_CR1_TE | USART_CR1_RE;
  const uint32_t ack = USART_ISR_TEACK | USART_ISR_REACK;
  while ((USART3_ISR & ack) != ack) {
  }
  puts_("usart3: hello from the M4\r\n");
  results[0] = 1;
  if (scenario == 1) {
    USART3_CR1 |= USART_CR1_RXNEIE;
    enable_irq(USART3_IRQn);
    for (;;) {
      __asm volatile("wfi");
    }
  }
  for (;;) {
    while ((USART3_ISR & USART_ISR_RXNE) == 0) {
    }
    char c = (char)USART3_RDR;
    if (c >= 'a' && c <= 'z') {
      c = (char)(c - 'a' + 'A');
    }
    results[1]++;
    put(c);
  }
}
