/* GlobalPlatform TEE Internal Core API for OP-TEE-style trusted apps.
 *
 * A GP TA is built with captee_add_ta(... LINK captee::gp_ta): the GP runtime
 * (src/gp_ta) runs inside captee-tahost, turns IGPAppClient / IGPSession calls
 * into the entry points below, and builds the TA manifest from the TA's
 * user_ta_header_defines.h (TA_UUID, TA_FLAGS, TA_STACK_SIZE, TA_DATA_SIZE).
 *
 * The runtime calls the entry points one at a time (a TA instance is single-
 * threaded, as in OP-TEE). Memref buffers in TEE_Param are owned by the
 * runtime and valid only during the call. Only what captee implements is
 * declared here (see docs/GP.md).
 */
#ifndef TEE_INTERNAL_API_H
#define TEE_INTERNAL_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tee_api_defines.h"
#include "tee_api_types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TA_EXPORT __attribute__((visibility("default")))
#ifndef __maybe_unused
#define __maybe_unused __attribute__((unused))
#endif

/* ---- Entry points, implemented by the TA ---- */

/* Once per instance, before the first session. */
TEE_Result TA_CreateEntryPoint(void);
/* Once per instance, after its last session closed (not for keep-alive TAs). */
void TA_DestroyEntryPoint(void);
/* Per session; *sessionContext is handed back to the other entry points. */
TEE_Result TA_OpenSessionEntryPoint(uint32_t paramTypes, TEE_Param params[4],
                                    void **sessionContext);
void TA_CloseSessionEntryPoint(void *sessionContext);
TEE_Result TA_InvokeCommandEntryPoint(void *sessionContext, uint32_t commandID, uint32_t paramTypes,
                                      TEE_Param params[4]);

/* ---- Memory ---- */

#define TEE_MALLOC_FILL_ZERO 0x00000000u
#define TEE_MALLOC_NO_FILL 0x00000001u
#define TEE_MALLOC_NO_SHARE 0x00000002u

/* TEE_CheckMemoryAccessRights flags. */
#define TEE_MEMORY_ACCESS_READ 0x00000001u
#define TEE_MEMORY_ACCESS_WRITE 0x00000002u
#define TEE_MEMORY_ACCESS_ANY_OWNER 0x00000004u

/* Zero-filled unless hint has TEE_MALLOC_NO_FILL. NULL on failure; size 0
 * gives a valid, unique pointer. Free with TEE_Free. */
void *TEE_Malloc(size_t size, uint32_t hint);
/* Like realloc; NULL on failure (the old buffer is kept). */
void *TEE_Realloc(void *buffer, size_t newSize);
/* NULL is a no-op. */
void TEE_Free(void *buffer);
void TEE_MemMove(void *dest, const void *src, size_t size);
int32_t TEE_MemCompare(const void *buffer1, const void *buffer2, size_t size);
void TEE_MemFill(void *buff, uint32_t x, size_t size);
/* TEE_SUCCESS if every byte of [buffer, buffer+size) is mapped in this TA
 * with the rights asked for (TEE_MEMORY_ACCESS_READ / _WRITE) and, unless
 * TEE_MEMORY_ACCESS_ANY_OWNER is given, none of it is memory the client
 * shares for the current call (a memref parameter); with ANY_OWNER, writing
 * an input memref is still refused. TEE_ERROR_ACCESS_DENIED otherwise (also
 * for a range that wraps around). size 0 is TEE_SUCCESS. Other flag bits are
 * ignored, as in OP-TEE. */
TEE_Result TEE_CheckMemoryAccessRights(uint32_t accessFlags, void *buffer, size_t size);

/* ---- Random, time, panic ---- */

/* Fills the buffer from the kernel CSPRNG (getrandom); panics on failure. */
void TEE_GenerateRandom(void *randomBuffer, size_t randomBufferLen);
/* Monotonic time since an arbitrary origin. */
void TEE_GetSystemTime(TEE_Time *time);
/* Wall-clock time (seconds since the Unix epoch). */
void TEE_GetREETime(TEE_Time *time);
/* Waits `timeout` ms (TEE_TIMEOUT_INFINITE: forever). With cancellation
 * unmasked, a TEEC_RequestCancellation for this call ends the wait early with
 * TEE_ERROR_CANCEL. */
TEE_Result TEE_Wait(uint32_t timeout);

/* ---- Properties ---- */

#define TEE_PROPSET_TEE_IMPLEMENTATION ((TEE_PropSetHandle)0xFFFFFFFD)
#define TEE_PROPSET_CURRENT_CLIENT ((TEE_PropSetHandle)0xFFFFFFFE)
#define TEE_PROPSET_CURRENT_TA ((TEE_PropSetHandle)0xFFFFFFFF)

/* Only "gpd.client.identity" of TEE_PROPSET_CURRENT_CLIENT: the login method
 * and client UUID capteed computed from the caller's kernel credentials (see
 * docs/GP.md). Anything else: TEE_ERROR_ITEM_NOT_FOUND. NULL name or value
 * panics the TA. */
TEE_Result TEE_GetPropertyAsIdentity(TEE_PropSetHandle propsetOrEnumerator, const char *name,
                                     TEE_Identity *value);

/* ---- Cancellation (masked when an entry point starts) ---- */

/* True if the client asked to cancel this call and cancellation is unmasked. */
bool TEE_GetCancellationFlag(void);
/* Both return the previous state: true if cancellation was masked. */
bool TEE_UnmaskCancellation(void);
bool TEE_MaskCancellation(void);

/* Ends the TA instance: its sessions answer TEE_ERROR_TARGET_DEAD. */
void TEE_Panic(TEE_Result panicCode) __attribute__((noreturn));

#ifdef __cplusplus
}
#endif

#endif /* TEE_INTERNAL_API_H */
