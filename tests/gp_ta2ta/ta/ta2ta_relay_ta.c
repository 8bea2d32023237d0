/* The relay TA of tests/gp_ta2ta (ta2ta_relay.h): GP TA-to-TA from the
 * calling TA's side, written as an OP-TEE TA would be. */
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <tee_internal_api.h>
#include <trace.h>

#include "ta2ta_relay.h"
#include "teec_test_ta.h"

struct relay {
  TEE_TASessionHandle target;
  uint32_t cmd;
  uint32_t timeout;
  TEE_Result last;
  uint32_t last_origin;
};

static const uint8_t g_rodata[64] = {1, 2, 3};

/* One target per instance, shared by its sessions: two single-instance
 * relays can then hold sessions to each other (a multi-instance relay is an
 * instance per session anyway). */
static struct relay g_relay;

TEE_Result TA_CreateEntryPoint(void) {
  TEE_MemFill(&g_relay, 0, sizeof g_relay);
  g_relay.target = TEE_HANDLE_NULL;
  g_relay.timeout = TEE_TIMEOUT_INFINITE;
  return TEE_SUCCESS;
}

void TA_DestroyEntryPoint(void) {
  TEE_CloseTASession(g_relay.target);
  g_relay.target = TEE_HANDLE_NULL;
}

TEE_Result TA_OpenSessionEntryPoint(uint32_t pt, TEE_Param p[4], void **ctx) {
  (void)pt;
  (void)p;
  *ctx = &g_relay;
  return TEE_SUCCESS;
}

void TA_CloseSessionEntryPoint(void *ctx) {
  (void)ctx;
}

static TEE_Result open_target(struct relay *r, uint32_t pt, TEE_Param p[4]) {
  if (TEE_PARAM_TYPE_GET(pt, 0) != TEE_PARAM_TYPE_MEMREF_INPUT ||
      TEE_PARAM_TYPE_GET(pt, 1) != TEE_PARAM_TYPE_VALUE_INPUT ||
      TEE_PARAM_TYPE_GET(pt, 2) != TEE_PARAM_TYPE_VALUE_OUTPUT ||
      p[0].memref.size != sizeof(TEE_UUID)) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  TEE_UUID uuid;
  TEE_MemMove(&uuid, p[0].memref.buffer, sizeof uuid);
  TEE_CloseTASession(r->target);
  r->target = TEE_HANDLE_NULL;
  TEE_UnmaskCancellation();
  /* The client's fourth parameter is the target's first. */
  TEE_Param tp[4];
  TEE_MemFill(tp, 0, sizeof tp);
  tp[0] = p[3];
  const uint32_t tpt = TEE_PARAM_TYPES(TEE_PARAM_TYPE_GET(pt, 3), TEE_PARAM_TYPE_NONE,
                                       TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE);
  uint32_t origin = 0;
  p[2].value.a = TEE_OpenTASession(&uuid, p[1].value.a, tpt, tp, &r->target, &origin);
  p[2].value.b = origin;
  p[3] = tp[0];
  return TEE_SUCCESS;
}

static TEE_Result relay(struct relay *r, uint32_t pt, TEE_Param p[4], int unmask) {
  if (unmask) {
    TEE_UnmaskCancellation();
  }
  r->last = TEE_InvokeTACommand(r->target, r->timeout, r->cmd, pt, p, &r->last_origin);
  return r->last;
}

static uint64_t handle_bits(TEE_TASessionHandle h) {
  return (uint64_t)(uintptr_t)h;
}

static TEE_TASessionHandle handle_from(uint32_t a, uint32_t b) {
  return (TEE_TASessionHandle)(uintptr_t)((uint64_t)a | ((uint64_t)b << 32));
}

/* Check n of own_buffers: sets bit n of *failed unless `ok`. */
static void check(uint32_t *failed, uint32_t n, int ok) {
  if (!ok) {
    EMSG("own-buffer check %u failed", n);
    *failed |= 1u << n;
  }
}

static int all(const uint8_t *b, size_t n, uint8_t v) {
  for (size_t i = 0; i < n; i++) {
    if (b[i] != v) {
      return 0;
    }
  }
  return 1;
}

#define OWN_BUFFER_CHECKS 11
#define BIG 65536

