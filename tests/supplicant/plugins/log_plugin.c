/* A plugin with the interface of OP-TEE's syslog plugin example: command 0
 * logs the TA's bytes at the priority given as sub_cmd. It writes
 * "<priority> <text>" lines to the file named by $CAPTEE_TEST_LOG_PLUGIN_FILE
 * when set (so a test can read what arrived), else to syslog. */
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>
#include <tee_plugin_method.h>

#include "test_plugins.h"

static TEEC_Result log_invoke(unsigned int cmd, unsigned int sub_cmd, void *data, size_t in_len,
                              size_t *out_len) {
  (void)out_len; /* nothing comes back */
  if (cmd != TEST_LOG_TO_LOG) {
    return TEEC_ERROR_NOT_SUPPORTED;
  }
  const char *file = getenv("CAPTEE_TEST_LOG_PLUGIN_FILE");
  if (file == NULL) {
    syslog((int)sub_cmd, "%.*s", (int)in_len, (const char *)data);
    return TEEC_SUCCESS;
  }
  FILE *f = fopen(file, "a");
  if (f == NULL) {
    return TEEC_ERROR_GENERIC;
  }
  fprintf(f, "%u %.*s\n", sub_cmd, (int)in_len, (const char *)data);
  fclose(f);
  return TEEC_SUCCESS;
}

struct plugin_method plugin_method = {
    "log",
    TEST_LOG_PLUGIN_UUID,
    NULL,
    log_invoke,
};
