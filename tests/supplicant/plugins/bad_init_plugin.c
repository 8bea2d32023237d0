/* A plugin whose init fails: the supplicant must skip it. */
#include <tee_plugin_method.h>

#include "test_plugins.h"

static TEEC_Result failing_init(void) {
  return TEST_INIT_FAILS_RESULT;
}

static TEEC_Result never_invoked(unsigned int cmd, unsigned int sub_cmd, void *data, size_t in_len,
                                 size_t *out_len) {
  (void)cmd;
  (void)sub_cmd;
  (void)data;
  (void)in_len;
  *out_len = 0;
  return TEEC_SUCCESS;
}

struct plugin_method plugin_method = {
    "init-fails",
    TEST_INIT_FAILS_PLUGIN_UUID,
    failing_init,
    never_invoked,
};
