/* The relay TA, multi-instance, built in the GP v1.1 compatibility mode
 * (32-bit memref sizes, the __GP11_ TA-to-TA functions). */
#ifndef USER_TA_HEADER_DEFINES_H
#define USER_TA_HEADER_DEFINES_H

#include <ta2ta_relay.h>

#define TA_UUID TA2TA_RELAY_GP11_UUID
#define TA_FLAGS (TA_FLAG_EXEC_DDR | TA_FLAG_MULTI_SESSION)
#define TA_STACK_SIZE (8 * 1024)
#define TA_DATA_SIZE (256 * 1024)

#endif /* USER_TA_HEADER_DEFINES_H */
