/* The IPCC as the M4 (processor 2) sees it.
 * Scenario 0, polled: results[0] C2MR and [1] C2CR at reset, [2] HWCFGR;
 *   kicks the host on channels 1 and 3 (C2SCR CH1S, CH3S) and records
 *   C2TOC1SR in [3]; waits for a host kick, records C1TOC2SR in [4], clears
 *   it (C2SCR CHnC) and records C1TOC2SR again in [5]; a byte write to C2MR's
 *   third byte leaves the others ([6]); [7] = 1 when done.
 * Scenario 1, interrupts: channel 6's receive-occupied interrupt masked, the
 *   others unmasked, RXOIE set, sleeping in WFI. The RX handler takes the
 *   unmasked occupied channels ([0] |= them, [1] counts), clears them, sends
 *   on the same channels and unmasks their transmit-free interrupt with
 *   TXFIE; the TX handler counts ([2]), records C2TOC1SR ([3]) and masks it
 *   again.
 * Scenario 2, hostile: ones written to every word of the IPCC page, twice, then
 *   [0] C2CR, [1] C2MR, [2] C1CR, [3] C1MR, [4] C2TOC1SR, [5] HWCFGR,
 *   [7] = 1 when done. */
#include "stm32mp15.h"

void ipcc_rx1_handler(void) {
  const uint32_t flags = IPCC_C1TOC2SR & ~IPCC_C2MR & IPCC_ALL;
  results[0] |= flags;
  results[1]++;
  IPCC_C2SCR = flags;       /* CHnC: the host's flags are taken */
  IPCC_C2SCR = flags << 16; /* CHnS: answer on the same channels */
  IPCC_C2MR &= ~(flags << 16);
  IPCC_C2CR |= IPCC_CR_TXFIE;
}

void ipcc_tx1_handler(void) {
  results[2]++;
  results[3] = IPCC_C2TOC1SR;
  IPCC_C2MR |= IPCC_ALL << 16;
}

static void polled(void) {
  results[0] = IPCC_C2MR;
  results[1] = IPCC_C2CR;
  results[2] = IPCC_HWCFGR;
  IPCC_C2SCR = (1u << 16) | (1u << 18);
  results[3] = IPCC_C2TOC1SR;
  while (IPCC_C1TOC2SR == 0) {
  }
  results[4] = IPCC_C1TOC2SR;
  IPCC_C2SCR = results[4];
  results[5] = IPCC_C1TOC2SR;
  REG8(IPCC_BASE + 0x16) = 0; /* C2MR bits 16-23: the transmit-free masks */
  results[6] = IPCC_C2MR;
  results[7] = 1;
}

static void hostile(void) {
  for (uint32_t pass = 0; pass < 2; pass++) {
    for (uint32_t off = 0; off < 0x1000; off += 4) {
      REG(IPCC_BASE + off) = 0xFFFFFFFFu;
    }
  }
  results[0] = IPCC_C2CR;
  results[1] = IPCC_C2MR;
  results[2] = IPCC_C1CR;
  results[3] = IPCC_C1MR;
  results[4] = IPCC_C2TOC1SR;
  results[5] = IPCC_HWCFGR;
  results[7] = 1;
}

void program(void) {
  if (scenario == 0) {
    polled();
    return;
  }
  if (scenario == 2) {
    hostile();
    return;
  }
  NVIC_IPR(IPCC_RX1_IRQn) = 0x40;
  NVIC_IPR(IPCC_TX1_IRQn) = 0x40;
  enable_irq(IPCC_RX1_IRQn);
  enable_irq(IPCC_TX1_IRQn);
  IPCC_C2MR = (IPCC_ALL << 16) | (1u << 5); /* free masked; channel 6 occupied masked */
  IPCC_C2CR = IPCC_CR_RXOIE;
  for (;;) {
    __asm volatile("wfi");
  }
}
