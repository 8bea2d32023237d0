// The GP v1.1 forms of the functions whose signatures changed in later
// versions (the __GP11_ names tee_api_compat.h maps a v1.1 TA onto). Each
// converts its 32-bit sizes and v1.1 structures to the v1.3.1 ones, calls
// the v1.3.1 function and converts the results back, so both modes share one
// implementation (and one "not implemented yet" answer where that is what
// the v1.3.1 function gives).
//
// Pointers a v1.3.1 function would panic on are passed through unchanged;
// an in/out size pointer that must be read here is checked, and NULL panics
// the TA as a v1.3.1 function does for it.
#include <cstdlib>
#include <cstring>
#include <limits>

#include "gp11_params.hpp"
#include "tee_internal_api.h"

using captee::gp_ta::narrow_size;

namespace {

// A uint32_t in/out length as a size_t for the v1.3.1 call, written back
// (saturated) when the call returns.
class Length {
 public:
  explicit Length(uint32_t *len) : len_(len) {
    if (len_ == nullptr) {
      TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
    }
    value_ = *len_;
  }
  ~Length() { *len_ = narrow_size(value_); }
  Length(const Length &) = delete;
  Length &operator=(const Length &) = delete;
  size_t *get() { return &value_; }

 private:
  uint32_t *len_;
  size_t value_ = 0;
};

// A v1.1 attribute array converted to v1.3.1 attributes, owned for the call.
class Attributes {
 public:
  Attributes(const __GP11_TEE_Attribute *attrs, uint32_t count) {
    if (count == 0 || attrs == nullptr) {
      ok_ = true;  // nothing to convert; the v1.3.1 function judges a NULL array
      return;
    }
    size_t bytes = 0;
    if (__builtin_mul_overflow(static_cast<size_t>(count), sizeof(TEE_Attribute), &bytes)) {
      return;
    }
    converted_ = static_cast<TEE_Attribute *>(std::malloc(bytes));
    if (converted_ == nullptr) {
      return;
    }
    for (uint32_t n = 0; n < count; ++n) {
      converted_[n] = TEE_Attribute{};
      converted_[n].attributeID = attrs[n].attributeID;
      if ((attrs[n].attributeID & TEE_ATTR_FLAG_VALUE) != 0) {
        converted_[n].content.value.a = attrs[n].content.value.a;
        converted_[n].content.value.b = attrs[n].content.value.b;
      } else {
        converted_[n].content.ref.buffer = attrs[n].content.ref.buffer;
        converted_[n].content.ref.length = attrs[n].content.ref.length;
      }
    }
    ok_ = true;
  }
  ~Attributes() { std::free(converted_); }
  Attributes(const Attributes &) = delete;
  Attributes &operator=(const Attributes &) = delete;
  // False if the conversion could not allocate.
  bool ok() const { return ok_; }
  // Null when there was nothing to convert (no array, or a count of 0).
  const TEE_Attribute *get() const { return converted_; }

 private:
  TEE_Attribute *converted_ = nullptr;
  bool ok_ = false;
};

// Calls `call` with `attrs` converted (a null pointer for none), or answers
// OUT_OF_MEMORY when the conversion cannot allocate: the v1.1 functions that
// return a result all take their attributes this way.
template <typename Call>
TEE_Result with_attributes(const __GP11_TEE_Attribute *attrs, uint32_t count, Call &&call) {
  Attributes a(attrs, count);
  if (!a.ok()) {
    return TEE_ERROR_OUT_OF_MEMORY;
  }
  return call(a.get());
}

void object_info_to_gp11(const TEE_ObjectInfo &in, __GP11_TEE_ObjectInfo *out) {
  *out = __GP11_TEE_ObjectInfo{};
  out->objectType = in.objectType;
  out->objectSize = in.objectSize;
  out->maxObjectSize = in.maxObjectSize;
  out->objectUsage = in.objectUsage;
  // A data stream is at most TEE_DATA_MAX_POSITION (2^32 - 1) bytes, so both
  // fit; narrow_size only guards the type change.
  out->dataSize = narrow_size(in.dataSize);
  out->dataPosition = narrow_size(in.dataPosition);
  out->handleFlags = in.handleFlags;
}

}  // namespace