static uint32_t own_buffers(struct relay *r) {
  uint32_t failed = 0;
  uint32_t origin = 0;
  TEE_Param p[4];
  TEE_Result res;
  static uint8_t in[BIG], out[BIG];
  for (size_t i = 0; i < BIG; i++) {
    in[i] = (uint8_t)(i * 7 + 1);
  }

  /* 0: values in, out and in/out. */
  TEE_MemFill(p, 0, sizeof p);
  p[0].value.a = 3;
  p[0].value.b = 4;
  p[2].value.a = 10;
  p[2].value.b = 20;
  res = TEE_InvokeTACommand(r->target, TEE_TIMEOUT_INFINITE, TEEC_TEST_CMD_VALUES,
                            TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_VALUE_OUTPUT,
                                            TEE_PARAM_TYPE_VALUE_INOUT, TEE_PARAM_TYPE_NONE),
                            p, &origin);
  check(&failed, 0,
        res == TEE_SUCCESS && origin == TEE_ORIGIN_TRUSTED_APP && p[1].value.a == 7 &&
            p[1].value.b == 12 && p[2].value.a == 11 && p[2].value.b == 19);

  /* 1: a memref in and out, inline. */
  const uint32_t copy_pt =
      TEE_PARAM_TYPES(TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_MEMREF_OUTPUT,
                      TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE);
  TEE_MemFill(out, 0xEE, BIG);
  TEE_MemFill(p, 0, sizeof p);
  p[0].memref.buffer = in;
  p[0].memref.size = 300;
  p[1].memref.buffer = out;
  p[1].memref.size = 300;
  res =
      TEE_InvokeTACommand(r->target, TEE_TIMEOUT_INFINITE, TEEC_TEST_CMD_COPY, copy_pt, p, &origin);
  check(&failed, 1,
        res == TEE_SUCCESS && p[1].memref.size == 300 && TEE_MemCompare(in, out, 300) == 0 &&
            out[300] == 0xEE);

  /* 2: too small an output: SHORT_BUFFER, the size needed, the buffer untouched. */
  TEE_MemFill(out, 0xEE, BIG);
  p[1].memref.size = 10;
  res =
      TEE_InvokeTACommand(r->target, TEE_TIMEOUT_INFINITE, TEEC_TEST_CMD_COPY, copy_pt, p, &origin);
  check(&failed, 2,
        res == TEE_ERROR_SHORT_BUFFER && origin == TEE_ORIGIN_TRUSTED_APP &&
            p[1].memref.size == 300 && all(out, BIG, 0xEE));

  /* 3: 64 KiB each way, through call memory objects. */
  TEE_MemFill(out, 0xEE, BIG);
  p[0].memref.size = BIG;
  p[1].memref.size = BIG;
  res =
      TEE_InvokeTACommand(r->target, TEE_TIMEOUT_INFINITE, TEEC_TEST_CMD_COPY, copy_pt, p, &origin);
  check(&failed, 3,
        res == TEE_SUCCESS && p[1].memref.size == BIG && TEE_MemCompare(in, out, BIG) == 0);

  /* 4: a 10000-byte in/out memref the callee rewrites in place. */
  TEE_MemMove(out, in, 10000);
  TEE_MemFill(p, 0, sizeof p);
  p[0].memref.buffer = out;
  p[0].memref.size = 10000;
  res =
      TEE_InvokeTACommand(r->target, TEE_TIMEOUT_INFINITE, TEEC_TEST_CMD_INVERT,
                          TEE_PARAM_TYPES(TEE_PARAM_TYPE_MEMREF_INOUT, TEE_PARAM_TYPE_VALUE_OUTPUT,
                                          TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE),
                          p, &origin);
  uint32_t sum = 0;
  int inverted = 1;
  for (size_t i = 0; i < 10000; i++) {
    sum += in[i];
    const uint8_t want = (uint8_t)(0xFF - in[i]); /* the byte inverted */
    inverted &= out[i] == want;
  }
  check(&failed, 4,
        res == TEE_SUCCESS && inverted && p[1].value.a == sum && p[1].value.b == 10000 &&
            p[0].memref.size == 10000);

  /* 5: a null output memref asks for the size needed. */
  TEE_MemFill(p, 0, sizeof p);
  p[0].memref.buffer = in;
  p[0].memref.size = 300;
  p[1].memref.buffer = NULL;
  p[1].memref.size = 0;
  res =
      TEE_InvokeTACommand(r->target, TEE_TIMEOUT_INFINITE, TEEC_TEST_CMD_COPY, copy_pt, p, &origin);
  check(&failed, 5, res == TEE_ERROR_SHORT_BUFFER && p[1].memref.size == 300);

  /* 6: 100 bytes inline into an 8 KiB output (a call memory object): only
   * the bytes produced come back. */
  TEE_MemFill(out, 0xEE, BIG);
  p[0].memref.size = 100;
  p[1].memref.buffer = out;
  p[1].memref.size = 8192;
  res =
      TEE_InvokeTACommand(r->target, TEE_TIMEOUT_INFINITE, TEEC_TEST_CMD_COPY, copy_pt, p, &origin);
  check(&failed, 6,
        res == TEE_SUCCESS && p[1].memref.size == 100 && TEE_MemCompare(in, out, 100) == 0 &&
            all(out + 100, BIG - 100, 0xEE));

  /* 7: an open with a value the target refuses: its answer, no session. */
  TEE_UUID test_ta = TEEC_TEST_TA_UUID;
  TEE_TASessionHandle s2 = (TEE_TASessionHandle)(uintptr_t)1;
  TEE_MemFill(p, 0, sizeof p);
  p[0].value.a = 0xBAD;
  res = TEE_OpenTASession(&test_ta, TEE_TIMEOUT_INFINITE,
                          TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_NONE,
                                          TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE),
                          p, &s2, &origin);
  check(
      &failed, 7,
      res == TEE_ERROR_ACCESS_DENIED && origin == TEE_ORIGIN_TRUSTED_APP && s2 == TEE_HANDLE_NULL);

  /* 8: a TA nobody installed. */
  TEE_UUID absent = {0x7e57c0de, 0x00ff, 0x4000, {0x80, 0, 0, 0, 0, 0, 0, 0xff}};
  res = TEE_OpenTASession(&absent, TEE_TIMEOUT_INFINITE, 0, NULL, &s2, &origin);
  check(&failed, 8,
        res == TEE_ERROR_ITEM_NOT_FOUND && origin == TEE_ORIGIN_TEE && s2 == TEE_HANDLE_NULL);

  /* 9: two more sessions at once to a multi-session TA, each its own. */
  TEE_UUID single = {0x7e57c0de, 0x0002, 0x4000, {0x80, 0, 0, 0, 0, 0, 0, 0x02}};
  TEE_TASessionHandle a = TEE_HANDLE_NULL, b = TEE_HANDLE_NULL;
  TEE_Result ra = TEE_OpenTASession(&single, TEE_TIMEOUT_INFINITE, 0, NULL, &a, &origin);
  TEE_Result rb = TEE_OpenTASession(&single, TEE_TIMEOUT_INFINITE, 0, NULL, &b, &origin);
  TEE_MemFill(p, 0, sizeof p);
  res = TEE_InvokeTACommand(b, TEE_TIMEOUT_INFINITE, TEEC_TEST_CMD_COUNTERS,
                            TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_OUTPUT, TEE_PARAM_TYPE_NONE,
                                            TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE),
                            p, &origin);
  check(
      &failed, 9,
      ra == TEE_SUCCESS && rb == TEE_SUCCESS && a != b && res == TEE_SUCCESS && p[0].value.a >= 2);
  TEE_CloseTASession(a);
  TEE_CloseTASession(b);

  /* 10: a command the target does not know is the target's answer. */
  res = TEE_InvokeTACommand(r->target, TEE_TIMEOUT_INFINITE, 0x7777, 0, NULL, &origin);
  check(&failed, 10, res != TEE_SUCCESS && origin == TEE_ORIGIN_TRUSTED_APP);
  return failed;
}

