/* TIM2 as an RTOS tick source, on the core's instruction clock.
 * Scenario 0: PSC 9, ARR 99 (an update every 1000 cycles), UIE; the main
 *   loop counts in [1]; the handler counts ticks in [0] and records the
 *   loop's count [2 + t] and CNT [18 + t] at each of the first 16 ticks.
 * Scenario 1, polled: PSC 0, ARR 499, no interrupt; waits for UIF ten times
 *   ([0]), clearing it, then [1] = CNT, [20] = 1.
 * Scenario 2: PSC 999, ARR 9 (10000 cycles) while the main loop sleeps in
 *   WFI; the handler counts ticks in [0], the loop its wake-ups in [1].
 * Scenario 3, hostile: ones written to every word of the page, then [0] CR1,
 *   [1] PSC, [2] SR, [20] = 1. */
#include "stm32mp15.h"

void tim2_handler(void) {
  const uint32_t cnt = TIM2_CNT;
  TIM2_SR = ~TIM_SR_UIF;
  const uint32_t t = results[0];
  if (t < 16) {
    results[2 + t] = results[1];
    results[18 + t] = cnt;
  }
  results[0] = t + 1;
  dsb();
}

void program(void) {
  if (scenario == 3) {
    for (uint32_t off = 0; off < 0x1000; off += 4) {
      REG(TIM2_BASE + off) = 0xFFFFFFFFu;
    }
    results[0] = TIM2_CR1;
    results[1] = TIM2_PSC;
    results[2] = TIM2_SR;
    results[20] = 1;
    return;
  }
  if (scenario == 1) {
    TIM2_PSC = 0;
    TIM2_ARR = 499;
    TIM2_CR1 = TIM_CR1_CEN;
    while (results[0] < 10) {
      while ((TIM2_SR & TIM_SR_UIF) == 0) {
      }
      TIM2_SR = ~TIM_SR_UIF;
      results[0]++;
    }
    results[1] = TIM2_CNT;
    results[20] = 1;
    return;
  }
  TIM2_PSC = scenario == 0 ? 9 : 999;
  TIM2_ARR = scenario == 0 ? 99 : 9;
  TIM2_EGR = TIM_EGR_UG; /* loads PSC now; sets UIF, cleared below */
  TIM2_SR = 0;
  TIM2_DIER = TIM_DIER_UIE;
  enable_irq(TIM2_IRQn);
  TIM2_CR1 = TIM_CR1_CEN;
  for (;;) {
    if (scenario == 2) {
      __asm volatile("wfi");
    }
    results[1]++;
  }
}
