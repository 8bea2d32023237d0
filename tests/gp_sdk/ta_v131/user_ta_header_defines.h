/* The SDK test TA in the default v1.3.1 mode, built with
 * CFG_TEE_TA_LOG_LEVEL=0. */
#ifndef USER_TA_HEADER_DEFINES_H
#define USER_TA_HEADER_DEFINES_H

#include <gp_sdk_ta.h>

#define TA_UUID GP_SDK_TA_V131_UUID
#define TA_FLAGS (TA_FLAG_EXEC_DDR)
#define TA_STACK_SIZE (2 * 1024)
#define TA_DATA_SIZE (32 * 1024)

#endif /* USER_TA_HEADER_DEFINES_H */
