/* The vector table and reset handler every C test program shares. Handlers a
 * program does not define are 0 ("no handler"), through weak references. */
#include "cortex_m.h"

__attribute__((section(".results"))) volatile uint32_t results[64];
__attribute__((section(".scenario"))) volatile uint32_t scenario;

extern uint32_t _estack;
void reset_handler(void);
#define HANDLER(name) void name(void) __attribute__((weak))
HANDLER(nmi_handler);
HANDLER(hardfault_handler);
HANDLER(memmanage_handler);
HANDLER(busfault_handler);
HANDLER(usagefault_handler);
HANDLER(svc_handler);
HANDLER(pendsv_handler);
HANDLER(systick_handler);
HANDLER(irq0_handler);
HANDLER(irq1_handler);
HANDLER(irq2_handler);
HANDLER(irq3_handler);
HANDLER(irq4_handler);
HANDLER(irq5_handler);
HANDLER(irq6_handler);
HANDLER(irq7_handler);

__attribute__((section(".isr_vector"), used)) void (*const vectors[])(void) = {
    (void (*)(void)) & _estack,
    reset_handler,
    nmi_handler,
    hardfault_handler,
    memmanage_handler,
    busfault_handler,
    usagefault_handler,
    0,
    0,
    0,
    0,
    svc_handler,
    0,
    0,
    pendsv_handler,
    systick_handler,
    irq0_handler,
    irq1_handler,
    irq2_handler,
    irq3_handler,
    irq4_handler,
    irq5_handler,
    irq6_handler,
    irq7_handler,
};

void reset_handler(void) {
  program();
  for (;;) {
  }
}
