/* captee-rpmsg-echo: captee's sample rpmsg firmware for the STM32MP15's M4.
 *
 * The device side of virtio-rpmsg, written for captee from the virtio
 * specification (split virtqueues) and the rpmsg wire format that Linux's
 * virtio_rpmsg_bus uses; no vendor code. Like ST's TTY echo example it
 * announces two endpoints named "rpmsg-tty" (addresses 0x400 and 0x401)
 * through the name service (address 53), and sends every message it receives
 * back to its sender, unchanged, from the endpoint it was sent to.
 *
 * Interrupt-driven as real firmware is: the IPCC's receive-occupied interrupt
 * (IRQ 103) through the NVIC tells it the host kicked; it sleeps in WFI
 * otherwise. SysTick runs at 1 kHz of the 209 MHz core clock as a heartbeat.
 *
 * The resource table asks for one rpmsg vdev with VIRTIO_RPMSG_F_NS and two
 * 16-entry vrings aligned to 16 at FW_RSC_ADDR_ANY, as ST's examples do: the
 * host places them (the board's vdev0vring0/1) and its buffer pool
 * (vdev0buffer) and writes the addresses, the features and the status byte
 * into the table before the core starts.
 *
 * Vring 0 carries messages to the host (the host posts empty buffers in its
 * available ring; we fill them and return them on its used ring), vring 1
 * messages from the host (we read and return them). Kicks: IPCC channel 1
 * for vring 0 (notify id 0), channel 2 for vring 1 (notify id 1). */
#include <stddef.h>
#include <stdint.h>

#define TRACE_SIZE 1024u
#define VRING_NUM 16u
#define VRING_ALIGN 16u
#define FW_RSC_ADDR_ANY 0xFFFFFFFFu
#define VIRTIO_ID_RPMSG 7u
#define VIRTIO_RPMSG_F_NS 1u
#define VIRTIO_STATUS_DRIVER_OK 4u
#define RPMSG_NS_ADDR 53u
#define ECHO_ADDR 0x400u /* and ECHO_ADDR + 1 */
#define ECHO_ENDPOINTS 2u
#define RPMSG_HDR 16u
#define RPMSG_BUF 512u

#define REG(a) (*(volatile uint32_t *)(a))
#define IPCC_BASE 0x4C001000u
#define IPCC_C1TOC2SR REG(IPCC_BASE + 0x0Cu) /* the host's flags toward us */
#define IPCC_C2CR REG(IPCC_BASE + 0x10u)
#define IPCC_C2MR REG(IPCC_BASE + 0x14u)
#define IPCC_C2SCR REG(IPCC_BASE + 0x18u) /* CHnC clears the host's flag, CHnS sets ours */
#define IPCC_CR_RXOIE 1u
#define IPCC_RX1_IRQn 103u
#define NVIC_ISER(n) REG(0xE000E100u + 4u * (n))
#define SYST_CSR REG(0xE000E010u)
#define SYST_RVR REG(0xE000E014u)
#define SYST_CVR REG(0xE000E018u)
#define CORE_HZ 209000000u

/* Linux remoteproc resource-table layout (packed, little-endian). */
struct fw_rsc_trace {
  uint32_t type, da, len, reserved;
  char name[32];
} __attribute__((packed));
struct fw_rsc_vdev_vring {
  uint32_t da, align, num, notifyid, reserved;
} __attribute__((packed));
struct fw_rsc_vdev {
  uint32_t type, id, notifyid, dfeatures, gfeatures, config_len;
  uint8_t status, num_of_vrings, reserved[2];
  struct fw_rsc_vdev_vring vring[2];
} __attribute__((packed));
struct firmware_resources {
  uint32_t ver, num, reserved[2];
  uint32_t offset[2];
  struct fw_rsc_vdev vdev;
  struct fw_rsc_trace trace;
} __attribute__((packed));

__attribute__((section(".trace"))) volatile char trace_buffer[TRACE_SIZE];

/* The host writes vring addresses, features and the status byte here. */
__attribute__((section(".resource_table"),
               used)) volatile struct firmware_resources resource_table = {
    1,
    2,
    {0, 0},
    {offsetof(struct firmware_resources, vdev), offsetof(struct firmware_resources, trace)},
    {3,
     VIRTIO_ID_RPMSG,
     0,
     VIRTIO_RPMSG_F_NS,
     0,
     0,
     0,
     2,
     {0, 0},
     {{FW_RSC_ADDR_ANY, VRING_ALIGN, VRING_NUM, 0, 0},
      {FW_RSC_ADDR_ANY, VRING_ALIGN, VRING_NUM, 1, 0}}},
    {2, (uint32_t)(uintptr_t)trace_buffer, TRACE_SIZE, 0, "trace0"},
};

