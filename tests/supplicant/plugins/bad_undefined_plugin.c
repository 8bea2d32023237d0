/* A plugin that needs a symbol nothing provides: loading it fails (the
 * supplicant loads with RTLD_NOW), and the supplicant must skip it. */
#include <tee_plugin_method.h>

extern int captee_test_symbol_nobody_defines(void);

static TEEC_Result calls_missing(unsigned int cmd, unsigned int sub_cmd, void *data, size_t in_len,
                                 size_t *out_len) {
  (void)cmd;
  (void)sub_cmd;
  (void)data;
  (void)in_len;
  *out_len = 0;
  return (TEEC_Result)captee_test_symbol_nobody_defines();
}

struct plugin_method plugin_method = {
    "undefined",
    {0x7e57c0de, 0x5e00, 0x4000, {0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0d}},
    NULL,
    calls_missing,
};
