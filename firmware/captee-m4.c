/* captee-m4: the sample Cortex-M4 firmware of captee.
 *
 * It announces itself in a trace buffer that the host reads through the
 * resource table, then counts forever: every loop bumps a heartbeat counter in
 * SRAM, and every 4096 beats it writes the count to the mailbox doorbell so the
 * host side sees progress without polling memory.
 *
 * Built freestanding (no libc). The TEE loads the PT_LOAD segments at their
 * device addresses and zero-fills .bss/.trace, so no startup copy is needed;
 * the reset handler still clears .bss so a restart without reload is clean. */
#include <stddef.h>
#include <stdint.h>

#define TRACE_SIZE 1024u
#define MAILBOX_BASE 0x4C001000u
#define MAILBOX_DOORBELL (*(volatile uint32_t *)(MAILBOX_BASE + 0x00u))
#define MAILBOX_STATUS (*(volatile uint32_t *)(MAILBOX_BASE + 0x04u))
#define BEATS_PER_KICK 4096u

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

void reset_handler(void) {
  for (uint32_t *p = &_sbss; p < &_ebss; p++) {
    *p = 0;
  }
  for (uint32_t i = 0; i < TRACE_SIZE; i++) {
    trace_buffer[i] = 0;
  }
  trace_puts("captee-m4: hello from the coprocessor, resource table at ");
  trace_hex((uint32_t)(uintptr_t)&resource_table);
  trace_puts("\n");
  MAILBOX_STATUS = 1u; /* "booted" */
  for (;;) {
    heartbeat++;
    if (heartbeat % BEATS_PER_KICK == 0u) {
      MAILBOX_DOORBELL = heartbeat;
    }
  }
}

/* Any fault stops here with a marker in the trace, so a crash is visible. */
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