extern "C" {

// ---- Properties ----

TEE_Result __GP11_TEE_GetPropertyAsString(TEE_PropSetHandle propsetOrEnumerator, const char *name,
                                          char *valueBuffer, uint32_t *valueBufferLen) {
  Length len(valueBufferLen);
  return TEE_GetPropertyAsString(propsetOrEnumerator, name, valueBuffer, len.get());
}

TEE_Result __GP11_TEE_GetPropertyAsBinaryBlock(TEE_PropSetHandle propsetOrEnumerator,
                                               const char *name, void *valueBuffer,
                                               uint32_t *valueBufferLen) {
  Length len(valueBufferLen);
  return TEE_GetPropertyAsBinaryBlock(propsetOrEnumerator, name, valueBuffer, len.get());
}

TEE_Result __GP11_TEE_GetPropertyName(TEE_PropSetHandle enumerator, void *nameBuffer,
                                      uint32_t *nameBufferLen) {
  Length len(nameBufferLen);
  return TEE_GetPropertyName(enumerator, nameBuffer, len.get());
}

// ---- TA-to-TA sessions ----

TEE_Result __GP11_TEE_OpenTASession(const TEE_UUID *destination,
                                    uint32_t cancellationRequestTimeout, uint32_t paramTypes,
                                    __GP11_TEE_Param params[TEE_NUM_PARAMS],
                                    TEE_TASessionHandle *session, uint32_t *returnOrigin) {
  if (params == nullptr) {
    return TEE_OpenTASession(destination, cancellationRequestTimeout, paramTypes, nullptr, session,
                             returnOrigin);
  }
  TEE_Param p[TEE_NUM_PARAMS];
  captee::gp_ta::params_from_gp11(paramTypes, params, p);
  TEE_Result r = TEE_OpenTASession(destination, cancellationRequestTimeout, paramTypes, p, session,
                                   returnOrigin);
  captee::gp_ta::params_to_gp11(paramTypes, p, params);
  return r;
}

TEE_Result __GP11_TEE_InvokeTACommand(TEE_TASessionHandle session,
                                      uint32_t cancellationRequestTimeout, uint32_t commandID,
                                      uint32_t paramTypes, __GP11_TEE_Param params[TEE_NUM_PARAMS],
                                      uint32_t *returnOrigin) {
  if (params == nullptr) {
    return TEE_InvokeTACommand(session, cancellationRequestTimeout, commandID, paramTypes, nullptr,
                               returnOrigin);
  }
  TEE_Param p[TEE_NUM_PARAMS];
  captee::gp_ta::params_from_gp11(paramTypes, params, p);
  TEE_Result r = TEE_InvokeTACommand(session, cancellationRequestTimeout, commandID, paramTypes, p,
                                     returnOrigin);
  captee::gp_ta::params_to_gp11(paramTypes, p, params);
  return r;
}

// ---- Memory ----

TEE_Result __GP11_TEE_CheckMemoryAccessRights(uint32_t accessFlags, void *buffer, uint32_t size) {
  return TEE_CheckMemoryAccessRights(accessFlags, buffer, size);
}

void *__GP11_TEE_Malloc(uint32_t size, uint32_t hint) {
  return TEE_Malloc(size, hint);
}

void *__GP11_TEE_Realloc(void *buffer, uint32_t newSize) {
  return TEE_Realloc(buffer, newSize);
}

void *__GP11_TEE_MemMove(void *dest, const void *src, uint32_t size) {
  return TEE_MemMove(dest, src, size);
}

int32_t __GP11_TEE_MemCompare(const void *buffer1, const void *buffer2, uint32_t size) {
  return TEE_MemCompare(buffer1, buffer2, size);
}

void __GP11_TEE_MemFill(void *buff, uint32_t x, uint32_t size) {
  TEE_MemFill(buff, x, size);
}

// ---- Trusted storage ----

void __GP11_TEE_GetObjectInfo(TEE_ObjectHandle object, __GP11_TEE_ObjectInfo *objectInfo) {
  TEE_ObjectInfo info{};
  TEE_GetObjectInfo(object, &info);
  if (objectInfo != nullptr) {
    object_info_to_gp11(info, objectInfo);
  }
}

TEE_Result __GP11_TEE_GetObjectInfo1(TEE_ObjectHandle object, __GP11_TEE_ObjectInfo *objectInfo) {
  TEE_ObjectInfo info{};
  TEE_Result r = TEE_GetObjectInfo1(object, &info);
  if (r == TEE_SUCCESS && objectInfo != nullptr) {
    object_info_to_gp11(info, objectInfo);
  }
  return r;
}

TEE_Result __GP11_TEE_GetObjectBufferAttribute(TEE_ObjectHandle object, uint32_t attributeID,
                                               void *buffer, uint32_t *size) {
  Length len(size);
  return TEE_GetObjectBufferAttribute(object, attributeID, buffer, len.get());
}

TEE_Result __GP11_TEE_AllocateTransientObject(TEE_ObjectType objectType, uint32_t maxKeySize,
                                              TEE_ObjectHandle *object) {
  return TEE_AllocateTransientObject(objectType, maxKeySize, object);
}

TEE_Result __GP11_TEE_PopulateTransientObject(TEE_ObjectHandle object,
                                              const __GP11_TEE_Attribute *attrs,
                                              uint32_t attrCount) {
  return with_attributes(attrs, attrCount, [&](const TEE_Attribute *converted) {
    return TEE_PopulateTransientObject(object, converted, attrCount);
  });
}

void __GP11_TEE_InitRefAttribute(__GP11_TEE_Attribute *attr, uint32_t attributeID,
                                 const void *buffer, uint32_t length) {
  TEE_Attribute a{};
  TEE_InitRefAttribute(&a, attributeID, buffer, length);  // checks attr's kind
  if (attr == nullptr) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  attr->attributeID = a.attributeID;
  attr->content.ref.buffer = a.content.ref.buffer;
  attr->content.ref.length = length;
}

void __GP11_TEE_InitValueAttribute(__GP11_TEE_Attribute *attr, uint32_t attributeID, uint32_t a,
                                   uint32_t b) {
  TEE_Attribute v{};
  TEE_InitValueAttribute(&v, attributeID, a, b);  // checks attr's kind
  if (attr == nullptr) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  attr->attributeID = v.attributeID;
  attr->content.value.a = a;
  attr->content.value.b = b;
}

TEE_Result __GP11_TEE_GenerateKey(TEE_ObjectHandle object, uint32_t keySize,
                                  const __GP11_TEE_Attribute *params, uint32_t paramCount) {
  return with_attributes(params, paramCount, [&](const TEE_Attribute *converted) {
    return TEE_GenerateKey(object, keySize, converted, paramCount);
  });
}

TEE_Result __GP11_TEE_OpenPersistentObject(uint32_t storageID, const void *objectID,
                                           uint32_t objectIDLen, uint32_t flags,
                                           TEE_ObjectHandle *object) {
  return TEE_OpenPersistentObject(storageID, objectID, objectIDLen, flags, object);
}

TEE_Result __GP11_TEE_CreatePersistentObject(uint32_t storageID, const void *objectID,
                                             uint32_t objectIDLen, uint32_t flags,
                                             TEE_ObjectHandle attributes, const void *initialData,
                                             uint32_t initialDataLen, TEE_ObjectHandle *object) {
  return TEE_CreatePersistentObject(storageID, objectID, objectIDLen, flags, attributes,
                                    initialData, initialDataLen, object);
}

TEE_Result __GP11_TEE_RenamePersistentObject(TEE_ObjectHandle object, const void *newObjectID,
                                             uint32_t newObjectIDLen) {
  return TEE_RenamePersistentObject(object, newObjectID, newObjectIDLen);
}

TEE_Result __GP11_TEE_GetNextPersistentObject(TEE_ObjectEnumHandle objectEnumerator,
                                              __GP11_TEE_ObjectInfo *objectInfo, void *objectID,
                                              uint32_t *objectIDLen) {
  Length len(objectIDLen);
  TEE_ObjectInfo info{};
  TEE_Result r = TEE_GetNextPersistentObject(
      objectEnumerator, objectInfo == nullptr ? nullptr : &info, objectID, len.get());
  if (r == TEE_SUCCESS && objectInfo != nullptr) {
    object_info_to_gp11(info, objectInfo);
  }
  return r;
}

TEE_Result __GP11_TEE_ReadObjectData(TEE_ObjectHandle object, void *buffer, uint32_t size,
                                     uint32_t *count) {
  Length n(count);
  return TEE_ReadObjectData(object, buffer, size, n.get());
}

TEE_Result __GP11_TEE_WriteObjectData(TEE_ObjectHandle object, const void *buffer, uint32_t size) {
  return TEE_WriteObjectData(object, buffer, size);
}

TEE_Result __GP11_TEE_TruncateObjectData(TEE_ObjectHandle object, uint32_t size) {
  return TEE_TruncateObjectData(object, size);
}

TEE_Result __GP11_TEE_SeekObjectData(TEE_ObjectHandle object, int32_t offset, TEE_Whence whence) {
  return TEE_SeekObjectData(object, offset, whence);
}

// ---- Cryptographic operations ----

// GP v1.1 gives TEE_HANDLE_NULL no meaning here (v1.1.1 made it a no-op): as
// in OP-TEE, a v1.1 TA passing it panics.
void __GP11_TEE_FreeOperation(TEE_OperationHandle operation) {
  if (operation == TEE_HANDLE_NULL) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  TEE_FreeOperation(operation);
}

TEE_Result __GP11_TEE_GetOperationInfoMultiple(TEE_OperationHandle operation,
                                               TEE_OperationInfoMultiple *info,
                                               uint32_t *operationSize) {
  Length len(operationSize);
  return TEE_GetOperationInfoMultiple(operation, info, len.get());
}

TEE_Result __GP11_TEE_SetOperationKey(TEE_OperationHandle operation, TEE_ObjectHandle key) {
  return TEE_SetOperationKey(operation, key);
}

TEE_Result __GP11_TEE_SetOperationKey2(TEE_OperationHandle operation, TEE_ObjectHandle key1,
                                       TEE_ObjectHandle key2) {
  return TEE_SetOperationKey2(operation, key1, key2);
}

void __GP11_TEE_DigestUpdate(TEE_OperationHandle operation, const void *chunk, uint32_t chunkSize) {
  TEE_DigestUpdate(operation, chunk, chunkSize);
}

TEE_Result __GP11_TEE_DigestDoFinal(TEE_OperationHandle operation, const void *chunk,
                                    uint32_t chunkLen, void *hash, uint32_t *hashLen) {
  Length len(hashLen);
  return TEE_DigestDoFinal(operation, chunk, chunkLen, hash, len.get());
}

void __GP11_TEE_CipherInit(TEE_OperationHandle operation, const void *IV, uint32_t IVLen) {
  TEE_CipherInit(operation, IV, IVLen);
}

TEE_Result __GP11_TEE_CipherUpdate(TEE_OperationHandle operation, const void *srcData,
                                   uint32_t srcLen, void *destData, uint32_t *destLen) {
  Length len(destLen);
  return TEE_CipherUpdate(operation, srcData, srcLen, destData, len.get());
}

TEE_Result __GP11_TEE_CipherDoFinal(TEE_OperationHandle operation, const void *srcData,
                                    uint32_t srcLen, void *destData, uint32_t *destLen) {
  Length len(destLen);
  return TEE_CipherDoFinal(operation, srcData, srcLen, destData, len.get());
}

void __GP11_TEE_MACInit(TEE_OperationHandle operation, const void *IV, uint32_t IVLen) {
  TEE_MACInit(operation, IV, IVLen);
}

void __GP11_TEE_MACUpdate(TEE_OperationHandle operation, const void *chunk, uint32_t chunkSize) {
  TEE_MACUpdate(operation, chunk, chunkSize);
}

TEE_Result __GP11_TEE_MACComputeFinal(TEE_OperationHandle operation, const void *message,
                                      uint32_t messageLen, void *mac, uint32_t *macLen) {
  Length len(macLen);
  return TEE_MACComputeFinal(operation, message, messageLen, mac, len.get());
}

TEE_Result __GP11_TEE_MACCompareFinal(TEE_OperationHandle operation, const void *message,
                                      uint32_t messageLen, const void *mac, uint32_t macLen) {
  return TEE_MACCompareFinal(operation, message, messageLen, mac, macLen);
}

TEE_Result __GP11_TEE_AEInit(TEE_OperationHandle operation, const void *nonce, uint32_t nonceLen,
                             uint32_t tagLen, uint32_t AADLen, uint32_t payloadLen) {
  return TEE_AEInit(operation, nonce, nonceLen, tagLen, AADLen, payloadLen);
}

void __GP11_TEE_AEUpdateAAD(TEE_OperationHandle operation, const void *AADdata,
                            uint32_t AADdataLen) {
  TEE_AEUpdateAAD(operation, AADdata, AADdataLen);
}

TEE_Result __GP11_TEE_AEUpdate(TEE_OperationHandle operation, const void *srcData, uint32_t srcLen,
                               void *destData, uint32_t *destLen) {
  Length len(destLen);
  return TEE_AEUpdate(operation, srcData, srcLen, destData, len.get());
}

TEE_Result __GP11_TEE_AEEncryptFinal(TEE_OperationHandle operation, const void *srcData,
                                     uint32_t srcLen, void *destData, uint32_t *destLen, void *tag,
                                     uint32_t *tagLen) {
  Length dlen(destLen);
  Length tlen(tagLen);
  return TEE_AEEncryptFinal(operation, srcData, srcLen, destData, dlen.get(), tag, tlen.get());
}

TEE_Result __GP11_TEE_AEDecryptFinal(TEE_OperationHandle operation, const void *srcData,
                                     uint32_t srcLen, void *destData, uint32_t *destLen, void *tag,
                                     uint32_t tagLen) {
  Length len(destLen);
  return TEE_AEDecryptFinal(operation, srcData, srcLen, destData, len.get(), tag, tagLen);
}

TEE_Result __GP11_TEE_AsymmetricEncrypt(TEE_OperationHandle operation,
                                        const __GP11_TEE_Attribute *params, uint32_t paramCount,
                                        const void *srcData, uint32_t srcLen, void *destData,
                                        uint32_t *destLen) {
  return with_attributes(params, paramCount, [&](const TEE_Attribute *converted) {
    Length len(destLen);
    return TEE_AsymmetricEncrypt(operation, converted, paramCount, srcData, srcLen, destData,
                                 len.get());
  });
}

TEE_Result __GP11_TEE_AsymmetricDecrypt(TEE_OperationHandle operation,
                                        const __GP11_TEE_Attribute *params, uint32_t paramCount,
                                        const void *srcData, uint32_t srcLen, void *destData,
                                        uint32_t *destLen) {
  return with_attributes(params, paramCount, [&](const TEE_Attribute *converted) {
    Length len(destLen);
    return TEE_AsymmetricDecrypt(operation, converted, paramCount, srcData, srcLen, destData,
                                 len.get());
  });
}

TEE_Result __GP11_TEE_AsymmetricSignDigest(TEE_OperationHandle operation,
                                           const __GP11_TEE_Attribute *params, uint32_t paramCount,
                                           const void *digest, uint32_t digestLen, void *signature,
                                           uint32_t *signatureLen) {
  return with_attributes(params, paramCount, [&](const TEE_Attribute *converted) {
    Length len(signatureLen);
    return TEE_AsymmetricSignDigest(operation, converted, paramCount, digest, digestLen, signature,
                                    len.get());
  });
}

TEE_Result __GP11_TEE_AsymmetricVerifyDigest(TEE_OperationHandle operation,
                                             const __GP11_TEE_Attribute *params,
                                             uint32_t paramCount, const void *digest,
                                             uint32_t digestLen, const void *signature,
                                             uint32_t signatureLen) {
  return with_attributes(params, paramCount, [&](const TEE_Attribute *converted) {
    return TEE_AsymmetricVerifyDigest(operation, converted, paramCount, digest, digestLen,
                                      signature, signatureLen);
  });
}

// No way to report the failed conversion but a panic (a v1.3.1 DeriveKey
// also panics when it cannot work).
void __GP11_TEE_DeriveKey(TEE_OperationHandle operation, const __GP11_TEE_Attribute *params,
                          uint32_t paramCount, TEE_ObjectHandle derivedKey) {
  Attributes a(params, paramCount);
  if (!a.ok()) {
    TEE_Panic(TEE_ERROR_OUT_OF_MEMORY);
  }
  TEE_DeriveKey(operation, a.get(), paramCount, derivedKey);
}

void __GP11_TEE_GenerateRandom(void *randomBuffer, uint32_t randomBufferLen) {
  TEE_GenerateRandom(randomBuffer, randomBufferLen);
}

// ---- Arithmetic ----

uint32_t __GP11_TEE_BigIntFMMSizeInU32(uint32_t modulusSizeInBits) {
  return narrow_size(TEE_BigIntFMMSizeInU32(modulusSizeInBits));
}

uint32_t __GP11_TEE_BigIntFMMContextSizeInU32(uint32_t modulusSizeInBits) {
  return narrow_size(TEE_BigIntFMMContextSizeInU32(modulusSizeInBits));
}

void __GP11_TEE_BigIntInit(TEE_BigInt *bigInt, uint32_t len) {
  TEE_BigIntInit(bigInt, len);
}

void __GP11_TEE_BigIntInitFMMContext(TEE_BigIntFMMContext *context, uint32_t len,
                                     const TEE_BigInt *modulus) {
  TEE_BigIntInitFMMContext(context, len, modulus);
}

void __GP11_TEE_BigIntInitFMM(TEE_BigIntFMM *bigIntFMM, uint32_t len) {
  TEE_BigIntInitFMM(bigIntFMM, len);
}

TEE_Result __GP11_TEE_BigIntConvertFromOctetString(TEE_BigInt *dest, const uint8_t *buffer,
                                                   uint32_t bufferLen, int32_t sign) {
  return TEE_BigIntConvertFromOctetString(dest, buffer, bufferLen, sign);
}

TEE_Result __GP11_TEE_BigIntConvertToOctetString(uint8_t *buffer, uint32_t *bufferLen,
                                                 const TEE_BigInt *bigInt) {
  Length len(bufferLen);
  return TEE_BigIntConvertToOctetString(buffer, len.get(), bigInt);
}

void __GP11_TEE_BigIntShiftRight(TEE_BigInt *dest, const TEE_BigInt *op, uint32_t bits) {
  TEE_BigIntShiftRight(dest, op, bits);
}

}  // extern "C"
