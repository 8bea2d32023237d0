/* The trusted storage test TA's UUIDs and commands (shared by the TA and
 * gp_storage_test). One source, built twice: in the default v1.3.1 mode and
 * in the GP v1.1 compatibility mode (CFG_TA_OPTEE_CORE_API_COMPAT_1_1). The
 * two builds are two TAs with different UUIDs, which the isolation tests
 * use: the same object id names different objects in each.
 *
 * GP_STORAGE_CMD_API and GP_STORAGE_CMD_KEYS take params[0] VALUE_OUTPUT
 * and answer TEE_SUCCESS, or TEE_ERROR_GENERIC with params[0].value.a = the
 * number of the failed check. The others answer the GP result of what they
 * did. */
#ifndef GP_STORAGE_TA_H
#define GP_STORAGE_TA_H

#define GP_STORAGE_TA_V131_UUID                      \
  {                                                  \
    0x7e57c0de, 0x0161, 0x4000, {                    \
      0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x61 \
    }                                                \
  }
#define GP_STORAGE_TA_GP11_UUID                      \
  {                                                  \
    0x7e57c0de, 0x0162, 0x4000, {                    \
      0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x62 \
    }                                                \
  }

/* Every storage function with its success and error cases (deletes all of
 * this TA's objects first and last). */
#define GP_STORAGE_CMD_API 0
/* AES, HMAC, RSA and ECC keys stored, reopened and used by operations. */
#define GP_STORAGE_CMD_KEYS 1
/* params[0] MEMREF_INPUT id (the client's shared memory), params[1]
 * MEMREF_INPUT data: creates (or overwrites) the object with that data. */
#define GP_STORAGE_CMD_PUT 2
/* params[0] MEMREF_INPUT id, params[1] MEMREF_OUTPUT data: reads it all. */
#define GP_STORAGE_CMD_GET 3
/* params[0] MEMREF_INPUT id: opens with WRITE_META and deletes it. */
#define GP_STORAGE_CMD_DELETE 4
/* params[0] VALUE_OUTPUT a = how many objects enumeration finds in
 * TEE_STORAGE_PRIVATE. */
#define GP_STORAGE_CMD_COUNT 5
/* params[0] MEMREF_INPUT id, params[1] MEMREF_INPUT new id. */
#define GP_STORAGE_CMD_RENAME 6
/* params[0] VALUE_INPUT a = one of GP_STORAGE_MISUSE_*: the TA sets the
 * case up (TEE_ERROR_ITEM_NOT_FOUND if that fails), then makes the mistake,
 * which must panic it. */
#define GP_STORAGE_CMD_MISUSE 7
/* params[0] MEMREF_INPUT id, params[1] VALUE_INPUT a = open flags: opens
 * the object and keeps the handle open in this instance until it ends. */
#define GP_STORAGE_CMD_HOLD 8
/* params[0] MEMREF_INPUT id, params[1] VALUE_INPUT a = open flags: opens
 * the object, closes it, answers the open's result. */
#define GP_STORAGE_CMD_TRY_OPEN 9
/* params[0] VALUE_INPUT a = this instance's slot (0..63), b = rounds:
 * writes and reads back its own object "own-<slot>" and its 4-byte slot of
 * the shared object "shared" (created beforehand, 256 bytes), opened shared
 * for reading and writing. TEE_ERROR_GENERIC with params[1] VALUE_OUTPUT
 * a = the failed check. */
#define GP_STORAGE_CMD_STRESS 10
/* params[0] MEMREF_INPUT id, params[1] MEMREF_INPUT data, params[2]
 * VALUE_INPUT a = offset: opens the object for writing, seeks to the offset
 * (past the end too) and writes the data in one TEE_WriteObjectData. */
#define GP_STORAGE_CMD_WRITE_AT 11
/* params[0] MEMREF_INPUT id, params[1] VALUE_INPUT a = size: opens the
 * object for writing and truncates (or extends) it to that size. */
#define GP_STORAGE_CMD_TRUNCATE 12

/* Panics at once, before anything else (a handle held by HOLD dies with
 * it). */
#define GP_STORAGE_MISUSE_JUST_PANIC 0
#define GP_STORAGE_MISUSE_ID_TOO_LONG 1         /* a 65-byte id to Open */
#define GP_STORAGE_MISUSE_READ_WITHOUT_ACCESS 2 /* Read, opened without ACCESS_READ */
#define GP_STORAGE_MISUSE_WRITE_WITHOUT_ACCESS 3
#define GP_STORAGE_MISUSE_RENAME_WITHOUT_META 4
#define GP_STORAGE_MISUSE_DELETE_WITHOUT_META 5
#define GP_STORAGE_MISUSE_BAD_WHENCE 6
#define GP_STORAGE_MISUSE_TRANSIENT_TO_READ 7 /* a transient handle to ReadObjectData */
#define GP_STORAGE_MISUSE_BOGUS_HANDLE 8      /* a made-up handle to ReadObjectData */
#define GP_STORAGE_MISUSE_BOGUS_ENUMERATOR 9
#define GP_STORAGE_MISUSE_CLOSED_HANDLE 10       /* a closed persistent handle reused */
#define GP_STORAGE_MISUSE_FREE_PERSISTENT 11     /* FreeTransientObject on a persistent one */
#define GP_STORAGE_MISUSE_UNKNOWN_FLAG 12        /* Open with a flag GP does not define */
#define GP_STORAGE_MISUSE_UNINITIALIZED_ATTRS 13 /* Create from an empty transient object */
#define GP_STORAGE_MISUSE_POPULATE_PERSISTENT 14
#define GP_STORAGE_MISUSE_NEXT_WITHOUT_ID 15 /* GetNext with a NULL id buffer */
#define GP_STORAGE_MISUSE_RENAME_ID_TOO_LONG 16
#define GP_STORAGE_MISUSE_COUNT 16

#endif /* GP_STORAGE_TA_H */
