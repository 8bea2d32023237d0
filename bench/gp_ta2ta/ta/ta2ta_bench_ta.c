/* The GP TA of bench_gp_ta2ta: one value in and out, called by a client or,
 * in a loop, by another instance of itself (GP TA-to-TA). */
#include <tee_internal_api.h>
#include <time.h>

#include "user_ta_header_defines.h"

#define CMD_VALUE 0     /* params[0] value inout: a += 1 */
#define CMD_OPEN_PEER 1 /* opens a session to another instance of this TA */
/* params[0] value inout {a = n}: n x CMD_VALUE on the peer; {a = n, b = the
 * nanoseconds the n calls took, as this TA saw them} */
#define CMD_LOOP 2
#define CMD_CLOSE_PEER 3

static TEE_TASessionHandle g_peer = TEE_HANDLE_NULL;

TEE_Result TA_CreateEntryPoint(void) {
  return TEE_SUCCESS;
}

void TA_DestroyEntryPoint(void) {
  TEE_CloseTASession(g_peer);
  g_peer = TEE_HANDLE_NULL;
}

TEE_Result TA_OpenSessionEntryPoint(uint32_t pt, TEE_Param p[4], void **ctx) {
  (void)pt;
  (void)p;
  *ctx = NULL;
  return TEE_SUCCESS;
}

void TA_CloseSessionEntryPoint(void *ctx) {
  (void)ctx;
}

/* The monotonic clock in nanoseconds: TEE_GetSystemTime counts milliseconds,
 * too coarse for one loop (a bench TA, not a portable one). */
static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static TEE_Result loop(uint32_t n, uint32_t *done, uint32_t *ns) {
  TEE_Param p[4];
  TEE_MemFill(p, 0, sizeof p);
  const uint32_t pt = TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INOUT, TEE_PARAM_TYPE_NONE,
                                      TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE);
  const uint64_t start = now_ns();
  for (uint32_t i = 0; i < n; i++) {
    uint32_t origin = 0;
    TEE_Result r = TEE_InvokeTACommand(g_peer, TEE_TIMEOUT_INFINITE, CMD_VALUE, pt, p, &origin);
    if (r != TEE_SUCCESS) {
      return r;
    }
  }
  const uint64_t took = now_ns() - start;
  *done = p[0].value.a;
  *ns = took > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)took;
  return TEE_SUCCESS;
}

TEE_Result TA_InvokeCommandEntryPoint(void *ctx, uint32_t cmd, uint32_t pt, TEE_Param p[4]) {
  (void)ctx;
  (void)pt;
  switch (cmd) {
    case CMD_VALUE:
      p[0].value.a += 1;
      return TEE_SUCCESS;
    case CMD_OPEN_PEER: {
      const TEE_UUID self = TA_UUID;
      uint32_t origin = 0;
      TEE_CloseTASession(g_peer);
      return TEE_OpenTASession(&self, TEE_TIMEOUT_INFINITE, 0, NULL, &g_peer, &origin);
    }
    case CMD_LOOP:
      return loop(p[0].value.a, &p[0].value.a, &p[0].value.b);
    case CMD_CLOSE_PEER:
      TEE_CloseTASession(g_peer);
      g_peer = TEE_HANDLE_NULL;
      return TEE_SUCCESS;
    default:
      return TEE_ERROR_NOT_SUPPORTED;
  }
}
