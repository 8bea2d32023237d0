/* GlobalPlatform TEE Client API (TEEC_*), source-compatible with OP-TEE's
 * libteec header: the same type, field and macro names and values, so client
 * code written for OP-TEE builds unchanged against captee (link captee::teec,
 * pkg-config teec).
 *
 * captee builds the API on objects, as Qualcomm's libminkteec does: a context
 * holds a channel to capteed and its IGPAppClient (CGPAppClient_UID 0x199),
 * a session is an IGPSession object, and cancellation goes through a local
 * IWait object. The `imp` members are implementation-defined: do not touch.
 *
 * Ownership: every structure is owned by the caller and must stay in place
 * (not moved or copied) between its initialise/open/register call and the
 * matching finalize/close/release. Errors: TEEC_Result codes below, with a
 * TEEC_ORIGIN_* in *returnOrigin where the function has one.
 * Thread-safety: a context may be used from several threads at once; one
 * TEEC_Operation belongs to one call; TEEC_RequestCancellation may be called
 * from any thread.
 */
#ifndef TEE_CLIENT_API_H
#define TEE_CLIENT_API_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Spelled with its folder so that -I<prefix>/include alone, OP-TEE's
 * documented way of building a client, finds it. */
#include "captee/object.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TEEC_CONFIG_PAYLOAD_REF_COUNT 4
#define TEEC_CONFIG_SHAREDMEM_MAX_SIZE ULONG_MAX

/* Parameter types (one nibble per parameter in paramTypes). */
#define TEEC_NONE 0x00000000
#define TEEC_VALUE_INPUT 0x00000001
#define TEEC_VALUE_OUTPUT 0x00000002
#define TEEC_VALUE_INOUT 0x00000003
#define TEEC_MEMREF_TEMP_INPUT 0x00000005
#define TEEC_MEMREF_TEMP_OUTPUT 0x00000006
#define TEEC_MEMREF_TEMP_INOUT 0x00000007
#define TEEC_MEMREF_WHOLE 0x0000000C
#define TEEC_MEMREF_PARTIAL_INPUT 0x0000000D
#define TEEC_MEMREF_PARTIAL_OUTPUT 0x0000000E
#define TEEC_MEMREF_PARTIAL_INOUT 0x0000000F

/* Shared memory flags. */
#define TEEC_MEM_INPUT 0x00000001
#define TEEC_MEM_OUTPUT 0x00000002

/* Return codes. */
#define TEEC_SUCCESS 0x00000000
#define TEEC_ERROR_STORAGE_NOT_AVAILABLE 0xF0100003
#define TEEC_ERROR_GENERIC 0xFFFF0000
#define TEEC_ERROR_ACCESS_DENIED 0xFFFF0001
#define TEEC_ERROR_CANCEL 0xFFFF0002
#define TEEC_ERROR_ACCESS_CONFLICT 0xFFFF0003
#define TEEC_ERROR_EXCESS_DATA 0xFFFF0004
#define TEEC_ERROR_BAD_FORMAT 0xFFFF0005
#define TEEC_ERROR_BAD_PARAMETERS 0xFFFF0006
#define TEEC_ERROR_BAD_STATE 0xFFFF0007
#define TEEC_ERROR_ITEM_NOT_FOUND 0xFFFF0008
#define TEEC_ERROR_NOT_IMPLEMENTED 0xFFFF0009
#define TEEC_ERROR_NOT_SUPPORTED 0xFFFF000A
#define TEEC_ERROR_NO_DATA 0xFFFF000B
#define TEEC_ERROR_OUT_OF_MEMORY 0xFFFF000C
#define TEEC_ERROR_BUSY 0xFFFF000D
#define TEEC_ERROR_COMMUNICATION 0xFFFF000E
#define TEEC_ERROR_SECURITY 0xFFFF000F
#define TEEC_ERROR_SHORT_BUFFER 0xFFFF0010
#define TEEC_ERROR_EXTERNAL_CANCEL 0xFFFF0011
#define TEEC_ERROR_TARGET_DEAD 0xFFFF3024
#define TEEC_ERROR_STORAGE_NO_SPACE 0xFFFF3041
/* The TEE_ERROR_* aliases OP-TEE's header has, spelled exactly as in
 * tee_api_defines.h so both headers may be included together. */
