/* The SDK test TA in the GP v1.1 compatibility mode. */
#ifndef USER_TA_HEADER_DEFINES_H
#define USER_TA_HEADER_DEFINES_H

#include <gp_sdk_ta.h>

#define TA_UUID GP_SDK_TA_GP11_UUID
#define TA_FLAGS (TA_FLAG_EXEC_DDR)
#define TA_STACK_SIZE (2 * 1024)
#define TA_DATA_SIZE (32 * 1024)
/* Written as OP-TEE TAs write it (captee's properties item reads it). */
#define TA_CURRENT_TA_EXT_PROPERTIES \
  { "gp.ta.description", USER_TA_PROP_TYPE_STRING, "captee SDK test TA (GP v1.1)" }

#endif /* USER_TA_HEADER_DEFINES_H */
