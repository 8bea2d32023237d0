/* captee-m4: the sample Cortex-M4 firmware of captee.
 *
 * On boot it writes a banner, its boot count and (in a two-image bundle) the
 * companion image's greeting into a trace buffer the host reads through the
 * resource table, kicks the host on IPCC channel 1 ("booted"), then loops
 * forever: every pass bumps a heartbeat counter, and every host kick is
 * cleared, logged in the trace with the current heartbeat, and answered on the
 * same channels.
 *
 * It talks to the host through the STM32MP15's IPCC as the M4 (processor 2)
 * does (RM0436; docs/REMOTEPROC.md, "Peripherals"), polling the host's flags
 * rather than taking the IPCC's interrupts, so it stays this small. On the
 * board's console (USART3) it prints a greeting and echoes what it receives.
 *
 * Built freestanding (no libc). The TEE loads the PT_LOAD segments at their
 * device addresses and zero-fills .bss/.trace, so no startup copy is
 * needed; the reset handler still clears .bss so a restart without a reload is
 * clean. The boot counter lives in MCU SRAM outside every loaded segment
 * (BOOT_COUNT_DA), so nothing the loader writes touches it: it survives a
 * restart of the core and a recovery (the TEE reloads the same image warm,
 * rewriting only the segments, as a real SoC keeps its SRAM), and starts from
 * zero after RELEASE_FW, which wipes all memory. */
#include <stddef.h>
#include <stdint.h>

#include "captee-m4-companion.h"

#define TRACE_SIZE 1024u
#define IPCC_BASE 0x4C001000u
#define IPCC_REG(off) (*(volatile uint32_t *)(IPCC_BASE + (off)))
/* The host's flags toward the M4 (read-only to the M4). */
#define IPCC_C1TOC2SR IPCC_REG(0x0Cu)
/* The M4's set/clear register: bits 0-5 clear the host's flags, bits 16-21
 * set the M4's flags toward the host. */
#define IPCC_C2SCR IPCC_REG(0x18u)
#define IPCC_CLEAR(channels) (channels)
#define IPCC_SET(channels) ((channels) << 16)
#define IPCC_CHANNEL_BOOTED 1u /* channel 1 */
/* USART3, the board's console: enable (UE, RE, TE), status, data. */
#define USART3_REG(off) (*(volatile uint32_t *)(0x4000F000u + (off)))
#define USART3_CR1 USART3_REG(0x00u)
#define USART3_ISR USART3_REG(0x1Cu)
#define USART3_RDR USART3_REG(0x24u)
#define USART3_TDR USART3_REG(0x28u)
#define USART_CR1_UE_RE_TE 0xDu
#define USART_ISR_RXNE (1u << 5)
#define USART_ISR_TXE (1u << 7)
/* Far from the table, data, stack, vdev buffer, vrings and the companion
 * image's data (0x10030000), and in no segment: see the linker script. */
#define BOOT_COUNT_DA 0x10020000u
#define boot_count (*(volatile uint32_t *)BOOT_COUNT_DA)

/* Linux remoteproc resource-table layout (packed, little-endian). */
enum { RSC_CARVEOUT = 0, RSC_TRACE = 2, RSC_VDEV = 3 };
#define VIRTIO_ID_RPMSG 7u

struct fw_rsc_carveout {
  uint32_t type, da, pa, len, flags, reserved;
  char name[32];
} __attribute__((packed));

struct fw_rsc_trace {
  uint32_t type, da, len, reserved;
  char name[32];
} __attribute__((packed));

struct fw_rsc_vdev_vring {
  uint32_t da, align, num, notifyid, pa;
} __attribute__((packed));

struct fw_rsc_vdev {
  uint32_t type, id, notifyid, dfeatures, gfeatures, config_len;
  uint8_t status, num_of_vrings, reserved[2];
  struct fw_rsc_vdev_vring vring[2];
} __attribute__((packed));

struct firmware_resources {
  uint32_t ver, num, reserved[2];
  uint32_t offset[3];
  struct fw_rsc_carveout buffer;
  struct fw_rsc_trace trace;
  struct fw_rsc_vdev rpmsg;
} __attribute__((packed));

__attribute__((section(".trace"))) volatile char trace_buffer[TRACE_SIZE];