#define TEE_ERROR_EXTERNAL_CANCEL 0xFFFF0011
#define TEE_ERROR_OVERFLOW 0xFFFF300F
#define TEE_ERROR_TARGET_DEAD 0xFFFF3024
#define TEE_ERROR_STORAGE_NO_SPACE 0xFFFF3041
#define TEE_ERROR_MAC_INVALID 0xFFFF3071
#define TEE_ERROR_SIGNATURE_INVALID 0xFFFF3072
#define TEE_ERROR_TIME_NOT_SET 0xFFFF5000
#define TEE_ERROR_TIME_NEEDS_RESET 0xFFFF5001

/* Where a result came from. */
#define TEEC_ORIGIN_API 0x00000001
#define TEEC_ORIGIN_COMMS 0x00000002
#define TEEC_ORIGIN_TEE 0x00000003
#define TEEC_ORIGIN_TRUSTED_APP 0x00000004

/* Login methods. */
#define TEEC_LOGIN_PUBLIC 0x00000000
#define TEEC_LOGIN_USER 0x00000001
#define TEEC_LOGIN_GROUP 0x00000002
#define TEEC_LOGIN_APPLICATION 0x00000004
#define TEEC_LOGIN_USER_APPLICATION 0x00000005
#define TEEC_LOGIN_GROUP_APPLICATION 0x00000006

#define TEEC_PARAM_TYPES(p0, p1, p2, p3) ((p0) | ((p1) << 4) | ((p2) << 8) | ((p3) << 12))
#define TEEC_PARAM_TYPE_GET(p, i) (((p) >> ((i)*4)) & 0xF)

typedef uint32_t TEEC_Result;

/* The connection to the TEE. imp: the IGPAppClient, the capteed root object
 * and the context's IWait (cancellation); and two fields OP-TEE's clients
 * read, with OP-TEE's meaning: reg_mem (TEEC_RegisterSharedMemory shares
 * without a bounce buffer of libteec's own; false here: registered memory
 * travels as a copy of its window) and memref_null (a NULL temporary memref
 * reaches the TA as a NULL buffer; true here). */
typedef struct {
  struct {
    Object root_obj;
    Object app_client;
    Object waiter_cbo;
    bool reg_mem;
    bool memref_null;
  } imp;
} TEEC_Context;

/* RFC 4122 UUID, fields in host order. */
typedef struct {
  uint32_t timeLow;
  uint16_t timeMid;
  uint16_t timeHiAndVersion;
  uint8_t clockSeqAndNode[8];
} TEEC_UUID;

/* Memory shared with the TA: `buffer` of `size` bytes, TEEC_MEM_* `flags`.
 * Allocated memory is a memory object mapped here; a memref naming every page
 * of it (WHOLE, or a PARTIAL window over all its pages) hands the TA that
 * object (zero-copy). Every other memref (registered memory, a PARTIAL window
 * of allocated memory) hands the TA a copy of its window for that call only
 * (see docs/GP.md). The imp members are guarded by a lock inside libteec. */
typedef struct {
  void *buffer;
  size_t size;
  uint32_t flags;
  struct {
    TEEC_Context *ctx;
    void *allocated;    /* owned heap block (zero-length allocations), or
                           libteec's mapping of a registered descriptor */
    size_t mapped;      /* that mapping's length */
    Object mem_obj;     /* allocated or sealed descriptor: its object */
    uint32_t kind;      /* 0 none, 1 registered, 2 allocated, 3 descriptor */
    uint32_t users;     /* calls in progress that use this memory */
    uint32_t releasing; /* 1 while TEEC_ReleaseSharedMemory waits for them */
  } imp;
} TEEC_SharedMemory;

typedef struct {
  void *buffer;
  size_t size;
} TEEC_TempMemoryReference;

typedef struct {
  TEEC_SharedMemory *parent;
  size_t size;
  size_t offset;
} TEEC_RegisteredMemoryReference;

typedef struct {
  uint32_t a;
  uint32_t b;
} TEEC_Value;

typedef union {
  TEEC_TempMemoryReference tmpref;
  TEEC_RegisteredMemoryReference memref;
  TEEC_Value value;
} TEEC_Parameter;

/* An open session. imp: the IGPSession object, its context, the memory
 * objects its large temporary memrefs reuse, and the same session served by
 * the TA's own process over a direct channel, which invocations take when
 * there is one (Object_NULL otherwise; docs/GP.md, "Direct sessions"). */
typedef struct {
  struct {
    Object session;
    TEEC_Context *ctx;
    void *call_memory;
    Object direct;
  } imp;
} TEEC_Session;