static uint32_t trace_at;
volatile uint32_t heartbeat;  /* SysTick ticks since boot */
volatile uint32_t host_kicks; /* IPCC flags the interrupt took */
uint32_t echoed;

static void trace(const char *s) {
  while (*s != '\0' && trace_at < TRACE_SIZE - 1) {
    trace_buffer[trace_at++] = *s++;
  }
}

/* gcc may call these for struct copies even when freestanding. */
void *memcpy(void *d, const void *s, size_t n) {
  uint8_t *dp = d;
  const uint8_t *sp = s;
  while (n-- != 0) {
    *dp++ = *sp++;
  }
  return d;
}
void *memset(void *d, int c, size_t n) {
  uint8_t *dp = d;
  while (n-- != 0) {
    *dp++ = (uint8_t)c;
  }
  return d;
}

/* One split virtqueue as the device sees it. */
struct vq {
  volatile uint8_t *desc, *avail, *used;
  uint16_t last_avail;
};
static struct vq to_host, from_host;

#define U16(p) (*(volatile uint16_t *)(p))
#define U32(p) (*(volatile uint32_t *)(p))
#define DMB() __asm volatile("dmb" ::: "memory")

static void vq_init(struct vq *q, uint32_t da) {
  const uint32_t used =
      (da + 16u * VRING_NUM + 2u * (3u + VRING_NUM) + VRING_ALIGN - 1u) & ~(VRING_ALIGN - 1u);
  q->desc = (volatile uint8_t *)(uintptr_t)da;
  q->avail = q->desc + 16u * VRING_NUM;
  q->used = (volatile uint8_t *)(uintptr_t)used;
  q->last_avail = 0;
}

/* The next buffer the host made available: its descriptor id, address and
 * length; 0 when there is none. */
static int vq_next(struct vq *q, uint16_t *id, uint8_t **addr, uint32_t *len) {
  if (U16(q->avail + 2) == q->last_avail) {
    return 0;
  }
  DMB();
  *id = U16(q->avail + 4 + 2u * (q->last_avail % VRING_NUM)) % VRING_NUM;
  *addr = (uint8_t *)(uintptr_t)U32(q->desc + 16u * *id);
  *len = U32(q->desc + 16u * *id + 8);
  q->last_avail++;
  return 1;
}

static void vq_give_back(struct vq *q, uint16_t id, uint32_t len) {
  const uint16_t idx = U16(q->used + 2);
  U32(q->used + 4 + 8u * (idx % VRING_NUM)) = id;
  U32(q->used + 8 + 8u * (idx % VRING_NUM)) = len;
  DMB();
  U16(q->used + 2) = (uint16_t)(idx + 1u);
}

static void kick_host(uint32_t channels) {
  IPCC_C2SCR = channels << 16;
}

/* Sends one message on vring 0; 0 when the host has no buffer free. */
static int send(uint32_t src, uint32_t dst, const volatile uint8_t *data, uint32_t n) {
  uint16_t id;
  uint8_t *buf;
  uint32_t len;
  if (n > RPMSG_BUF - RPMSG_HDR || !vq_next(&to_host, &id, &buf, &len)) {
    return 0;
  }
  if (len < RPMSG_HDR + n) {
    n = len < RPMSG_HDR ? 0 : len - RPMSG_HDR; /* a short buffer: as much as fits */
  }
  U32(buf) = src;
  U32(buf + 4) = dst;
  U32(buf + 8) = 0;
  U16(buf + 12) = (uint16_t)n;
  U16(buf + 14) = 0;
  for (uint32_t i = 0; i < n; i++) {
    buf[RPMSG_HDR + i] = data[i];
  }
  vq_give_back(&to_host, id, RPMSG_HDR + n);
  return 1;
}

static void announce(const char *name, uint32_t addr) {
  uint8_t ns[40] = {0};
  for (uint32_t i = 0; i < 31 && name[i] != '\0'; i++) {
    ns[i] = (uint8_t)name[i];
  }
  ns[32] = (uint8_t)addr;
  ns[33] = (uint8_t)(addr >> 8);
  while (!send(addr, RPMSG_NS_ADDR, ns, sizeof ns)) {
    __asm volatile("wfi");
  }
  kick_host(1u);
}

