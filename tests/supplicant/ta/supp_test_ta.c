/* A GP TA, written as for OP-TEE, that calls supplicant plugins with
 * tee_invoke_supp_plugin: what it asks for comes from the test, and a few
 * commands abuse the call from the TA's side. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <tee_internal_api.h>
#include <tee_internal_api_extensions.h>

#include "supp_test_ta.h"
#include "test_plugins.h"

#define CANARY_LEN 16
#define CANARY 0xA5

TEE_Result TA_CreateEntryPoint(void) {
  return TEE_SUCCESS;
}

void TA_DestroyEntryPoint(void) {}

TEE_Result TA_OpenSessionEntryPoint(uint32_t pt __unused, TEE_Param params[4] __unused,
                                    void **ctx __unused) {
  return TEE_SUCCESS;
}

void TA_CloseSessionEntryPoint(void *ctx __unused) {}

static int plugin_uuid(uint32_t which, TEE_UUID *u) {
  static const TEE_UUID echo = TEST_ECHO_PLUGIN_UUID;
  static const TEE_UUID hostile = TEST_HOSTILE_PLUGIN_UUID;
  static const TEE_UUID log = TEST_LOG_PLUGIN_UUID;
  static const TEE_UUID absent = TEST_ABSENT_PLUGIN_UUID;
  switch (which) {
    case SUPP_TA_PLUGIN_ECHO:
      *u = echo;
      return 1;
    case SUPP_TA_PLUGIN_HOSTILE:
      *u = hostile;
      return 1;
    case SUPP_TA_PLUGIN_LOG:
      *u = log;
      return 1;
    case SUPP_TA_PLUGIN_ABSENT:
      *u = absent;
      return 1;
    default:
      return 0;
  }
}

/* The plugin works on a copy in the TA's heap, followed by a canary: an
 * answer longer than the buffer would show there. */
static TEE_Result call(uint32_t pt, TEE_Param params[4]) {
  const uint32_t with_buffer =
      TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_VALUE_INOUT,
                      TEE_PARAM_TYPE_MEMREF_INOUT, TEE_PARAM_TYPE_NONE);
  const uint32_t without = TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_VALUE_INOUT,
                                           TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE);
  TEE_UUID uuid;
  if ((pt != with_buffer && pt != without) || !plugin_uuid(params[0].value.a, &uuid)) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  const size_t len = pt == with_buffer ? params[2].memref.size : 0;
  uint8_t *copy = TEE_Malloc(len + CANARY_LEN, TEE_MALLOC_FILL_ZERO);
  if (copy == NULL) {
    return TEE_ERROR_OUT_OF_MEMORY;
  }
  if (len > 0) {
    TEE_MemMove(copy, params[2].memref.buffer, len);
  }
  memset(copy + len, CANARY, CANARY_LEN);
  size_t outlen = 0xdeadbeef;
  TEE_Result res = tee_invoke_supp_plugin(&uuid, params[0].value.b, params[1].value.a,
                                          len > 0 ? copy : NULL, len, &outlen);
  int intact = 1;
  for (size_t i = 0; i < CANARY_LEN; i++) {
    intact &= copy[len + i] == CANARY;
  }
  if (len > 0) {
    TEE_MemMove(params[2].memref.buffer, copy, len);
  }
  params[1].value.a = (uint32_t)outlen;
  params[1].value.b = (uint32_t)intact;
  TEE_Free(copy);
  return res;
}

