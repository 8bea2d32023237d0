/* GlobalPlatform TEE Internal Core API: basic types, as OP-TEE's
 * lib/libutee/include/tee_api_types.h spells them (GP TEE Internal Core API
 * v1.3.1, which OP-TEE follows: a memref carries a size_t size).
 *
 * A trusted application written for OP-TEE sees the same names, layouts and
 * values here, so its entry points (TA_OpenSessionEntryPoint,
 * TA_InvokeCommandEntryPoint) compile unchanged against captee. This header
 * holds types only; the functions of the Internal Core API come later in
 * tee_internal_api.h. Usable from C (C99 and later) and C++. */
#ifndef TEE_API_TYPES_H
#define TEE_API_TYPES_H

#include <stddef.h>
#include <stdint.h>

#include "tee_api_defines.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Every Internal Core API function that can fail returns one of the
 * TEE_SUCCESS / TEE_ERROR_* codes of tee_api_defines.h. */
typedef uint32_t TEE_Result;

/* RFC 4122 UUID, fields in host order (the TA UUID of a session). */
typedef struct {
  uint32_t timeLow;
  uint16_t timeMid;
  uint16_t timeHiAndVersion;
  uint8_t clockSeqAndNode[8];
} TEE_UUID;

/* Who opened a session: a TEE_LOGIN_* method and, for TA clients, its UUID. */
typedef struct {
  uint32_t login;
  TEE_UUID uuid;
} TEE_Identity;

/* One of the four parameters of an open-session or invoke-command call. Its
 * meaning is given by the matching 4-bit field of the paramTypes word
 * (TEE_PARAM_TYPE_GET). A memref's buffer is borrowed for the duration of the
 * call; an output memref's size is updated to the bytes written, or to the
 * size needed with TEE_ERROR_SHORT_BUFFER. */
typedef union {
  struct {
    void *buffer;
    size_t size;
  } memref;
  struct {
    uint32_t a;
    uint32_t b;
  } value;
} TEE_Param;

/* Opaque handles of the Internal Core API (defined by the implementation). */
typedef struct __TEE_TASessionHandle *TEE_TASessionHandle;
typedef struct __TEE_PropSetHandle *TEE_PropSetHandle;
typedef struct __TEE_ObjectHandle *TEE_ObjectHandle;
typedef struct __TEE_ObjectEnumHandle *TEE_ObjectEnumHandle;
typedef struct __TEE_OperationHandle *TEE_OperationHandle;

/* System time: seconds and milliseconds. */
typedef struct {
  uint32_t seconds;
  uint32_t millis;
} TEE_Time;

#ifdef __cplusplus
}
#endif

#endif /* TEE_API_TYPES_H */
