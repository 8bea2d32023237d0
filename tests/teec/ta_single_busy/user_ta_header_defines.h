/* The test TA again, as a single-instance, single-session TA. */
#ifndef USER_TA_HEADER_DEFINES_H
#define USER_TA_HEADER_DEFINES_H

#define TA_UUID                                      \
  {                                                  \
    0x7e57c0de, 0x0003, 0x4000, {                    \
      0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03 \
    }                                                \
  }
#define TA_FLAGS TA_FLAG_SINGLE_INSTANCE
#define TA_STACK_SIZE (2 * 1024)
#define TA_DATA_SIZE (32 * 1024)

#endif /* USER_TA_HEADER_DEFINES_H */
