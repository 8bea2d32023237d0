/* Two threads on their own process stacks, switched as an RTOS does (the
 * FreeRTOS Cortex-M4F port's scheme): SVC starts the first thread; PendSV
 * saves R4-R11 (and S16-S31 when the thread has FP context, EXC_RETURN bit
 * 4 clear) on the outgoing thread's stack and restores the other's; SysTick
 * pends PendSV every 500 cycles. Thread A also yields (pends PendSV itself)
 * every 64 passes; thread B never yields and is only pre-empted.
 * Each thread holds its own values in R4-R11 and S16 and checks them every
 * pass, so a switch that loses a register shows.
 * results[0] A's passes, [1] B's passes, [2] A's errors, [3] B's errors,
 * [4] ticks, [5] CONTROL in A, [6] PSP in A, [7] switches. */
#include "cortex_m.h"

struct tcb {
  uint32_t sp;
};
struct tcb tcbs[2];
uint32_t current;
static uint32_t stacks[2][128] __attribute__((aligned(8)));

/* Thread bodies: R4-R11 = 0xA4..0xAB (A) or 0xB4..0xBB (B), S16 = a pattern. */
#define THREAD(name, base, count, errors, yields)                                            \
  __attribute__((naked, noreturn)) void name(void) {                                         \
    __asm volatile("movs r4, #" #base "+4\n movs r5, #" #base "+5\n movs r6, #" #base        \
                   "+6\n"                                                                    \
                   "movs r7, #" #base "+7\n movs r8, #" #base "+8\n movs r9, #" #base        \
                   "+9\n"                                                                    \
                   "movs r10, #" #base "+10\n movs r11, #" #base                             \
                   "+11\n"                                                                   \
                   "ldr r0, =" #base                                                         \
                   "16F00D\n vmov s16, r0\n"                                                 \
                   "1: ldr r0, =results\n ldr r1, [r0, #" #count                             \
                   "]\n adds r1, #1\n"                                                       \
                   "str r1, [r0, #" #count                                                   \
                   "]\n"                                                                     \
                   "mrs r2, control\n str r2, [r0, #20]\n mrs r2, psp\n str r2, [r0, #24]\n" \
                   "cmp r4, #" #base "+4\n bne 2f\n cmp r5, #" #base                         \
                   "+5\n bne 2f\n"                                                           \
                   "cmp r6, #" #base "+6\n bne 2f\n cmp r7, #" #base                         \
                   "+7\n bne 2f\n"                                                           \
                   "cmp r8, #" #base "+8\n bne 2f\n cmp r9, #" #base                         \
                   "+9\n bne 2f\n"                                                           \
                   "cmp r10, #" #base "+10\n bne 2f\n cmp r11, #" #base                      \
                   "+11\n bne 2f\n"                                                          \
                   "vmov r2, s16\n ldr r3, =" #base "16F00D\n cmp r2, r3\n bne 2f\n" yields  \
                   "b 1b\n"                                                                  \
                   "2: ldr r1, [r0, #" #errors "]\n adds r1, #1\n str r1, [r0, #" #errors    \
                   "]\n"                                                                     \
                   "b 1b\n" ::                                                               \
                       : "memory");                                                          \
  }
#define YIELD_EVERY_64                                                 \
  "tst r1, #63\n bne 3f\n ldr r2, =0xE000ED04\n mov r3, #0x10000000\n" \
  "str r3, [r2]\n dsb\n isb\n 3:\n"
THREAD(thread_a, 0xA0, 0, 8, YIELD_EVERY_64)
THREAD(thread_b, 0xB0, 4, 12, "")

/* Saves the outgoing thread's stack pointer, picks the other thread. */
uint32_t switch_to_next(uint32_t sp) {
  tcbs[current].sp = sp;
  current ^= 1;
  results[7]++;
  return tcbs[current].sp;
}

__attribute__((naked)) void pendsv_handler(void) {
  __asm volatile(
      "mrs r0, psp\n isb\n"
      "tst lr, #0x10\n it eq\n vstmdbeq r0!, {s16-s31}\n"
      "stmdb r0!, {r4-r11, lr}\n"
      "cpsid i\n bl switch_to_next\n cpsie i\n"
      "ldmia r0!, {r4-r11, lr}\n"
      "tst lr, #0x10\n it eq\n vldmiaeq r0!, {s16-s31}\n"
      "msr psp, r0\n isb\n bx lr\n");
}

__attribute__((naked)) void svc_handler(void) {
  __asm volatile(
      "ldr r1, =tcbs\n ldr r0, [r1]\n"
      "ldmia r0!, {r4-r11, lr}\n msr psp, r0\n isb\n bx lr\n");
}

void systick_handler(void) {
  results[4]++;
  SCB_ICSR = ICSR_PENDSVSET;
}

/* A new thread's stack: the frame exception return unstacks (xPSR with the
 * Thumb bit, the entry as PC) under the frame PendSV restores (R4-R11 and an
 * EXC_RETURN for thread mode on the process stack, no FP context). */
static uint32_t initial_stack(uint32_t *top, void (*entry)(void)) {
  uint32_t *sp = top - 8;
  sp[7] = 1u << 24;              /* xPSR */
  sp[6] = (uint32_t)entry & ~1u; /* PC */
  sp[5] = 0xFFFFFFFFu;           /* LR: threads never return */
  for (int i = 0; i < 5; ++i) {
    sp[i] = 0; /* R0-R3, R12 */
  }
  sp -= 9;
  for (int i = 0; i < 8; ++i) {
    sp[i] = 0; /* R4-R11 */
  }
  sp[8] = 0xFFFFFFFDu; /* EXC_RETURN */
  return (uint32_t)sp;
}

void program(void) {
  SCB_CPACR |= 0xFu << 20;
  dsb();
  isb();
  tcbs[0].sp = initial_stack(&stacks[0][128], thread_a);
  tcbs[1].sp = initial_stack(&stacks[1][128], thread_b);
  SCB_SHPR(14) = 0xF0; /* PendSV and SysTick lowest, as FreeRTOS sets them */
  SCB_SHPR(15) = 0xF0;
  SYST_RVR = 499;
  SYST_CVR = 0;
  SYST_CSR = 7;
  __asm volatile("svc #0");
  for (;;) {
  }
}
