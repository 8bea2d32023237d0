/* RCC, SYSCFG and PWR as the M4's clock set-up sees them.
 * Scenario 0: [0] OCRDYR at boot; CSI turned on and its ready flag awaited:
 *   [1] OCRDYR, [2] OCENSETR; CSI turned off: [3] OCRDYR, [4] OCENCLRR;
 *   [5] MC_AHB3ENSETR after enabling IPCC and HSEM, [6] after disabling the
 *   IPCC; [7] PLL4CR with PLLON once PLLRDY is seen, [8] after PLLON is
 *   cleared; [9] MSSCKSELR after selecting HSE and waiting for its ready bit,
 *   [10] MCUDIVR and [11] APB1DIVR likewise; [12] UART35CKSELR read back;
 *   [13] SYSCFG_BOOTR's boot pins, [14] after a write; [15] PWR_CR1 read
 *   back; [16] PLL3CR at boot; [20] = 1 when done.
 * Scenario 1, hostile: ones written to every RCC word, then [0] OCRDYR,
 *   [1] PLL4CR, [2] MSSCKSELR, [20] = 1. */
#include "stm32mp15.h"

static void setup(void) {
  results[0] = RCC_OCRDYR;
  results[16] = RCC_PLL3CR;
  RCC_OCENSETR = RCC_CSION;
  while ((RCC_OCRDYR & RCC_CSIRDY) == 0) {
  }
  results[1] = RCC_OCRDYR;
  results[2] = RCC_OCENSETR;
  RCC_OCENCLRR = RCC_CSION;
  results[3] = RCC_OCRDYR;
  results[4] = RCC_OCENCLRR;
  RCC_MC_AHB3ENSETR = RCC_IPCCEN;
  RCC_MC_AHB3ENSETR = RCC_HSEMEN;
  results[5] = RCC_MC_AHB3ENSETR;
  RCC_MC_AHB3ENCLRR = RCC_IPCCEN;
  results[6] = RCC_MC_AHB3ENSETR;
  RCC_PLL4CR = RCC_PLLON;
  while ((RCC_PLL4CR & RCC_PLLRDY) == 0) {
  }
  results[7] = RCC_PLL4CR;
  RCC_PLL4CR = 0;
  results[8] = RCC_PLL4CR;
  RCC_MSSCKSELR = 1; /* HSE */
  while ((RCC_MSSCKSELR & RCC_READY) == 0) {
  }
  results[9] = RCC_MSSCKSELR;
  RCC_MCUDIVR = 0;
  while ((RCC_MCUDIVR & RCC_READY) == 0) {
  }
  results[10] = RCC_MCUDIVR;
  RCC_APB1DIVR = 1;
  while ((RCC_APB1DIVR & RCC_READY) == 0) {
  }
  results[11] = RCC_APB1DIVR;
  RCC_UART35CKSELR = 2;
  results[12] = RCC_UART35CKSELR;
  results[13] = SYSCFG_BOOTR & 7u;
  SYSCFG_BOOTR = 6; /* engineering boot: the pins are not the firmware's */
  results[14] = SYSCFG_BOOTR & 7u;
  PWR_CR1 = 1u << 8;
  results[15] = PWR_CR1;
  results[20] = 1;
}

static void hostile(void) {
  for (uint32_t off = 0; off < 0x1000; off += 4) {
    REG(RCC_BASE + off) = 0xFFFFFFFFu;
  }
  results[0] = RCC_OCRDYR;
  results[1] = RCC_PLL4CR;
  results[2] = RCC_MSSCKSELR;
  results[20] = 1;
}

void program(void) {
  if (scenario == 0) {
    setup();
  } else {
    hostile();
  }
}
