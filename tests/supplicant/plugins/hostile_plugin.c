/* A supplicant plugin that misbehaves on command (OP-TEE's interface), for
 * the supplicant's hostile tests: it lies about how much it answered, never
 * returns, or writes past the buffer it was given. */
#include <stdint.h>
#include <string.h>
#include <tee_plugin_method.h>
#include <unistd.h>

#include "test_plugins.h"

static TEEC_Result hostile_invoke(unsigned int cmd, unsigned int sub_cmd, void *data, size_t in_len,
                                  size_t *out_len) {
  switch (cmd) {
    case TEST_HOSTILE_CLAIM_MORE:
      memset(data, 'H', in_len);
      *out_len = in_len + sub_cmd;
      return TEEC_SUCCESS;
    case TEST_HOSTILE_HANG:
      for (;;) {
        pause();
      }
    case TEST_HOSTILE_WRITE_PAST:
      ((volatile unsigned char *)data)[in_len] = 'P';
      *out_len = in_len;
      return TEEC_SUCCESS;
    case TEST_HOSTILE_CLAIM_HUGE:
      *out_len = SIZE_MAX;
      return TEEC_SUCCESS;
    default:
      return TEEC_ERROR_NOT_SUPPORTED;
  }
}

/* No init: OP-TEE allows NULL. */
struct plugin_method plugin_method = {
    "hostile",
    TEST_HOSTILE_PLUGIN_UUID,
    NULL,
    hostile_invoke,
};
