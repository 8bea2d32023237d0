/* A button on PC13 (input, pull-up, EXTI line 13 on its falling edge) and an
 * LED on PD11 (output), as a board's firmware wires them.
 * Scenario 0: [2] PC13's level before any press; asleep in WFI; each press
 *   (falling edge) runs the EXTI13 handler: [0] counts presses, [1] records
 *   PC13's level, the LED toggles; [3] counts wake-ups.
 * Scenario 1, hostile: ones written to every word of GPIOA's and the EXTI's
 *   pages, then [0] RPR1 | FPR1, [1] GPIOA ODR, [2] GPIOA IDR, [20] = 1. */
#include "stm32mp15.h"

void exti13_handler(void) {
  EXTI_FPR1 = 1u << 13;
  results[0]++;
  results[1] = (GPIO_IDR(PORT_C) >> 13) & 1u;
  const uint32_t on = (GPIO_ODR(PORT_D) >> 11) & 1u;
  GPIO_BSRR(PORT_D) = on ? 1u << (11 + 16) : 1u << 11;
}

void program(void) {
  if (scenario == 1) {
    for (uint32_t off = 0; off < 0x1000; off += 4) {
      REG(GPIO_BASE(PORT_A) + off) = 0xFFFFFFFFu;
      REG(EXTI_BASE + off) = 0xFFFFFFFFu;
    }
    results[0] = EXTI_RPR1 | EXTI_FPR1;
    results[1] = GPIO_ODR(PORT_A);
    results[2] = GPIO_IDR(PORT_A);
    results[20] = 1;
    return;
  }
  GPIO_MODER(PORT_C) &= ~(3u << 26);                                    /* PC13 input */
  GPIO_PUPDR(PORT_C) = (GPIO_PUPDR(PORT_C) & ~(3u << 26)) | (1u << 26); /* pull-up */
  GPIO_MODER(PORT_D) = (GPIO_MODER(PORT_D) & ~(3u << 22)) | (1u << 22); /* PD11 output */
  results[2] = (GPIO_IDR(PORT_C) >> 13) & 1u;
  EXTI_EXTICR(3) = (EXTI_EXTICR(3) & ~(0xFFu << 8)) | ((uint32_t)PORT_C << 8); /* line 13: GPIOC */
  EXTI_FTSR1 |= 1u << 13;
  EXTI_C2IMR1 |= 1u << 13;
  enable_irq(EXTI13_IRQn);
  for (;;) {
    __asm volatile("wfi");
    results[3]++;
  }
}
