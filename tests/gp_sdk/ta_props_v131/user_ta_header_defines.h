/* The properties test TA in the default v1.3.1 mode: every flag GP names,
 * a version and a description, and extension properties of every type
 * (some of them texts the getters convert, some the runtime must leave out). */
#ifndef USER_TA_HEADER_DEFINES_H
#define USER_TA_HEADER_DEFINES_H

#include <gp_props_ta.h>

#define TA_UUID GP_PROPS_TA_V131_UUID
#define TA_FLAGS                                                                   \
  (TA_FLAG_SINGLE_INSTANCE | TA_FLAG_MULTI_SESSION | TA_FLAG_INSTANCE_KEEP_ALIVE | \
   TA_FLAG_DONT_CLOSE_HANDLE_ON_CORRUPT_OBJECT)
#define TA_STACK_SIZE (4 * 1024)
#define TA_DATA_SIZE (64 * 1024)
#define TA_VERSION "2.5.1"
#define TA_DESCRIPTION "captee properties test TA"

#define TA_CURRENT_TA_EXT_PROPERTIES                                                           \
  {"org.captee.test.bool", USER_TA_PROP_TYPE_BOOL, &(const bool){true}},                       \
      {"org.captee.test.u32", USER_TA_PROP_TYPE_U32, &(const uint32_t){0x0010}},               \
      {"org.captee.test.u64", USER_TA_PROP_TYPE_U64, &(const uint64_t){0x123456789abcdefULL}}, \
      {"org.captee.test.uuid", USER_TA_PROP_TYPE_UUID,                                         \
       &(const TEE_UUID){0x01020304, 0x0506, 0x0708, {9, 10, 11, 12, 13, 14, 15, 16}}},        \
      {"org.captee.test.identity", USER_TA_PROP_TYPE_IDENTITY,                                 \
       &(const TEE_Identity){TEE_LOGIN_TRUSTED_APP,                                            \
                             {0x01020304, 0x0506, 0x0708, {9, 10, 11, 12, 13, 14, 15, 16}}}},  \
      {"org.captee.test.string", USER_TA_PROP_TYPE_STRING, "hello, properties"},               \
      {"org.captee.test.binary", USER_TA_PROP_TYPE_BINARY_BLOCK, "Y2FwdGVl"},                  \
      {"org.captee.test.text.true", USER_TA_PROP_TYPE_STRING, "TRUE"},                         \
      {"org.captee.test.text.hex", USER_TA_PROP_TYPE_STRING, "0x1_0000"},                      \
      {"org.captee.test.text.kilo", USER_TA_PROP_TYPE_STRING, "4K"},                           \
      {"org.captee.test.text.mega", USER_TA_PROP_TYPE_STRING, "3M"},                           \
      {"org.captee.test.text.binary", USER_TA_PROP_TYPE_STRING, "0b1010_1010"},                \
      {"org.captee.test.text.big", USER_TA_PROP_TYPE_STRING, "4294967296"},                    \
      {"org.captee.test.text.uuid", USER_TA_PROP_TYPE_STRING,                                  \
       "8AAAF200-2450-11E4-ABE2-0002A5D5C51B"},                                                \
      {"org.captee.test.text.identity", USER_TA_PROP_TYPE_STRING,                              \
       "0xF0000000:8aaaf200-2450-11e4-abe2-0002a5d5c51b"},                                     \
      {"org.captee.test.text.login", USER_TA_PROP_TYPE_STRING, "5"},                           \
      {"org.captee.test.text.notanumber", USER_TA_PROP_TYPE_STRING, "12abc"},                  \
      {"org.captee.test.text.base64", USER_TA_PROP_TYPE_STRING, "AAEC"},                       \
      {"org.captee.test.binary.bad", USER_TA_PROP_TYPE_BINARY_BLOCK, "not base64!"},           \
      {"org.captee.test.empty", USER_TA_PROP_TYPE_STRING, ""},                                 \
      {"gp.ta.description", USER_TA_PROP_TYPE_STRING, "an OP-TEE example's own description"},  \
      {"gp.ta.version", USER_TA_PROP_TYPE_U32, &(const uint32_t){0x0010}},                     \
      {"gpd.ta.dataSize", USER_TA_PROP_TYPE_U32, &(const uint32_t){1}},                        \
      {NULL, USER_TA_PROP_TYPE_STRING, "an entry without a name"},                             \
      {"org.captee.test.invalid", USER_TA_PROP_TYPE_INVALID, "an entry of no type"}, {         \
    "org.captee.test.novalue", USER_TA_PROP_TYPE_U32, NULL                                     \
  }

#endif /* USER_TA_HEADER_DEFINES_H */
