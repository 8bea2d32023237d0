/* A second single-instance, multi-session relay TA (a cycle of two). */
#ifndef USER_TA_HEADER_DEFINES_H
#define USER_TA_HEADER_DEFINES_H

#include <ta2ta_relay.h>

#define TA_UUID TA2TA_RELAY_SINGLE2_UUID
#define TA_FLAGS (TA_FLAG_EXEC_DDR | TA_FLAG_SINGLE_INSTANCE | TA_FLAG_MULTI_SESSION)
#define TA_STACK_SIZE (8 * 1024)
#define TA_DATA_SIZE (256 * 1024)

#endif /* USER_TA_HEADER_DEFINES_H */
