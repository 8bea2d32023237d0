/* A plugin_method without an invoke function: the supplicant must skip it. */
#include <tee_plugin_method.h>

struct plugin_method plugin_method = {
    "no-invoke",
    {0x7e57c0de, 0x5e00, 0x4000, {0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0c}},
    NULL,
    NULL,
};
