/* The crypto test TA: known-answer tests from published vectors and the
 * spec's size and state rules, run inside a TA through the GP Internal Core
 * API, and the misuse that must panic it. Written as an OP-TEE TA is; in the
 * GP v1.1 mode its lengths are 32 bits (ta_size_t). */
#include <tee_internal_api.h>
#include <tee_api_defines_extensions.h>
#include <tee_internal_api_extensions.h>

#include "gp_bigint_ta.h"
#include "gp_crypto_ta.h"
#include "gp_sm2_ta.h"
#include "gp_sm4_ta.h"

#if __OPTEE_CORE_API_COMPAT_1_1
typedef uint32_t ta_size_t;
#else
typedef size_t ta_size_t;
#endif

#define CHECK(n, cond)            \
  do {                            \
    if (!(cond)) {                \
      return failed(params, (n)); \
    }                             \
  } while (0)

static TEE_Result failed(TEE_Param params[4], uint32_t n) {
  EMSG("check %u failed", n);
  params[0].value.a = n;
  return TEE_ERROR_GENERIC;
}

/* Decodes a hex string of at most `cap` bytes; returns its length. */
static size_t unhex(const char *s, uint8_t *out, size_t cap) {
  size_t n = 0;
  for (; s[0] != '\0' && s[1] != '\0' && n < cap; s += 2) {
    uint8_t b = 0;
    for (int i = 0; i < 2; ++i) {
      char c = s[i];
      b = (uint8_t)(b << 4);
      if (c >= '0' && c <= '9') {
        b |= (uint8_t)(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        b |= (uint8_t)(c - 'a' + 10);
      }
    }
    out[n++] = b;
  }
  return n;
}

static bool same(const void *a, const void *b, size_t n) {
  return TEE_MemCompare(a, b, n) == 0;
}

static bool all_zero(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (p[i] != 0) {
      return false;
    }
  }
  return true;
}

/* A transient object of `type` holding `key`, or TEE_HANDLE_NULL. */
static TEE_ObjectHandle key_object(uint32_t type, uint32_t max_bits, const void *key, size_t len) {
  TEE_ObjectHandle o = TEE_HANDLE_NULL;
  if (TEE_AllocateTransientObject(type, max_bits, &o) != TEE_SUCCESS) {
    return TEE_HANDLE_NULL;
  }
  TEE_Attribute attr;
  TEE_InitRefAttribute(&attr, TEE_ATTR_SECRET_VALUE, key, len);
  if (TEE_PopulateTransientObject(o, &attr, 1) != TEE_SUCCESS) {
    TEE_FreeTransientObject(o);
    return TEE_HANDLE_NULL;
  }
  return o;
}

/* An operation of `alg` keyed with `key` (an object of `type`), or
 * TEE_HANDLE_NULL. */
static TEE_OperationHandle keyed_op(uint32_t alg, uint32_t mode, uint32_t max_bits, uint32_t type,
                                    const void *key, size_t len) {
  TEE_OperationHandle op = TEE_HANDLE_NULL;
  if (TEE_AllocateOperation(&op, alg, mode, max_bits) != TEE_SUCCESS) {
    return TEE_HANDLE_NULL;
  }
  TEE_ObjectHandle k = key_object(type, max_bits, key, len);
  if (k == TEE_HANDLE_NULL || TEE_SetOperationKey(op, k) != TEE_SUCCESS) {
    TEE_FreeOperation(op);
    op = TEE_HANDLE_NULL;
  }
  TEE_FreeTransientObject(k); /* the operation keeps its own copy */
  return op;
}

/* ---- Vectors ---- */

/* SP 800-38A F.1 to F.5: the key, the four plaintext blocks and what AES-128
 * ECB, CBC and CTR and AES-256 ECB make of them. */
static const char kAesKey128[] = "2b7e151628aed2a6abf7158809cf4f3c";
static const char kAesKey256[] = "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4";
static const char kAesPlain[] =
    "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
    "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";
static const char kAesEcb128[] =
    "3ad77bb40d7a3660a89ecaf32466ef97f5d3d58503b9699de785895a96fdbaaf"
    "43b1cd7f598ece23881b00e3ed0306887b0c785e27e8ad3f8223207104725dd4";
static const char kAesCbcIv[] = "000102030405060708090a0b0c0d0e0f";
static const char kAesCbc128[] =
    "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2"
    "73bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7";
static const char kAesCtrIv[] = "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";
static const char kAesCtr128[] =
    "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff"
    "5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee";
static const char kAesEcb256[] =
    "f3eed1bdb5d2a03c064b5a7e3db181f8591ccb10d410ed26dc5ba74a31362870"
    "b6ed21b99ca6f4f9f153e7b1beafed1d23304b7a39f9f3ff067d8d8f9e24ecc7";
/* The DES example of FIPS 46's worked tutorials. */
static const char kDesKey[] = "133457799bbcdff1";
static const char kDesPlain[] = "0123456789abcdef";
static const char kDesCipher[] = "85e813540f0ab405";

/* ---- Objects ---- */

static TEE_Result objects(TEE_Param params[4]) {
  uint8_t key[32];
  size_t key_len = unhex(kAesKey128, key, sizeof key);
  TEE_ObjectHandle o = TEE_HANDLE_NULL;
  TEE_ObjectInfo info;
  CHECK(1, TEE_AllocateTransientObject(TEE_TYPE_AES, 256, &o) == TEE_SUCCESS);
  CHECK(2, TEE_GetObjectInfo1(o, &info) == TEE_SUCCESS && info.objectType == TEE_TYPE_AES &&
               info.objectSize == 0 && info.maxObjectSize == 256 &&
               info.objectUsage == 0xFFFFFFFF &&
               (info.handleFlags & TEE_HANDLE_FLAG_INITIALIZED) == 0);
  TEE_ObjectHandle bad = (TEE_ObjectHandle)(uintptr_t)1;
  CHECK(3, TEE_AllocateTransientObject(TEE_TYPE_AES, 100, &bad) == TEE_ERROR_NOT_SUPPORTED &&
               bad == TEE_HANDLE_NULL);
  CHECK(4, TEE_AllocateTransientObject(0xA00000FF, 128, &bad) == TEE_ERROR_NOT_SUPPORTED &&
               TEE_AllocateTransientObject(TEE_TYPE_HMAC_SHA256, 1032, &bad) ==
                   TEE_ERROR_NOT_SUPPORTED &&
               TEE_AllocateTransientObject(TEE_TYPE_HMAC_SHA256, 184, &bad) ==
                   TEE_ERROR_NOT_SUPPORTED &&
               TEE_AllocateTransientObject(TEE_TYPE_DES3, 168, &bad) == TEE_ERROR_NOT_SUPPORTED);

  /* A key of a size the type does not have is refused, the object left empty. */
  TEE_Attribute attr;
  TEE_InitRefAttribute(&attr, TEE_ATTR_SECRET_VALUE, key, 15);
  CHECK(5, TEE_PopulateTransientObject(o, &attr, 1) == TEE_ERROR_BAD_PARAMETERS);
  CHECK(6, TEE_GetObjectInfo1(o, &info) == TEE_SUCCESS &&
               (info.handleFlags & TEE_HANDLE_FLAG_INITIALIZED) == 0);
  TEE_InitRefAttribute(&attr, TEE_ATTR_SECRET_VALUE, key, key_len);
  CHECK(7, TEE_PopulateTransientObject(o, &attr, 1) == TEE_SUCCESS);
  CHECK(8, TEE_GetObjectInfo1(o, &info) == TEE_SUCCESS && info.objectSize == 128 &&
               (info.handleFlags & TEE_HANDLE_FLAG_INITIALIZED) != 0);

  /* Reading the secret back: the size first, nothing written. */
  uint8_t out[32];
  TEE_MemFill(out, 0xEE, sizeof out);
  ta_size_t out_len = 4;
  CHECK(9, TEE_GetObjectBufferAttribute(o, TEE_ATTR_SECRET_VALUE, out, &out_len) ==
                   TEE_ERROR_SHORT_BUFFER &&
               out_len == 16 && out[0] == 0xEE);
  out_len = sizeof out;
  CHECK(10, TEE_GetObjectBufferAttribute(o, TEE_ATTR_SECRET_VALUE, out, &out_len) == TEE_SUCCESS &&
                out_len == 16 && same(out, key, 16));
  /* Attributes the type does not have (public ones: no panic). */
  uint32_t a = 0;
  uint32_t b = 0;
  out_len = sizeof out;
  CHECK(11,
        TEE_GetObjectBufferAttribute(o, TEE_ATTR_RSA_MODULUS, out, &out_len) ==
                TEE_ERROR_ITEM_NOT_FOUND &&
            TEE_GetObjectValueAttribute(o, TEE_ATTR_ECC_CURVE, &a, &b) == TEE_ERROR_ITEM_NOT_FOUND);

  /* Usage only ever narrows; a copy takes the intersection. */
  CHECK(12, TEE_RestrictObjectUsage1(o, TEE_USAGE_ENCRYPT | TEE_USAGE_DECRYPT) == TEE_SUCCESS &&
                TEE_RestrictObjectUsage1(o, TEE_USAGE_ENCRYPT | TEE_USAGE_MAC) == TEE_SUCCESS &&
                TEE_GetObjectInfo1(o, &info) == TEE_SUCCESS &&
                info.objectUsage == TEE_USAGE_ENCRYPT);
  TEE_ObjectHandle copy = TEE_HANDLE_NULL;
  CHECK(13, TEE_AllocateTransientObject(TEE_TYPE_AES, 128, &copy) == TEE_SUCCESS &&
                TEE_CopyObjectAttributes1(copy, o) == TEE_SUCCESS &&
                TEE_GetObjectInfo1(copy, &info) == TEE_SUCCESS && info.objectSize == 128 &&
                info.objectUsage == TEE_USAGE_ENCRYPT &&
                (info.handleFlags & TEE_HANDLE_FLAG_INITIALIZED) != 0);
  TEE_CloseObject(copy);

  /* Reset empties the object; it takes a key again. */
  TEE_ResetTransientObject(o);
  CHECK(14, TEE_GetObjectInfo1(o, &info) == TEE_SUCCESS && info.objectSize == 0 &&
                info.objectUsage == 0xFFFFFFFF &&
                (info.handleFlags & TEE_HANDLE_FLAG_INITIALIZED) == 0);
  unhex(kAesKey256, key, sizeof key);
  TEE_InitRefAttribute(&attr, TEE_ATTR_SECRET_VALUE, key, 32);
  CHECK(15, TEE_PopulateTransientObject(o, &attr, 1) == TEE_SUCCESS &&
                TEE_GetObjectInfo1(o, &info) == TEE_SUCCESS && info.objectSize == 256);
  TEE_FreeTransientObject(o);

  /* Generated keys: the size asked for, random. */
  TEE_ObjectHandle g1 = TEE_HANDLE_NULL;
  TEE_ObjectHandle g2 = TEE_HANDLE_NULL;
  uint8_t k1[32];
  uint8_t k2[32];
  ta_size_t l1 = sizeof k1;
  ta_size_t l2 = sizeof k2;
  CHECK(16, TEE_AllocateTransientObject(TEE_TYPE_HMAC_SHA256, 256, &g1) == TEE_SUCCESS &&
                TEE_AllocateTransientObject(TEE_TYPE_HMAC_SHA256, 256, &g2) == TEE_SUCCESS &&
                TEE_GenerateKey(g1, 256, NULL, 0) == TEE_SUCCESS &&
                TEE_GenerateKey(g2, 256, NULL, 0) == TEE_SUCCESS);
  CHECK(17, TEE_GetObjectInfo1(g1, &info) == TEE_SUCCESS && info.objectSize == 256 &&
                TEE_GetObjectBufferAttribute(g1, TEE_ATTR_SECRET_VALUE, k1, &l1) == TEE_SUCCESS &&
                TEE_GetObjectBufferAttribute(g2, TEE_ATTR_SECRET_VALUE, k2, &l2) == TEE_SUCCESS &&
                l1 == 32 && l2 == 32 && !same(k1, k2, 32) && !all_zero(k1, 32));
  TEE_CloseObject(g1);
  TEE_CloseObject(g2);
  CHECK(18, TEE_AllocateTransientObject(TEE_TYPE_DES3, 192, &g1) == TEE_SUCCESS &&
                TEE_GenerateKey(g1, 128, NULL, 0) == TEE_SUCCESS &&
                TEE_GetObjectInfo1(g1, &info) == TEE_SUCCESS && info.objectSize == 128);
  TEE_FreeTransientObject(g1);
  /* A generic secret may be any size up to its maximum. */
  uint8_t jefe[4] = {'J', 'e', 'f', 'e'};
  g1 = key_object(TEE_TYPE_GENERIC_SECRET, 512, jefe, sizeof jefe);
  CHECK(19, g1 != TEE_HANDLE_NULL && TEE_GetObjectInfo1(g1, &info) == TEE_SUCCESS &&
                info.objectSize == 32);
  TEE_CloseObject(g1);
  /* Closing nothing is a no-op. */
  TEE_CloseObject(TEE_HANDLE_NULL);
  TEE_FreeTransientObject(TEE_HANDLE_NULL);
  TEE_ResetTransientObject(TEE_HANDLE_NULL);
  params[0].value.a = 0;
  return TEE_SUCCESS;
}

/* ---- Operations ---- */

static const uint32_t kSupported[] = {
    TEE_ALG_MD5,
    TEE_ALG_SHA1,
    TEE_ALG_SHA224,
    TEE_ALG_SHA256,
    TEE_ALG_SHA384,
    TEE_ALG_SHA512,
    TEE_ALG_SHA3_224,
    TEE_ALG_SHA3_256,
    TEE_ALG_SHA3_384,
    TEE_ALG_SHA3_512,
    TEE_ALG_SM3,
    TEE_ALG_HMAC_MD5,
    TEE_ALG_HMAC_SHA1,
    TEE_ALG_HMAC_SHA224,
    TEE_ALG_HMAC_SHA256,
    TEE_ALG_HMAC_SHA384,
    TEE_ALG_HMAC_SHA512,
    TEE_ALG_HMAC_SM3,
    TEE_ALG_HMAC_SHA3_224,
    TEE_ALG_HMAC_SHA3_256,
    TEE_ALG_HMAC_SHA3_384,
    TEE_ALG_HMAC_SHA3_512,
    TEE_ALG_AES_CMAC,
    TEE_ALG_AES_CBC_MAC_NOPAD,
    TEE_ALG_AES_CBC_MAC_PKCS5,
    TEE_ALG_DES_CBC_MAC_NOPAD,
    TEE_ALG_DES_CBC_MAC_PKCS5,
    TEE_ALG_DES3_CBC_MAC_NOPAD,
    TEE_ALG_DES3_CBC_MAC_PKCS5,
    TEE_ALG_AES_ECB_NOPAD,
    TEE_ALG_AES_CBC_NOPAD,
    TEE_ALG_AES_CTR,
    TEE_ALG_DES_ECB_NOPAD,
    TEE_ALG_DES_CBC_NOPAD,
    TEE_ALG_DES3_ECB_NOPAD,
    TEE_ALG_DES3_CBC_NOPAD,
    TEE_ALG_AES_GCM,
    TEE_ALG_AES_CCM,
    TEE_ALG_AES_CTS,
    TEE_ALG_AES_XTS,
    TEE_ALG_HKDF_SHA256_DERIVE_KEY,
    TEE_ALG_CONCAT_KDF_SHA1_DERIVE_KEY,
    TEE_ALG_PBKDF2_HMAC_SHA1_DERIVE_KEY,
    TEE_ALG_RSASSA_PKCS1_V1_5_MD5,
    TEE_ALG_RSASSA_PKCS1_V1_5_SHA256,
    TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA512,
    TEE_ALG_RSAES_PKCS1_V1_5,
    TEE_ALG_RSAES_PKCS1_OAEP_MGF1_SHA1,
    TEE_ALG_RSA_NOPAD,
    TEE_ALG_SM4_ECB_NOPAD,
    TEE_ALG_SM4_CBC_NOPAD,
    TEE_ALG_SM4_CTR,
};

/* Not (yet) in captee: SM2 key exchange, the XOF family, SM4 with PKCS#5
 * padding (OP-TEE's numbers; the padless modes are supported). SM2's
 * signature and encryption take TEE_ECC_CURVE_SM2 (gp_sm2_ta.c). */
static const uint32_t kUnsupported[] = {
    TEE_ALG_SHAKE128,
    TEE_ALG_SM2_KEP,
    TEE_ALG_SM4_ECB_PKCS5,
    0x12345678,
};

