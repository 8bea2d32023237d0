/* The trusted storage test TA in the default v1.3.1 mode. */
#ifndef USER_TA_HEADER_DEFINES_H
#define USER_TA_HEADER_DEFINES_H

#include <gp_storage_ta.h>

#define TA_UUID GP_STORAGE_TA_V131_UUID
#define TA_FLAGS (TA_FLAG_EXEC_DDR)
#define TA_STACK_SIZE (8 * 1024)
#define TA_DATA_SIZE (64 * 1024)

#endif /* USER_TA_HEADER_DEFINES_H */
