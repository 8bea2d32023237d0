/* Hostile: touches peripherals of the STM32MP15 map the platform does not
 * model. Scenario 0 reads SPI2's status register, 1 writes I2C4's control
 * register, 2 reads an address in no peripheral (a hole of APB1). The
 * BusFault handler records BFAR in [1] and [0] = 1: an unmodelled
 * peripheral must crash the core without reaching it, a hole faults as any
 * unmapped address does. [2] = 1 if the access returned. */
#include "stm32mp15.h"

void busfault_handler(void) {
  results[1] = SCB_BFAR;
  results[0] = 1;
  for (;;) {
  }
}

void program(void) {
  SCB_SHCSR |= 1u << 17; /* BUSFAULTENA: BusFault has its own handler */
  if (scenario == 0) {
    results[3] = REG(0x4000B008u);
  } else if (scenario == 1) {
    REG(0x5C002000u) = 1;
  } else {
    results[3] = REG(0x4001A000u);
  }
  results[2] = 1;
}
