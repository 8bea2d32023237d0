/* The properties and persistent time test TA's UUIDs and commands (shared by
 * the TA and gp_properties_test / gp_time_test). One source, built twice: in
 * the default v1.3.1 mode with TA_VERSION, TA_DESCRIPTION and extension
 * properties of every type, and in the GP v1.1 mode with none of those (the
 * OP-TEE defaults). */
#ifndef GP_PROPS_TA_H
#define GP_PROPS_TA_H

#define GP_PROPS_TA_V131_UUID                        \
  {                                                  \
    0x7e57c0de, 0x0013, 0x4000, {                    \
      0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x13 \
    }                                                \
  }
#define GP_PROPS_TA_GP11_UUID                        \
  {                                                  \
    0x7e57c0de, 0x0014, 0x4000, {                    \
      0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x14 \
    }                                                \
  }

/* Which property set a command names (params[0].value.a). */
#define GP_PROPS_SET_TEE 0
#define GP_PROPS_SET_CLIENT 1
#define GP_PROPS_SET_TA 2
/* Not a set: a handle that is neither a pseudo-handle nor an enumerator. */
#define GP_PROPS_SET_BOGUS 3

/* Which getter (params[0].value.b of GP_PROPS_CMD_GET). */
#define GP_PROPS_AS_STRING 0
#define GP_PROPS_AS_BOOL 1
#define GP_PROPS_AS_U32 2
#define GP_PROPS_AS_U64 3
#define GP_PROPS_AS_BINARY_BLOCK 4
#define GP_PROPS_AS_UUID 5
#define GP_PROPS_AS_IDENTITY 6

/* Reads one property. params[0] value in {a = set, b = getter}; params[1]
 * memref in: the name, NUL-terminated (the TA copies it and adds a zero, so
 * a name of any bytes can be asked); params[2] memref out: the value (a string with its
 * zero, the binary block, a uint32_t, a uint64_t, a TEE_UUID or a
 * TEE_Identity as the TA's memory holds them), whose size is also the
 * buffer size handed to the string and binary block getters; params[3]
 * value out {a = the getter's TEE_Result, b = the length it reported}. */
#define GP_PROPS_CMD_GET 0
/* The same, through an enumerator: params[0] value in {a = set, b = getter},
 * params[1] value in {a = how many times to call TEE_GetNextProperty after
 * starting it}, params[2] and params[3] as GP_PROPS_CMD_GET (the name is
 * passed as NULL, which an enumerator ignores). */
#define GP_PROPS_CMD_GET_NTH 1
/* Enumerates a set: params[0] value in {a = set}; params[1] memref out: for
 * each property "<name>=<value as a string>\n"; params[2] value out {a = how
 * many properties}. */
#define GP_PROPS_CMD_ENUMERATE 2
/* Checks the enumerator rules inside the TA (allocate, start, reset, free
 * NULL, names and SHORT_BUFFER, the end of a set, restarting): TEE_SUCCESS,
 * or TEE_ERROR_GENERIC with params[0] value out {a = the failed check}. */
#define GP_PROPS_CMD_ENUMERATOR_RULES 3
/* Makes one call GP says panics the TA: params[0] value in {a = which, one
 * of GP_PROPS_PANIC_*}. Never returns (the client sees TARGET_DEAD). */
#define GP_PROPS_CMD_PANIC 4
#define GP_PROPS_PANIC_BOGUS_HANDLE 0     /* TEE_GetPropertyAsU32(0x1234, ...) */
#define GP_PROPS_PANIC_FREED_ENUMERATOR 1 /* an enumerator used after it was freed */
#define GP_PROPS_PANIC_START_ON_BOGUS_SET 2
#define GP_PROPS_PANIC_NULL_VALUE 3 /* TEE_GetPropertyAsBool(set, name, NULL) */
#define GP_PROPS_PANIC_NULL_NAME 4  /* a pseudo-handle and a NULL name */
#define GP_PROPS_PANIC_NAME_OF_PSEUDO_HANDLE 5
#define GP_PROPS_PANIC_FREE_BOGUS 6
#define GP_PROPS_PANIC_TIME_MILLIS_1000 7 /* TEE_SetTAPersistentTime({0, 1000}) */
#define GP_PROPS_PANIC_COUNT 8
/* TEE_GetTAPersistentTime: params[0] value out {a = its TEE_Result, b =
 * seconds}, params[1] value out {a = millis}. */
#define GP_PROPS_CMD_TIME_GET 5
/* TEE_SetTAPersistentTime: params[0] value in {a = seconds, b = millis},
 * params[1] value out {a = its TEE_Result}. */
#define GP_PROPS_CMD_TIME_SET 6

#endif /* GP_PROPS_TA_H */