static TEE_Result bogus(struct relay *r, uint32_t pt, TEE_Param p[4]) {
  static uint8_t in[64];
  TEE_Param tp[4];
  TEE_MemFill(tp, 0, sizeof tp);
  tp[0].memref.buffer = in;
  tp[0].memref.size = sizeof in;
  tp[1].memref.size = 64;
  uint32_t origin = 0;
  switch (p[0].value.a) {
    case TA2TA_BOGUS_UNMAPPED:
      tp[1].memref.buffer = (void *)(uintptr_t)0x1000;
      break;
    case TA2TA_BOGUS_READ_ONLY_OUTPUT:
      tp[1].memref.buffer = (void *)g_rodata;
      break;
    case TA2TA_BOGUS_PAST_MAPPING: {
      uint8_t *two = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (two == MAP_FAILED) {
        return TEE_ERROR_OUT_OF_MEMORY;
      }
      munmap(two + 4096, 4096);
      tp[1].memref.buffer = two + 4096 - 32;
      break;
    }
    case TA2TA_BOGUS_INPUT_AS_OUTPUT:
      if (TEE_PARAM_TYPE_GET(pt, 1) != TEE_PARAM_TYPE_MEMREF_INPUT) {
        return TEE_ERROR_BAD_PARAMETERS;
      }
      tp[1] = p[1];
      break;
    default:
      return TEE_ERROR_BAD_PARAMETERS;
  }
  /* Panics before anything reaches the target. */
  return TEE_InvokeTACommand(
      r->target, TEE_TIMEOUT_INFINITE, TEEC_TEST_CMD_COPY,
      TEE_PARAM_TYPES(TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_MEMREF_OUTPUT,
                      TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE),
      tp, &origin);
}

