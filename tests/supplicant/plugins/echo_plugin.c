/* A well-behaved supplicant plugin written to OP-TEE's interface
 * (tee_plugin_method.h), for the supplicant tests. */
#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <tee_plugin_method.h>
#include <unistd.h>

#include "test_plugins.h"

static uint32_t init_calls;
static uint32_t invoke_calls;

static TEEC_Result echo_init(void) {
  init_calls++;
  return TEEC_SUCCESS;
}

static TEEC_Result put_u32s(void *data, size_t in_len, size_t *out_len, const uint32_t *v,
                            size_t n) {
  if (in_len < n * sizeof(uint32_t)) {
    *out_len = n * sizeof(uint32_t);
    return TEEC_ERROR_SHORT_BUFFER;
  }
  memcpy(data, v, n * sizeof(uint32_t));
  *out_len = n * sizeof(uint32_t);
  return TEEC_SUCCESS;
}

static TEEC_Result echo_invoke(unsigned int cmd, unsigned int sub_cmd, void *data, size_t in_len,
                               size_t *out_len) {
  invoke_calls++;
  unsigned char *bytes = data;
  switch (cmd) {
    case TEST_ECHO_UPPER:
      for (size_t i = 0; i < in_len; i++) {
        bytes[i] = (unsigned char)toupper(bytes[i]);
      }
      *out_len = in_len;
      return TEEC_SUCCESS;
    case TEST_ECHO_COUNTS: {
      const uint32_t v[2] = {init_calls, invoke_calls};
      return put_u32s(data, in_len, out_len, v, 2);
    }
    case TEST_ECHO_SUB_CMD: {
      const uint32_t v = sub_cmd;
      return put_u32s(data, in_len, out_len, &v, 1);
    }
    case TEST_ECHO_FAIL:
      *out_len = 0;
      return sub_cmd;
    case TEST_ECHO_SHORT:
      *out_len = sub_cmd;
      return TEEC_ERROR_SHORT_BUFFER;
    case TEST_ECHO_NO_OUTPUT:
      memset(data, 'Z', in_len);
      *out_len = 0;
      return TEEC_SUCCESS;
    case TEST_ECHO_PID: {
      const uint32_t v = (uint32_t)getpid();
      return put_u32s(data, in_len, out_len, &v, 1);
    }
    default:
      return TEEC_ERROR_NOT_SUPPORTED;
  }
}

struct plugin_method plugin_method = {
    "echo",
    TEST_ECHO_PLUGIN_UUID,
    echo_init,
    echo_invoke,
};