static TEE_Result bad_args(uint32_t pt, TEE_Param params[4]) {
  if (pt != TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_OUTPUT, TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE,
                            TEE_PARAM_TYPE_NONE)) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  const TEE_UUID echo = TEST_ECHO_PLUGIN_UUID;
  uint8_t small[8] = {0};
  size_t outlen = 77;
  params[0].value.a = 0;
  /* libutee's checks: nothing is sent and outlen stays as it was. */
  if (tee_invoke_supp_plugin(NULL, TEST_ECHO_UPPER, 0, small, sizeof(small), &outlen) !=
          TEE_ERROR_BAD_PARAMETERS ||
      outlen != 77) {
    params[0].value.a = 1;
    return TEE_SUCCESS;
  }
  if (tee_invoke_supp_plugin(&echo, TEST_ECHO_UPPER, 0, NULL, 4, &outlen) !=
          TEE_ERROR_BAD_PARAMETERS ||
      outlen != 77) {
    params[0].value.a = 2;
    return TEE_SUCCESS;
  }
  if (tee_invoke_supp_plugin(&echo, TEST_ECHO_UPPER, 0, small, 0, &outlen) !=
          TEE_ERROR_BAD_PARAMETERS ||
      outlen != 77) {
    params[0].value.a = 3;
    return TEE_SUCCESS;
  }
  /* More than one request carries (1 MiB): refused as OP-TEE refuses a
   * payload it cannot allocate, with outlen 0. */
  const size_t huge = (1u << 20) + 1;
  uint8_t *big = TEE_Malloc(huge, TEE_MALLOC_FILL_ZERO);
  if (big == NULL) {
    params[0].value.a = 4;
    return TEE_SUCCESS;
  }
  TEE_Result r = tee_invoke_supp_plugin(&echo, TEST_ECHO_UPPER, 0, big, huge, &outlen);
  TEE_Free(big);
  if (r != TEE_ERROR_OUT_OF_MEMORY || outlen != 0) {
    params[0].value.a = 5;
    return TEE_SUCCESS;
  }
  return TEE_SUCCESS;
}

static TEE_Result past_mapping(void) {
  const TEE_UUID echo = TEST_ECHO_PLUGIN_UUID;
  const size_t page = 4096;
  uint8_t *two = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  /* The second page is the TA's but inaccessible, and stays so (unmapping
   * it would let another mapping take its place). */
  if (two == MAP_FAILED || mprotect(two + page, page, PROT_NONE) != 0) {
    return TEE_ERROR_GENERIC;
  }
  size_t outlen = 0;
  tee_invoke_supp_plugin(&echo, TEST_ECHO_UPPER, 0, two, 2 * page, &outlen);
  return TEE_ERROR_GENERIC; /* not reached: the call panics */
}

static TEE_Result outlen_read_only(void) {
  const TEE_UUID echo = TEST_ECHO_PLUGIN_UUID;
  void *page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) {
    return TEE_ERROR_GENERIC;
  }
  uint8_t buf[4] = {'a', 'b', 'c', 'd'};
  tee_invoke_supp_plugin(&echo, TEST_ECHO_UPPER, 0, buf, sizeof(buf), (size_t *)page);
  return TEE_ERROR_GENERIC; /* not reached */
}

static TEE_Result input_memref(uint32_t pt, TEE_Param params[4]) {
  if (pt != TEE_PARAM_TYPES(TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE,
                            TEE_PARAM_TYPE_NONE) ||
      params[0].memref.size == 0) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  const TEE_UUID echo = TEST_ECHO_PLUGIN_UUID;
  size_t outlen = 0;
  tee_invoke_supp_plugin(&echo, TEST_ECHO_UPPER, 0, params[0].memref.buffer, params[0].memref.size,
                         &outlen);
  return TEE_ERROR_GENERIC; /* not reached */
}

static TEE_Result ping(void) {
  static uint32_t count;
  const TEE_UUID log = TEST_LOG_PLUGIN_UUID;
  char text[64] = {0};
  int n = snprintf(text, sizeof(text), "Hello, plugin! value = 0x%x", count++);
  if (n < 0 || n >= (int)sizeof(text)) {
    return TEE_ERROR_GENERIC;
  }
  IMSG("logging \"%s\" through the log plugin", text);
  return tee_invoke_supp_plugin(&log, TEST_LOG_TO_LOG, 6 /* LOG_INFO */, text, (size_t)n, NULL);
}

TEE_Result TA_InvokeCommandEntryPoint(void *ctx __unused, uint32_t cmd, uint32_t pt,
                                      TEE_Param params[4]) {
  switch (cmd) {
    case SUPP_TA_CMD_CALL:
      return call(pt, params);
    case SUPP_TA_CMD_BAD_ARGS:
      return bad_args(pt, params);
    case SUPP_TA_CMD_PAST_MAPPING:
      return past_mapping();
    case SUPP_TA_CMD_OUTLEN_READ_ONLY:
      return outlen_read_only();
    case SUPP_TA_CMD_INPUT_MEMREF:
      return input_memref(pt, params);
    case SUPP_TA_CMD_PING:
      return ping();
    default:
      return TEE_ERROR_NOT_SUPPORTED;
  }
}