static TEE_Result operations(TEE_Param params[4]) {
  for (size_t i = 0; i < sizeof kSupported / sizeof kSupported[0]; ++i) {
    if (TEE_IsAlgorithmSupported(kSupported[i], TEE_CRYPTO_ELEMENT_NONE) != TEE_SUCCESS) {
      EMSG("algorithm %#x not supported", kSupported[i]);
      return failed(params, 1);
    }
  }
  for (size_t i = 0; i < sizeof kUnsupported / sizeof kUnsupported[0]; ++i) {
    TEE_OperationHandle op = (TEE_OperationHandle)(uintptr_t)1;
    CHECK(2, TEE_IsAlgorithmSupported(kUnsupported[i], TEE_CRYPTO_ELEMENT_NONE) ==
                 TEE_ERROR_NOT_SUPPORTED);
    CHECK(3, TEE_AllocateOperation(&op, kUnsupported[i], TEE_MODE_ENCRYPT, 256) ==
                     TEE_ERROR_NOT_SUPPORTED &&
                 op == TEE_HANDLE_NULL);
  }
  CHECK(4, TEE_IsAlgorithmSupported(TEE_ALG_AES_CBC_NOPAD, TEE_ECC_CURVE_NIST_P256) ==
               TEE_ERROR_NOT_SUPPORTED);
  /* A mode the algorithm has not, or a key size its type has not. */
  TEE_OperationHandle op = TEE_HANDLE_NULL;
  CHECK(5, TEE_AllocateOperation(&op, TEE_ALG_SHA256, TEE_MODE_ENCRYPT, 0) ==
                   TEE_ERROR_NOT_SUPPORTED &&
               TEE_AllocateOperation(&op, TEE_ALG_AES_CBC_NOPAD, TEE_MODE_DIGEST, 128) ==
                   TEE_ERROR_NOT_SUPPORTED &&
               TEE_AllocateOperation(&op, TEE_ALG_AES_CBC_NOPAD, TEE_MODE_ENCRYPT, 100) ==
                   TEE_ERROR_NOT_SUPPORTED &&
               TEE_AllocateOperation(&op, TEE_ALG_HMAC_SHA256, TEE_MODE_MAC, 1032) ==
                   TEE_ERROR_NOT_SUPPORTED &&
               op == TEE_HANDLE_NULL);

  CHECK(6, TEE_AllocateOperation(&op, TEE_ALG_AES_CBC_NOPAD, TEE_MODE_ENCRYPT, 256) == TEE_SUCCESS);
  TEE_OperationInfo info;
  TEE_GetOperationInfo(op, &info);
  CHECK(7, info.algorithm == TEE_ALG_AES_CBC_NOPAD && info.operationClass == TEE_OPERATION_CIPHER &&
               info.mode == TEE_MODE_ENCRYPT && info.digestLength == 0 && info.maxKeySize == 256 &&
               info.keySize == 0 && info.requiredKeyUsage == TEE_USAGE_ENCRYPT &&
               info.handleState == 0);
  struct {
    TEE_OperationInfoMultiple m;
    TEE_OperationInfoKey keys[2];
  } multi;
  ta_size_t multi_len = sizeof(TEE_OperationInfoMultiple);
  CHECK(8, TEE_GetOperationInfoMultiple(op, &multi.m, &multi_len) == TEE_ERROR_SHORT_BUFFER &&
               multi_len == sizeof(TEE_OperationInfoMultiple) + sizeof(TEE_OperationInfoKey));
  multi_len = sizeof multi;
  CHECK(9, TEE_GetOperationInfoMultiple(op, &multi.m, &multi_len) == TEE_SUCCESS &&
               multi.m.numberOfKeys == 1 && multi.m.operationState == TEE_OPERATION_STATE_INITIAL &&
               multi.m.keyInformation[0].requiredKeyUsage == TEE_USAGE_ENCRYPT);

  uint8_t key[16];
  uint8_t iv[16];
  unhex(kAesKey128, key, sizeof key);
  unhex(kAesCbcIv, iv, sizeof iv);
  TEE_ObjectHandle k = key_object(TEE_TYPE_AES, 128, key, sizeof key);
  CHECK(10, k != TEE_HANDLE_NULL && TEE_SetOperationKey(op, k) == TEE_SUCCESS);
  TEE_GetOperationInfo(op, &info);
  CHECK(11, info.keySize == 128 && info.handleState == TEE_HANDLE_FLAG_KEY_SET);
  TEE_CipherInit(op, iv, sizeof iv);
  multi_len = sizeof multi;
  CHECK(12, TEE_GetOperationInfoMultiple(op, &multi.m, &multi_len) == TEE_SUCCESS &&
                multi.m.handleState == (TEE_HANDLE_FLAG_KEY_SET | TEE_HANDLE_FLAG_INITIALIZED) &&
                multi.m.operationState == TEE_OPERATION_STATE_ACTIVE &&
                multi.m.keyInformation[0].keySize == 128);
  TEE_ResetOperation(op);
  multi_len = sizeof multi;
  CHECK(13, TEE_GetOperationInfoMultiple(op, &multi.m, &multi_len) == TEE_SUCCESS &&
                multi.m.handleState == TEE_HANDLE_FLAG_KEY_SET &&
                multi.m.operationState == TEE_OPERATION_STATE_INITIAL);
  /* A null key clears the key. */
  CHECK(14, TEE_SetOperationKey(op, TEE_HANDLE_NULL) == TEE_SUCCESS);
  TEE_GetOperationInfo(op, &info);
  CHECK(15, info.keySize == 0 && info.handleState == 0);
  TEE_FreeOperation(op);
  TEE_FreeTransientObject(k);

  /* A digest needs no key and is ready at once. */
  CHECK(16, TEE_AllocateOperation(&op, TEE_ALG_SHA256, TEE_MODE_DIGEST, 0) == TEE_SUCCESS);
  TEE_GetOperationInfo(op, &info);
  multi_len = sizeof multi;
  CHECK(17, info.digestLength == 32 && info.operationClass == TEE_OPERATION_DIGEST &&
                info.handleState == (TEE_HANDLE_FLAG_KEY_SET | TEE_HANDLE_FLAG_INITIALIZED) &&
                TEE_GetOperationInfoMultiple(op, &multi.m, &multi_len) == TEE_SUCCESS &&
                multi.m.numberOfKeys == 0);
  TEE_FreeOperation(op);
  /* A MAC's length is its digest's or its block's. */
  CHECK(18, TEE_AllocateOperation(&op, TEE_ALG_HMAC_SHA512, TEE_MODE_MAC, 512) == TEE_SUCCESS);
  TEE_GetOperationInfo(op, &info);
  CHECK(19, info.digestLength == 64 && info.requiredKeyUsage == TEE_USAGE_MAC);
  TEE_FreeOperation(op);
  CHECK(20, TEE_AllocateOperation(&op, TEE_ALG_AES_CMAC, TEE_MODE_MAC, 128) == TEE_SUCCESS);
  TEE_GetOperationInfo(op, &info);
  CHECK(21, info.digestLength == 16);
  TEE_FreeOperation(op);
#if !__OPTEE_CORE_API_COMPAT_1_1
  TEE_FreeOperation(TEE_HANDLE_NULL); /* v1.1 gives NULL no meaning here */
#endif

  uint8_t r1[32] = {0};
  uint8_t r2[32] = {0};
  TEE_GenerateRandom(r1, sizeof r1);
  TEE_GenerateRandom(r2, sizeof r2);
  TEE_GenerateRandom(NULL, 0);
  CHECK(22, !same(r1, r2, sizeof r1) && !all_zero(r1, sizeof r1));
  params[0].value.a = 0;
  return TEE_SUCCESS;
}

/* ---- Digests ---- */

struct kat {
  uint32_t alg;
  const char *hex;
};

/* "abc" under each digest (FIPS 180-4 and FIPS 202 examples, RFC 1321,
 * GB/T 32905's example for SM3). */
