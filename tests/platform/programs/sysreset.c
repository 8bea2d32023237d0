/* SYSRESETREQ: every boot counts itself in SRAM (which a reset keeps) and
 * records what it finds of the last run; the first two boots change the
 * core's state (VTOR, SysTick, an enabled interrupt, PRIMASK, the process
 * stack) and ask for a reset. results[0] boots, [1] the third boot's VTOR,
 * [2] its SYST_CSR, [3] its NVIC_ISER0, [4] its PRIMASK, [5] its CONTROL. */
#include "cortex_m.h"

void program(void) {
  const uint32_t boot = ++results[0];
  if (boot >= 3) {
    uint32_t primask;
    __asm volatile("mrs %0, primask" : "=r"(primask));
    results[1] = SCB_VTOR;
    results[2] = SYST_CSR;
    results[3] = NVIC_ISER(0);
    results[4] = primask;
    results[5] = get_control();
    for (;;) {
    }
  }
  SCB_VTOR = 0x10000000;
  SYST_RVR = 1000000;
  SYST_CSR = 5;
  enable_irq(3);
  disable_irq();
  __asm volatile("msr psp, %0\n msr control, %1\n isb" ::"r"(0x10004000u), "r"(2u));
  dsb();
  SCB_AIRCR = AIRCR_KEY | (1u << 2); /* SYSRESETREQ */
  dsb();
  for (;;) {
  }
}
