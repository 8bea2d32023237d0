/* SysTick against the core's clock.
 * Scenario 0: a period of 1000 cycles (reload 999) while the main loop
 *   counts; the handler records the loop's count and SYST_CVR at each of the
 *   first 16 ticks.
 * Scenario 1: a period of 10000 cycles while the main loop sleeps in WFI.
 * Scenario 2: TICKINT off: COUNTFLAG shows the wrap, no tick is taken.
 * Scenario 3: as 1 with WFE: every exception return sets the event register.
 * Scenario 4: SCR.SLEEPONEXIT: after the first tick the core goes back to
 *   sleep on every return to thread mode, so the main loop stops counting.
 * Scenario 5: asleep in WFI until the host pulses IRQ 2 (counted in [37]).
 * results[0] ticks, [1] main-loop count, [2..17] the count at tick i,
 * [18..33] SYST_CVR in the handler at tick i, [34] SYST_CALIB, [35] 1 when
 * COUNTFLAG was seen with no tick taken, [36] SYST_CSR after that read. */
#include "cortex_m.h"

void systick_handler(void) {
  const uint32_t cvr = SYST_CVR;
  const uint32_t t = results[0];
  if (t < 16) {
    results[2 + t] = results[1];
    results[18 + t] = cvr;
  }
  results[0] = t + 1;
}

void irq2_handler(void) {
  results[37]++;
}

void program(void) {
  if (scenario == 5) {
    enable_irq(2);
    for (;;) {
      __asm volatile("wfi");
      results[1]++;
    }
  }
  results[34] = SYST_CALIB;
  SYST_RVR = scenario == 1 ? 9999 : 999;
  SYST_CVR = 0;
  if (scenario == 2) {
    SYST_CSR = 5; /* enabled, no interrupt */
    while ((SYST_CSR & (1u << 16)) == 0) {
      results[1]++;
    }
    results[35] = results[0] == 0;
    results[36] = SYST_CSR; /* COUNTFLAG cleared by the read before */
    for (;;) {
    }
  }
  SYST_CSR = 7; /* enabled, interrupt, processor clock */
  if (scenario == 1 || scenario == 3) {
    for (;;) {
      if (scenario == 1) {
        __asm volatile("wfi");
      } else {
        __asm volatile("wfe");
      }
      results[1]++;
    }
  }
  if (scenario == 4) {
    SCB_SCR = 1u << 1; /* SLEEPONEXIT */
  }
  for (;;) {
    results[1]++;
  }
}
