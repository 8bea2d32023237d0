/* FP context across interrupts, for hard-float firmware. The main program
 * holds a pattern in S0-S15 and FPSCR and checks it over and over while
 * SysTick (every 200 cycles) interrupts; the SysTick handler loads its own
 * pattern and FPSCR, and every 4th tick pends IRQ0 (higher priority), whose
 * handler loads a third one, before checking that its own survived.
 * results[0] main-loop checks, [1] main-loop mismatches, [2] SysTick
 * handler mismatches, [3] ticks, [4] EXC_RETURN seen by SysTick, [5] by
 * IRQ0, [6] CONTROL in the main program, [7] IRQ0 runs. */
#include "cortex_m.h"

static uint32_t thread_pattern[17], tick_pattern[17], irq_pattern[17];
static uint32_t thread_snapshot[17], tick_snapshot[17]; /* one per context */

static void load(const uint32_t *p) {
  __asm volatile("vldmia %0, {s0-s15}\n vmsr fpscr, %1" ::"r"(p), "r"(p[16])
                 : "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "s12",
                   "s13", "s14", "s15", "memory");
}

static int matches(const uint32_t *p, uint32_t *snapshot) {
  __asm volatile("vstmia %0, {s0-s15}\n vmrs r1, fpscr\n str r1, [%0, #64]" ::"r"(snapshot)
                 : "r1", "memory");
  for (int i = 0; i < 17; ++i) {
    if (snapshot[i] != p[i]) {
      return 0;
    }
  }
  return 1;
}

void systick_handler(void) {
  uint32_t lr;
  __asm volatile("mov %0, lr" : "=r"(lr));
  results[4] = lr;
  load(tick_pattern);
  if ((results[3] & 3) == 0) {
    pend_irq(0);
    isb();
  }
  if (!matches(tick_pattern, tick_snapshot)) {
    results[2]++;
  }
  results[3]++;
}

void irq0_handler(void) {
  uint32_t lr;
  __asm volatile("mov %0, lr" : "=r"(lr));
  results[5] = lr;
  load(irq_pattern);
  results[7]++;
}

void program(void) {
  SCB_CPACR |= 0xFu << 20; /* CP10 and CP11: full access */
  dsb();
  isb();
  for (uint32_t i = 0; i < 16; ++i) {
    thread_pattern[i] = 0x3F800000u + i * 0x00100000u; /* 1.0, 1.0625, ... */
    tick_pattern[i] = 0xC0000000u + i;
    irq_pattern[i] = 0x12345600u + i;
  }
  thread_pattern[16] = 0x03C00000; /* DN, FZ, round towards zero */
  tick_pattern[16] = 0x00400000;   /* round towards plus infinity */
  irq_pattern[16] = 0;
  NVIC_IPR(0) = 0x20;
  SCB_SHPR(15) = 0x80;
  enable_irq(0);
  load(thread_pattern);
  results[6] = get_control();
  SYST_RVR = 199;
  SYST_CVR = 0;
  SYST_CSR = 7;
  for (;;) {
    if (!matches(thread_pattern, thread_snapshot)) {
      if (results[1] == 0) {
        for (int i = 0; i < 17; ++i) {
          results[20 + i] = thread_snapshot[i]; /* the first mismatch, for the test's message */
        }
      }
      results[1]++;
      load(thread_pattern);
    }
    results[0]++;
  }
}