static const struct kat kDigestsOfAbc[] = {
    {TEE_ALG_MD5, "900150983cd24fb0d6963f7d28e17f72"},
    {TEE_ALG_SHA1, "a9993e364706816aba3e25717850c26c9cd0d89d"},
    {TEE_ALG_SHA224, "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7"},
    {TEE_ALG_SHA256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {TEE_ALG_SHA384,
     "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
     "8086072ba1e7cc2358baeca134c825a7"},
    {TEE_ALG_SHA512,
     "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
     "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"},
    {TEE_ALG_SHA3_224, "e642824c3f8cf24ad09234ee7d3c766fc9a3a5168d0c94ad73b46fdf"},
    {TEE_ALG_SHA3_256, "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532"},
    {TEE_ALG_SHA3_384,
     "ec01498288516fc926459f58e2c6ad8df9b473cb0fc08c2596da7cf0e49be4b2"
     "98d88cea927ac7f539f1edf228376d25"},
    {TEE_ALG_SHA3_512,
     "b751850b1a57168a5693cd924b6b096e08f621827444f70d884f5d0240d2712e"
     "10e116e9192af3c91a7ec57647e3934057340b4cf408d5a56592f8274eec53f0"},
    {TEE_ALG_SM3, "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"},
};

static TEE_Result digests(TEE_Param params[4]) {
  uint8_t want[64];
  uint8_t got[64];
  for (size_t i = 0; i < sizeof kDigestsOfAbc / sizeof kDigestsOfAbc[0]; ++i) {
    size_t want_len = unhex(kDigestsOfAbc[i].hex, want, sizeof want);
    TEE_OperationHandle op = TEE_HANDLE_NULL;
    ta_size_t got_len = sizeof got;
    CHECK(1, TEE_AllocateOperation(&op, kDigestsOfAbc[i].alg, TEE_MODE_DIGEST, 0) == TEE_SUCCESS);
    if (TEE_DigestDoFinal(op, "abc", 3, got, &got_len) != TEE_SUCCESS || got_len != want_len ||
        !same(got, want, want_len)) {
      EMSG("digest %#x differs", kDigestsOfAbc[i].alg);
      return failed(params, 2);
    }
    /* Done, the operation starts over. */
    got_len = sizeof got;
    CHECK(3, TEE_DigestDoFinal(op, "abc", 3, got, &got_len) == TEE_SUCCESS &&
                 same(got, want, want_len));
    TEE_FreeOperation(op);
  }

  /* FIPS 180-4's two-block SHA-256 example, fed in uneven pieces. */
  static const char msg[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  unhex("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", want, sizeof want);
  TEE_OperationHandle op = TEE_HANDLE_NULL;
  CHECK(4, TEE_AllocateOperation(&op, TEE_ALG_SHA256, TEE_MODE_DIGEST, 0) == TEE_SUCCESS);
  TEE_DigestUpdate(op, msg, 1);
  TEE_DigestUpdate(op, msg + 1, 0);
  TEE_DigestUpdate(op, msg + 1, 7);
  TEE_DigestUpdate(op, msg + 8, 40);
  /* Too small a buffer: the size needed, the last chunk not consumed. */
  TEE_MemFill(got, 0xEE, sizeof got);
  ta_size_t got_len = 31;
  CHECK(5, TEE_DigestDoFinal(op, msg + 48, 8, got, &got_len) == TEE_ERROR_SHORT_BUFFER &&
               got_len == 32 && got[0] == 0xEE);
  got_len = 32;
  CHECK(6, TEE_DigestDoFinal(op, msg + 48, 8, got, &got_len) == TEE_SUCCESS && got_len == 32 &&
               same(got, want, 32));

  /* A copy carries the state so far. */
  unhex(kDigestsOfAbc[3].hex, want, sizeof want);
  TEE_OperationHandle copy = TEE_HANDLE_NULL;
  CHECK(7, TEE_AllocateOperation(&copy, TEE_ALG_SHA256, TEE_MODE_DIGEST, 0) == TEE_SUCCESS);
  TEE_DigestUpdate(op, "ab", 2);
  TEE_CopyOperation(copy, op);
  got_len = sizeof got;
  CHECK(8, TEE_DigestDoFinal(copy, "c", 1, got, &got_len) == TEE_SUCCESS && same(got, want, 32));
  got_len = sizeof got;
  CHECK(9, TEE_DigestDoFinal(op, "c", 1, got, &got_len) == TEE_SUCCESS && same(got, want, 32));

  /* The digest taken in pieces; past its end, nothing more. */
  TEE_DigestUpdate(op, "abc", 3);
  /* TEE_DigestExtract is GP 1.3's: size_t in both modes. */
  size_t n1 = 10;
  size_t n2 = 10;
  size_t n3 = 20;
  size_t n4 = 5;
  CHECK(10, TEE_DigestExtract(op, got, &n1) == TEE_SUCCESS && n1 == 10 &&
                TEE_DigestExtract(op, got + 10, &n2) == TEE_SUCCESS && n2 == 10 &&
                TEE_DigestExtract(op, got + 20, &n3) == TEE_SUCCESS && n3 == 12 &&
                TEE_DigestExtract(op, got + 32, &n4) == TEE_SUCCESS && n4 == 0 &&
                same(got, want, 32));
  /* A reset starts over. */
  TEE_ResetOperation(op);
  got_len = sizeof got;
  CHECK(11, TEE_DigestDoFinal(op, "abc", 3, got, &got_len) == TEE_SUCCESS && same(got, want, 32));
  TEE_FreeOperation(op);
  TEE_FreeOperation(copy);
  params[0].value.a = 0;
  return TEE_SUCCESS;
}

/* ---- MACs ---- */

struct mac_kat {
  uint32_t alg;
  uint32_t key_type;
  uint32_t max_key_bits;
  const char *key;
  const char *msg;
  const char *mac;
};

#define JEFE "4a656665"
#define JEFE_MSG "7768617420646f2079612077616e7420666f72206e6f7468696e673f"
#define TC4_KEY "0102030405060708090a0b0c0d0e0f10111213141516171819"
#define TC4_MSG                                        \
  "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd" \
  "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd"

static const struct mac_kat kMacs[] = {
    /* RFC 4231 test case 2 ("Jefe": a generic secret, shorter than the HMAC
     * types allow) and RFC 2202's HMAC-MD5 test case 2. */
    {TEE_ALG_HMAC_MD5, TEE_TYPE_GENERIC_SECRET, 512, JEFE, JEFE_MSG,
     "750c783e6ab0b503eaa86e310a5db738"},
    {TEE_ALG_HMAC_SHA224, TEE_TYPE_GENERIC_SECRET, 512, JEFE, JEFE_MSG,
     "a30e01098bc6dbbf45690f3a7e9e6d0f8bbea2a39e6148008fd05e44"},
    {TEE_ALG_HMAC_SHA256, TEE_TYPE_GENERIC_SECRET, 512, JEFE, JEFE_MSG,
     "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
    {TEE_ALG_HMAC_SHA384, TEE_TYPE_GENERIC_SECRET, 512, JEFE, JEFE_MSG,
     "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
     "8e2240ca5e69e2c78b3239ecfab21649"},
    {TEE_ALG_HMAC_SHA512, TEE_TYPE_GENERIC_SECRET, 512, JEFE, JEFE_MSG,
     "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
     "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"},
    /* RFC 4231 test case 4, with keys of the HMAC types. */
    {TEE_ALG_HMAC_SHA224, TEE_TYPE_HMAC_SHA224, 256, TC4_KEY, TC4_MSG,
     "6c11506874013cac6a2abc1bb382627cec6a90d86efc012de7afec5a"},
    {TEE_ALG_HMAC_SHA256, TEE_TYPE_HMAC_SHA256, 256, TC4_KEY, TC4_MSG,
     "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
    /* RFC 4226 appendix D: HMAC-SHA1 of counter 0 under its test key. */
    {TEE_ALG_HMAC_SHA1, TEE_TYPE_HMAC_SHA1, 160, "3132333435363738393031323334353637383930",
     "0000000000000000", "cc93cf18508d94934c64b65d8ba7667fb7cde4b0"},
    /* RFC 4493 section 4 (AES-CMAC, SP 800-38B D.1). */
    {TEE_ALG_AES_CMAC, TEE_TYPE_AES, 128, "2b7e151628aed2a6abf7158809cf4f3c", "",
     "bb1d6929e95937287fa37d129b756746"},
    {TEE_ALG_AES_CMAC, TEE_TYPE_AES, 128, "2b7e151628aed2a6abf7158809cf4f3c",
     "6bc1bee22e409f96e93d7e117393172a", "070a16b46b4d4144f79bdd9dd04a287c"},
    {TEE_ALG_AES_CMAC, TEE_TYPE_AES, 128, "2b7e151628aed2a6abf7158809cf4f3c",
     "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411",
     "dfa66747de9ae63030ca32611497c827"},
    {TEE_ALG_AES_CMAC, TEE_TYPE_AES, 128, "2b7e151628aed2a6abf7158809cf4f3c", kAesPlain,
     "51f0bebf7e3b9d92fc49741779363cfe"},
    /* A one-block CBC-MAC under a zero IV is the block's encryption:
     * SP 800-38A F.1.1's first block, FIPS 46's DES example (and 3DES with
     * one key three times, which is DES). */
    {TEE_ALG_AES_CBC_MAC_NOPAD, TEE_TYPE_AES, 128, "2b7e151628aed2a6abf7158809cf4f3c",
     "6bc1bee22e409f96e93d7e117393172a", "3ad77bb40d7a3660a89ecaf32466ef97"},
    {TEE_ALG_DES_CBC_MAC_NOPAD, TEE_TYPE_DES, 64, kDesKey, kDesPlain, kDesCipher},
    {TEE_ALG_DES3_CBC_MAC_NOPAD, TEE_TYPE_DES3, 192,
     "133457799bbcdff1133457799bbcdff1133457799bbcdff1", kDesPlain, kDesCipher},
};

static TEE_Result macs(TEE_Param params[4]) {
  uint8_t key[64];
  uint8_t msg[64];
  uint8_t want[64];
  uint8_t got[64];
  for (size_t i = 0; i < sizeof kMacs / sizeof kMacs[0]; ++i) {
    const struct mac_kat *t = &kMacs[i];
    size_t key_len = unhex(t->key, key, sizeof key);
    size_t msg_len = unhex(t->msg, msg, sizeof msg);
    size_t want_len = unhex(t->mac, want, sizeof want);
    TEE_OperationHandle op =
        keyed_op(t->alg, TEE_MODE_MAC, t->max_key_bits, t->key_type, key, key_len);
    if (op == TEE_HANDLE_NULL) {
      EMSG("MAC vector %zu: no operation", i);
      return failed(params, 1);
    }
    /* Whole, then in three pieces (the last one through the final). */
    TEE_MACInit(op, NULL, 0);
    ta_size_t got_len = sizeof got;
    if (TEE_MACComputeFinal(op, msg, msg_len, got, &got_len) != TEE_SUCCESS ||
        got_len != want_len || !same(got, want, want_len)) {
      EMSG("MAC vector %zu differs", i);
      return failed(params, 2);
    }
    size_t a = msg_len / 3;
    size_t b = msg_len / 2;
    TEE_MACInit(op, NULL, 0);
    TEE_MACUpdate(op, msg, a);
    TEE_MACUpdate(op, msg + a, b - a);
    CHECK(3, TEE_MACCompareFinal(op, msg + b, msg_len - b, want, want_len) == TEE_SUCCESS);
    /* One bit off, or a truncated MAC, is MAC_INVALID. */
    want[0] ^= 1;
    TEE_MACInit(op, NULL, 0);
    CHECK(4, TEE_MACCompareFinal(op, msg, msg_len, want, want_len) == TEE_ERROR_MAC_INVALID);
    want[0] ^= 1;
    TEE_MACInit(op, NULL, 0);
    CHECK(5, TEE_MACCompareFinal(op, msg, msg_len, want, want_len - 1) == TEE_ERROR_MAC_INVALID);
    /* Too small a buffer: the size needed, the message not consumed. */
    TEE_MACInit(op, NULL, 0);
    TEE_MemFill(got, 0xEE, sizeof got);
    got_len = want_len - 1;
    CHECK(6, TEE_MACComputeFinal(op, msg, msg_len, got, &got_len) == TEE_ERROR_SHORT_BUFFER &&
                 got_len == want_len && got[0] == 0xEE);
    got_len = sizeof got;
    CHECK(7, TEE_MACComputeFinal(op, msg, msg_len, got, &got_len) == TEE_SUCCESS &&
                 same(got, want, want_len));
    TEE_FreeOperation(op);
  }

  /* Longer CBC-MACs are the last block of a CBC encryption under a zero IV;
   * with PKCS#5 padding, of the message and a block of padding. */
  uint8_t plain[80];
  uint8_t cipher[80];
  uint8_t zero_iv[16] = {0};
  size_t plain_len = unhex(kAesPlain, plain, sizeof plain);
  TEE_MemFill(plain + plain_len, 16, 16);
  unhex(kAesKey128, key, sizeof key);
  TEE_OperationHandle cbc =
      keyed_op(TEE_ALG_AES_CBC_NOPAD, TEE_MODE_ENCRYPT, 128, TEE_TYPE_AES, key, 16);
  TEE_OperationHandle nopad =
      keyed_op(TEE_ALG_AES_CBC_MAC_NOPAD, TEE_MODE_MAC, 128, TEE_TYPE_AES, key, 16);
  TEE_OperationHandle pkcs5 =
      keyed_op(TEE_ALG_AES_CBC_MAC_PKCS5, TEE_MODE_MAC, 128, TEE_TYPE_AES, key, 16);
  CHECK(8, cbc != TEE_HANDLE_NULL && nopad != TEE_HANDLE_NULL && pkcs5 != TEE_HANDLE_NULL);
  TEE_CipherInit(cbc, zero_iv, 16);
  ta_size_t cipher_len = sizeof cipher;
  CHECK(9, TEE_CipherDoFinal(cbc, plain, plain_len + 16, cipher, &cipher_len) == TEE_SUCCESS &&
               cipher_len == plain_len + 16);
  TEE_MACInit(nopad, NULL, 0);
  TEE_MACUpdate(nopad, plain, 5);
  CHECK(10, TEE_MACCompareFinal(nopad, plain + 5, plain_len - 5, cipher + plain_len - 16, 16) ==
                TEE_SUCCESS);
  TEE_MACInit(pkcs5, NULL, 0);
  CHECK(11, TEE_MACCompareFinal(pkcs5, plain, plain_len, cipher + plain_len, 16) == TEE_SUCCESS);
  /* PKCS#5 takes any length: 5 bytes are one padded block. */
  TEE_CipherInit(cbc, zero_iv, 16);
  uint8_t five[16] = {1, 2, 3, 4, 5, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11};
  cipher_len = sizeof cipher;
  CHECK(12, TEE_CipherDoFinal(cbc, five, 16, cipher, &cipher_len) == TEE_SUCCESS);
  TEE_MACInit(pkcs5, NULL, 0);
  CHECK(13, TEE_MACCompareFinal(pkcs5, five, 5, cipher, 16) == TEE_SUCCESS);
  TEE_FreeOperation(cbc);
  TEE_FreeOperation(nopad);
  TEE_FreeOperation(pkcs5);
  params[0].value.a = 0;
  return TEE_SUCCESS;
}

/* ---- Ciphers ---- */

struct cipher_kat {
  uint32_t alg;
  uint32_t key_type;
  uint32_t max_key_bits;
  const char *key;
  const char *iv;
  const char *plain;
  const char *cipher;
};

static const struct cipher_kat kCiphers[] = {
    {TEE_ALG_AES_ECB_NOPAD, TEE_TYPE_AES, 128, kAesKey128, NULL, kAesPlain, kAesEcb128},
    {TEE_ALG_AES_CBC_NOPAD, TEE_TYPE_AES, 128, kAesKey128, kAesCbcIv, kAesPlain, kAesCbc128},
    {TEE_ALG_AES_CTR, TEE_TYPE_AES, 128, kAesKey128, kAesCtrIv, kAesPlain, kAesCtr128},
    {TEE_ALG_AES_ECB_NOPAD, TEE_TYPE_AES, 256, kAesKey256, NULL, kAesPlain, kAesEcb256},
    {TEE_ALG_DES_ECB_NOPAD, TEE_TYPE_DES, 64, kDesKey, NULL, kDesPlain, kDesCipher},
    /* CBC of one block under a zero IV is ECB. */
    {TEE_ALG_DES_CBC_NOPAD, TEE_TYPE_DES, 64, kDesKey, "0000000000000000", kDesPlain, kDesCipher},
    /* 3DES with K1 = K2 = K3 (and two-key, K1 = K2) is DES. */
    {TEE_ALG_DES3_ECB_NOPAD, TEE_TYPE_DES3, 192, "133457799bbcdff1133457799bbcdff1133457799bbcdff1",
     NULL, kDesPlain, kDesCipher},
    {TEE_ALG_DES3_CBC_NOPAD, TEE_TYPE_DES3, 128, "133457799bbcdff1133457799bbcdff1",
     "0000000000000000", kDesPlain, kDesCipher},
};

/* Runs `in` through `op` in pieces of the sizes in `cuts`, then the final:
 * each update outputs exactly what the block rules say. */
static bool in_pieces(TEE_OperationHandle op, const uint8_t *in, size_t len, const size_t *cuts,
                      size_t ncuts, size_t block, uint8_t *out) {
  size_t taken = 0;
  size_t given = 0;
  for (size_t i = 0; i < ncuts && taken + cuts[i] <= len; ++i) {
    ta_size_t n = (ta_size_t)(len - given);
    size_t expect = block == 0 ? cuts[i] : (taken + cuts[i]) / block * block - given;
    if (TEE_CipherUpdate(op, in + taken, cuts[i], out + given, &n) != TEE_SUCCESS || n != expect) {
      EMSG("piece %zu: %u bytes out, %zu expected", i, (unsigned)n, expect);
      return false;
    }
    taken += cuts[i];
    given += n;
  }
  ta_size_t n = (ta_size_t)(len - given);
  return TEE_CipherDoFinal(op, in + taken, len - taken, out + given, &n) == TEE_SUCCESS &&
         given + n == len;
}

/* As in_pieces, for CTS: an update outputs all but the last one or two
 * blocks (all but the last block and the partial one after it). */
static bool in_cts_pieces(TEE_OperationHandle op, const uint8_t *in, size_t len, const size_t *cuts,
                          size_t ncuts, uint8_t *out) {
  size_t taken = 0;
  size_t given = 0;
  for (size_t i = 0; i < ncuts && taken + cuts[i] <= len; ++i) {
    size_t total = taken + cuts[i];
    size_t hold = total <= 32 ? total : (total % 16 == 0 ? 32 : 16 + total % 16);
    ta_size_t n = (ta_size_t)(len - given);
    if (TEE_CipherUpdate(op, in + taken, cuts[i], out + given, &n) != TEE_SUCCESS ||
        n != total - hold - given) {
      EMSG("CTS piece %zu: %u bytes out, %zu expected", i, (unsigned)n, total - hold - given);
      return false;
    }
    taken = total;
    given += n;
  }
  ta_size_t n = (ta_size_t)(len - given);
  return TEE_CipherDoFinal(op, in + taken, len - taken, out + given, &n) == TEE_SUCCESS &&
         given + n == len;
}

static TEE_Result ciphers(TEE_Param params[4]) {
  uint8_t key[32];
  uint8_t iv[16];
  uint8_t plain[64];
  uint8_t want[64];
  uint8_t got[64];
  for (size_t i = 0; i < sizeof kCiphers / sizeof kCiphers[0]; ++i) {
    const struct cipher_kat *t = &kCiphers[i];
    size_t key_len = unhex(t->key, key, sizeof key);
    size_t iv_len = t->iv == NULL ? 0 : unhex(t->iv, iv, sizeof iv);
    size_t len = unhex(t->plain, plain, sizeof plain);
    unhex(t->cipher, want, sizeof want);
    TEE_OperationHandle enc =
        keyed_op(t->alg, TEE_MODE_ENCRYPT, t->max_key_bits, t->key_type, key, key_len);
    TEE_OperationHandle dec =
        keyed_op(t->alg, TEE_MODE_DECRYPT, t->max_key_bits, t->key_type, key, key_len);
    CHECK(1, enc != TEE_HANDLE_NULL && dec != TEE_HANDLE_NULL);
    TEE_CipherInit(enc, t->iv == NULL ? NULL : iv, iv_len);
    ta_size_t got_len = sizeof got;
    if (TEE_CipherDoFinal(enc, plain, len, got, &got_len) != TEE_SUCCESS || got_len != len ||
        !same(got, want, len)) {
      EMSG("cipher vector %zu differs", i);
      return failed(params, 2);
    }
    TEE_CipherInit(dec, t->iv == NULL ? NULL : iv, iv_len);
    got_len = sizeof got;
    CHECK(3, TEE_CipherDoFinal(dec, want, len, got, &got_len) == TEE_SUCCESS && got_len == len &&
                 same(got, plain, len));
    TEE_FreeOperation(enc);
    TEE_FreeOperation(dec);
  }

  /* Block buffering: uneven pieces of SP 800-38A's CBC and CTR examples. */
  uint8_t key16[16];
  unhex(kAesKey128, key16, sizeof key16);
  unhex(kAesPlain, plain, sizeof plain);
  static const size_t cuts[] = {1, 15, 17, 0, 20};
  TEE_OperationHandle cbc =
      keyed_op(TEE_ALG_AES_CBC_NOPAD, TEE_MODE_ENCRYPT, 128, TEE_TYPE_AES, key16, 16);
  TEE_OperationHandle ctr =
      keyed_op(TEE_ALG_AES_CTR, TEE_MODE_DECRYPT, 128, TEE_TYPE_AES, key16, 16);
  CHECK(4, cbc != TEE_HANDLE_NULL && ctr != TEE_HANDLE_NULL);
  unhex(kAesCbcIv, iv, sizeof iv);
  unhex(kAesCbc128, want, sizeof want);
  TEE_CipherInit(cbc, iv, 16);
  CHECK(5, in_pieces(cbc, plain, 64, cuts, 5, 16, got) && same(got, want, 64));
  uint8_t ctr_iv[16];
  unhex(kAesCtrIv, ctr_iv, sizeof ctr_iv);
  unhex(kAesCtr128, want, sizeof want);
  TEE_CipherInit(ctr, ctr_iv, 16);
  CHECK(6, in_pieces(ctr, want, 64, cuts, 5, 0, got) && same(got, plain, 64));

  /* Too small a buffer: the size needed, nothing written or consumed. */
  unhex(kAesCbc128, want, sizeof want);
  TEE_CipherInit(cbc, iv, 16);
  TEE_MemFill(got, 0xEE, sizeof got);
  ta_size_t n = 15;
  CHECK(7, TEE_CipherUpdate(cbc, plain, 20, got, &n) == TEE_ERROR_SHORT_BUFFER && n == 16 &&
               got[0] == 0xEE);
  n = 16;
  CHECK(8, TEE_CipherUpdate(cbc, plain, 20, got, &n) == TEE_SUCCESS && n == 16);
  n = 47;
  CHECK(9, TEE_CipherDoFinal(cbc, plain + 20, 44, got + 16, &n) == TEE_ERROR_SHORT_BUFFER &&
               n == 48 && got[16] == 0xEE);
  n = 48;
  CHECK(10, TEE_CipherDoFinal(cbc, plain + 20, 44, got + 16, &n) == TEE_SUCCESS && n == 48 &&
                same(got, want, 64));
  /* In place. */
  TEE_MemMove(got, plain, 64);
  TEE_CipherInit(cbc, iv, 16);
  n = 64;
  CHECK(11, TEE_CipherDoFinal(cbc, got, 64, got, &n) == TEE_SUCCESS && same(got, want, 64));
  TEE_FreeOperation(cbc);
  TEE_FreeOperation(ctr);
  params[0].value.a = 0;
  return TEE_SUCCESS;
}

/* ---- CTS and XTS ---- */

/* RFC 3962 appendix B: AES-128 CTS (CBC-CS3, IV 0) of prefixes of one
 * message. */
static const char kCtsKey[] = "636869636b656e207465726979616b69";
static const char kCtsPlain[] =
    "4920776f756c64206c696b65207468652047656e6572616c20476175277320"
    "436869636b656e2c20706c656173652c20616e6420776f6e746f6e20736f75702e";
static const struct {
  size_t len;
  const char *cipher;
} kCts[] = {
    {17, "c6353568f2bf8cb4d8a580362da7ff7f97"},
    {31, "fc00783e0efdb2c1d445d4c8eff7ed2297687268d6ecccc0c07b25e25ecfe5"},
    {32, "39312523a78662d5be7fcbcc98ebf5a897687268d6ecccc0c07b25e25ecfe584"},
    {47,
     "97687268d6ecccc0c07b25e25ecfe584b3fffd940c16a18c1b5549d2f838029e"
     "39312523a78662d5be7fcbcc98ebf5"},
    {48,
     "97687268d6ecccc0c07b25e25ecfe5849dad8bbb96c4cdc03bc103e1a194bbd8"
     "39312523a78662d5be7fcbcc98ebf5a8"},
    {64,
     "97687268d6ecccc0c07b25e25ecfe58439312523a78662d5be7fcbcc98ebf5a8"
     "4807efe836ee89a526730dbc2f7bc8409dad8bbb96c4cdc03bc103e1a194bbd8"},
};

/* An XTS operation keyed with key1 and key2 (16 bytes each), or NULL. */
static TEE_OperationHandle xts_op(uint32_t mode, const uint8_t *k1, const uint8_t *k2,
                                  TEE_Result *r) {
  TEE_OperationHandle op = TEE_HANDLE_NULL;
  *r = TEE_ERROR_GENERIC;
  if (TEE_AllocateOperation(&op, TEE_ALG_AES_XTS, mode, 128) != TEE_SUCCESS) {
    return TEE_HANDLE_NULL;
  }
  TEE_ObjectHandle o1 = key_object(TEE_TYPE_AES, 128, k1, 16);
  TEE_ObjectHandle o2 = key_object(TEE_TYPE_AES, 128, k2, 16);
  if (o1 != TEE_HANDLE_NULL && o2 != TEE_HANDLE_NULL) {
    *r = TEE_SetOperationKey2(op, o1, o2);
  }
  TEE_FreeTransientObject(o1);
  TEE_FreeTransientObject(o2);
  if (*r != TEE_SUCCESS) {
    TEE_FreeOperation(op);
    return TEE_HANDLE_NULL;
  }
  return op;
}

static TEE_Result cts_xts(TEE_Param params[4]) {
  uint8_t key[16];
  uint8_t iv[16] = {0};
  uint8_t plain[64];
  uint8_t want[64];
  uint8_t got[64];
  unhex(kCtsKey, key, sizeof key);
  unhex(kCtsPlain, plain, sizeof plain);
  TEE_OperationHandle enc = keyed_op(TEE_ALG_AES_CTS, TEE_MODE_ENCRYPT, 128, TEE_TYPE_AES, key, 16);
  TEE_OperationHandle dec = keyed_op(TEE_ALG_AES_CTS, TEE_MODE_DECRYPT, 128, TEE_TYPE_AES, key, 16);
  CHECK(1, enc != TEE_HANDLE_NULL && dec != TEE_HANDLE_NULL);
  for (size_t i = 0; i < sizeof kCts / sizeof kCts[0]; ++i) {
    size_t len = kCts[i].len;
    unhex(kCts[i].cipher, want, sizeof want);
    TEE_CipherInit(enc, iv, 16);
    ta_size_t n = sizeof got;
    if (TEE_CipherDoFinal(enc, plain, len, got, &n) != TEE_SUCCESS || n != len ||
        !same(got, want, len)) {
      EMSG("CTS vector %zu differs", i);
      return failed(params, 2);
    }
    TEE_CipherInit(dec, iv, 16);
    n = sizeof got;
    CHECK(3, TEE_CipherDoFinal(dec, want, len, got, &n) == TEE_SUCCESS && n == len &&
                 same(got, plain, len));
    /* In pieces: the last one or two blocks wait for the final. */
    static const size_t cuts[] = {5, 20, 0, 8};
    TEE_CipherInit(enc, iv, 16);
    CHECK(4, in_cts_pieces(enc, plain, len, cuts, 4, got) && same(got, want, len));
    TEE_CipherInit(dec, iv, 16);
    CHECK(5, in_cts_pieces(dec, want, len, cuts, 4, got) && same(got, plain, len));
    /* In place. */
    TEE_MemMove(got, plain, len);
    TEE_CipherInit(enc, iv, 16);
    n = (ta_size_t)len;
    CHECK(6, TEE_CipherDoFinal(enc, got, len, got, &n) == TEE_SUCCESS && n == len &&
                 same(got, want, len));
  }
  TEE_FreeOperation(enc);
  TEE_FreeOperation(dec);

  /* IEEE 1619 (P1619/D16) vector 2: data unit 0x3333333333. */
  uint8_t k1[16];
  uint8_t k2[16];
  uint8_t tweak[16];
  TEE_MemFill(k1, 0x11, 16);
  TEE_MemFill(k2, 0x22, 16);
  TEE_MemFill(tweak, 0, 16);
  TEE_MemFill(tweak, 0x33, 5);
  TEE_MemFill(plain, 0x44, 32);
  unhex("c454185e6a16936e39334038acef838bfb186fff7480adc4289382ecd6d394f0", want, sizeof want);
  TEE_Result r = TEE_ERROR_GENERIC;
  TEE_OperationHandle xenc = xts_op(TEE_MODE_ENCRYPT, k1, k2, &r);
  TEE_OperationHandle xdec = xts_op(TEE_MODE_DECRYPT, k1, k2, &r);
  CHECK(8, xenc != TEE_HANDLE_NULL && xdec != TEE_HANDLE_NULL);
  TEE_CipherInit(xenc, tweak, 16);
  ta_size_t n = sizeof got;
  /* Updates output nothing: XTS runs at the final. */
  CHECK(9, TEE_CipherUpdate(xenc, plain, 10, got, &n) == TEE_SUCCESS && n == 0);
  n = 31;
  CHECK(10, TEE_CipherDoFinal(xenc, plain + 10, 22, got, &n) == TEE_ERROR_SHORT_BUFFER && n == 32);
  n = 32;
  CHECK(11, TEE_CipherDoFinal(xenc, plain + 10, 22, got, &n) == TEE_SUCCESS && n == 32 &&
                same(got, want, 32));
  TEE_CipherInit(xdec, tweak, 16);
  n = sizeof got;
  CHECK(12, TEE_CipherDoFinal(xdec, want, 32, got, &n) == TEE_SUCCESS && n == 32 &&
                same(got, plain, 32));
  /* Ciphertext stealing: 37 bytes round-trip. */
  TEE_MemMove(plain, kCtsPlain, 37);
  TEE_CipherInit(xenc, tweak, 16);
  n = sizeof want;
  CHECK(13, TEE_CipherDoFinal(xenc, plain, 37, want, &n) == TEE_SUCCESS && n == 37);
  TEE_CipherInit(xdec, tweak, 16);
  n = sizeof got;
  CHECK(14, TEE_CipherDoFinal(xdec, want, 37, got, &n) == TEE_SUCCESS && n == 37 &&
                same(got, plain, 37));
  /* Two keys in the information. */
  struct {
    TEE_OperationInfoMultiple m;
    TEE_OperationInfoKey keys[2];
  } multi;
  ta_size_t multi_len = sizeof multi;
  CHECK(15, TEE_GetOperationInfoMultiple(xenc, &multi.m, &multi_len) == TEE_SUCCESS &&
                multi.m.numberOfKeys == 2 && multi.m.keyInformation[1].keySize == 128 &&
                (multi.m.handleState & TEE_HANDLE_FLAG_EXPECT_TWO_KEYS) != 0);
  TEE_FreeOperation(xenc);
  TEE_FreeOperation(xdec);
  /* One key twice is refused. */
  CHECK(16, xts_op(TEE_MODE_ENCRYPT, k1, k1, &r) == TEE_HANDLE_NULL && r == TEE_ERROR_SECURITY);
  params[0].value.a = 0;
  return TEE_SUCCESS;
}

/* ---- Key derivation (OP-TEE's extensions) ---- */

struct kdf_kat {
  uint32_t alg;
  uint32_t key_type;
  uint32_t key_attr;
  const char *key;
  uint32_t salt_attr;
  const char *salt;
  uint32_t info_attr;
  const char *info;
  uint32_t length_attr;
  uint32_t iterations; /* PBKDF2 only */
  const char *out;
};

#define RFC5869_SALT "000102030405060708090a0b0c"
#define RFC5869_INFO "f0f1f2f3f4f5f6f7f8f9"

static const struct kdf_kat kKdfs[] = {
    /* RFC 5869 test cases 1 (SHA-256) and 4 (SHA-1). */
    {TEE_ALG_HKDF_SHA256_DERIVE_KEY, TEE_TYPE_HKDF_IKM, TEE_ATTR_HKDF_IKM,
     "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", __OPTEE_TEE_ATTR_HKDF_SALT, RFC5869_SALT,
     __OPTEE_TEE_ATTR_HKDF_INFO, RFC5869_INFO, TEE_ATTR_HKDF_OKM_LENGTH, 0,
     "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"},
    {TEE_ALG_HKDF_SHA1_DERIVE_KEY, TEE_TYPE_HKDF_IKM, TEE_ATTR_HKDF_IKM, "0b0b0b0b0b0b0b0b0b0b0b",
     __OPTEE_TEE_ATTR_HKDF_SALT, RFC5869_SALT, __OPTEE_TEE_ATTR_HKDF_INFO, RFC5869_INFO,
     TEE_ATTR_HKDF_OKM_LENGTH, 0,
     "085a01ea1b10f36933068b56efa5ad81a4f14b822f5b091568a9cdd4f155fda2c22e422478d305f3f896"},
    /* RFC 6070: "password", "salt", 1, 2 and 4096 iterations. */
    {TEE_ALG_PBKDF2_HMAC_SHA1_DERIVE_KEY, TEE_TYPE_PBKDF2_PASSWORD, TEE_ATTR_PBKDF2_PASSWORD,
     "70617373776f7264", TEE_ATTR_PBKDF2_SALT, "73616c74", 0, NULL, TEE_ATTR_PBKDF2_DKM_LENGTH, 1,
     "0c60c80f961f0e71f3a9b524af6012062fe037a6"},
    {TEE_ALG_PBKDF2_HMAC_SHA1_DERIVE_KEY, TEE_TYPE_PBKDF2_PASSWORD, TEE_ATTR_PBKDF2_PASSWORD,
     "70617373776f7264", TEE_ATTR_PBKDF2_SALT, "73616c74", 0, NULL, TEE_ATTR_PBKDF2_DKM_LENGTH, 2,
     "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957"},
    {TEE_ALG_PBKDF2_HMAC_SHA1_DERIVE_KEY, TEE_TYPE_PBKDF2_PASSWORD, TEE_ATTR_PBKDF2_PASSWORD,
     "70617373776f7264", TEE_ATTR_PBKDF2_SALT, "73616c74", 0, NULL, TEE_ATTR_PBKDF2_DKM_LENGTH,
     4096, "4b007901b765489abead49d926f721d065a429c1"},
    /* SP 800-56A's single-step KDF with SHA-256, computed independently:
     * SHA-256(counter || Z || OtherInfo) for counters 1 and 2, cut to 40. */
    {TEE_ALG_CONCAT_KDF_SHA256_DERIVE_KEY, TEE_TYPE_CONCAT_KDF_Z, TEE_ATTR_CONCAT_KDF_Z,
     "52169af5c485dcc2321eb8d26d5efa21fb9b93c98e38412ee2484cf14f0d0d23", 0, NULL,
     TEE_ATTR_CONCAT_KDF_OTHER_INFO, "a1b2c3d4e5", TEE_ATTR_CONCAT_KDF_DKM_LENGTH, 0,
     "40ca4cd1665a03e9083c2c91141fa3a86440238d86f43aca53cd0668c9f9d60f4bc05c7e691a0322"},
};

static TEE_Result derive(TEE_Param params[4]) {
  uint8_t key[32];
  uint8_t salt[16];
  uint8_t info[16];
  uint8_t want[64];
  uint8_t got[64];
  for (size_t i = 0; i < sizeof kKdfs / sizeof kKdfs[0]; ++i) {
    const struct kdf_kat *t = &kKdfs[i];
    size_t key_len = unhex(t->key, key, sizeof key);
    size_t want_len = unhex(t->out, want, sizeof want);
    TEE_OperationHandle op = TEE_HANDLE_NULL;
    TEE_ObjectHandle base = TEE_HANDLE_NULL;
    TEE_ObjectHandle out = TEE_HANDLE_NULL;
    TEE_Attribute attrs[4];
    uint32_t n = 0;
    CHECK(1, TEE_AllocateOperation(&op, t->alg, TEE_MODE_DERIVE, 512) == TEE_SUCCESS &&
                 TEE_AllocateTransientObject(t->key_type, 512, &base) == TEE_SUCCESS &&
                 TEE_AllocateTransientObject(TEE_TYPE_GENERIC_SECRET, 512, &out) == TEE_SUCCESS);
    TEE_InitRefAttribute(&attrs[0], t->key_attr, key, key_len);
    CHECK(2, TEE_PopulateTransientObject(base, attrs, 1) == TEE_SUCCESS &&
                 TEE_SetOperationKey(op, base) == TEE_SUCCESS);
    if (t->salt != NULL) {
      TEE_InitRefAttribute(&attrs[n++], t->salt_attr, salt, unhex(t->salt, salt, sizeof salt));
    }
    if (t->info != NULL) {
      TEE_InitRefAttribute(&attrs[n++], t->info_attr, info, unhex(t->info, info, sizeof info));
    }
    TEE_InitValueAttribute(&attrs[n++], t->length_attr, (uint32_t)want_len, 0);
    if (t->iterations != 0) {
      TEE_InitValueAttribute(&attrs[n++], TEE_ATTR_PBKDF2_ITERATION_COUNT, t->iterations, 0);
    }
    TEE_DeriveKey(op, attrs, n, out);
    TEE_ObjectInfo oi;
    ta_size_t got_len = sizeof got;
    if (TEE_GetObjectInfo1(out, &oi) != TEE_SUCCESS || oi.objectSize != want_len * 8 ||
        TEE_GetObjectBufferAttribute(out, TEE_ATTR_SECRET_VALUE, got, &got_len) != TEE_SUCCESS ||
        got_len != want_len || !same(got, want, want_len)) {
      EMSG("KDF vector %zu differs", i);
      return failed(params, 3);
    }
    /* The base secret reads back under its own attribute. */
    got_len = sizeof got;
    CHECK(4, TEE_GetObjectBufferAttribute(base, t->key_attr, got, &got_len) == TEE_SUCCESS &&
                 got_len == key_len && same(got, key, key_len));
    TEE_FreeOperation(op);
    TEE_FreeTransientObject(base);
    TEE_FreeTransientObject(out);
  }
  params[0].value.a = 0;
  return TEE_SUCCESS;
}

/* ---- Authenticated encryption ---- */

struct ae_kat {
  uint32_t alg;
  const char *key;
  const char *nonce;
  const char *aad;
  const char *plain;
  const char *cipher;
  const char *tag;
};

static const struct ae_kat kAes[] = {
    /* The GCM specification's (McGrew and Viega) test cases 2 and 4. */
    {TEE_ALG_AES_GCM, "00000000000000000000000000000000", "000000000000000000000000", "",
     "00000000000000000000000000000000", "0388dace60b6a392f328c2b971b2fe78",
     "ab6e47d42cec13bdf53a67b21257bddf"},
    {TEE_ALG_AES_GCM, "feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888",
     "feedfacedeadbeeffeedfacedeadbeefabaddad2",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
     "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
     "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
     "5bc94fbc3221a5db94fae95ae7121a47"},
    /* SP 800-38C appendix C, examples 1 and 2. */
    {TEE_ALG_AES_CCM, "404142434445464748494a4b4c4d4e4f", "10111213141516", "0001020304050607",
     "20212223", "7162015b", "4dac255d"},
    {TEE_ALG_AES_CCM, "404142434445464748494a4b4c4d4e4f", "1011121314151617",
     "000102030405060708090a0b0c0d0e0f", "202122232425262728292a2b2c2d2e2f",
     "d2a1f0e051ea5f62081a7792073d593d", "1fc64fbfaccd"},
};

static TEE_Result ae(TEE_Param params[4]) {
  uint8_t key[16];
  uint8_t nonce[16];
  uint8_t aad[32];
  uint8_t plain[64];
  uint8_t want[64];
  uint8_t want_tag[16];
  uint8_t got[64];
  uint8_t tag[16];
  for (size_t i = 0; i < sizeof kAes / sizeof kAes[0]; ++i) {
    const struct ae_kat *t = &kAes[i];
    size_t key_len = unhex(t->key, key, sizeof key);
    size_t nonce_len = unhex(t->nonce, nonce, sizeof nonce);
    size_t aad_len = unhex(t->aad, aad, sizeof aad);
    size_t len = unhex(t->plain, plain, sizeof plain);
    unhex(t->cipher, want, sizeof want);
    size_t tag_len = unhex(t->tag, want_tag, sizeof want_tag);
    TEE_OperationHandle enc = keyed_op(t->alg, TEE_MODE_ENCRYPT, 128, TEE_TYPE_AES, key, key_len);
    TEE_OperationHandle dec = keyed_op(t->alg, TEE_MODE_DECRYPT, 128, TEE_TYPE_AES, key, key_len);
    CHECK(1, enc != TEE_HANDLE_NULL && dec != TEE_HANDLE_NULL);
    /* Encrypt: AAD in two pieces, the payload split between update and
     * final. */
    CHECK(2,
          TEE_AEInit(enc, nonce, nonce_len, (uint32_t)(tag_len * 8), aad_len, len) == TEE_SUCCESS);
    TEE_AEUpdateAAD(enc, aad, aad_len / 2);
    TEE_AEUpdateAAD(enc, aad + aad_len / 2, aad_len - aad_len / 2);
    ta_size_t n = sizeof got;
    CHECK(3, TEE_AEUpdate(enc, plain, len / 2, got, &n) == TEE_SUCCESS);
    size_t given = n;
    /* Too small a tag buffer: both sizes, nothing consumed. */
    ta_size_t rest = (ta_size_t)(sizeof got - given);
    ta_size_t tag_n = (ta_size_t)(tag_len - 1);
    CHECK(4, TEE_AEEncryptFinal(enc, plain + len / 2, len - len / 2, got + given, &rest, tag,
                                &tag_n) == TEE_ERROR_SHORT_BUFFER &&
                 tag_n == tag_len && rest == len - given);
    rest = (ta_size_t)(sizeof got - given);
    tag_n = sizeof tag;
    if (TEE_AEEncryptFinal(enc, plain + len / 2, len - len / 2, got + given, &rest, tag, &tag_n) !=
            TEE_SUCCESS ||
        given + rest != len || tag_n != tag_len || !same(got, want, len) ||
        !same(tag, want_tag, tag_len)) {
      EMSG("AE vector %zu differs", i);
      return failed(params, 5);
    }
    /* Decrypt, whole. */
    CHECK(6,
          TEE_AEInit(dec, nonce, nonce_len, (uint32_t)(tag_len * 8), aad_len, len) == TEE_SUCCESS);
    TEE_AEUpdateAAD(dec, aad, aad_len);
    n = sizeof got;
    CHECK(7, TEE_AEDecryptFinal(dec, want, len, got, &n, want_tag, tag_len) == TEE_SUCCESS &&
                 n == len && same(got, plain, len));
    /* A tag one bit off: MAC_INVALID and nothing written at the final. */
    want_tag[0] ^= 1;
    CHECK(8,
          TEE_AEInit(dec, nonce, nonce_len, (uint32_t)(tag_len * 8), aad_len, len) == TEE_SUCCESS);
    TEE_AEUpdateAAD(dec, aad, aad_len);
    TEE_MemFill(got, 0xEE, sizeof got);
    n = sizeof got;
    CHECK(9,
          TEE_AEDecryptFinal(dec, want, len, got, &n, want_tag, tag_len) == TEE_ERROR_MAC_INVALID &&
              got[0] == 0xEE);
    want_tag[0] ^= 1;
    /* A truncated tag, too. */
    CHECK(10,
          TEE_AEInit(dec, nonce, nonce_len, (uint32_t)(tag_len * 8), aad_len, len) == TEE_SUCCESS);
    TEE_AEUpdateAAD(dec, aad, aad_len);
    n = sizeof got;
    CHECK(11, TEE_AEDecryptFinal(dec, want, len, got, &n, want_tag, tag_len - 1) ==
                  TEE_ERROR_MAC_INVALID);
    TEE_FreeOperation(enc);
    TEE_FreeOperation(dec);
  }
  /* Tag sizes the algorithm has not. */
  unhex(kAesKey128, key, sizeof key);
  TEE_OperationHandle gcm = keyed_op(TEE_ALG_AES_GCM, TEE_MODE_ENCRYPT, 128, TEE_TYPE_AES, key, 16);
  TEE_OperationHandle ccm = keyed_op(TEE_ALG_AES_CCM, TEE_MODE_ENCRYPT, 128, TEE_TYPE_AES, key, 16);
  CHECK(12, gcm != TEE_HANDLE_NULL && ccm != TEE_HANDLE_NULL);
  CHECK(13, TEE_AEInit(gcm, nonce, 12, 64, 0, 0) == TEE_ERROR_NOT_SUPPORTED &&
                TEE_AEInit(gcm, nonce, 12, 129, 0, 0) == TEE_ERROR_NOT_SUPPORTED &&
                TEE_AEInit(ccm, nonce, 12, 40, 0, 0) == TEE_ERROR_NOT_SUPPORTED &&
                TEE_AEInit(ccm, nonce, 12, 144, 0, 0) == TEE_ERROR_NOT_SUPPORTED);
  TEE_FreeOperation(gcm);
  TEE_FreeOperation(ccm);
  params[0].value.a = 0;
  return TEE_SUCCESS;
}

/* ---- RSA ---- */

/* NIST CAVS 11.0 SigVer PKCS#1 v1.5, mod 1024 with SHA-256: a key, a
 * message whose signature verifies (Result = P) and one whose signature
 * does not (Result = F: its padding separator is 0x44, not 0x00). */
static const char kNistN[] =
    "8592b5850b9ba96e7faecbdd67e50ed5fb2018fda0bc6a09ab6345910fc445ac"
    "6bdb0e7a4c6b72c9441649c9e78109bbaa1d79f9fafb8794a1a06cb638bd8f3c"
    "3416d44c43cf862b8ac1d5006310b05a7760d341d07077ae775f1695061d3c72"
    "97dd3ab8fc5d03d09ed1602a1bb69891bb377fd0aad6cd90f8b207467db36279";
static const char kNistE[] = "eef211";
static const char kNistMsgPass[] =
    "1e422f898ff258a99bc53648541709b3a3bba5828d36d070b42bec6a2117d6e6"
    "403f0d762ce6179d2dc220e180b1e52156a9d0291eed64840787dc91c1f20fda"
    "841797a0547b32bb83b668a177276fc4aee64b21fefa391522cc4e7372dc5cd5"
    "f2b3152f8e1973aaa48757afc3df7041b35b5e91b5c317cc0be48a38bb3d837f";
static const char kNistSigPass[] =
    "2e37c8221597f7e2b1970c40a50db5fefde31b1dff1e9b9d6a70b023acb01497"
    "1580eddf1d67f15d9fbbddfcdf49cda14ccb7516c33b787a3a3fd43d005d02de"
    "10f93ffc99585ae5dfaa766c0f1f5bfa62e50e76a059a4a1e814c1ee9836e015"
    "95731dce48f94aa1ae36d9c5165a3eb28013fac271e091f7018fe96ec26009c1";
static const char kNistMsgFail[] =
    "23d29062797ec367d664542872324b63a72305caed23d04b0834b594801095d7"
    "521078cae54c21f33f04e622793fbe3f70b19c45bee2fb8fe98dba53d9462b6c"
    "9060675c150ee491b1c849e75ef1806f7db60d6fc7399fa986efe5e00546a399"
    "458c051ff10c33c9947a257f0a91b97b35fa034df170e4224922de45eb5826e6";
static const char kNistSigFail[] =
    "02d07177f91c0db0b74e34b532aa18673d27fdee370b7aa9094ef765c9a8278b"
    "7128f1bd24fd3992e6376f83bdea9e505be10de15163286a7c9d9873bdbcffe0"
    "535f9f8cb0dd99ba34e24ec462e4ad03618258b66894daeac9415545e030bd96"
    "3f2beb8d089183ec7ff1be67e6f94e6871d42fb7d7c694682a9f4af599bfdf81";

/* A 1024-bit key pair made with the openssl command line (e = 65537), and
 * what OpenSSL made with it independently: the PKCS#1 v1.5 SHA-256
 * signature of "abc", and "captee OAEP test" encrypted with OAEP-SHA256 and
 * with PKCS#1 v1.5. */
static const char kRsaE[] = "010001";
static const char kRsaN[] =
    "9521bd2d6bcd2764094fba334eaf60f3811ec66b693bb6c6aa1c96220f8d3ace"
    "2300aa1dfb53c737c0e633aae3fe712f8d641c2aca217d4fecac672f05e3e8eb"
    "f7d4167f1b37b6de258b2f35fbea7ca893eed364f7da587632ce6ad4bd95f815"
    "a675c8fa14ff96dd47193aa7680a811c40eea72a158b0267faa76fab9096affb";
static const char kRsaD[] =
    "79694565b42d0a93b3ccf7cf8b90d682882d70e6c37ebcf8124841a62b391495"
    "fc032f7c473fd6a1ba66efcb81e0856f6c52036886b52b1b2598da4c7b24285c"
    "ad737d8f20edefac47acf4a4f647fd0db41716e3df935adc3b7be61ab96d5a24"
    "939c16cc1b5ff81d05ca5397fd5c87060684effe59499cd050f91da5dee99621";
static const char kRsaP[] =
    "c5e7335a05a67a5a9ce69d14a8916d94f4b85f4a3388b5d3b58412eebe7f969b"
    "09827508201316c15b549b703beef451f0041e45858fea908028c51c2ac6d12b";
static const char kRsaQ[] =
    "c0e947732f4040827163ef4b58e64390628c11ee8bb98b6a04fe382e294f55f0"
    "a300a04bab7c082243b343faa3ead1b14484a684f831d6a1ba19b8cd02f71471";
static const char kRsaDp[] =
    "483b4a92e0dd126b60390bbc2e8a65e4a82d631a4214f3c881c7e2e120c690c1"
    "a586e8103f24b8797a4c372f8fb0779c306e505e2f91879b962b4b462c96c461";
static const char kRsaDq[] =
    "17d337cdd4021d757ec796e0396486e7a824207ad3aae0bb014edc656718b346"
    "7afb32d0e5a6f5e235764869062194304e840b84d49a6325aa344f0c92d72d21";
static const char kRsaQinv[] =
    "1e9fd8e262432c98031fbb1a31f1162886a159559bd9371324b776b6c62c264f"
    "384898ef98e78b2cedc2e09dea3899da05260d187e99490afcceb0da9543c12b";
static const char kRsaSigAbc[] =
    "2e534cd8e7e1bd2f4021c8f6422d00cb71c14df6795dde56b6c08af504f5bb34"
    "d8d1ca7d8efeac83455f42aa10ef13d11c51cf5510f751495803c6d1855ffb6b"
    "163737100ad0c19170efc7d9c60c1570c22f5ecd47d5040ab106a9f9f847eeaa"
    "a72877cb9ae389a305f0d1c7f4472af2eccafb2983b58b04b4324ad4942f76aa";
static const char kRsaOaepSha256[] =
    "5dc0e4d3c91c3044bdd392c3e2b1349f8ee61fc5aeb388f9e4b11623dd0edd50"
    "38a1d5e81454c8696293031ecbc750bd1c0fa9a9f5ec543b35d4ac452047c98f"
    "707672863c7512fdb9977b7c1e6593d52428b2d5e8db75c9e099533329dcc837"
    "92d7a32011ebf042e1ba5c47957d5f87556787133b60829cfada976aeb3cdd87";
static const char kRsaPkcs1Enc[] =
    "1dd7ee7c0fbd000aac4e24019cef89c8075f6253da36a426b20016040749d30d"
    "788a1a7296b67d499473ba2e2c74bb4fbd2574fc996910bee41de06c7874eb46"
    "956ad12e21e3b9512f3a06504638695dc20db70f0b0db8bccf7325c86efeff3f"
    "c6d22121a12498f0ad170487fe5ac9fbee05f4aa2da67ea636e0a6a0225fe339";
static const char kRsaMessage[] = "captee OAEP test";

/* Hex values as attributes: `ids[i]` from `hex[i]`, decoded into `store`
 * (256 bytes per attribute). */
static void hex_attributes(TEE_Attribute *attrs, const uint32_t *ids, const char *const *hex,
                           size_t count, uint8_t (*store)[256]) {
  for (size_t i = 0; i < count; ++i) {
    size_t len = unhex(hex[i], store[i], sizeof store[i]);
    TEE_InitRefAttribute(&attrs[i], ids[i], store[i], len);
  }
}

/* A populated RSA object of `type` from `count` of the attributes, or
 * TEE_HANDLE_NULL. */
static TEE_ObjectHandle rsa_object(uint32_t type, const uint32_t *ids, const char *const *hex,
                                   size_t count) {
  static uint8_t store[8][256];
  TEE_Attribute attrs[8];
  TEE_ObjectHandle o = TEE_HANDLE_NULL;
  hex_attributes(attrs, ids, hex, count, store);
  if (TEE_AllocateTransientObject(type, 2048, &o) != TEE_SUCCESS) {
    return TEE_HANDLE_NULL;
  }
  if (TEE_PopulateTransientObject(o, attrs, (uint32_t)count) != TEE_SUCCESS) {
    TEE_FreeTransientObject(o);
    return TEE_HANDLE_NULL;
  }
  return o;
}

static const uint32_t kRsaIds[] = {
    TEE_ATTR_RSA_MODULUS,   TEE_ATTR_RSA_PUBLIC_EXPONENT, TEE_ATTR_RSA_PRIVATE_EXPONENT,
    TEE_ATTR_RSA_PRIME1,    TEE_ATTR_RSA_PRIME2,          TEE_ATTR_RSA_EXPONENT1,
    TEE_ATTR_RSA_EXPONENT2, TEE_ATTR_RSA_COEFFICIENT,
};
static const char *const kRsaHex[] = {kRsaN, kRsaE, kRsaD, kRsaP, kRsaQ, kRsaDp, kRsaDq, kRsaQinv};
static const char *const kNistHex[] = {kNistN, kNistE};

/* The key pair of the vectors, with its CRT values or without. */
static TEE_ObjectHandle kat_keypair(bool crt) {
  return rsa_object(TEE_TYPE_RSA_KEYPAIR, kRsaIds, kRsaHex, crt ? 8 : 3);
}

/* An operation of `alg` in `mode` keyed with `key`, or TEE_HANDLE_NULL. */
static TEE_OperationHandle rsa_op(uint32_t alg, uint32_t mode, TEE_ObjectHandle key) {
  TEE_OperationHandle op = TEE_HANDLE_NULL;
  if (key == TEE_HANDLE_NULL || TEE_AllocateOperation(&op, alg, mode, 2048) != TEE_SUCCESS) {
    return TEE_HANDLE_NULL;
  }
  if (TEE_SetOperationKey(op, key) != TEE_SUCCESS) {
    TEE_FreeOperation(op);
    return TEE_HANDLE_NULL;
  }
  return op;
}

/* SHA-256 of `len` bytes. */
static bool sha256(const void *in, size_t len, uint8_t out[32]) {
  TEE_OperationHandle d = TEE_HANDLE_NULL;
  ta_size_t n = 32;
  bool ok = TEE_AllocateOperation(&d, TEE_ALG_SHA256, TEE_MODE_DIGEST, 0) == TEE_SUCCESS &&
            TEE_DigestDoFinal(d, in, len, out, &n) == TEE_SUCCESS && n == 32;
  TEE_FreeOperation(d);
  return ok;
}

static TEE_Result rsa_kat(TEE_Param params[4]) {
  uint8_t msg[128];
  uint8_t sig[256];
  uint8_t digest[32];
  uint8_t out[256];
  uint8_t attr[256];
  ta_size_t n = 0;
  ta_size_t attr_len = 0;
  size_t msg_len = 0;
  size_t sig_len = 0;
  TEE_ObjectInfo info;

  /* NIST's verification vectors, on a public key. */
  TEE_ObjectHandle nist = rsa_object(TEE_TYPE_RSA_PUBLIC_KEY, kRsaIds, kNistHex, 2);
  CHECK(1, nist != TEE_HANDLE_NULL && TEE_GetObjectInfo1(nist, &info) == TEE_SUCCESS &&
               info.objectSize == 1024 && (info.handleFlags & TEE_HANDLE_FLAG_INITIALIZED) != 0);
  TEE_OperationHandle verify = rsa_op(TEE_ALG_RSASSA_PKCS1_V1_5_SHA256, TEE_MODE_VERIFY, nist);
  CHECK(2, verify != TEE_HANDLE_NULL);
  msg_len = unhex(kNistMsgPass, msg, sizeof msg);
  sig_len = unhex(kNistSigPass, sig, sizeof sig);
  CHECK(3, sha256(msg, msg_len, digest) && TEE_AsymmetricVerifyDigest(verify, NULL, 0, digest, 32,
                                                                      sig, sig_len) == TEE_SUCCESS);
  sig[5] ^= 1;
  CHECK(4, TEE_AsymmetricVerifyDigest(verify, NULL, 0, digest, 32, sig, sig_len) ==
               TEE_ERROR_SIGNATURE_INVALID);
  CHECK(5, TEE_AsymmetricVerifyDigest(verify, NULL, 0, digest, 32, sig, sig_len - 1) ==
               TEE_ERROR_SIGNATURE_INVALID);
  msg_len = unhex(kNistMsgFail, msg, sizeof msg);
  sig_len = unhex(kNistSigFail, sig, sizeof sig);
  CHECK(6, sha256(msg, msg_len, digest) &&
               TEE_AsymmetricVerifyDigest(verify, NULL, 0, digest, 32, sig, sig_len) ==
                   TEE_ERROR_SIGNATURE_INVALID);
  TEE_FreeOperation(verify);
  /* A public key's attributes are public; it has no private ones. */
  attr_len = sizeof attr;
  CHECK(7, TEE_GetObjectBufferAttribute(nist, TEE_ATTR_RSA_PUBLIC_EXPONENT, attr, &attr_len) ==
                   TEE_SUCCESS &&
               attr_len == 3 && attr[0] == 0xee && attr[2] == 0x11);
  TEE_FreeTransientObject(nist);

  /* Signing is deterministic: OpenSSL's signature, with the CRT values and
   * without them. */
  size_t expected_len = unhex(kRsaSigAbc, out, sizeof out);
  CHECK(8, sha256("abc", 3, digest));
  for (int crt = 1; crt >= 0; --crt) {
    TEE_ObjectHandle key = kat_keypair(crt);
    TEE_OperationHandle sign = rsa_op(TEE_ALG_RSASSA_PKCS1_V1_5_SHA256, TEE_MODE_SIGN, key);
    CHECK(9, sign != TEE_HANDLE_NULL);
    n = 127;
    CHECK(10,
          TEE_AsymmetricSignDigest(sign, NULL, 0, digest, 32, sig, &n) == TEE_ERROR_SHORT_BUFFER &&
              n == 128);
    n = sizeof sig;
    CHECK(11, TEE_AsymmetricSignDigest(sign, NULL, 0, digest, 32, sig, &n) == TEE_SUCCESS &&
                  n == expected_len && same(sig, out, n));
    TEE_FreeOperation(sign);
    /* The CRT values are there only if they were given. */
    attr_len = sizeof attr;
    CHECK(12, TEE_GetObjectBufferAttribute(key, TEE_ATTR_RSA_PRIME1, attr, &attr_len) ==
                  (crt ? TEE_SUCCESS : TEE_ERROR_ITEM_NOT_FOUND));
    TEE_FreeTransientObject(key);
  }

  /* Attributes come back as given; the private ones while extractable. */
  TEE_ObjectHandle key = kat_keypair(true);
  size_t n_len = unhex(kRsaN, msg, sizeof msg);
  attr_len = 10;
  CHECK(13, TEE_GetObjectBufferAttribute(key, TEE_ATTR_RSA_MODULUS, attr, &attr_len) ==
                    TEE_ERROR_SHORT_BUFFER &&
                attr_len == n_len);
  CHECK(14,
        TEE_GetObjectBufferAttribute(key, TEE_ATTR_RSA_MODULUS, attr, &attr_len) == TEE_SUCCESS &&
            same(attr, msg, n_len));
  attr_len = sizeof attr;
  CHECK(15, TEE_GetObjectBufferAttribute(key, TEE_ATTR_RSA_PRIVATE_EXPONENT, attr, &attr_len) ==
                    TEE_SUCCESS &&
                attr_len == unhex(kRsaD, out, sizeof out) && same(attr, out, attr_len));
  CHECK(16, TEE_GetObjectBufferAttribute(key, TEE_ATTR_SECRET_VALUE, attr, &attr_len) ==
                TEE_ERROR_ITEM_NOT_FOUND);

  /* Decryption of OpenSSL's ciphertexts; SHORT_BUFFER says the exact size. */
  TEE_OperationHandle dec = rsa_op(TEE_ALG_RSAES_PKCS1_OAEP_MGF1_SHA256, TEE_MODE_DECRYPT, key);
  CHECK(17, dec != TEE_HANDLE_NULL);
  size_t ct_len = unhex(kRsaOaepSha256, sig, sizeof sig);
  n = 4;
  CHECK(18, TEE_AsymmetricDecrypt(dec, NULL, 0, sig, ct_len, out, &n) == TEE_ERROR_SHORT_BUFFER &&
                n == sizeof kRsaMessage - 1);
  n = sizeof out;
  CHECK(19, TEE_AsymmetricDecrypt(dec, NULL, 0, sig, ct_len, out, &n) == TEE_SUCCESS &&
                n == sizeof kRsaMessage - 1 && same(out, kRsaMessage, n));
  sig[ct_len - 1] ^= 1;
  n = sizeof out;
  CHECK(20,
        TEE_AsymmetricDecrypt(dec, NULL, 0, sig, ct_len, out, &n) == TEE_ERROR_CIPHERTEXT_INVALID);
  TEE_FreeOperation(dec);
  dec = rsa_op(TEE_ALG_RSAES_PKCS1_V1_5, TEE_MODE_DECRYPT, key);
  ct_len = unhex(kRsaPkcs1Enc, sig, sizeof sig);
  n = sizeof out;
  CHECK(21, dec != TEE_HANDLE_NULL &&
                TEE_AsymmetricDecrypt(dec, NULL, 0, sig, ct_len, out, &n) == TEE_SUCCESS &&
                n == sizeof kRsaMessage - 1 && same(out, kRsaMessage, n));
  TEE_FreeOperation(dec);

  /* A key pair's public half copies into a public-key object, which then
   * verifies and encrypts but has no private part. */
  TEE_ObjectHandle pub = TEE_HANDLE_NULL;
  CHECK(22, TEE_AllocateTransientObject(TEE_TYPE_RSA_PUBLIC_KEY, 1024, &pub) == TEE_SUCCESS &&
                TEE_CopyObjectAttributes1(pub, key) == TEE_SUCCESS);
  attr_len = sizeof attr;
  CHECK(23, TEE_GetObjectBufferAttribute(pub, TEE_ATTR_RSA_PRIVATE_EXPONENT, attr, &attr_len) ==
                TEE_ERROR_ITEM_NOT_FOUND);
  verify = rsa_op(TEE_ALG_RSASSA_PKCS1_V1_5_SHA256, TEE_MODE_VERIFY, pub);
  expected_len = unhex(kRsaSigAbc, sig, sizeof sig);
  CHECK(24, verify != TEE_HANDLE_NULL &&
                TEE_AsymmetricVerifyDigest(verify, NULL, 0, digest, 32, sig, expected_len) ==
                    TEE_SUCCESS);
  TEE_FreeOperation(verify);
  TEE_FreeTransientObject(pub);
  TEE_FreeTransientObject(key);

  /* Populate's errors: a partial CRT set, no private exponent, a key larger
   * than the object. */
  uint8_t store[8][256];
  TEE_Attribute attrs[8];
  hex_attributes(attrs, kRsaIds, kRsaHex, 8, store);
  CHECK(25, TEE_AllocateTransientObject(TEE_TYPE_RSA_KEYPAIR, 1024, &key) == TEE_SUCCESS &&
                TEE_PopulateTransientObject(key, attrs, 5) == TEE_ERROR_BAD_PARAMETERS &&
                TEE_PopulateTransientObject(key, attrs, 2) == TEE_ERROR_BAD_PARAMETERS);
  TEE_FreeTransientObject(key);
  CHECK(26, TEE_AllocateTransientObject(TEE_TYPE_RSA_KEYPAIR, 768, &key) == TEE_SUCCESS &&
                TEE_PopulateTransientObject(key, attrs, 8) == TEE_ERROR_BAD_PARAMETERS);
  TEE_FreeTransientObject(key);
  /* Sizes: 256 to 4096 bits. */
  CHECK(27,
        TEE_AllocateTransientObject(TEE_TYPE_RSA_KEYPAIR, 255, &key) == TEE_ERROR_NOT_SUPPORTED &&
            TEE_AllocateTransientObject(TEE_TYPE_RSA_PUBLIC_KEY, 4097, &key) ==
                TEE_ERROR_NOT_SUPPORTED &&
            TEE_AllocateTransientObject(TEE_TYPE_RSA_PUBLIC_KEY, 4096, &key) == TEE_SUCCESS);
  TEE_FreeTransientObject(key);
  return TEE_SUCCESS;
}

/* Sign and verify with every RSA signature scheme, encrypt and decrypt with
 * every encryption scheme, on a generated 2048-bit key pair. */
static const uint32_t kRsaSignatures[] = {
    TEE_ALG_RSASSA_PKCS1_V1_5_MD5,        TEE_ALG_RSASSA_PKCS1_V1_5_SHA1,
    TEE_ALG_RSASSA_PKCS1_V1_5_SHA224,     TEE_ALG_RSASSA_PKCS1_V1_5_SHA256,
    TEE_ALG_RSASSA_PKCS1_V1_5_SHA384,     TEE_ALG_RSASSA_PKCS1_V1_5_SHA512,
    TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA1,   TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA224,
    TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA256, TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA384,
    TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA512,
};
static const uint32_t kRsaDigestLengths[] = {16, 20, 28, 32, 48, 64, 20, 28, 32, 48, 64};
static const uint32_t kRsaCiphers[] = {
    TEE_ALG_RSAES_PKCS1_V1_5,
    TEE_ALG_RSAES_PKCS1_OAEP_MGF1_SHA1,
    TEE_ALG_RSAES_PKCS1_OAEP_MGF1_SHA224,
    TEE_ALG_RSAES_PKCS1_OAEP_MGF1_SHA256,
    TEE_ALG_RSAES_PKCS1_OAEP_MGF1_SHA384,
    TEE_ALG_RSAES_PKCS1_OAEP_MGF1_SHA512,
    TEE_ALG_RSA_NOPAD,
};

static TEE_Result rsa_round_trips(TEE_Param params[4]) {
  uint8_t digest[64];
  uint8_t sig[256];
  uint8_t ct[256];
  uint8_t pt[256];
  uint8_t too_long[257] = {0};
  uint8_t e[3] = {0x01, 0x00, 0x01};
  ta_size_t n = 0;
  TEE_Attribute attr;
  TEE_ObjectHandle key = TEE_HANDLE_NULL;
  TEE_ObjectInfo info;
  TEE_GenerateRandom(digest, sizeof digest);

  CHECK(1, TEE_AllocateTransientObject(TEE_TYPE_RSA_KEYPAIR, 2048, &key) == TEE_SUCCESS);
  TEE_InitRefAttribute(&attr, TEE_ATTR_RSA_PUBLIC_EXPONENT, e, sizeof e);
  CHECK(2, TEE_GenerateKey(key, 2048, &attr, 1) == TEE_SUCCESS &&
               TEE_GetObjectInfo1(key, &info) == TEE_SUCCESS && info.objectSize == 2048);
  for (size_t i = 0; i < sizeof kRsaSignatures / sizeof kRsaSignatures[0]; ++i) {
    TEE_OperationHandle sign = rsa_op(kRsaSignatures[i], TEE_MODE_SIGN, key);
    TEE_OperationHandle verify = rsa_op(kRsaSignatures[i], TEE_MODE_VERIFY, key);
    CHECK(3, sign != TEE_HANDLE_NULL && verify != TEE_HANDLE_NULL);
    uint32_t len = kRsaDigestLengths[i];
    n = sizeof sig;
    CHECK(4,
          TEE_AsymmetricSignDigest(sign, NULL, 0, digest, len, sig, &n) == TEE_SUCCESS && n == 256);
    CHECK(5, TEE_AsymmetricVerifyDigest(verify, NULL, 0, digest, len, sig, n) == TEE_SUCCESS);
    digest[0] ^= 1;
    CHECK(6, TEE_AsymmetricVerifyDigest(verify, NULL, 0, digest, len, sig, n) ==
                 TEE_ERROR_SIGNATURE_INVALID);
    digest[0] ^= 1;
    TEE_FreeOperation(sign);
    TEE_FreeOperation(verify);
  }
  /* PSS with the salt length given: signed with 0, verified with 0 only. */
  TEE_OperationHandle sign = rsa_op(TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA256, TEE_MODE_SIGN, key);
  TEE_OperationHandle verify = rsa_op(TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA256, TEE_MODE_VERIFY, key);
  TEE_Attribute salt;
  TEE_InitValueAttribute(&salt, TEE_ATTR_RSA_PSS_SALT_LENGTH, 0, 0);
  n = sizeof sig;
  CHECK(7, TEE_AsymmetricSignDigest(sign, &salt, 1, digest, 32, sig, &n) == TEE_SUCCESS);
  CHECK(8, TEE_AsymmetricVerifyDigest(verify, &salt, 1, digest, 32, sig, n) == TEE_SUCCESS);
  CHECK(9, TEE_AsymmetricVerifyDigest(verify, NULL, 0, digest, 32, sig, n) ==
               TEE_ERROR_SIGNATURE_INVALID);
  TEE_FreeOperation(sign);
  TEE_FreeOperation(verify);

  for (size_t i = 0; i < sizeof kRsaCiphers / sizeof kRsaCiphers[0]; ++i) {
    TEE_OperationHandle enc = rsa_op(kRsaCiphers[i], TEE_MODE_ENCRYPT, key);
    TEE_OperationHandle dec = rsa_op(kRsaCiphers[i], TEE_MODE_DECRYPT, key);
    CHECK(10, enc != TEE_HANDLE_NULL && dec != TEE_HANDLE_NULL);
    n = 255;
    CHECK(11,
          TEE_AsymmetricEncrypt(enc, NULL, 0, kRsaMessage, 16, ct, &n) == TEE_ERROR_SHORT_BUFFER &&
              n == 256);
    n = sizeof ct;
    CHECK(12,
          TEE_AsymmetricEncrypt(enc, NULL, 0, kRsaMessage, 16, ct, &n) == TEE_SUCCESS && n == 256);
    ta_size_t m = sizeof pt;
    CHECK(13, TEE_AsymmetricDecrypt(dec, NULL, 0, ct, n, pt, &m) == TEE_SUCCESS && m == 16 &&
                  same(pt, kRsaMessage, 16));
    /* Longer than the scheme allows (raw RSA: longer than the modulus). */
    n = sizeof ct;
    CHECK(14, TEE_AsymmetricEncrypt(enc, NULL, 0, too_long, sizeof too_long, ct, &n) ==
                  TEE_ERROR_BAD_PARAMETERS);
    TEE_FreeOperation(enc);
    TEE_FreeOperation(dec);
  }
  TEE_FreeTransientObject(key);

  /* Generation: OpenSSL makes no key under 512 bits; a public key is never
   * generated (that panics: misuse). */
  CHECK(15, TEE_AllocateTransientObject(TEE_TYPE_RSA_KEYPAIR, 512, &key) == TEE_SUCCESS &&
                TEE_GenerateKey(key, 512, NULL, 0) == TEE_SUCCESS);
  TEE_FreeTransientObject(key);
  return TEE_SUCCESS;
}

/* ---- ECC ---- */

/* An operation of `alg` in `mode` sized for and keyed with `key`, or
 * TEE_HANDLE_NULL. */
static TEE_OperationHandle ec_op(uint32_t alg, uint32_t mode, TEE_ObjectHandle key) {
  TEE_ObjectInfo info;
  TEE_OperationHandle op = TEE_HANDLE_NULL;
  if (key == TEE_HANDLE_NULL || TEE_GetObjectInfo1(key, &info) != TEE_SUCCESS ||
      TEE_AllocateOperation(&op, alg, mode, info.objectSize) != TEE_SUCCESS) {
    return TEE_HANDLE_NULL;
  }
  if (TEE_SetOperationKey(op, key) != TEE_SUCCESS) {
    TEE_FreeOperation(op);
    return TEE_HANDLE_NULL;
  }
  return op;
}

/* RFC 6979 A.2.5: the P-256 key pair and its deterministic ECDSA SHA-256
 * signature of "sample" (r || s). */
static const char kEcPriv[] = "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721";
static const char kEcUx[] = "60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6";
static const char kEcUy[] = "7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299";
static const char kEcSigSample[] =
    "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716"
    "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8";
/* RFC 5903 8.1: the two P-256 ECDH key pairs and their shared secret. */
static const char kEcdhI[] = "c88f01f510d9ac3f70a292daa2316de544e9aab8afe84049c62a9c57862d1433";
static const char kEcdhGix[] = "dad0b65394221cf9b051e1feca5787d098dfe637fc90b9ef945d0c3772581180";
static const char kEcdhGiy[] = "5271a0461cdb8252d61f1c456fa3e59ab1f45b33accf5f58389e0577b8990bb3";
static const char kEcdhR[] = "c6ef9c5d78ae012a011164acb397ce2088685d8f06bf9be0b283ab46476bee53";
static const char kEcdhGrx[] = "d12dfb5289c8d4f81208b70270398c342296970a0bccb74c736fc7554494bf63";
static const char kEcdhGry[] = "56fbf3ca366cc23e8157854c13c58d6aac23f046ada30f8353e74f33039872ab";
static const char kEcdhShared[] =
    "d6840f6b42f6edafd13116e0e12565202fef8e9ece7dce03812464d04b9442de";

/* A P-256 object of `type` from hex X, Y and (for a key pair) the private
 * value, or TEE_HANDLE_NULL. */
static TEE_ObjectHandle p256_object(uint32_t type, const char *x, const char *y, const char *d) {
  static uint8_t store[3][66];
  TEE_Attribute attrs[4];
  uint32_t count = 3;
  TEE_InitValueAttribute(&attrs[0], TEE_ATTR_ECC_CURVE, TEE_ECC_CURVE_NIST_P256, 0);
  TEE_InitRefAttribute(&attrs[1], TEE_ATTR_ECC_PUBLIC_VALUE_X, store[0],
                       unhex(x, store[0], sizeof store[0]));
  TEE_InitRefAttribute(&attrs[2], TEE_ATTR_ECC_PUBLIC_VALUE_Y, store[1],
                       unhex(y, store[1], sizeof store[1]));
  if (d != NULL) {
    TEE_InitRefAttribute(&attrs[3], TEE_ATTR_ECC_PRIVATE_VALUE, store[2],
                         unhex(d, store[2], sizeof store[2]));
    count = 4;
  }
  TEE_ObjectHandle o = TEE_HANDLE_NULL;
  if (TEE_AllocateTransientObject(type, 256, &o) != TEE_SUCCESS) {
    return TEE_HANDLE_NULL;
  }
  if (TEE_PopulateTransientObject(o, attrs, count) != TEE_SUCCESS) {
    TEE_FreeTransientObject(o);
    return TEE_HANDLE_NULL;
  }
  return o;
}

/* ECDH with `key` and the peer's point (x, y) into a new generic secret of
 * `bits`; TEE_HANDLE_NULL if the setup fails. */
static TEE_ObjectHandle ecdh(uint32_t alg, TEE_ObjectHandle key, uint32_t bits, const void *x,
                             size_t x_len, const void *y, size_t y_len) {
  TEE_OperationHandle op = TEE_HANDLE_NULL;
  TEE_ObjectHandle out = TEE_HANDLE_NULL;
  if (TEE_AllocateOperation(&op, alg, TEE_MODE_DERIVE, bits) != TEE_SUCCESS) {
    return TEE_HANDLE_NULL;
  }
  if (TEE_SetOperationKey(op, key) != TEE_SUCCESS ||
      TEE_AllocateTransientObject(TEE_TYPE_GENERIC_SECRET, 528, &out) != TEE_SUCCESS) {
    TEE_FreeOperation(op);
    return TEE_HANDLE_NULL;
  }
  TEE_Attribute peer[2];
  TEE_InitRefAttribute(&peer[0], TEE_ATTR_ECC_PUBLIC_VALUE_X, x, x_len);
  TEE_InitRefAttribute(&peer[1], TEE_ATTR_ECC_PUBLIC_VALUE_Y, y, y_len);
  TEE_DeriveKey(op, peer, 2, out);
  TEE_FreeOperation(op);
  return out;
}

static TEE_Result ecc_kat(TEE_Param params[4]) {
  uint8_t digest[32];
  uint8_t sig[132];
  uint8_t buf[66];
  uint8_t x[66];
  uint8_t y[66];
  ta_size_t n = 0;
  ta_size_t len = 0;
  uint32_t a = 0;
  uint32_t b = 0;

  /* RFC 6979's signature verifies, with GP v1.3's number and OP-TEE's
   * older one; changed or cut, it does not. */
  TEE_ObjectHandle pub = p256_object(TEE_TYPE_ECDSA_PUBLIC_KEY, kEcUx, kEcUy, NULL);
  CHECK(1, pub != TEE_HANDLE_NULL && sha256("sample", 6, digest));
  size_t sig_len = unhex(kEcSigSample, sig, sizeof sig);
  TEE_OperationHandle verify = ec_op(TEE_ALG_ECDSA_SHA256, TEE_MODE_VERIFY, pub);
  TEE_OperationHandle verify_old = ec_op(__OPTEE_ALG_ECDSA_P256, TEE_MODE_VERIFY, pub);
  CHECK(2, verify != TEE_HANDLE_NULL && verify_old != TEE_HANDLE_NULL);
  CHECK(3, TEE_AsymmetricVerifyDigest(verify, NULL, 0, digest, 32, sig, sig_len) == TEE_SUCCESS &&
               TEE_AsymmetricVerifyDigest(verify_old, NULL, 0, digest, 32, sig, sig_len) ==
                   TEE_SUCCESS);
  CHECK(4, TEE_AsymmetricVerifyDigest(verify, NULL, 0, digest, 32, sig, sig_len - 1) ==
               TEE_ERROR_SIGNATURE_INVALID);
  sig[40] ^= 1;
  CHECK(5, TEE_AsymmetricVerifyDigest(verify, NULL, 0, digest, 32, sig, sig_len) ==
               TEE_ERROR_SIGNATURE_INVALID);
  TEE_FreeOperation(verify_old);

  /* The key pair signs (ECDSA is randomised: its signature verifies). */
  TEE_ObjectHandle pair = p256_object(TEE_TYPE_ECDSA_KEYPAIR, kEcUx, kEcUy, kEcPriv);
  TEE_OperationHandle sign = ec_op(TEE_ALG_ECDSA_SHA256, TEE_MODE_SIGN, pair);
  CHECK(6, sign != TEE_HANDLE_NULL);
  n = 63;
  CHECK(7, TEE_AsymmetricSignDigest(sign, NULL, 0, digest, 32, sig, &n) == TEE_ERROR_SHORT_BUFFER &&
               n == 64);
  CHECK(8, TEE_AsymmetricSignDigest(sign, NULL, 0, digest, 32, sig, &n) == TEE_SUCCESS && n == 64 &&
               TEE_AsymmetricVerifyDigest(verify, NULL, 0, digest, 32, sig, n) == TEE_SUCCESS);
  TEE_FreeOperation(sign);
  TEE_FreeOperation(verify);

  /* Attributes: the curve, the coordinates, the private value. */
  CHECK(9, TEE_GetObjectValueAttribute(pair, TEE_ATTR_ECC_CURVE, &a, &b) == TEE_SUCCESS &&
               a == TEE_ECC_CURVE_NIST_P256 && b == 0);
  len = sizeof buf;
  CHECK(10,
        TEE_GetObjectBufferAttribute(pair, TEE_ATTR_ECC_PUBLIC_VALUE_X, buf, &len) == TEE_SUCCESS &&
            len == 32 && unhex(kEcUx, x, sizeof x) == 32 && same(buf, x, 32));
  len = sizeof buf;
  CHECK(11,
        TEE_GetObjectBufferAttribute(pair, TEE_ATTR_ECC_PRIVATE_VALUE, buf, &len) == TEE_SUCCESS &&
            len == 32 && unhex(kEcPriv, x, sizeof x) == 32 && same(buf, x, 32));
  len = sizeof buf;
  CHECK(12, TEE_GetObjectBufferAttribute(pub, TEE_ATTR_ECC_PRIVATE_VALUE, buf, &len) ==
                TEE_ERROR_ITEM_NOT_FOUND);
  TEE_FreeTransientObject(pub);
  /* The public half copies out of the key pair. */
  CHECK(13, TEE_AllocateTransientObject(TEE_TYPE_ECDSA_PUBLIC_KEY, 256, &pub) == TEE_SUCCESS &&
                TEE_CopyObjectAttributes1(pub, pair) == TEE_SUCCESS);
  len = sizeof buf;
  CHECK(14,
        TEE_GetObjectBufferAttribute(pub, TEE_ATTR_ECC_PUBLIC_VALUE_Y, buf, &len) == TEE_SUCCESS &&
            len == 32 && unhex(kEcUy, y, sizeof y) == 32 && same(buf, y, 32));
  TEE_FreeTransientObject(pub);
  TEE_FreeTransientObject(pair);
  /* A point off the curve is refused. */
  CHECK(15, p256_object(TEE_TYPE_ECDSA_PUBLIC_KEY, kEcUx, kEcUx, NULL) == TEE_HANDLE_NULL);

  /* RFC 5903's ECDH, from both sides. */
  TEE_ObjectHandle i = p256_object(TEE_TYPE_ECDH_KEYPAIR, kEcdhGix, kEcdhGiy, kEcdhI);
  TEE_ObjectHandle r = p256_object(TEE_TYPE_ECDH_KEYPAIR, kEcdhGrx, kEcdhGry, kEcdhR);
  CHECK(16, i != TEE_HANDLE_NULL && r != TEE_HANDLE_NULL);
  size_t shared_len = unhex(kEcdhShared, buf, sizeof buf);
  for (int side = 0; side < 2; ++side) {
    size_t px = unhex(side == 0 ? kEcdhGrx : kEcdhGix, x, sizeof x);
    size_t py = unhex(side == 0 ? kEcdhGry : kEcdhGiy, y, sizeof y);
    TEE_ObjectHandle secret =
        ecdh(side == 0 ? TEE_ALG_ECDH_DERIVE_SHARED_SECRET : __OPTEE_ALG_ECDH_P256,
             side == 0 ? i : r, 256, x, px, y, py);
    uint8_t z[66];
    len = sizeof z;
    CHECK(17,
          secret != TEE_HANDLE_NULL &&
              TEE_GetObjectBufferAttribute(secret, TEE_ATTR_SECRET_VALUE, z, &len) == TEE_SUCCESS &&
              len == shared_len && same(z, buf, len));
    TEE_FreeTransientObject(secret);
  }
  TEE_FreeTransientObject(i);
  TEE_FreeTransientObject(r);
  return TEE_SUCCESS;
}

/* Generated keys on every NIST curve: ECDSA signs and verifies (r || s of
 * the curve's size), both sides of ECDH agree. */
static const struct {
  uint32_t curve;
  uint32_t bits;
  uint32_t old_alg; /* OP-TEE's per-curve ECDSA number */
  uint32_t digest_len;
} kCurves[] = {
    {TEE_ECC_CURVE_NIST_P192, 192, __OPTEE_ALG_ECDSA_P192, 20},
    {TEE_ECC_CURVE_NIST_P224, 224, __OPTEE_ALG_ECDSA_P224, 28},
    {TEE_ECC_CURVE_NIST_P256, 256, __OPTEE_ALG_ECDSA_P256, 32},
    {TEE_ECC_CURVE_NIST_P384, 384, __OPTEE_ALG_ECDSA_P384, 48},
    {TEE_ECC_CURVE_NIST_P521, 521, __OPTEE_ALG_ECDSA_P521, 64},
};

static TEE_ObjectHandle generated_ec(uint32_t type, uint32_t curve, uint32_t bits) {
  TEE_ObjectHandle o = TEE_HANDLE_NULL;
  TEE_Attribute attr;
  TEE_InitValueAttribute(&attr, TEE_ATTR_ECC_CURVE, curve, 0);
  if (TEE_AllocateTransientObject(type, bits, &o) != TEE_SUCCESS) {
    return TEE_HANDLE_NULL;
  }
  if (TEE_GenerateKey(o, bits, &attr, 1) != TEE_SUCCESS) {
    TEE_FreeTransientObject(o);
    return TEE_HANDLE_NULL;
  }
  return o;
}

static TEE_Result ecc_round_trips(TEE_Param params[4]) {
  uint8_t digest[64];
  uint8_t sig[132];
  TEE_GenerateRandom(digest, sizeof digest);
  for (size_t c = 0; c < sizeof kCurves / sizeof kCurves[0]; ++c) {
    const uint32_t bits = kCurves[c].bits;
    const size_t f = (bits + 7) / 8;
    CHECK(1, TEE_IsAlgorithmSupported(TEE_ALG_ECDSA_SHA256, kCurves[c].curve) == TEE_SUCCESS &&
                 TEE_IsAlgorithmSupported(kCurves[c].old_alg, kCurves[c].curve) == TEE_SUCCESS &&
                 TEE_IsAlgorithmSupported(TEE_ALG_ECDH_DERIVE_SHARED_SECRET, kCurves[c].curve) ==
                     TEE_SUCCESS);
    TEE_ObjectHandle key = generated_ec(TEE_TYPE_ECDSA_KEYPAIR, kCurves[c].curve, bits);
    CHECK(2, key != TEE_HANDLE_NULL);
    const uint32_t algs[2] = {TEE_ALG_ECDSA_SHA256, kCurves[c].old_alg};
    const uint32_t lens[2] = {32, kCurves[c].digest_len};
    for (int k = 0; k < 2; ++k) {
      TEE_OperationHandle sign = ec_op(algs[k], TEE_MODE_SIGN, key);
      TEE_OperationHandle verify = ec_op(algs[k], TEE_MODE_VERIFY, key);
      CHECK(3, sign != TEE_HANDLE_NULL && verify != TEE_HANDLE_NULL);
      ta_size_t n = sizeof sig;
      CHECK(4, TEE_AsymmetricSignDigest(sign, NULL, 0, digest, lens[k], sig, &n) == TEE_SUCCESS &&
                   n == 2 * f);
      CHECK(5, TEE_AsymmetricVerifyDigest(verify, NULL, 0, digest, lens[k], sig, n) == TEE_SUCCESS);
      sig[n - 1] ^= 1;
      CHECK(6, TEE_AsymmetricVerifyDigest(verify, NULL, 0, digest, lens[k], sig, n) ==
                   TEE_ERROR_SIGNATURE_INVALID);
      TEE_FreeOperation(sign);
      TEE_FreeOperation(verify);
    }
    TEE_FreeTransientObject(key);

    /* ECDH: each side derives with the other's public point. */
    TEE_ObjectHandle one = generated_ec(TEE_TYPE_ECDH_KEYPAIR, kCurves[c].curve, bits);
    TEE_ObjectHandle two = generated_ec(TEE_TYPE_ECDH_KEYPAIR, kCurves[c].curve, bits);
    CHECK(7, one != TEE_HANDLE_NULL && two != TEE_HANDLE_NULL);
    uint8_t x[2][66];
    uint8_t y[2][66];
    ta_size_t xl[2] = {66, 66};
    ta_size_t yl[2] = {66, 66};
    CHECK(8, TEE_GetObjectBufferAttribute(one, TEE_ATTR_ECC_PUBLIC_VALUE_X, x[0], &xl[0]) ==
                     TEE_SUCCESS &&
                 TEE_GetObjectBufferAttribute(one, TEE_ATTR_ECC_PUBLIC_VALUE_Y, y[0], &yl[0]) ==
                     TEE_SUCCESS &&
                 TEE_GetObjectBufferAttribute(two, TEE_ATTR_ECC_PUBLIC_VALUE_X, x[1], &xl[1]) ==
                     TEE_SUCCESS &&
                 TEE_GetObjectBufferAttribute(two, TEE_ATTR_ECC_PUBLIC_VALUE_Y, y[1], &yl[1]) ==
                     TEE_SUCCESS);
    TEE_ObjectHandle s1 =
        ecdh(TEE_ALG_ECDH_DERIVE_SHARED_SECRET, one, bits, x[1], xl[1], y[1], yl[1]);
    TEE_ObjectHandle s2 =
        ecdh(TEE_ALG_ECDH_DERIVE_SHARED_SECRET, two, bits, x[0], xl[0], y[0], yl[0]);
    uint8_t z1[66];
    uint8_t z2[66];
    ta_size_t l1 = sizeof z1;
    ta_size_t l2 = sizeof z2;
    TEE_ObjectInfo info;
    CHECK(9, s1 != TEE_HANDLE_NULL && s2 != TEE_HANDLE_NULL &&
                 TEE_GetObjectBufferAttribute(s1, TEE_ATTR_SECRET_VALUE, z1, &l1) == TEE_SUCCESS &&
                 TEE_GetObjectBufferAttribute(s2, TEE_ATTR_SECRET_VALUE, z2, &l2) == TEE_SUCCESS &&
                 l1 == f && l2 == f && same(z1, z2, f) &&
                 TEE_GetObjectInfo1(s1, &info) == TEE_SUCCESS && info.objectSize == f * 8);
    TEE_FreeTransientObject(s1);
    TEE_FreeTransientObject(s2);
    TEE_FreeTransientObject(one);
    TEE_FreeTransientObject(two);
  }
  /* A curve that is not of the key size is refused. */
  TEE_ObjectHandle o = TEE_HANDLE_NULL;
  TEE_Attribute attr;
  TEE_InitValueAttribute(&attr, TEE_ATTR_ECC_CURVE, TEE_ECC_CURVE_NIST_P384, 0);
  CHECK(10, TEE_AllocateTransientObject(TEE_TYPE_ECDSA_KEYPAIR, 256, &o) == TEE_SUCCESS &&
                TEE_GenerateKey(o, 256, &attr, 1) == TEE_ERROR_BAD_PARAMETERS);
  TEE_FreeTransientObject(o);
  CHECK(11,
        TEE_AllocateTransientObject(TEE_TYPE_ECDSA_KEYPAIR, 255, &o) == TEE_ERROR_NOT_SUPPORTED);
  return TEE_SUCCESS;
}

/* ---- Ed25519 and X25519 ---- */

/* RFC 8032 7.1, tests 1 and 2: secret key, public key, message, signature. */
static const struct {
  const char *secret;
  const char *public_key;
  const char *message;
  const char *signature;
} kEd25519[] = {
    {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
     "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
    {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
     "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
};
/* RFC 7748 6.1: Alice's and Bob's X25519 keys and their shared secret. */
static const char kX25519AlicePriv[] =
    "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
static const char kX25519AlicePub[] =
    "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
static const char kX25519BobPriv[] =
    "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb";
static const char kX25519BobPub[] =
    "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
static const char kX25519Shared[] =
    "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";

/* A Curve25519 object of `type` from hex values (`priv` NULL for a public
 * key), or TEE_HANDLE_NULL. */
static TEE_ObjectHandle c25519_object(uint32_t type, uint32_t pub_id, const char *pub,
                                      uint32_t priv_id, const char *priv) {
  static uint8_t store[2][32];
  TEE_Attribute attrs[2];
  TEE_InitRefAttribute(&attrs[0], pub_id, store[0], unhex(pub, store[0], 32));
  if (priv != NULL) {
    TEE_InitRefAttribute(&attrs[1], priv_id, store[1], unhex(priv, store[1], 32));
  }
  TEE_ObjectHandle o = TEE_HANDLE_NULL;
  if (TEE_AllocateTransientObject(type, 256, &o) != TEE_SUCCESS) {
    return TEE_HANDLE_NULL;
  }
  if (TEE_PopulateTransientObject(o, attrs, priv != NULL ? 2 : 1) != TEE_SUCCESS) {
    TEE_FreeTransientObject(o);
    return TEE_HANDLE_NULL;
  }
  return o;
}

static TEE_ObjectHandle ed25519_object(const char *pub, const char *priv) {
  return c25519_object(priv != NULL ? TEE_TYPE_ED25519_KEYPAIR : TEE_TYPE_ED25519_PUBLIC_KEY,
                       TEE_ATTR_ED25519_PUBLIC_VALUE, pub, TEE_ATTR_ED25519_PRIVATE_VALUE, priv);
}

static TEE_ObjectHandle x25519_object(const char *pub, const char *priv) {
  return c25519_object(TEE_TYPE_X25519_KEYPAIR, TEE_ATTR_X25519_PUBLIC_VALUE, pub,
                       TEE_ATTR_X25519_PRIVATE_VALUE, priv);
}

/* X25519 with `key` and the peer's public value into a new generic
 * secret, or TEE_HANDLE_NULL. */
static TEE_ObjectHandle x25519(TEE_ObjectHandle key, const void *peer, size_t len) {
  TEE_OperationHandle op = ec_op(TEE_ALG_X25519, TEE_MODE_DERIVE, key);
  TEE_ObjectHandle out = TEE_HANDLE_NULL;
  if (op == TEE_HANDLE_NULL ||
      TEE_AllocateTransientObject(TEE_TYPE_GENERIC_SECRET, 256, &out) != TEE_SUCCESS) {
    TEE_FreeOperation(op);
    return TEE_HANDLE_NULL;
  }
  TEE_Attribute attr;
  TEE_InitRefAttribute(&attr, TEE_ATTR_X25519_PUBLIC_VALUE, peer, len);
  TEE_DeriveKey(op, &attr, 1, out);
  TEE_FreeOperation(op);
  return out;
}

static TEE_Result curve25519(TEE_Param params[4]) {
  uint8_t msg[8];
  uint8_t sig[64];
  uint8_t want[64];
  ta_size_t n = 0;
  CHECK(1, TEE_IsAlgorithmSupported(TEE_ALG_ED25519, TEE_ECC_CURVE_25519) == TEE_SUCCESS &&
               TEE_IsAlgorithmSupported(TEE_ALG_X25519, TEE_ECC_CURVE_25519) == TEE_SUCCESS);
  /* RFC 8032: Ed25519 is deterministic, so the signatures are the RFC's. */
  for (size_t i = 0; i < sizeof kEd25519 / sizeof kEd25519[0]; ++i) {
    TEE_ObjectHandle pair = ed25519_object(kEd25519[i].public_key, kEd25519[i].secret);
    TEE_ObjectHandle pub = ed25519_object(kEd25519[i].public_key, NULL);
    TEE_OperationHandle sign = ec_op(TEE_ALG_ED25519, TEE_MODE_SIGN, pair);
    TEE_OperationHandle verify = ec_op(TEE_ALG_ED25519, TEE_MODE_VERIFY, pub);
    CHECK(2, sign != TEE_HANDLE_NULL && verify != TEE_HANDLE_NULL);
    size_t msg_len = unhex(kEd25519[i].message, msg, sizeof msg);
    unhex(kEd25519[i].signature, want, sizeof want);
    n = 63;
    CHECK(3, TEE_AsymmetricSignDigest(sign, NULL, 0, msg, msg_len, sig, &n) ==
                     TEE_ERROR_SHORT_BUFFER &&
                 n == 64);
    CHECK(4, TEE_AsymmetricSignDigest(sign, NULL, 0, msg, msg_len, sig, &n) == TEE_SUCCESS &&
                 n == 64 && same(sig, want, 64));
    CHECK(5, TEE_AsymmetricVerifyDigest(verify, NULL, 0, msg, msg_len, sig, n) == TEE_SUCCESS);
    sig[0] ^= 1;
    CHECK(6, TEE_AsymmetricVerifyDigest(verify, NULL, 0, msg, msg_len, sig, n) ==
                 TEE_ERROR_SIGNATURE_INVALID);
    /* Ed25519ctx is OpenSSL 3.2's: not supported here. */
    TEE_Attribute ctx;
    TEE_InitRefAttribute(&ctx, TEE_ATTR_EDDSA_CTX, "ctx", 3);
    n = sizeof sig;
    CHECK(7, TEE_AsymmetricSignDigest(sign, &ctx, 1, msg, msg_len, sig, &n) ==
                 TEE_ERROR_NOT_SUPPORTED);
    TEE_FreeOperation(sign);
    TEE_FreeOperation(verify);
    TEE_FreeTransientObject(pair);
    TEE_FreeTransientObject(pub);
  }
  /* A key pair whose public value is not its private value's. */
  CHECK(8, ed25519_object(kEd25519[1].public_key, kEd25519[0].secret) == TEE_HANDLE_NULL);

  /* RFC 7748's X25519, from both sides. */
  uint8_t peer[32];
  uint8_t z[32];
  ta_size_t z_len = sizeof z;
  unhex(kX25519Shared, want, 32);
  TEE_ObjectHandle alice = x25519_object(kX25519AlicePub, kX25519AlicePriv);
  TEE_ObjectHandle bob = x25519_object(kX25519BobPub, kX25519BobPriv);
  CHECK(9, alice != TEE_HANDLE_NULL && bob != TEE_HANDLE_NULL);
  TEE_ObjectHandle s1 = x25519(alice, peer, unhex(kX25519BobPub, peer, sizeof peer));
  CHECK(10, s1 != TEE_HANDLE_NULL &&
                TEE_GetObjectBufferAttribute(s1, TEE_ATTR_SECRET_VALUE, z, &z_len) == TEE_SUCCESS &&
                z_len == 32 && same(z, want, 32));
  TEE_ObjectHandle s2 = x25519(bob, peer, unhex(kX25519AlicePub, peer, sizeof peer));
  z_len = sizeof z;
  CHECK(11, s2 != TEE_HANDLE_NULL &&
                TEE_GetObjectBufferAttribute(s2, TEE_ATTR_SECRET_VALUE, z, &z_len) == TEE_SUCCESS &&
                z_len == 32 && same(z, want, 32));
  TEE_FreeTransientObject(s1);
  TEE_FreeTransientObject(s2);
  TEE_FreeTransientObject(alice);
  TEE_FreeTransientObject(bob);

  /* Generated keys: Ed25519 signs and verifies; the public value reads
   * back. */
  TEE_ObjectHandle gen = TEE_HANDLE_NULL;
  CHECK(12, TEE_AllocateTransientObject(TEE_TYPE_ED25519_KEYPAIR, 256, &gen) == TEE_SUCCESS &&
                TEE_GenerateKey(gen, 256, NULL, 0) == TEE_SUCCESS);
  TEE_OperationHandle sign = ec_op(TEE_ALG_ED25519, TEE_MODE_SIGN, gen);
  TEE_OperationHandle verify = ec_op(TEE_ALG_ED25519, TEE_MODE_VERIFY, gen);
  n = sizeof sig;
  CHECK(13, sign != TEE_HANDLE_NULL && verify != TEE_HANDLE_NULL &&
                TEE_AsymmetricSignDigest(sign, NULL, 0, "captee", 6, sig, &n) == TEE_SUCCESS &&
                TEE_AsymmetricVerifyDigest(verify, NULL, 0, "captee", 6, sig, n) == TEE_SUCCESS);
  TEE_FreeOperation(sign);
  TEE_FreeOperation(verify);
  z_len = sizeof z;
  CHECK(14, TEE_GetObjectBufferAttribute(gen, TEE_ATTR_ED25519_PUBLIC_VALUE, z, &z_len) ==
                    TEE_SUCCESS &&
                z_len == 32);
  TEE_FreeTransientObject(gen);
  return TEE_SUCCESS;
}

/* ---- Diffie-Hellman ---- */

/* RFC 7919's ffdhe2048 group (generator 2), two key pairs the openssl
 * command line made in it (A whole, B's public value) and the shared
 * secret OpenSSL derived for them. */
static const char kDhPrime[] =
    "ffffffffffffffffadf85458a2bb4a9aafdc5620273d3cf1d8b9c583ce2d3695"
    "a9e13641146433fbcc939dce249b3ef97d2fe363630c75d8f681b202aec4617a"
    "d3df1ed5d5fd65612433f51f5f066ed0856365553ded1af3b557135e7f57c935"
    "984f0c70e0e68b77e2a689daf3efe8721df158a136ade73530acca4f483a797a"
    "bc0ab182b324fb61d108a94bb2c8e3fbb96adab760d7f4681d4f42a3de394df4"
    "ae56ede76372bb190b07a7c8ee0a6d709e02fce1cdf7e2ecc03404cd28342f61"
    "9172fe9ce98583ff8e4f1232eef28183c3fe3b1b4c6fad733bb5fcbc2ec22005"
    "c58ef1837d1683b2c6f34a26c1b2effa886b423861285c97ffffffffffffffff";

static const char kDhPrivA[] = "8d2f51d99621689966e0ef7df9b6c9057ff9b32abb9e40a00cbb8e67";

static const char kDhPubA[] =
    "a356f9ad53aed714da3f0fc7df6b57bf9034518354859e1dd11c899591bf5d9f"
    "b8dd3c939dc76419487828e01bad17145785a10b378699daab925c4d0c4e798c"
    "42cd6d49d3efa44a2eb9965b0290afcff0630b954e734f4cdffb9acf56aba012"
    "0d9dca8f027650e3e6ad4309b9091bf612b58da266d6f8667a9ac48a39b3dcee"
    "1888845b8cc1e3a1393a61c025cc02f3e5125ebc986373da2538d6467d902c53"
    "5659e0216119409fcafb2704f1febfcd7e3adad76fde1fe98e3fca5444f1ab32"
    "f36e74b5dc1aae1b3f980f15a94d3efce8fb1aea904d36ff3b9a328035c1615c"
    "6d281b68353c2c91245a88499d4c2a0e6031bef626fd732c1c5d32f89a0b7bab";

static const char kDhPubB[] =
    "c9470e0c150206467ef531015e907fbea087595a60b0dfb3705c3fc03c8a92a9"
    "4cf49dedccf5293bf7a190e34fafee7ba51f2e6e9cf5156bf1d46db48620b341"
    "553f2fe89a93a91b08da07bd5518c8a2c32bdcdb9055e2c65123418d1e5f940b"
    "2ee4dec98cf31b0e70df254bae16a6ae11896043cce8c91ee9a5de53ac08963c"
    "2c84b41970b97773d2869263b1c0a97aa6ee16a2fcb28e713285666538885350"
    "0faaeee86c664f020a428a9f033400a7fa5237082a2623b6c72db2da4e33790f"
    "4211de307b49c5f5321c96eeaedd32352cbacc11bd4f03a9ebb50e258df06460"
    "3a271db4b6f5c9bac8121f42859a6fcf3dec1d1f6ee0ac2e66798597361c3949";

static const char kDhShared[] =
    "29cc86b9c648d3468c2aa5c9de060e19061d41b9f0ba527410216ff7fc825973"
    "693eb844a5452dff2f7be05c37a2d1a41a17ab937dff228df8487ffaca1f1e0c"
    "8f3b1d10514668e1524fc3630d196594bd795762d5b3282adf9e5f5b05c82aaf"
    "8e63266f59b7242f99a607f99a748d74fd98ab669e4d3523fdd8c9beb923c98b"
    "1c810f4c003b8a409523671e4e093678381e291dbdf5bf59afc76f18bf63706a"
    "d8accf9ccd1f5805a4b77415ba418a1c0b7ba9202722690121f18f73a0a9852d"
    "80697c9b0900050040dd50872f365009ae91592ea1ea8540901c0b9adf2c2d29"
    "d067da044e3719081b999bb087d0f046ebd858bc4dd1cd3e3ed63f740d2248e0";

static TEE_ObjectHandle dh_keypair_a(void) {
  static uint8_t p[256];
  static uint8_t x[256];
  static uint8_t y[256];
  static const uint8_t g = 2;
  TEE_Attribute attrs[4];
  TEE_InitRefAttribute(&attrs[0], TEE_ATTR_DH_PRIME, p, unhex(kDhPrime, p, sizeof p));
  TEE_InitRefAttribute(&attrs[1], TEE_ATTR_DH_BASE, &g, 1);
  TEE_InitRefAttribute(&attrs[2], TEE_ATTR_DH_PUBLIC_VALUE, y, unhex(kDhPubA, y, sizeof y));
  TEE_InitRefAttribute(&attrs[3], TEE_ATTR_DH_PRIVATE_VALUE, x, unhex(kDhPrivA, x, sizeof x));
  TEE_ObjectHandle o = TEE_HANDLE_NULL;
  if (TEE_AllocateTransientObject(TEE_TYPE_DH_KEYPAIR, 2048, &o) != TEE_SUCCESS) {
    return TEE_HANDLE_NULL;
  }
  if (TEE_PopulateTransientObject(o, attrs, 4) != TEE_SUCCESS) {
    TEE_FreeTransientObject(o);
    return TEE_HANDLE_NULL;
  }
  return o;
}

/* DH with `key` and the peer's public value into a new generic secret, or
 * TEE_HANDLE_NULL. */
static TEE_ObjectHandle dh(TEE_ObjectHandle key, const void *peer, size_t len) {
  TEE_OperationHandle op = ec_op(TEE_ALG_DH_DERIVE_SHARED_SECRET, TEE_MODE_DERIVE, key);
  TEE_ObjectHandle out = TEE_HANDLE_NULL;
  if (op == TEE_HANDLE_NULL ||
      TEE_AllocateTransientObject(TEE_TYPE_GENERIC_SECRET, 2048, &out) != TEE_SUCCESS) {
    TEE_FreeOperation(op);
    return TEE_HANDLE_NULL;
  }
  TEE_Attribute attr;
  TEE_InitRefAttribute(&attr, TEE_ATTR_DH_PUBLIC_VALUE, peer, len);
  TEE_DeriveKey(op, &attr, 1, out);
  TEE_FreeOperation(op);
  return out;
}

static TEE_Result diffie_hellman(TEE_Param params[4]) {
  static uint8_t buf[256];
  static uint8_t want[256];
  static uint8_t peer[256];
  ta_size_t len = 0;
  CHECK(1, TEE_IsAlgorithmSupported(TEE_ALG_DH_DERIVE_SHARED_SECRET, TEE_CRYPTO_ELEMENT_NONE) ==
               TEE_SUCCESS);
  TEE_ObjectHandle a = dh_keypair_a();
  TEE_ObjectInfo info;
  CHECK(2, a != TEE_HANDLE_NULL && TEE_GetObjectInfo1(a, &info) == TEE_SUCCESS &&
               info.objectSize == 2048);
  /* OpenSSL's secret. */
  size_t want_len = unhex(kDhShared, want, sizeof want);
  TEE_ObjectHandle z = dh(a, peer, unhex(kDhPubB, peer, sizeof peer));
  len = sizeof buf;
  CHECK(3, z != TEE_HANDLE_NULL &&
               TEE_GetObjectBufferAttribute(z, TEE_ATTR_SECRET_VALUE, buf, &len) == TEE_SUCCESS &&
               len == want_len && same(buf, want, len));
  TEE_FreeTransientObject(z);
  /* A key pair generated in the group (a 256-bit private value) agrees with
   * A from both sides. */
  TEE_Attribute group[3];
  static const uint8_t g = 2;
  size_t p_len = unhex(kDhPrime, peer, sizeof peer);
  TEE_InitRefAttribute(&group[0], TEE_ATTR_DH_PRIME, peer, p_len);
  TEE_InitRefAttribute(&group[1], TEE_ATTR_DH_BASE, &g, 1);
  TEE_InitValueAttribute(&group[2], TEE_ATTR_DH_X_BITS, 256, 0);
  TEE_ObjectHandle c = TEE_HANDLE_NULL;
  CHECK(4, TEE_AllocateTransientObject(TEE_TYPE_DH_KEYPAIR, 2048, &c) == TEE_SUCCESS &&
               TEE_GenerateKey(c, 2048, group, 3) == TEE_SUCCESS);
  len = sizeof buf;
  CHECK(5, TEE_GetObjectBufferAttribute(c, TEE_ATTR_DH_PRIME, buf, &len) == TEE_SUCCESS &&
               len == p_len && same(buf, peer, len));
  len = sizeof buf;
  CHECK(6, TEE_GetObjectBufferAttribute(c, TEE_ATTR_DH_PRIVATE_VALUE, buf, &len) == TEE_SUCCESS &&
               len <= 32);
  len = sizeof buf;
  CHECK(7, TEE_GetObjectBufferAttribute(c, TEE_ATTR_DH_PUBLIC_VALUE, buf, &len) == TEE_SUCCESS);
  TEE_ObjectHandle z1 = dh(a, buf, len);
  len = sizeof peer;
  CHECK(8, TEE_GetObjectBufferAttribute(a, TEE_ATTR_DH_PUBLIC_VALUE, peer, &len) == TEE_SUCCESS);
  TEE_ObjectHandle z2 = dh(c, peer, len);
  ta_size_t l1 = sizeof buf;
  ta_size_t l2 = sizeof want;
  CHECK(9, z1 != TEE_HANDLE_NULL && z2 != TEE_HANDLE_NULL &&
               TEE_GetObjectBufferAttribute(z1, TEE_ATTR_SECRET_VALUE, buf, &l1) == TEE_SUCCESS &&
               TEE_GetObjectBufferAttribute(z2, TEE_ATTR_SECRET_VALUE, want, &l2) == TEE_SUCCESS &&
               l1 == l2 && same(buf, want, l1));
  TEE_FreeTransientObject(z1);
  TEE_FreeTransientObject(z2);
  TEE_FreeTransientObject(c);
  TEE_FreeTransientObject(a);
  return TEE_SUCCESS;
}

/* ---- Misuse: each case panics the TA; reaching the end is a failure ---- */

/* The setup of a misuse case must work (on a runtime without the family it
 * would not, and the case must not pass by panicking early): otherwise the
 * command answers ITEM_NOT_FOUND, not the panic the client expects. */
#define SETUP(cond)                           \
  do {                                        \
    if (!(cond)) {                            \
      EMSG("misuse %u: setup failed", which); \
      return TEE_ERROR_ITEM_NOT_FOUND;        \
    }                                         \
  } while (0)

static TEE_Result misuse(uint32_t which) {
  uint8_t key[32];
  uint8_t buf[64] = {0};
  unhex(kAesKey256, key, sizeof key);
  TEE_OperationHandle op = TEE_HANDLE_NULL;
  TEE_ObjectHandle obj = TEE_HANDLE_NULL;
  ta_size_t n = sizeof buf;
  TEE_Attribute attr;
  switch (which) {
    case GP_CRYPTO_MISUSE_WRONG_CLASS:
      op = keyed_op(TEE_ALG_AES_ECB_NOPAD, TEE_MODE_ENCRYPT, 128, TEE_TYPE_AES, key, 16);
      SETUP(op != TEE_HANDLE_NULL);
      TEE_DigestUpdate(op, buf, 16);
      break;
    case GP_CRYPTO_MISUSE_NO_KEY:
      SETUP(TEE_AllocateOperation(&op, TEE_ALG_AES_ECB_NOPAD, TEE_MODE_ENCRYPT, 128) ==
            TEE_SUCCESS);
      TEE_CipherInit(op, NULL, 0);
      break;
    case GP_CRYPTO_MISUSE_NOT_INITIALIZED:
      op = keyed_op(TEE_ALG_AES_ECB_NOPAD, TEE_MODE_ENCRYPT, 128, TEE_TYPE_AES, key, 16);
      SETUP(op != TEE_HANDLE_NULL);
      TEE_CipherUpdate(op, buf, 16, buf, &n);
      break;
    case GP_CRYPTO_MISUSE_WRONG_KEY_TYPE:
      SETUP(TEE_AllocateOperation(&op, TEE_ALG_AES_ECB_NOPAD, TEE_MODE_ENCRYPT, 128) ==
            TEE_SUCCESS);
      obj = key_object(TEE_TYPE_DES, 64, key, 8);
      SETUP(obj != TEE_HANDLE_NULL);
      TEE_SetOperationKey(op, obj);
      break;
    case GP_CRYPTO_MISUSE_KEY_TOO_LARGE:
      SETUP(TEE_AllocateOperation(&op, TEE_ALG_AES_ECB_NOPAD, TEE_MODE_ENCRYPT, 128) ==
            TEE_SUCCESS);
      obj = key_object(TEE_TYPE_AES, 256, key, 32);
      SETUP(obj != TEE_HANDLE_NULL);
      TEE_SetOperationKey(op, obj);
      break;
    case GP_CRYPTO_MISUSE_KEY_USAGE:
      SETUP(TEE_AllocateOperation(&op, TEE_ALG_AES_ECB_NOPAD, TEE_MODE_ENCRYPT, 128) ==
            TEE_SUCCESS);
      obj = key_object(TEE_TYPE_AES, 128, key, 16);
      SETUP(obj != TEE_HANDLE_NULL &&
            TEE_RestrictObjectUsage1(obj, TEE_USAGE_DECRYPT) == TEE_SUCCESS);
      TEE_SetOperationKey(op, obj);
      break;
    case GP_CRYPTO_MISUSE_AFTER_FAILED_FINAL:
      op = keyed_op(TEE_ALG_HMAC_SHA256, TEE_MODE_MAC, 256, TEE_TYPE_HMAC_SHA256, key, 32);
      SETUP(op != TEE_HANDLE_NULL);
      TEE_MACInit(op, NULL, 0);
      SETUP(TEE_MACCompareFinal(op, buf, 4, buf, 32) == TEE_ERROR_MAC_INVALID);
      TEE_MACUpdate(op, buf, 4);
      break;
    case GP_CRYPTO_MISUSE_PARTIAL_BLOCK:
      op = keyed_op(TEE_ALG_AES_ECB_NOPAD, TEE_MODE_ENCRYPT, 128, TEE_TYPE_AES, key, 16);
      SETUP(op != TEE_HANDLE_NULL);
      TEE_CipherInit(op, NULL, 0);
      TEE_CipherDoFinal(op, buf, 15, buf + 16, &n);
      break;
    case GP_CRYPTO_MISUSE_PROTECTED_ATTR:
      obj = key_object(TEE_TYPE_AES, 128, key, 16);
      SETUP(obj != TEE_HANDLE_NULL &&
            TEE_RestrictObjectUsage1(obj, TEE_USAGE_ENCRYPT) == TEE_SUCCESS);
      TEE_GetObjectBufferAttribute(obj, TEE_ATTR_SECRET_VALUE, buf, &n);
      break;
    case GP_CRYPTO_MISUSE_POPULATE_TWICE:
      obj = key_object(TEE_TYPE_AES, 128, key, 16);
      SETUP(obj != TEE_HANDLE_NULL);
      TEE_InitRefAttribute(&attr, TEE_ATTR_SECRET_VALUE, key, 16);
      TEE_PopulateTransientObject(obj, &attr, 1);
      break;
    case GP_CRYPTO_MISUSE_BAD_HANDLE:
      /* A runtime that knows operations tells this one from a real one. */
      SETUP(TEE_AllocateOperation(&op, TEE_ALG_SHA256, TEE_MODE_DIGEST, 0) == TEE_SUCCESS);
      TEE_FreeOperation((TEE_OperationHandle)(void *)buf);
      break;
    case GP_CRYPTO_MISUSE_WRONG_IV:
      op = keyed_op(TEE_ALG_AES_CBC_NOPAD, TEE_MODE_ENCRYPT, 128, TEE_TYPE_AES, key, 16);
      SETUP(op != TEE_HANDLE_NULL);
      TEE_CipherInit(op, buf, 8);
      break;
    case GP_CRYPTO_MISUSE_FREED_OBJECT: {
      TEE_ObjectInfo info;
      obj = key_object(TEE_TYPE_AES, 128, key, 16);
      SETUP(obj != TEE_HANDLE_NULL);
      TEE_FreeTransientObject(obj);
      TEE_GetObjectInfo1(obj, &info);
      break;
    }
    case GP_CRYPTO_MISUSE_UPDATE_EXTRACTING: {
      SETUP(TEE_AllocateOperation(&op, TEE_ALG_SHA256, TEE_MODE_DIGEST, 0) == TEE_SUCCESS);
      size_t extract_len = 4;
      SETUP(TEE_DigestExtract(op, buf, &extract_len) == TEE_SUCCESS);
      TEE_DigestUpdate(op, buf, 4);
      break;
    }
    case GP_CRYPTO_MISUSE_MISSING_ATTR:
      SETUP(TEE_AllocateTransientObject(TEE_TYPE_AES, 128, &obj) == TEE_SUCCESS);
      TEE_PopulateTransientObject(obj, NULL, 0);
      break;
    case GP_CRYPTO_MISUSE_KEY_WHILE_ACTIVE:
      op = keyed_op(TEE_ALG_AES_CBC_NOPAD, TEE_MODE_ENCRYPT, 128, TEE_TYPE_AES, key, 16);
      obj = key_object(TEE_TYPE_AES, 128, key, 16);
      SETUP(op != TEE_HANDLE_NULL && obj != TEE_HANDLE_NULL);
      TEE_CipherInit(op, buf, 16);
      TEE_SetOperationKey(op, obj);
      break;
    case GP_CRYPTO_MISUSE_AAD_AFTER_PAYLOAD:
      op = keyed_op(TEE_ALG_AES_GCM, TEE_MODE_ENCRYPT, 128, TEE_TYPE_AES, key, 16);
      SETUP(op != TEE_HANDLE_NULL && TEE_AEInit(op, buf, 12, 128, 0, 0) == TEE_SUCCESS &&
            TEE_AEUpdate(op, buf, 16, buf + 16, &n) == TEE_SUCCESS);
      TEE_AEUpdateAAD(op, buf, 16);
      break;
    case GP_CRYPTO_MISUSE_DECRYPT_FINAL_ON_ENCRYPT:
      op = keyed_op(TEE_ALG_AES_GCM, TEE_MODE_ENCRYPT, 128, TEE_TYPE_AES, key, 16);
      SETUP(op != TEE_HANDLE_NULL && TEE_AEInit(op, buf, 12, 128, 0, 0) == TEE_SUCCESS);
      TEE_AEDecryptFinal(op, buf, 16, buf + 16, &n, buf + 32, 16);
      break;
    case GP_CRYPTO_MISUSE_ONE_KEY_FOR_TWO:
      SETUP(TEE_AllocateOperation(&op, TEE_ALG_AES_XTS, TEE_MODE_ENCRYPT, 128) == TEE_SUCCESS);
      obj = key_object(TEE_TYPE_AES, 128, key, 16);
      SETUP(obj != TEE_HANDLE_NULL);
      TEE_SetOperationKey(op, obj);
      break;
    case GP_CRYPTO_MISUSE_CTS_UNDER_A_BLOCK:
      op = keyed_op(TEE_ALG_AES_CTS, TEE_MODE_ENCRYPT, 128, TEE_TYPE_AES, key, 16);
      SETUP(op != TEE_HANDLE_NULL);
      TEE_CipherInit(op, buf, 16);
      TEE_CipherDoFinal(op, buf, 15, buf + 16, &n);
      break;
    case GP_CRYPTO_MISUSE_DERIVE_WITHOUT_LENGTH: {
      TEE_ObjectHandle out = TEE_HANDLE_NULL;
      SETUP(TEE_AllocateOperation(&op, TEE_ALG_HKDF_SHA256_DERIVE_KEY, TEE_MODE_DERIVE, 256) ==
                TEE_SUCCESS &&
            TEE_AllocateTransientObject(TEE_TYPE_HKDF_IKM, 256, &obj) == TEE_SUCCESS &&
            TEE_AllocateTransientObject(TEE_TYPE_GENERIC_SECRET, 256, &out) == TEE_SUCCESS);
      TEE_InitRefAttribute(&attr, TEE_ATTR_HKDF_IKM, key, 16);
      SETUP(TEE_PopulateTransientObject(obj, &attr, 1) == TEE_SUCCESS &&
            TEE_SetOperationKey(op, obj) == TEE_SUCCESS);
      TEE_DeriveKey(op, NULL, 0, out);
      break;
    }
    case GP_CRYPTO_MISUSE_RSA_SIGN_IN_VERIFY_MODE:
      obj = kat_keypair(true);
      op = rsa_op(TEE_ALG_RSASSA_PKCS1_V1_5_SHA256, TEE_MODE_VERIFY, obj);
      SETUP(op != TEE_HANDLE_NULL);
      n = sizeof buf;
      TEE_AsymmetricSignDigest(op, NULL, 0, key, 32, buf, &n);
      break;
    case GP_CRYPTO_MISUSE_RSA_PUBLIC_KEY_TO_SIGN:
      obj = rsa_object(TEE_TYPE_RSA_PUBLIC_KEY, kRsaIds, kNistHex, 2);
      SETUP(obj != TEE_HANDLE_NULL && TEE_AllocateOperation(&op, TEE_ALG_RSASSA_PKCS1_V1_5_SHA256,
                                                            TEE_MODE_SIGN, 1024) == TEE_SUCCESS);
      TEE_SetOperationKey(op, obj);
      break;
    case GP_CRYPTO_MISUSE_RSA_DIGEST_LENGTH:
      obj = kat_keypair(true);
      op = rsa_op(TEE_ALG_RSASSA_PKCS1_V1_5_SHA256, TEE_MODE_SIGN, obj);
      SETUP(op != TEE_HANDLE_NULL);
      n = sizeof buf;
      TEE_AsymmetricSignDigest(op, NULL, 0, key, 31, buf, &n);
      break;
    case GP_CRYPTO_MISUSE_RSA_PRIVATE_ATTR: {
      uint8_t d[256];
      ta_size_t d_len = sizeof d;
      obj = kat_keypair(true);
      SETUP(obj != TEE_HANDLE_NULL &&
            TEE_RestrictObjectUsage1(obj, ~(uint32_t)TEE_USAGE_EXTRACTABLE) == TEE_SUCCESS);
      TEE_GetObjectBufferAttribute(obj, TEE_ATTR_RSA_PRIVATE_EXPONENT, d, &d_len);
      break;
    }
    case GP_CRYPTO_MISUSE_RSA_DECRYPT_ON_SIGNATURE:
      obj = kat_keypair(true);
      op = rsa_op(TEE_ALG_RSASSA_PKCS1_V1_5_SHA256, TEE_MODE_SIGN, obj);
      SETUP(op != TEE_HANDLE_NULL);
      n = sizeof buf;
      TEE_AsymmetricDecrypt(op, NULL, 0, buf, 64, buf, &n);
      break;
    case GP_CRYPTO_MISUSE_RSA_PRIVATE_ATTR_ON_PUBLIC: {
      uint8_t store[8][256];
      TEE_Attribute attrs[8];
      hex_attributes(attrs, kRsaIds, kRsaHex, 3, store);
      SETUP(TEE_AllocateTransientObject(TEE_TYPE_RSA_PUBLIC_KEY, 1024, &obj) == TEE_SUCCESS);
      TEE_PopulateTransientObject(obj, attrs, 3);
      break;
    }
    case GP_CRYPTO_MISUSE_ECDSA_DIGEST_LENGTH:
      obj = p256_object(TEE_TYPE_ECDSA_KEYPAIR, kEcUx, kEcUy, kEcPriv);
      op = ec_op(TEE_ALG_ECDSA_SHA256, TEE_MODE_SIGN, obj);
      SETUP(op != TEE_HANDLE_NULL);
      n = sizeof buf;
      TEE_AsymmetricSignDigest(op, NULL, 0, key, 20, buf, &n);
      break;
    case GP_CRYPTO_MISUSE_ECDH_POINT_OFF_CURVE: {
      uint8_t x[32];
      size_t x_len = unhex(kEcdhGrx, x, sizeof x);
      obj = p256_object(TEE_TYPE_ECDH_KEYPAIR, kEcdhGix, kEcdhGiy, kEcdhI);
      SETUP(obj != TEE_HANDLE_NULL);
      /* (x, x) is not on P-256: an invalid-curve point must not be used. */
      ecdh(TEE_ALG_ECDH_DERIVE_SHARED_SECRET, obj, 256, x, x_len, x, x_len);
      break;
    }
    case GP_CRYPTO_MISUSE_ECDSA_WRONG_CURVE: {
      TEE_Attribute curve;
      TEE_InitValueAttribute(&curve, TEE_ATTR_ECC_CURVE, TEE_ECC_CURVE_NIST_P384, 0);
      SETUP(TEE_AllocateTransientObject(TEE_TYPE_ECDSA_KEYPAIR, 384, &obj) == TEE_SUCCESS &&
            TEE_GenerateKey(obj, 384, &curve, 1) == TEE_SUCCESS &&
            TEE_AllocateOperation(&op, __OPTEE_ALG_ECDSA_P256, TEE_MODE_SIGN, 384) == TEE_SUCCESS);
      TEE_SetOperationKey(op, obj); /* a P-384 key on the P-256 algorithm */
      break;
    }
    case GP_CRYPTO_MISUSE_ECDSA_KEY_FOR_ECDH:
      obj = p256_object(TEE_TYPE_ECDSA_KEYPAIR, kEcUx, kEcUy, kEcPriv);
      SETUP(obj != TEE_HANDLE_NULL && TEE_AllocateOperation(&op, TEE_ALG_ECDH_DERIVE_SHARED_SECRET,
                                                            TEE_MODE_DERIVE, 256) == TEE_SUCCESS);
      TEE_SetOperationKey(op, obj);
      break;
    case GP_CRYPTO_MISUSE_X25519_LOW_ORDER_POINT: {
      static const uint8_t zero[32] = {0};
      obj = x25519_object(kX25519AlicePub, kX25519AlicePriv);
      SETUP(obj != TEE_HANDLE_NULL);
      /* The all-zero point's secret is zero whatever our key: refused. */
      x25519(obj, zero, sizeof zero);
      break;
    }
    case GP_CRYPTO_MISUSE_DH_PEER_OUT_OF_RANGE: {
      static const uint8_t one = 1;
      obj = dh_keypair_a();
      SETUP(obj != TEE_HANDLE_NULL);
      /* 1 is no public value: its secret is 1 whatever our key. */
      dh(obj, &one, 1);
      break;
    }
    case GP_CRYPTO_MISUSE_SM2_DIGEST_LENGTH:
    case GP_CRYPTO_MISUSE_SM2_ECDSA_KEY:
    case GP_CRYPTO_MISUSE_SM2_PKE_KEY_TO_SIGN:
    case GP_CRYPTO_MISUSE_SM2_PUBLIC_KEY_TO_DECRYPT:
    case GP_CRYPTO_MISUSE_SM2_ENCRYPT_IN_DECRYPT_MODE:
    case GP_CRYPTO_MISUSE_SM2_GENERATE_PUBLIC:
      return sm2_misuse(which);
    case GP_CRYPTO_MISUSE_RSA_GENERATE_PUBLIC:
      SETUP(TEE_AllocateTransientObject(TEE_TYPE_RSA_PUBLIC_KEY, 1024, &obj) == TEE_SUCCESS);
      TEE_GenerateKey(obj, 1024, NULL, 0);
      break;
    default:
      return TEE_ERROR_BAD_PARAMETERS;
  }
  /* Not reached when the runtime panics, as it must. */
  TEE_FreeOperation(op);
  TEE_FreeTransientObject(obj);
  return TEE_ERROR_GENERIC;
}

/* ---- Entry points ---- */

TEE_Result TA_CreateEntryPoint(void) {
  return TEE_SUCCESS;
}

void TA_DestroyEntryPoint(void) {}

TEE_Result TA_OpenSessionEntryPoint(uint32_t __unused param_types, TEE_Param __unused params[4],
                                    void __unused **sess_ctx) {
  return TEE_SUCCESS;
}

void TA_CloseSessionEntryPoint(void __unused *sess_ctx) {}

TEE_Result TA_InvokeCommandEntryPoint(void __unused *sess_ctx, uint32_t cmd_id,
                                      uint32_t param_types, TEE_Param params[4]) {
  if (cmd_id == GP_CRYPTO_CMD_MISUSE) {
    if (param_types != TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_NONE,
                                       TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE)) {
      return TEE_ERROR_BAD_PARAMETERS;
    }
    return misuse(params[0].value.a);
  }
  if (cmd_id == GP_CRYPTO_CMD_BIGINT_MISUSE) {
    if (param_types != TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_NONE,
                                       TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE)) {
      return TEE_ERROR_BAD_PARAMETERS;
    }
    return bigint_misuse(params[0].value.a);
  }
  if (param_types != TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_OUTPUT, TEE_PARAM_TYPE_NONE,
                                     TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE)) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  switch (cmd_id) {
    case GP_CRYPTO_CMD_OBJECTS:
      return objects(params);
    case GP_CRYPTO_CMD_OPERATIONS:
      return operations(params);
    case GP_CRYPTO_CMD_DIGESTS:
      return digests(params);
    case GP_CRYPTO_CMD_MACS:
      return macs(params);
    case GP_CRYPTO_CMD_CIPHERS:
      return ciphers(params);
    case GP_CRYPTO_CMD_AE:
      return ae(params);
    case GP_CRYPTO_CMD_CTS_XTS:
      return cts_xts(params);
    case GP_CRYPTO_CMD_DERIVE:
      return derive(params);
    case GP_CRYPTO_CMD_RSA:
      return rsa_kat(params);
    case GP_CRYPTO_CMD_RSA_ROUND_TRIPS:
      return rsa_round_trips(params);
    case GP_CRYPTO_CMD_ECC:
      return ecc_kat(params);
    case GP_CRYPTO_CMD_ECC_ROUND_TRIPS:
      return ecc_round_trips(params);
    case GP_CRYPTO_CMD_CURVE25519:
      return curve25519(params);
    case GP_CRYPTO_CMD_DH:
      return diffie_hellman(params);
    case GP_CRYPTO_CMD_BIGINT:
      return bigint_known_answers(params);
    case GP_CRYPTO_CMD_SM4:
      return sm4_known_answers(params);
    case GP_CRYPTO_CMD_SM2:
      return sm2_known_answers(params);
    default:
      return TEE_ERROR_NOT_SUPPORTED;
  }
}
