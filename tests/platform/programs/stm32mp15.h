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

#define HSEM_BASE 0x4C000000u
#define HSEM_R(x) REG(HSEM_BASE + 4 * (x))
#define HSEM_RLR(x) REG(HSEM_BASE + 0x80 + 4 * (x))
#define HSEM_C1IER REG(HSEM_BASE + 0x100)
#define HSEM_C2IER REG(HSEM_BASE + 0x110)
#define HSEM_C2ICR REG(HSEM_BASE + 0x114)
#define HSEM_C2ISR REG(HSEM_BASE + 0x118)
#define HSEM_C2MISR REG(HSEM_BASE + 0x11C)
#define HSEM_CR REG(HSEM_BASE + 0x140)
#define HSEM_KEYR REG(HSEM_BASE + 0x144)
#define HSEM_HWCFGR1 REG(HSEM_BASE + 0x3F0)
#define HSEM_LOCK (1u << 31)
#define HSEM_COREID(id) ((id) << 8)
#define HSEM_CPU1 1u /* the Cortex-A7 */
#define HSEM_CPU2 2u /* the M4 */
#define HSEM_IT2_IRQn 125

#define RCC_BASE 0x50000000u
#define RCC_OCENSETR REG(RCC_BASE + 0x00C)
#define RCC_OCENCLRR REG(RCC_BASE + 0x010)
#define RCC_MSSCKSELR REG(RCC_BASE + 0x048)
#define RCC_OCRDYR REG(RCC_BASE + 0x808)
#define RCC_MCUDIVR REG(RCC_BASE + 0x830)
#define RCC_APB1DIVR REG(RCC_BASE + 0x834)
#define RCC_PLL3CR REG(RCC_BASE + 0x880)
#define RCC_PLL4CR REG(RCC_BASE + 0x894)
#define RCC_UART35CKSELR REG(RCC_BASE + 0x8EC)
#define RCC_MC_AHB3ENSETR REG(RCC_BASE + 0xAA0)
#define RCC_MC_AHB3ENCLRR REG(RCC_BASE + 0xAA4)
#define RCC_CSION (1u << 4)
#define RCC_CSIRDY (1u << 4)
#define RCC_PLLON (1u << 0)
#define RCC_PLLRDY (1u << 1)
#define RCC_READY (1u << 31)
#define RCC_HSEMEN (1u << 11)
#define RCC_IPCCEN (1u << 12)

#define USART3_BASE 0x4000F000u
#define USART3_CR1 REG(USART3_BASE + 0x00)
#define USART3_RQR REG(USART3_BASE + 0x18)
#define USART3_ISR REG(USART3_BASE + 0x1C)
#define USART3_RDR REG(USART3_BASE + 0x24)
#define USART3_TDR REG(USART3_BASE + 0x28)
#define USART_CR1_UE (1u << 0)
#define USART_CR1_RE (1u << 2)
#define USART_CR1_TE (1u << 3)
#define USART_CR1_RXNEIE (1u << 5)
#define USART_ISR_RXNE (1u << 5)
#define USART_ISR_TXE (1u << 7)
#define USART_ISR_TEACK (1u << 21)
#define USART_ISR_REACK (1u << 22)
#define USART3_IRQn 39

#define TIM2_BASE 0x40000000u
#define TIM2_CR1 REG(TIM2_BASE + 0x00)
#define TIM2_DIER REG(TIM2_BASE + 0x0C)
#define TIM2_SR REG(TIM2_BASE + 0x10)
#define TIM2_EGR REG(TIM2_BASE + 0x14)
#define TIM2_CNT REG(TIM2_BASE + 0x24)
#define TIM2_PSC REG(TIM2_BASE + 0x28)
#define TIM2_ARR REG(TIM2_BASE + 0x2C)
#define TIM_CR1_CEN (1u << 0)
#define TIM_DIER_UIE (1u << 0)
#define TIM_SR_UIF (1u << 0)
#define TIM_EGR_UG (1u << 0)
#define TIM2_IRQn 28

#define GPIO_BASE(port) (0x50002000u + 0x1000u * (port))
#define GPIO_MODER(port) REG(GPIO_BASE(port) + 0x00)
#define GPIO_PUPDR(port) REG(GPIO_BASE(port) + 0x0C)
#define GPIO_IDR(port) REG(GPIO_BASE(port) + 0x10)
#define GPIO_ODR(port) REG(GPIO_BASE(port) + 0x14)
#define GPIO_BSRR(port) REG(GPIO_BASE(port) + 0x18)
#define PORT_A 0
#define PORT_C 2
#define PORT_D 3

#define EXTI_BASE 0x5000D000u
#define EXTI_RTSR1 REG(EXTI_BASE + 0x00)
#define EXTI_FTSR1 REG(EXTI_BASE + 0x04)
#define EXTI_SWIER1 REG(EXTI_BASE + 0x08)
#define EXTI_RPR1 REG(EXTI_BASE + 0x0C)
#define EXTI_FPR1 REG(EXTI_BASE + 0x10)
#define EXTI_EXTICR(n) REG(EXTI_BASE + 0x60 + 4 * (n))
#define EXTI_C2IMR1 REG(EXTI_BASE + 0xC0)
#define EXTI13_IRQn 77

#define SYSCFG_BOOTR REG(0x50020000u)
#define PWR_CR1 REG(0x50001000u)

#endif
