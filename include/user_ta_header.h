/* The OP-TEE TA property flags a TA's user_ta_header_defines.h uses in
 * TA_FLAGS. captee maps SINGLE_INSTANCE, MULTI_SESSION and
 * INSTANCE_KEEP_ALIVE onto its manifest flags; the others are accepted and
 * ignored (they describe OP-TEE memory placement). */
#ifndef USER_TA_HEADER_H
#define USER_TA_HEADER_H

#define TA_FLAG_USER_MODE 0u
#define TA_FLAG_EXEC_DDR 0u
#define TA_FLAG_SINGLE_INSTANCE (1u << 2)
#define TA_FLAG_MULTI_SESSION (1u << 3)
#define TA_FLAG_INSTANCE_KEEP_ALIVE (1u << 4)
#define TA_FLAG_SECURE_DATA_PATH (1u << 5)
#define TA_FLAG_REMAP_SUPPORT (1u << 6)
#define TA_FLAG_CACHE_MAINTENANCE (1u << 7)
#define TA_FLAG_CONCURRENT (1u << 8)
#define TA_FLAG_DEVICE_ENUM (1u << 9)

#endif /* USER_TA_HEADER_H */
