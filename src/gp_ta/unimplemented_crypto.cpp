// Cryptographic operations (GP 6), not implemented yet: the crypto issue
// (#15) implements them and deletes this file. TEE_GenerateRandom works
// already (gp_runtime.cpp). See unimplemented.hpp for what a stand-in does.
//
// No operation can exist yet, so a function handed one panics (an invalid
// handle panics in GP too), except TEE_FreeOperation(TEE_HANDLE_NULL), a
// no-op in the specification.
#include "tee_internal_api.h"
#include "unimplemented.hpp"

using captee::gp_ta::not_implemented;
using captee::gp_ta::unimplemented_panic;

extern "C" {

// ---- Generic operations (GP 6.2) ----

TEE_Result TEE_AllocateOperation(TEE_OperationHandle *operation, uint32_t, uint32_t, uint32_t) {
  if (operation != nullptr) {
    *operation = TEE_HANDLE_NULL;
  }
  return not_implemented(__func__);
}

void TEE_FreeOperation(TEE_OperationHandle operation) {
  if (operation != TEE_HANDLE_NULL) {
    unimplemented_panic(__func__);
  }
}

void TEE_GetOperationInfo(TEE_OperationHandle, TEE_OperationInfo *) {
  unimplemented_panic(__func__);
}

TEE_Result TEE_GetOperationInfoMultiple(TEE_OperationHandle, TEE_OperationInfoMultiple *,
                                        size_t *) {
  return not_implemented(__func__);
}

void TEE_ResetOperation(TEE_OperationHandle) {
  unimplemented_panic(__func__);
}

TEE_Result TEE_SetOperationKey(TEE_OperationHandle, TEE_ObjectHandle) {
  return not_implemented(__func__);
}

TEE_Result TEE_SetOperationKey2(TEE_OperationHandle, TEE_ObjectHandle, TEE_ObjectHandle) {
  return not_implemented(__func__);
}

void TEE_CopyOperation(TEE_OperationHandle, TEE_OperationHandle) {
  unimplemented_panic(__func__);
}

// The specification allows only TEE_SUCCESS and TEE_ERROR_NOT_SUPPORTED
// here, and with no algorithm implemented yet, none is supported.
TEE_Result TEE_IsAlgorithmSupported(uint32_t, uint32_t) {
  return TEE_ERROR_NOT_SUPPORTED;
}

// ---- Digests (GP 6.3) ----

void TEE_DigestUpdate(TEE_OperationHandle, const void *, size_t) {
  unimplemented_panic(__func__);
}

TEE_Result TEE_DigestDoFinal(TEE_OperationHandle, const void *, size_t, void *, size_t *) {
  return not_implemented(__func__);
}

TEE_Result TEE_DigestExtract(TEE_OperationHandle, void *, size_t *) {
  return not_implemented(__func__);
}

// ---- Symmetric ciphers (GP 6.4) ----

void TEE_CipherInit(TEE_OperationHandle, const void *, size_t) {
  unimplemented_panic(__func__);
}

TEE_Result TEE_CipherUpdate(TEE_OperationHandle, const void *, size_t, void *, size_t *) {
  return not_implemented(__func__);
}

TEE_Result TEE_CipherDoFinal(TEE_OperationHandle, const void *, size_t, void *, size_t *) {
  return not_implemented(__func__);
}

// ---- MACs (GP 6.5) ----

void TEE_MACInit(TEE_OperationHandle, const void *, size_t) {
  unimplemented_panic(__func__);
}

void TEE_MACUpdate(TEE_OperationHandle, const void *, size_t) {
  unimplemented_panic(__func__);
}

TEE_Result TEE_MACComputeFinal(TEE_OperationHandle, const void *, size_t, void *, size_t *) {
  return not_implemented(__func__);
}

TEE_Result TEE_MACCompareFinal(TEE_OperationHandle, const void *, size_t, const void *, size_t) {
  return not_implemented(__func__);
}

// ---- Authenticated encryption (GP 6.6) ----

TEE_Result TEE_AEInit(TEE_OperationHandle, const void *, size_t, uint32_t, size_t, size_t) {
  return not_implemented(__func__);
}

void TEE_AEUpdateAAD(TEE_OperationHandle, const void *, size_t) {
  unimplemented_panic(__func__);
}

TEE_Result TEE_AEUpdate(TEE_OperationHandle, const void *, size_t, void *, size_t *) {
  return not_implemented(__func__);
}

TEE_Result TEE_AEEncryptFinal(TEE_OperationHandle, const void *, size_t, void *, size_t *, void *,
                              size_t *) {
  return not_implemented(__func__);
}

TEE_Result TEE_AEDecryptFinal(TEE_OperationHandle, const void *, size_t, void *, size_t *, void *,
                              size_t) {
  return not_implemented(__func__);
}

// ---- Asymmetric (GP 6.7) ----

TEE_Result TEE_AsymmetricEncrypt(TEE_OperationHandle, const TEE_Attribute *, uint32_t, const void *,
                                 size_t, void *, size_t *) {
  return not_implemented(__func__);
}

TEE_Result TEE_AsymmetricDecrypt(TEE_OperationHandle, const TEE_Attribute *, uint32_t, const void *,
                                 size_t, void *, size_t *) {
  return not_implemented(__func__);
}

TEE_Result TEE_AsymmetricSignDigest(TEE_OperationHandle, const TEE_Attribute *, uint32_t,
                                    const void *, size_t, void *, size_t *) {
  return not_implemented(__func__);
}

TEE_Result TEE_AsymmetricVerifyDigest(TEE_OperationHandle, const TEE_Attribute *, uint32_t,
                                      const void *, size_t, const void *, size_t) {
  return not_implemented(__func__);
}

// ---- Key derivation (GP 6.8) ----

void TEE_DeriveKey(TEE_OperationHandle, const TEE_Attribute *, uint32_t, TEE_ObjectHandle) {
  unimplemented_panic(__func__);
}

}  // extern "C"
