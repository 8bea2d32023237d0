/* Private key material in OpenSSL's secure heap (the TA host's
 * openssl_preload.cpp): the arena is there from the start, and each
 * asymmetric key pair a TA generates takes room in it (its private value)
 * until its object is freed. The TA runs in the host's process, so it asks
 * libcrypto directly. */
#include "gp_secure_heap_ta.h"

#include <openssl/crypto.h>
#include <tee_internal_api_extensions.h>

#define CHECK(n, cond)                        \
  do {                                        \
    if (!(cond)) {                            \
      return secure_heap_failed(params, (n)); \
    }                                         \
  } while (0)

static TEE_Result secure_heap_failed(TEE_Param params[4], uint32_t n) {
  EMSG("secure heap check %u failed", n);
  params[0].value.a = n;
  return TEE_ERROR_GENERIC;
}

/* A generated key pair of `type` and `bits` (`curve` for the ECC types, 0
 * otherwise), or TEE_HANDLE_NULL. */
static TEE_ObjectHandle generated(uint32_t type, uint32_t bits, uint32_t curve) {
  TEE_ObjectHandle obj = TEE_HANDLE_NULL;
  TEE_Attribute attr;
  TEE_InitValueAttribute(&attr, TEE_ATTR_ECC_CURVE, curve, 0);
  if (TEE_AllocateTransientObject(type, bits, &obj) != TEE_SUCCESS) {
    return TEE_HANDLE_NULL;
  }
  if (TEE_GenerateKey(obj, bits, &attr, curve != 0 ? 1 : 0) != TEE_SUCCESS) {
    TEE_FreeTransientObject(obj);
    return TEE_HANDLE_NULL;
  }
  return obj;
}

TEE_Result secure_heap_keys(TEE_Param params[4]) {
  static const struct {
    uint32_t type;
    uint32_t bits;
    uint32_t curve;
  } kKeys[] = {
      {TEE_TYPE_RSA_KEYPAIR, 1024, 0},    {TEE_TYPE_ECDSA_KEYPAIR, 256, TEE_ECC_CURVE_NIST_P256},
      {TEE_TYPE_SM2_DSA_KEYPAIR, 256, 0}, {TEE_TYPE_ED25519_KEYPAIR, 256, 0},
      {TEE_TYPE_X25519_KEYPAIR, 256, 0},
  };
  CHECK(1, CRYPTO_secure_malloc_initialized() == 1);
  /* OpenSSL keeps some state of its own there once made (its private
   * DRBG): each kind of key is generated once before anything is counted. */
  for (size_t i = 0; i < sizeof kKeys / sizeof kKeys[0]; ++i) {
    TEE_ObjectHandle key = generated(kKeys[i].type, kKeys[i].bits, kKeys[i].curve);
    CHECK(2, key != TEE_HANDLE_NULL);
    TEE_FreeTransientObject(key);
  }
  for (size_t i = 0; i < sizeof kKeys / sizeof kKeys[0]; ++i) {
    const size_t before = CRYPTO_secure_used();
    TEE_ObjectHandle key = generated(kKeys[i].type, kKeys[i].bits, kKeys[i].curve);
    CHECK(10 + 2 * (uint32_t)i, key != TEE_HANDLE_NULL && CRYPTO_secure_used() > before);
    TEE_FreeTransientObject(key);
    CHECK(11 + 2 * (uint32_t)i, CRYPTO_secure_used() <= before);
  }
  /* Signing takes no room for good: a long-lived key signs on and on. */
  for (size_t i = 0; i < 2; ++i) {
    static const uint8_t digest[32] = {1, 2, 3};
    uint8_t sig[128];
    TEE_ObjectHandle key = generated(kKeys[i].type, kKeys[i].bits, kKeys[i].curve);
    TEE_OperationHandle op = TEE_HANDLE_NULL;
    CHECK(30, key != TEE_HANDLE_NULL &&
                  TEE_AllocateOperation(
                      &op, i == 0 ? TEE_ALG_RSASSA_PKCS1_V1_5_SHA256 : TEE_ALG_ECDSA_SHA256,
                      TEE_MODE_SIGN, kKeys[i].bits) == TEE_SUCCESS &&
                  TEE_SetOperationKey(op, key) == TEE_SUCCESS);
    size_t used = 0;
    for (int n = 0; n < 50; ++n) {
#if __OPTEE_CORE_API_COMPAT_1_1
      uint32_t len = sizeof sig;
#else
      size_t len = sizeof sig;
#endif
      CHECK(31,
            TEE_AsymmetricSignDigest(op, NULL, 0, digest, sizeof digest, sig, &len) == TEE_SUCCESS);
      if (n == 0) {
        used = CRYPTO_secure_used();
      }
    }
    CHECK(32 + (uint32_t)i, CRYPTO_secure_used() <= used);
    TEE_FreeOperation(op);
    TEE_FreeTransientObject(key);
  }
  params[0].value.a = 0;
  return TEE_SUCCESS;
}
