/* Firmware that breaks the exception model on purpose, one way per scenario;
 * each must end in the documented outcome (docs/REMOTEPROC.md, "Crash
 * rules"), never harm the host. results[0] marks that the program ran,
 * results[1..2] what a HardFault handler saw (CFSR, HFSR).
 * 0  VTOR outside memory, then a SysTick interrupt.
 * 1  a vector table whose SysTick and HardFault entries point outside memory.
 * 2  an exception storm: the SysTick handler pends SysTick again.
 * 3  an interrupt the host holds asserted and the handler never clears.
 * 4  a SysTick handler that never returns.
 * 5  a fault inside the HardFault handler (nested faults: lock-up).
 * 6  the main stack pointer outside memory when SVC stacks its frame.
 * 7  WFI inside the HardFault handler.
 * 8  a fault with FAULTMASK set.
 * 9  a reset request on every boot, for ever.
 * 10 ones written to every register of the System Control Space.
 * 11 the process stack pointer outside memory when an interrupt comes. */
#include "cortex_m.h"

static uint32_t ram_vectors[64] __attribute__((aligned(256)));

void hardfault_handler(void) {
  results[1] = SCB_CFSR;
  results[2] = SCB_HFSR;
  if (scenario == 5) {
    __asm volatile("udf #5");
  } else if (scenario == 7) {
    for (;;) {
      __asm volatile("wfi");
    }
  }
  for (;;) {
  }
}

void systick_handler(void) {
  results[3]++;
  if (scenario == 2) {
    SCB_ICSR = 1u << 26; /* PENDSTSET */
  } else if (scenario == 4) {
    for (;;) {
    }
  }
}

void irq0_handler(void) {
  results[4]++; /* never quiets the line */
}

static void tick_soon(void) {
  SYST_RVR = 99;
  SYST_CVR = 0;
  SYST_CSR = 7;
}

void program(void) {
  results[0] = 0x60 + scenario;
  results[5]++; /* boots */
  switch (scenario) {
    case 0:
      SCB_VTOR = 0x30000000;
      tick_soon();
      break;
    case 1:
      ram_vectors[0] = 0x10008000;
      ram_vectors[3] = 0x70000001;  /* HardFault */
      ram_vectors[15] = 0x70000001; /* SysTick */
      SCB_VTOR = (uint32_t)ram_vectors;
      tick_soon();
      break;
    case 2:
    case 4:
      tick_soon();
      break;
    case 3:
      enable_irq(0);
      break;
    case 5:
    case 7:
      __asm volatile("udf #1");
      break;
    case 6:
      __asm volatile("msr msp, %0\n svc #1" ::"r"(0x30000000u));
      break;
    case 8:
      __asm volatile("cpsid f\n udf #8");
      break;
    case 9:
      SCB_AIRCR = AIRCR_KEY | (1u << 2);
      break;
    case 10:
      for (uint32_t a = 0xE000E000; a < 0xE000F000; a += 4) {
        if (a != 0xE000ED0C) { /* AIRCR: a reset would start the loop again */
          REG(a) = 0xFFFFFFFF;
          (void)REG(a);
        }
      }
      break;
    case 11:
      tick_soon();
      __asm volatile("msr psp, %0\n msr control, %1\n isb\n b ." ::"r"(0x30000000u), "r"(2u));
      break;
  }
  for (;;) {
  }
}
