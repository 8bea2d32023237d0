/* Priorities, pre-emption, tail-chaining, priority grouping and BASEPRI,
 * with software-pended interrupts. Every handler and the main program append
 * a code to a log: results[0] is its length, results[1..] the codes.
 * Priorities: IRQ0 0x80, IRQ1 0x40, IRQ2 0xC0, IRQ3 0x40, IRQ4 0x80,
 * IRQ5 0x50, IRQ6 0x40, IRQ7 0xC0.
 * Scenario 0: IRQ0 pends IRQ1 (pre-empts it) and IRQ1 pends IRQ2 (does not;
 *   it runs once both have returned, tail-chained from IRQ0).
 * Scenario 1: IRQ3 and IRQ4 pended under PRIMASK: IRQ3, then IRQ4
 *   tail-chained.
 * Scenario 2/3: IRQ5 pends IRQ6 with PRIGROUP 5 (same group priority: no
 *   pre-emption) and with PRIGROUP 0 (pre-emption).
 * Scenario 4: BASEPRI 0x80 holds IRQ7 back while IRQ1 still pre-empts. */
#include "cortex_m.h"

static void log_code(uint32_t code) {
  const uint32_t n = results[0];
  if (n < 60) {
    results[1 + n] = code;
  }
  results[0] = n + 1;
}

void irq0_handler(void) {
  log_code(0xA0);
  pend_irq(1);
  isb();
  log_code(0xA1);
}
void irq1_handler(void) {
  log_code(0xB0);
  log_code(get_ipsr());
  log_code(NVIC_IABR(0)); /* IRQ0 and IRQ1 active, nested */
  if (scenario == 0) {
    pend_irq(2);
    isb();
  }
}
void irq2_handler(void) {
  log_code(0xC0);
}
void irq3_handler(void) {
  log_code(0xD0);
}
void irq4_handler(void) {
  uint32_t lr;
  __asm volatile("mov %0, lr" : "=r"(lr));
  log_code(0xE0);
  log_code(lr);
}
void irq5_handler(void) {
  log_code(0x50);
  pend_irq(6);
  isb();
  log_code(0x51);
}
void irq6_handler(void) {
  log_code(0x60);
}
void irq7_handler(void) {
  log_code(0x70);
}

void program(void) {
  static const uint8_t priorities[8] = {0x80, 0x40, 0xC0, 0x40, 0x80, 0x50, 0x40, 0xC0};
  for (uint32_t i = 0; i < 8; ++i) {
    NVIC_IPR(i) = priorities[i];
    enable_irq(i);
  }
  results[40] = NVIC_IPR(5); /* the implemented bits read back */
  switch (scenario) {
    case 0:
      pend_irq(0);
      isb();
      break;
    case 1:
      disable_irq();
      pend_irq(4);
      pend_irq(3);
      enable_irqs();
      isb();
      break;
    case 2:
    case 3:
      SCB_AIRCR = AIRCR_KEY | ((scenario == 2 ? 5u : 0u) << 8);
      results[41] = SCB_AIRCR;
      pend_irq(5);
      isb();
      break;
    case 4:
      set_basepri(0x80);
      pend_irq(7);
      isb();
      log_code(0xF1);
      pend_irq(1);
      isb();
      log_code(0xF2);
      set_basepri(0);
      isb();
      break;
  }
  log_code(0xFF);
  for (;;) {
  }
}
