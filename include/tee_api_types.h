/* GlobalPlatform TEE Internal Core API v1.3.1: the types, with the names,
 * layouts and spelling of OP-TEE's libutee tee_api_types.h, including the GP
 * v1.1 forms OP-TEE keeps under the __GP11_ prefix (32-bit sizes); in the
 * v1.1 compatibility mode tee_api_compat.h makes the plain names mean those
 * (see tee_api_defines.h).
 *
 * A TA written for OP-TEE sees the same names, layouts and values here, so
 * it compiles unchanged against captee. Types only; the functions are in
 * tee_internal_api.h. Usable from C (C99 and later) and C++. */
#ifndef TEE_API_TYPES_H
#define TEE_API_TYPES_H

#include <compiler.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <tee_api_defines.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Every Internal Core API function that can fail returns one of the
 * TEE_SUCCESS / TEE_ERROR_* codes of tee_api_defines.h. */
typedef uint32_t TEE_Result;

/* RFC 4122 UUID, fields in host order. */
typedef struct {
  uint32_t timeLow;
  uint16_t timeMid;
  uint16_t timeHiAndVersion;
  uint8_t clockSeqAndNode[8];
} TEE_UUID;

/* Who a client is: a TEE_LOGIN_* method and a UUID (nil if the method has
 * none). */
typedef struct {
  uint32_t login;
  TEE_UUID uuid;
} TEE_Identity;

/* One of the four parameters of an entry point, TEE_OpenTASession or
 * TEE_InvokeTACommand; the matching 4-bit field of paramTypes
 * (TEE_PARAM_TYPE_GET) says which member is meant. A memref's buffer is
 * borrowed for the call; for an output memref the TA sets size to the bytes
 * written, or to the size needed with TEE_ERROR_SHORT_BUFFER. */
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

/* GP v1.1 parameter: the same with a 32-bit memref size. */
typedef union {
  struct {
    void *buffer;
    uint32_t size;
  } memref;
  struct {
    uint32_t a;
    uint32_t b;
  } value;
} __GP11_TEE_Param;

/* Opaque handles; TEE_HANDLE_NULL is none. */
typedef struct __TEE_TASessionHandle *TEE_TASessionHandle;
typedef struct __TEE_PropSetHandle *TEE_PropSetHandle;
typedef struct __TEE_ObjectHandle *TEE_ObjectHandle;
typedef struct __TEE_ObjectEnumHandle *TEE_ObjectEnumHandle;
typedef struct __TEE_OperationHandle *TEE_OperationHandle;

/* ---- Trusted storage ---- */

typedef uint32_t TEE_ObjectType;

typedef struct {
  uint32_t objectType;
  uint32_t objectSize;
  uint32_t maxObjectSize;
  uint32_t objectUsage;
  size_t dataSize;
  size_t dataPosition;
  uint32_t handleFlags;
} TEE_ObjectInfo;

/* GP v1.1 object information: 32-bit data size and position, and each size
 * under both its v1.1 name (keySize, maxKeySize) and its v1.1.1 name. */
typedef struct {
  uint32_t objectType;
  __extension__ union {
    uint32_t keySize;
    uint32_t objectSize;
  };
  __extension__ union {
    uint32_t maxKeySize;
    uint32_t maxObjectSize;
  };
  uint32_t objectUsage;
  uint32_t dataSize;
  uint32_t dataPosition;
  uint32_t handleFlags;
} __GP11_TEE_ObjectInfo;

/* TEE_DATA_SEEK_SET, TEE_DATA_SEEK_CUR or TEE_DATA_SEEK_END. */
typedef uint32_t TEE_Whence;

/* An object or operation attribute: a buffer, or (TEE_ATTR_FLAG_VALUE set in
 * attributeID) two values. */
typedef struct {
  uint32_t attributeID;
  union {
    struct {
      void *buffer;
      size_t length;
    } ref;
    struct {
      uint32_t a, b;
    } value;
  } content;
} TEE_Attribute;

/* GP v1.1 attribute: a 32-bit buffer length. */
typedef struct {
  uint32_t attributeID;
  union {
    struct {
      void *buffer;
      uint32_t length;
    } ref;
    struct {
      uint32_t a, b;
    } value;
  } content;
} __GP11_TEE_Attribute;

/* ---- Cryptographic operations ---- */

/* A TEE_MODE_* value. */
typedef uint32_t TEE_OperationMode;

typedef struct {
  uint32_t algorithm;
  uint32_t operationClass;
  uint32_t mode;
  uint32_t digestLength;
  uint32_t maxKeySize;
  uint32_t keySize;
  uint32_t requiredKeyUsage;
  uint32_t handleState;
} TEE_OperationInfo;

typedef struct {
  uint32_t keySize;
  uint32_t requiredKeyUsage;
} TEE_OperationInfoKey;

/* Followed by numberOfKeys keyInformation entries. */
typedef struct {
  uint32_t algorithm;
  uint32_t operationClass;
  uint32_t mode;
  uint32_t digestLength;
  uint32_t maxKeySize;
  uint32_t handleState;
  uint32_t operationState;
  uint32_t numberOfKeys;
  TEE_OperationInfoKey keyInformation[];
} TEE_OperationInfoMultiple;

/* ---- Time ---- */

typedef struct {
  uint32_t seconds;
  uint32_t millis;
} TEE_Time;

/* ---- Arithmetic: arrays of uint32_t, sized with TEE_BigIntSizeInU32,
 * TEE_BigIntFMMSizeInU32 and TEE_BigIntFMMContextSizeInU32 ---- */

typedef uint32_t TEE_BigInt;
typedef uint32_t TEE_BigIntFMM;
/* Pointer-aligned: an implementation may keep pointers in a context. */
typedef uint32_t TEE_BigIntFMMContext __attribute__((aligned(__alignof__(void *))));

/* ---- Secure Element API types (declared by OP-TEE's header too) ---- */

typedef struct __TEE_SEServiceHandle *TEE_SEServiceHandle;
typedef struct __TEE_SEReaderHandle *TEE_SEReaderHandle;
typedef struct __TEE_SESessionHandle *TEE_SESessionHandle;
typedef struct __TEE_SEChannelHandle *TEE_SEChannelHandle;

typedef struct {
  bool sePresent;
  bool teeOnly;
  bool selectResponseEnable;
} TEE_SEReaderProperties;

typedef struct {
  uint8_t *buffer;
  size_t bufferLen;
} TEE_SEAID;

/* ---- Other ---- */

typedef uint32_t TEE_ErrorOrigin;
typedef void *TEE_Session;

#define TEE_MEM_INPUT 0x00000001
#define TEE_MEM_OUTPUT 0x00000002

#define TEE_MEMREF_0_USED 0x00000001
#define TEE_MEMREF_1_USED 0x00000002
#define TEE_MEMREF_2_USED 0x00000004
#define TEE_MEMREF_3_USED 0x00000008

#define TEE_SE_READER_NAME_MAX 20

#ifdef __cplusplus
}
#endif

#endif /* TEE_API_TYPES_H */
