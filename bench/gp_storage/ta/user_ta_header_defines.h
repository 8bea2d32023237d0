/* The trusted storage benchmark TA (bench_gp_storage). */
#ifndef USER_TA_HEADER_DEFINES_H
#define USER_TA_HEADER_DEFINES_H

#define TA_UUID                                      \
  {                                                  \
    0x7e57c0de, 0x00c1, 0x4000, {                    \
      0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc1 \
    }                                                \
  }
#define TA_FLAGS (TA_FLAG_SINGLE_INSTANCE | TA_FLAG_MULTI_SESSION)
#define TA_STACK_SIZE (2 * 1024)
#define TA_DATA_SIZE (32 * 1024)
#define TA_VERSION "1.0"
#define TA_DESCRIPTION "captee trusted storage benchmark TA"

#endif /* USER_TA_HEADER_DEFINES_H */