/* The parameters of one call. Set `started` to 0 before the call if it may
 * be cancelled. */
typedef struct {
  uint32_t started;
  uint32_t paramTypes;
  TEEC_Parameter params[TEEC_CONFIG_PAYLOAD_REF_COUNT];
  struct {
    TEEC_Session *session; /* the session of the call in progress, or NULL */
    TEEC_Context *ctx;     /* its context, or NULL */
    uint32_t cancel_code;
  } imp;
} TEEC_Operation;

/* Connects to capteed ($CAPTEE_SOCKET, else /run/captee/captee.sock). `name`
 * must be NULL or "captee" (else TEEC_ERROR_ITEM_NOT_FOUND). NULL context:
 * BAD_PARAMETERS; capteed unreachable: TEEC_ERROR_COMMUNICATION. */
TEEC_Result TEEC_InitializeContext(const char *name, TEEC_Context *context);

/* Releases the context's objects. NULL: no-op. Close sessions and release
 * shared memory first. */
void TEEC_FinalizeContext(TEEC_Context *context);

/* Opens a session to the TA `destination`. Unknown TA: ITEM_NOT_FOUND origin
 * TEE; malformed arguments: BAD_PARAMETERS origin API; the TA's refusal: its
 * code, origin TRUSTED_APP. `operation` (may be NULL) is marshalled as for
 * TEEC_InvokeCommand and can be cancelled. On failure *session stays closed
 * (TEEC_CloseSession on it is a no-op). */
TEEC_Result TEEC_OpenSession(TEEC_Context *context, TEEC_Session *session,
                             const TEEC_UUID *destination, uint32_t connectionMethod,
                             const void *connectionData, TEEC_Operation *operation,
                             uint32_t *returnOrigin);

/* Closes the session: TA_CloseSessionEntryPoint has run when this returns.
 * NULL, or a closed session: no-op. Not while a call on it is in flight. */
void TEEC_CloseSession(TEEC_Session *session);

/* Invokes `commandID` in the TA. A TA that died: TARGET_DEAD origin TEE, on
 * this and every later call. A malformed operation (bad type, memref bounds,
 * a parent of another context, a direction the memory's flags do not allow,
 * a temporary memref over 16 MiB): BAD_PARAMETERS origin API, nothing sent.
 * Output memrefs get the size the TA produced (the required size with
 * SHORT_BUFFER). Several threads may invoke one session at once; the TA runs
 * their calls one at a time. */
TEEC_Result TEEC_InvokeCommand(TEEC_Session *session, uint32_t commandID, TEEC_Operation *operation,
                               uint32_t *returnOrigin);

/* Registers the caller's buffer (shm->buffer, size, flags) for memrefs.
 * NULL context, shm or buffer, flags 0 or unknown: BAD_PARAMETERS; more than
 * 16 MiB: OUT_OF_MEMORY. The buffer must stay valid until
 * TEEC_ReleaseSharedMemory; during a call the TA sees a copy of the bytes the
 * call's memrefs name, as they were when the call started, and nothing else of
 * the buffer; the bytes it produces in output memrefs are copied back when it
 * returns. */
TEEC_Result TEEC_RegisterSharedMemory(TEEC_Context *context, TEEC_SharedMemory *sharedMem);

/* Allocates shm->size bytes into shm->buffer: a memory object from capteed's
 * memory service, mapped here. A memref naming all of its pages maps it into
 * the TA (zero-copy, each side sees the other's writes at once); a PARTIAL
 * window over fewer pages travels as a copy, like registered memory. Too
 * large (> 16 MiB): OUT_OF_MEMORY. */
TEEC_Result TEEC_AllocateSharedMemory(TEEC_Context *context, TEEC_SharedMemory *sharedMem);

/* Releases registered or allocated memory (frees the allocation). NULL, or
 * memory already released: no-op. Calls already using it hold it: this waits
 * until they have returned (and copied their output back), so once it
 * returns nothing of libteec touches the memory again. A call that starts
 * after the release began fails with BAD_PARAMETERS (origin API). */
void TEEC_ReleaseSharedMemory(TEEC_SharedMemory *sharedMemory);

/* Asks the TA to cancel the invoke or open running with `operation` (see
 * started); the call returns TEEC_ERROR_CANCEL if the TA honours it. Ignored
 * before the call started and after it ended. Any thread. */
void TEEC_RequestCancellation(TEEC_Operation *operation);

#ifdef __cplusplus
}
#endif

#endif /* TEE_CLIENT_API_H */