static TEE_Result identity(uint32_t pt, TEE_Param p[4]) {
  if (pt != TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_OUTPUT, TEE_PARAM_TYPE_MEMREF_OUTPUT,
                            TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE) ||
      p[1].memref.size < sizeof(TEE_UUID)) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  TEE_Identity id;
  TEE_Result res =
      TEE_GetPropertyAsIdentity(TEE_PROPSET_CURRENT_CLIENT, "gpd.client.identity", &id);
  if (res != TEE_SUCCESS) {
    return res;
  }
  p[0].value.a = id.login;
  TEE_MemMove(p[1].memref.buffer, &id.uuid, sizeof id.uuid);
  p[1].memref.size = sizeof id.uuid;
  return TEE_SUCCESS;
}

TEE_Result TA_InvokeCommandEntryPoint(void *ctx, uint32_t cmd, uint32_t pt, TEE_Param p[4]) {
  struct relay *r = ctx;
  switch (cmd) {
    case TA2TA_CMD_OPEN:
      return open_target(r, pt, p);
    case TA2TA_CMD_TARGET:
      if (TEE_PARAM_TYPE_GET(pt, 0) != TEE_PARAM_TYPE_VALUE_INPUT) {
        return TEE_ERROR_BAD_PARAMETERS;
      }
      r->cmd = p[0].value.a;
      r->timeout = p[0].value.b;
      return TEE_SUCCESS;
    case TA2TA_CMD_RELAY:
      return relay(r, pt, p, 1);
    case TA2TA_CMD_RELAY_MASKED:
      return relay(r, pt, p, 0);
    case TA2TA_CMD_LAST:
      if (TEE_PARAM_TYPE_GET(pt, 0) != TEE_PARAM_TYPE_VALUE_OUTPUT) {
        return TEE_ERROR_BAD_PARAMETERS;
      }
      p[0].value.a = r->last;
      p[0].value.b = r->last_origin;
      return TEE_SUCCESS;
    case TA2TA_CMD_CLOSE:
      TEE_CloseTASession(r->target);
      r->target = TEE_HANDLE_NULL;
      return TEE_SUCCESS;
    case TA2TA_CMD_OWN_BUFFERS:
      if (TEE_PARAM_TYPE_GET(pt, 0) != TEE_PARAM_TYPE_VALUE_OUTPUT) {
        return TEE_ERROR_BAD_PARAMETERS;
      }
      p[0].value.a = own_buffers(r);
      p[0].value.b = OWN_BUFFER_CHECKS;
      return TEE_SUCCESS;
    case TA2TA_CMD_HANDLE:
      p[0].value.a = (uint32_t)handle_bits(r->target);
      p[0].value.b = (uint32_t)(handle_bits(r->target) >> 32);
      return TEE_SUCCESS;
    case TA2TA_CMD_CLOSE_HANDLE:
      TEE_CloseTASession(handle_from(p[0].value.a, p[0].value.b));
      return TEE_SUCCESS;
    case TA2TA_CMD_INVOKE_HANDLE: {
      uint32_t origin = 0;
      TEE_Param tp[4];
      TEE_MemFill(tp, 0, sizeof tp);
      return TEE_InvokeTACommand(handle_from(p[0].value.a, p[0].value.b), TEE_TIMEOUT_INFINITE,
                                 TA2TA_CMD_LAST,
                                 TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_OUTPUT, TEE_PARAM_TYPE_NONE,
                                                 TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE),
                                 tp, &origin);
    }
    case TA2TA_CMD_BOGUS:
      return bogus(r, pt, p);
    case TA2TA_CMD_WAIT_THEN_RELAY: {
      if (TEE_PARAM_TYPE_GET(pt, 0) != TEE_PARAM_TYPE_VALUE_INPUT) {
        return TEE_ERROR_BAD_PARAMETERS;
      }
      (void)TEE_Wait(p[0].value.a);
      TEE_Param own[4];
      TEE_MemFill(own, 0, sizeof own);
      const uint32_t own_pt = TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_OUTPUT, TEE_PARAM_TYPE_NONE,
                                              TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE);
      return relay(r, own_pt, own, 0);
    }
    case TA2TA_CMD_IDENTITY:
      return identity(pt, p);
    default:
      return TEE_ERROR_NOT_SUPPORTED;
  }
}
