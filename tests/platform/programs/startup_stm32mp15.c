/* The vector table and reset handler of the STM32MP15 peripheral test
 * programs: the core's exceptions and the SoC's 150 IRQs. Handlers a program
 * does not define are 0 ("no handler"), through weak references. */
#include "stm32mp15.h"

__attribute__((section(".results"))) volatile uint32_t results[64];
__attribute__((section(".scenario"))) volatile uint32_t scenario;

extern uint32_t _estack;
void reset_handler(void);
#define HANDLER(name) void name(void) __attribute__((weak))
HANDLER(hardfault_handler);
HANDLER(busfault_handler);
HANDLER(usagefault_handler);
HANDLER(ipcc_rx1_handler);
HANDLER(ipcc_tx1_handler);
HANDLER(hsem_it2_handler);
HANDLER(usart3_handler);
HANDLER(tim2_handler);
HANDLER(exti13_handler);

#define IRQ(n) (16 + (n))

__attribute__((section(".isr_vector"), used)) void (*const vectors[16 + 150])(void) = {
    [0] = (void (*)(void)) & _estack,
    [1] = reset_handler,
    [3] = hardfault_handler,
    [5] = busfault_handler,
    [6] = usagefault_handler,
    [IRQ(IPCC_RX1_IRQn)] = ipcc_rx1_handler,
    [IRQ(IPCC_TX1_IRQn)] = ipcc_tx1_handler,
    [IRQ(HSEM_IT2_IRQn)] = hsem_it2_handler,
    [IRQ(USART3_IRQn)] = usart3_handler,
    [IRQ(TIM2_IRQn)] = tim2_handler,
    [IRQ(EXTI13_IRQn)] = exti13_handler,
};

void reset_handler(void) {
  program();
  for (;;) {
  }
}
