/* The properties test TA in the GP v1.1 mode: no flags, no TA_VERSION or
 * TA_DESCRIPTION (OP-TEE's defaults apply), and the two extension properties
 * OP-TEE's examples declare. */
#ifndef USER_TA_HEADER_DEFINES_H
#define USER_TA_HEADER_DEFINES_H

#include <gp_props_ta.h>

#define TA_UUID GP_PROPS_TA_GP11_UUID
#define TA_FLAGS 0
#define TA_STACK_SIZE (2 * 1024)
#define TA_DATA_SIZE (32 * 1024)

#define TA_CURRENT_TA_EXT_PROPERTIES                                              \
  {"gp.ta.description", USER_TA_PROP_TYPE_STRING, "properties test TA (v1.1)"}, { \
    "gp.ta.version", USER_TA_PROP_TYPE_U32, &(const uint32_t) {                   \
      0x0010                                                                      \
    }                                                                             \
  }

#endif /* USER_TA_HEADER_DEFINES_H */
