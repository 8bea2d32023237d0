/* Faults delivered to the firmware's own handlers, which read the fault
 * status registers and the stacked frame, then step over the faulting
 * instruction and return.
 * Scenario 0: UDF with UsageFault enabled.
 * Scenario 1: a load from unmapped 0x60000000 with BusFault enabled.
 * Scenario 2: UDF with UsageFault disabled: HardFault, FORCED.
 * Scenario 3: a branch to unmapped 0x60000000 (BusFault, IBUSERR).
 * Scenario 4: SVC #42 with r0 = 7: the handler reads the immediate from the
 *   instruction and doubles the stacked r0, the caller's result.
 * Scenario 5: BX to an address without the Thumb bit (UsageFault, INVSTATE).
 * Scenario 6: an SVC handler returns with an invalid EXC_RETURN: INVPC,
 *   escalated to HardFault, whose handler then spins for ever.
 * Scenario 7: a call into SRAM, which the test makes non-executable
 *   (MemManage, IACCVIOL).
 * results[0] 0xD0E when the program went on after the fault, [1] CFSR and
 * [2] HFSR in the handler, [3] MMFAR or BFAR, [4] the stacked PC, [5] the
 * handler's IPSR, [6] what the scenario computed, [7] CFSR after clearing. */
#include "cortex_m.h"

static void record(uint32_t *frame) {
  results[1] = SCB_CFSR;
  results[2] = SCB_HFSR;
  results[3] = (SCB_CFSR & (1u << 15)) ? SCB_BFAR : SCB_MMFAR;
  results[4] = frame[6];
  results[5] = get_ipsr();
  SCB_CFSR = SCB_CFSR; /* write ones to clear */
  SCB_HFSR = SCB_HFSR;
  results[7] = SCB_CFSR;
}

/* Goes on after the faulting instruction: 2 bytes (all faulting
 * instructions here are 16-bit), or back to the caller after a bad branch. */
void fault_c(uint32_t *frame) {
  record(frame);
  if (scenario == 3 || scenario == 7) {
    frame[6] = frame[5] & ~1u;
  } else if (scenario == 5) {
    frame[7] |= 1u << 24; /* run the target as Thumb code after all */
  } else if (scenario == 6) {
    for (;;) {
    }
  } else {
    frame[6] += 2;
  }
}

#define FAULT_HANDLER(name)                                     \
  __attribute__((naked)) void name(void) {                      \
    __asm volatile(                                             \
        "tst lr, #4\n ite eq\n mrseq r0, msp\n mrsne r0, psp\n" \
        "b fault_c\n");                                         \
  }
FAULT_HANDLER(hardfault_handler)
FAULT_HANDLER(memmanage_handler)
FAULT_HANDLER(busfault_handler)
FAULT_HANDLER(usagefault_handler)

void svc_c(uint32_t *frame) {
  const uint16_t insn = *(const uint16_t *)(frame[6] - 2);
  results[6] = insn & 0xFF;
  frame[0] *= 2;
  if (scenario == 6) {
    __asm volatile("mov lr, %0\n bx lr" ::"r"(0xFFFFFFF5u)); /* handler mode, PSP: invalid */
  }
}
__attribute__((naked)) void svc_handler(void) {
  __asm volatile("mrs r0, msp\n push {lr}\n bl svc_c\n pop {pc}\n");
}

static void landing(void) {
  results[6] = 0x1A;
}

void program(void) {
  if (scenario != 2) {
    SCB_SHCSR = (1u << 16) | (1u << 17) | (1u << 18); /* MemManage, BusFault, UsageFault on */
  }
  switch (scenario) {
    case 0:
    case 2:
      __asm volatile("udf #7");
      break;
    case 1:
      __asm volatile("ldr r0, [%0]" ::"r"(0x60000000u) : "r0");
      break;
    case 3:
      ((void (*)(void))0x60000001u)();
      break;
    case 7:
      ((void (*)(void))0x10003001u)();
      break;
    case 4:
    case 6: {
      register uint32_t r0 __asm("r0") = 7;
      __asm volatile("svc #42" : "+r"(r0)::"memory");
      results[8] = r0;
      break;
    }
    case 5:
      ((void (*)(void))((uint32_t)&landing & ~1u))();
      break;
  }
  results[0] = 0xD0E;
  for (;;) {
  }
}
