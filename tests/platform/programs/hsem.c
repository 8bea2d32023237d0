/* The hardware semaphores as the M4 (COREID 2) sees them.
 * Scenario 0, the lock and unlock rules: [0] RLR0 (the 1-step lock), [1] R0,
 *   [2] RLR0 again; [3] R1 after a 2-step lock with PROCID 5, [4] R1 after a
 *   second 2-step lock with PROCID 6; [5] R0 after an unlock with the A7's
 *   COREID, [6] R1 after an unlock with the wrong PROCID, [7] R1 after the
 *   right unlock; [8] R2 after a lock with the A7's COREID; [9] C2ISR (bit 1:
 *   semaphore 1 was freed); [10] C2MISR and [11] the interrupts taken after
 *   freeing semaphore 0 with its interrupt enabled; [12] R3 after a clear-all
 *   with the A7's COREID, [13] R4 after one with the wrong key, [14] R3 | R4
 *   after the right one; [15] HWCFGR1; [20] = 1 when done.
 * Scenario 1, hostile: holds semaphore 5, writes ones to every word of the
 *   page twice, then [0] R5, [1] C2IER, [2] KEYR, [3] R6, [4] C1IER, [20] = 1. */
#include "stm32mp15.h"

void hsem_it2_handler(void) {
  results[10] = HSEM_C2MISR;
  results[11]++;
  HSEM_C2ICR = results[10];
}

static void rules(void) {
  results[0] = HSEM_RLR(0);
  results[1] = HSEM_R(0);
  results[2] = HSEM_RLR(0);
  HSEM_R(1) = HSEM_LOCK | HSEM_COREID(HSEM_CPU2) | 5;
  results[3] = HSEM_R(1);
  HSEM_R(1) = HSEM_LOCK | HSEM_COREID(HSEM_CPU2) | 6;
  results[4] = HSEM_R(1);
  HSEM_R(0) = HSEM_COREID(HSEM_CPU1);
  results[5] = HSEM_R(0);
  HSEM_R(1) = HSEM_COREID(HSEM_CPU2) | 6;
  results[6] = HSEM_R(1);
  HSEM_R(1) = HSEM_COREID(HSEM_CPU2) | 5;
  results[7] = HSEM_R(1);
  HSEM_R(2) = HSEM_LOCK | HSEM_COREID(HSEM_CPU1) | 1;
  results[8] = HSEM_R(2);
  results[9] = HSEM_C2ISR;
  HSEM_C2ICR = 0xFFFFFFFFu;
  enable_irq(HSEM_IT2_IRQn);
  HSEM_C2IER = 1u << 0;
  HSEM_R(0) = HSEM_COREID(HSEM_CPU2); /* frees semaphore 0: its interrupt */
  dsb();
  isb();
  (void)HSEM_RLR(3);
  (void)HSEM_RLR(4);
  HSEM_KEYR = 0x12340000u;
  HSEM_CR = 0x12340000u | HSEM_COREID(HSEM_CPU1);
  results[12] = HSEM_R(3);
  HSEM_CR = 0x56780000u | HSEM_COREID(HSEM_CPU2);
  results[13] = HSEM_R(4);
  HSEM_CR = 0x12340000u | HSEM_COREID(HSEM_CPU2);
  results[14] = HSEM_R(3) | HSEM_R(4);
  results[15] = HSEM_HWCFGR1;
  results[20] = 1;
}

static void hostile(void) {
  (void)HSEM_RLR(5);
  for (uint32_t pass = 0; pass < 2; pass++) {
    for (uint32_t off = 0; off < 0x1000; off += 4) {
      REG(HSEM_BASE + off) = 0xFFFFFFFFu;
    }
  }
  results[0] = HSEM_R(5);
  results[1] = HSEM_C2IER;
  results[2] = HSEM_KEYR;
  results[3] = HSEM_R(6);
  results[4] = HSEM_C1IER;
  results[20] = 1;
}

void program(void) {
  if (scenario == 0) {
    rules();
  } else {
    hostile();
  }
}
