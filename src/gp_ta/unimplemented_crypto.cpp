// The cryptographic family captee does not implement yet: asymmetric
// operations (GP 6.7). The rest of the crypto issue (#15) implements them
// and deletes this file; operations, digests, ciphers, MACs, authenticated
// encryption, OP-TEE's key derivations and random numbers work already
// (operations.cpp, digest.cpp, cipher.cpp, mac.cpp, ae.cpp, derive.cpp,
// random.cpp). See unimplemented.hpp for what a stand-in does.
//
// No operation of these algorithms can exist (TEE_AllocateOperation answers
// TEE_ERROR_NOT_SUPPORTED for them), so each stand-in answers
// TEE_ERROR_NOT_IMPLEMENTED or panics.
#include "tee_internal_api.h"
#include "unimplemented.hpp"

using captee::gp_ta::not_implemented;
using captee::gp_ta::unimplemented_panic;

extern "C" {

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

}  // extern "C"
