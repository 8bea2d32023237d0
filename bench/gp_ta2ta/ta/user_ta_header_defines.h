/* The TA of bench_gp_ta2ta: multi-instance, so that its session to its own
 * UUID is another instance (another process), as a call to another TA is. */
#ifndef USER_TA_HEADER_DEFINES_H
#define USER_TA_HEADER_DEFINES_H

#define TA_UUID                                      \
  {                                                  \
    0x7e57c0de, 0x00b2, 0x4000, {                    \
      0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xb2 \
    }                                                \
  }
#define TA_FLAGS TA_FLAG_MULTI_SESSION
#define TA_STACK_SIZE (2 * 1024)
#define TA_DATA_SIZE (32 * 1024)

#endif /* USER_TA_HEADER_DEFINES_H */
