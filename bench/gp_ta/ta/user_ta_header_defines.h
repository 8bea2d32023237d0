/* The property benchmark TA (bench_gp_ta). */
#ifndef USER_TA_HEADER_DEFINES_H
#define USER_TA_HEADER_DEFINES_H

#define TA_UUID                                      \
  {                                                  \
    0x7e57c0de, 0x00bf, 0x4000, {                    \
      0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xbf \
    }                                                \
  }
#define TA_FLAGS (TA_FLAG_SINGLE_INSTANCE | TA_FLAG_MULTI_SESSION)
#define TA_STACK_SIZE (2 * 1024)
#define TA_DATA_SIZE (32 * 1024)
#define TA_VERSION "1.0"
#define TA_DESCRIPTION "captee property benchmark TA"
#define TA_CURRENT_TA_EXT_PROPERTIES                                   \
  {                                                                    \
    "org.captee.bench.u32", USER_TA_PROP_TYPE_U32, &(const uint32_t) { \
      42                                                               \
    }                                                                  \
  }

#endif /* USER_TA_HEADER_DEFINES_H */
