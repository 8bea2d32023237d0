/* The STM32MP15 peripherals the M4 test programs use, as the M4 sees them
 * (RM0436; IRQ numbers of the CMSIS header stm32mp157cxx_cm4.h). The vector
 * table of startup_stm32mp15.c reaches every IRQ the SoC has. */
#ifndef CAPTEE_TEST_STM32MP15_H
#define CAPTEE_TEST_STM32MP15_H

#include "cortex_m.h"

#define IPCC_BASE 0x4C001000u
#define IPCC_C1CR REG(IPCC_BASE + 0x00)
#define IPCC_C1MR REG(IPCC_BASE + 0x04)
#define IPCC_C1SCR REG(IPCC_BASE + 0x08)
#define IPCC_C1TOC2SR REG(IPCC_BASE + 0x0C)
#define IPCC_C2CR REG(IPCC_BASE + 0x10)
#define IPCC_C2MR REG(IPCC_BASE + 0x14)
#define IPCC_C2SCR REG(IPCC_BASE + 0x18)
#define IPCC_C2TOC1SR REG(IPCC_BASE + 0x1C)
#define IPCC_HWCFGR REG(IPCC_BASE + 0x3F0)
#define IPCC_CR_RXOIE (1u << 0)
#define IPCC_CR_TXFIE (1u << 16)
#define IPCC_ALL 0x3Fu /* six channels */
#define IPCC_RX1_IRQn 103
#define IPCC_TX1_IRQn 104

#endif