__attribute__((section(".resource_table"), used)) const struct firmware_resources resource_table = {
    .ver = 1,
    .num = 3,
    .offset = {offsetof(struct firmware_resources, buffer),
               offsetof(struct firmware_resources, trace),
               offsetof(struct firmware_resources, rpmsg)},
    .buffer = {RSC_CARVEOUT, 0x10040000u, 0x10040000u, 0x4000u, 0, 0, "vdev0buffer"},
    .trace = {RSC_TRACE, (uint32_t)(uintptr_t)trace_buffer, TRACE_SIZE, 0, "trace0"},
    .rpmsg = {RSC_VDEV,
              VIRTIO_ID_RPMSG,
              0,
              1u /* VIRTIO_RPMSG_F_NS */,
              0,
              0,
              0,
              2,
              {0, 0},
              {{0x10050000u, 16, 8, 0, 0}, {0x10051000u, 16, 8, 1, 0}}},
};

/* Read by the host (or a debugger) to see the firmware is alive. */
volatile uint32_t heartbeat;
volatile uint32_t kicks_answered;
static uint32_t trace_pos;
extern uint32_t _sbss, _ebss, _estack;

static void trace_puts(const char *s) {
  while (*s != '\0' && trace_pos < TRACE_SIZE - 1u) {
    trace_buffer[trace_pos++] = *s++;
  }
}

static void trace_hex(uint32_t value) {
  static const char digits[] = "0123456789abcdef";
  char text[11] = {'0', 'x'};
  for (int i = 0; i < 8; i++) {
    text[2 + i] = digits[(value >> (28 - 4 * i)) & 0xFu];
  }
  text[10] = '\0';
  trace_puts(text);
}

static void trace_dec(uint32_t value) {
  char text[11];
  int i = 10;
  text[i] = '\0';
  do {
    text[--i] = (char)('0' + value % 10u);
    value /= 10u;
  } while (value != 0u && i > 0);
  trace_puts(&text[i]);
}

/* The companion image of a two-image bundle, if it was loaded. */
static const struct companion_descriptor *find_companion(void) {
  const struct companion_descriptor *c =
      (const struct companion_descriptor *)(uintptr_t)COMPANION_DESCRIPTOR_DA;
  return c->magic == COMPANION_MAGIC ? c : NULL;
}

static void console_put(char c) {
  while ((USART3_ISR & USART_ISR_TXE) == 0u) {
  }
  USART3_TDR = (uint8_t)c;
}

static void console_puts(const char *s) {
  while (*s != '\0') {
    console_put(*s++);
  }
}

/* Echoes a received byte, if one waits. */
static void console_echo(void) {
  if ((USART3_ISR & USART_ISR_RXNE) != 0u) {
    console_put((char)USART3_RDR);
  }
}

static void answer_kicks(void) {
  const uint32_t pending = IPCC_C1TOC2SR;
  if (pending == 0u) {
    return;
  }
  IPCC_C2SCR = IPCC_CLEAR(pending);
  kicks_answered++;
  trace_puts("captee-m4: kick ");
  trace_hex(pending);
  trace_puts(" heartbeat ");
  trace_dec(heartbeat);
  trace_puts("\n");
  IPCC_C2SCR = IPCC_SET(pending); /* answer on the same channels */
}

void reset_handler(void) {
  for (uint32_t *p = &_sbss; p < &_ebss; p++) {
    *p = 0;
  }
  for (uint32_t i = 0; i < TRACE_SIZE; i++) {
    trace_buffer[i] = 0;
  }
  boot_count++;
  trace_puts("captee-m4: hello from the coprocessor, resource table at ");
  trace_hex((uint32_t)(uintptr_t)&resource_table);
  trace_puts("\ncaptee-m4: boot ");
  trace_dec(boot_count);
  trace_puts("\n");
  const struct companion_descriptor *companion = find_companion();
  if (companion != NULL) {
    trace_puts("captee-m4: companion says: ");
    trace_puts(companion->greeting);
    trace_puts(", checksum ");
    trace_hex(companion->checksum(boot_count));
    trace_puts("\n");
  }
  USART3_CR1 = USART_CR1_UE_RE_TE;
  console_puts("captee-m4: console up\r\n");
  IPCC_C2SCR = IPCC_SET(IPCC_CHANNEL_BOOTED);
  for (;;) {
    heartbeat++;
    answer_kicks();
    console_echo();
  }
}

/* Unreachable on captee's core (exceptions are fatal there), kept so the
 * vector table is that of a real M4 image. */
void fault_handler(void) {
  trace_puts("captee-m4: fault\n");
  for (;;) {
  }
}

__attribute__((section(".isr_vector"), used)) void (*const vector_table[4])(void) = {
    (void (*)(void))(uintptr_t)&_estack, /* initial SP */
    reset_handler,                       /* reset */
    fault_handler,                       /* NMI */
    fault_handler,                       /* HardFault */
};
