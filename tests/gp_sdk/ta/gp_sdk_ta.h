/* The SDK test TA's UUIDs and commands (shared by the TA and gp_sdk_test).
 * One source, built twice: in the GP v1.1 compatibility mode
 * (CFG_TA_OPTEE_CORE_API_COMPAT_1_1) and in the default v1.3.1 mode with
 * CFG_TEE_TA_LOG_LEVEL=0. */
#ifndef GP_SDK_TA_H
#define GP_SDK_TA_H

#define GP_SDK_TA_GP11_UUID                          \
  {                                                  \
    0x7e57c0de, 0x0011, 0x4000, {                    \
      0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x11 \
    }                                                \
  }
#define GP_SDK_TA_V131_UUID                          \
  {                                                  \
    0x7e57c0de, 0x0012, 0x4000, {                    \
      0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x12 \
    }                                                \
  }

/* No TA has this UUID. */
#define GP_SDK_TA_ABSENT_UUID                        \
  {                                                  \
    0x7e57c0de, 0x00ff, 0x4000, {                    \
      0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff \
    }                                                \
  }

/* params[0] value out {a = sizeof(TEE_Param.memref.size) as the TA was
 * compiled, b = __OPTEE_CORE_API_COMPAT_1_1}; params[1] value out {a =
 * TRACE_LEVEL}. */
#define GP_SDK_CMD_MODE 0
/* params[0] memref in, params[1] memref out: the input reversed; with too
 * small an output, TEE_ERROR_SHORT_BUFFER and the size needed. */
#define GP_SDK_CMD_REVERSE 1
/* params[0] value inout: a += 1, b *= 2. */
#define GP_SDK_CMD_VALUES 2
/* Calls one function of each family captee does not implement yet and checks
 * it answers TEE_ERROR_NOT_IMPLEMENTED with its output handle set to
 * TEE_HANDLE_NULL, and that closing TEE_HANDLE_NULL is a no-op; checks 3 and
 * 4 now check that the families issue 14 implemented answer
 * (gpd.ta.dataSize, an unset persistent time), checks 1, 6 and 7 those of
 * issue 15 (RSA allocated and SM2 not supported, AES-CBC, RSA and
 * P-256 ECDSA supported, a SHA-256 and a raw RSA encryption through the mode's size
 * type), check 8 its arithmetic (an octet string through the mode's size type),
 * check 2 that of issue 16 (an object never made is not found,
 * TEE_HANDLE_NULL);
 * TEE_OpenTASession (implemented) to a TA nobody installed answers
 * TEE_ERROR_ITEM_NOT_FOUND, origin TEE, with TEE_HANDLE_NULL. TEE_SUCCESS, or
 * TEE_ERROR_GENERIC with params[0] value out {a = the number of the failed
 * check}. */
#define GP_SDK_CMD_NOT_IMPLEMENTED 3
/* Calls TEE_ResetPersistentObjectEnumerator(TEE_HANDLE_NULL), which panics
 * (a storage stand-in now; a handle that names nothing once issue 16 lands). */
#define GP_SDK_CMD_PANICKING_STUB 4
/* TEE_Set/GetInstanceData, TEE_InitValue/RefAttribute, tee_uuid_from_str,
 * tee_map_zi / tee_unmap, TEE_MemMove's result: TEE_SUCCESS, or
 * TEE_ERROR_GENERIC with params[0] value out {a = the failed check}. */
#define GP_SDK_CMD_SMALL_FUNCTIONS 5

#endif /* GP_SDK_TA_H */
