/* What the C test programs share: the core's registers (System Control Space)
 * and the result words the host reads. Each program defines the handlers it
 * needs; startup.c's vector table points every other one at 0, which is "no
 * handler" (the core locks up if it is ever used). */
#ifndef CAPTEE_TEST_CORTEX_M_H
#define CAPTEE_TEST_CORTEX_M_H

#include <stdint.h>

#define REG(addr) (*(volatile uint32_t *)(addr))
#define REG8(addr) (*(volatile uint8_t *)(addr))

#define SYST_CSR REG(0xE000E010)
#define SYST_RVR REG(0xE000E014)
#define SYST_CVR REG(0xE000E018)
#define SYST_CALIB REG(0xE000E01C)
#define NVIC_ISER(n) REG(0xE000E100 + 4 * (n))
#define NVIC_ICER(n) REG(0xE000E180 + 4 * (n))
#define NVIC_ISPR(n) REG(0xE000E200 + 4 * (n))
#define NVIC_ICPR(n) REG(0xE000E280 + 4 * (n))
#define NVIC_IABR(n) REG(0xE000E300 + 4 * (n))
#define NVIC_IPR(irq) REG8(0xE000E400 + (irq))
#define SCB_ICSR REG(0xE000ED04)
#define SCB_VTOR REG(0xE000ED08)
#define SCB_AIRCR REG(0xE000ED0C)
#define SCB_SCR REG(0xE000ED10)
#define SCB_CCR REG(0xE000ED14)
#define SCB_SHPR(exc) REG8(0xE000ED18 + (exc)-4)
#define SCB_SHCSR REG(0xE000ED24)
#define SCB_CFSR REG(0xE000ED28)
#define SCB_HFSR REG(0xE000ED2C)
#define SCB_MMFAR REG(0xE000ED34)
#define SCB_BFAR REG(0xE000ED38)
#define SCB_CPACR REG(0xE000ED88)
#define NVIC_STIR REG(0xE000EF00)
#define FPU_FPCCR REG(0xE000EF34)

#define ICSR_PENDSVSET (1u << 28)
#define AIRCR_KEY (0x05FAu << 16)

/* Results for the host, at 0x10000100, and the scenario it chose. */
extern volatile uint32_t results[64];
extern volatile uint32_t scenario;

static inline void enable_irq(uint32_t irq) {
  NVIC_ISER(irq / 32) = 1u << (irq % 32);
}
static inline void pend_irq(uint32_t irq) {
  NVIC_ISPR(irq / 32) = 1u << (irq % 32);
}
static inline void isb(void) {
  __asm volatile("isb" ::: "memory");
}
static inline void dsb(void) {
  __asm volatile("dsb" ::: "memory");
}
static inline uint32_t get_control(void) {
  uint32_t v;
  __asm volatile("mrs %0, control" : "=r"(v));
  return v;
}
static inline uint32_t get_ipsr(void) {
  uint32_t v;
  __asm volatile("mrs %0, ipsr" : "=r"(v));
  return v;
}
static inline void set_basepri(uint32_t v) {
  __asm volatile("msr basepri, %0" ::"r"(v) : "memory");
}
static inline void disable_irq(void) {
  __asm volatile("cpsid i" ::: "memory");
}
static inline void enable_irqs(void) {
  __asm volatile("cpsie i" ::: "memory");
}

/* Each program's entry, called by startup.c's reset handler. */
void program(void);

#endif