/* Echoes what the host sent, while the host has buffers for the answers. */
static void serve(void) {
  int sent = 0, returned = 0;
  for (;;) {
    /* Look before taking: an answer needs a buffer on vring 0. */
    if (U16(to_host.avail + 2) == to_host.last_avail ||
        U16(from_host.avail + 2) == from_host.last_avail) {
      break;
    }
    uint16_t id;
    uint8_t *buf;
    uint32_t len;
    vq_next(&from_host, &id, &buf, &len);
    if (len >= RPMSG_HDR && len <= RPMSG_BUF) {
      const uint32_t src = U32(buf), dst = U32(buf + 4);
      uint32_t n = U16(buf + 12);
      if (n > len - RPMSG_HDR) {
        n = len - RPMSG_HDR;
      }
      if (dst >= ECHO_ADDR && dst < ECHO_ADDR + ECHO_ENDPOINTS &&
          send(dst, src, buf + RPMSG_HDR, n)) {
        sent = 1;
        echoed++;
      }
    }
    vq_give_back(&from_host, id, len);
    returned = 1;
  }
  if (sent || returned) {
    kick_host((sent ? 1u : 0u) | (returned ? 2u : 0u));
  }
}

void ipcc_rx_handler(void);
void systick_handler(void);
void reset_handler(void);

void ipcc_rx_handler(void) {
  const uint32_t flags = IPCC_C1TOC2SR & 0x3Fu;
  IPCC_C2SCR = flags; /* clear: the level interrupt drops */
  host_kicks |= flags;
}

void systick_handler(void) {
  heartbeat++;
}

extern uint32_t _sbss, _ebss;

void reset_handler(void) {
  for (uint32_t *p = &_sbss; p < &_ebss; p++) {
    *p = 0;
  }
  trace("rpmsg-echo: up\n");
  SYST_RVR = CORE_HZ / 1000u - 1u;
  SYST_CVR = 0;
  SYST_CSR = 7u;                   /* processor clock, interrupt, enable */
  IPCC_C2MR = 0x003F003Fu & ~0x3u; /* channels 1 and 2: receive-occupied unmasked */
  IPCC_C2CR = IPCC_CR_RXOIE;
  NVIC_ISER(IPCC_RX1_IRQn / 32u) = 1u << (IPCC_RX1_IRQn % 32u);
  /* OpenAMP waits here too: the host writes DRIVER_OK before START_FW. */
  while ((resource_table.vdev.status & VIRTIO_STATUS_DRIVER_OK) == 0) {
    __asm volatile("wfi");
  }
  if (resource_table.vdev.vring[0].da == FW_RSC_ADDR_ANY ||
      resource_table.vdev.vring[1].da == FW_RSC_ADDR_ANY) {
    trace("rpmsg-echo: the host placed no vrings\n");
    for (;;) {
      __asm volatile("wfi");
    }
  }
  vq_init(&to_host, resource_table.vdev.vring[0].da);
  vq_init(&from_host, resource_table.vdev.vring[1].da);
  if ((resource_table.vdev.gfeatures & VIRTIO_RPMSG_F_NS) != 0) {
    for (uint32_t i = 0; i < ECHO_ENDPOINTS; i++) {
      announce("rpmsg-tty", ECHO_ADDR + i);
    }
    trace("rpmsg-echo: announced rpmsg-tty twice\n");
  }
#ifdef CAPTEE_RPMSG_HOSTILE
  /* The tests' hostile variant: once announced, it claims to have returned
   * 100 more buffers than the host gave it (an index jump). */
  U16(to_host.used + 2) = (uint16_t)(U16(to_host.used + 2) + 100u);
  kick_host(1u);
  trace("rpmsg-echo: hostile: used index jumped\n");
#endif
  for (;;) {
    __asm volatile("cpsid i" ::: "memory");
    host_kicks = 0;
    __asm volatile("cpsie i" ::: "memory");
    serve();
    /* Sleep unless the host kicked meanwhile; WFI ends on a pending
     * interrupt even with PRIMASK set, so no kick is missed. */
    __asm volatile("cpsid i" ::: "memory");
    if (host_kicks == 0) {
      __asm volatile("wfi");
    }
    __asm volatile("cpsie i" ::: "memory");
  }
}

static void default_handler(void) {
  for (;;) {
  }
}

extern uint32_t _estack;

/* The Cortex-M4's 16 system vectors and the STM32MP15's 150 interrupts. */
__attribute__((section(".isr_vector"), used)) void (*const vectors[16 + 150])(void) = {
    [0] = (void (*)(void))(uintptr_t)&_estack,
    [1] = reset_handler,
    [2 ... 14] = default_handler,
    [15] = systick_handler,
    [16 ... 16 + IPCC_RX1_IRQn - 1] = default_handler,
    [16 + IPCC_RX1_IRQn] = ipcc_rx_handler,
    [16 + IPCC_RX1_IRQn + 1 ... 16 + 149] = default_handler,
};
