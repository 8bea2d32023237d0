/* SM2 inside a TA through the GP API. Known answers from GM/T 0003.5's
 * examples on the standard curve (the private key 3945208F..., the nonce
 * 59276E27...): its signature of "message digest" under the ID
 * "1234567812345678" verifies over the digest SM3(Z || M) the TA computes,
 * and its ciphertext of "encryption standard" (C1 || C3 || C2) decrypts.
 * tools/sm2_vectors.py recomputes both in Python's integers, and a second
 * ciphertext whose C1 has a leading zero byte. Then round trips on generated
 * keys, and ciphertexts a hostile peer could send. */
#include "gp_sm2_ta.h"

#include <tee_internal_api_extensions.h>

#include "gp_crypto_ta.h"

#if __OPTEE_CORE_API_COMPAT_1_1
typedef uint32_t ta_size_t;
#else
typedef size_t ta_size_t;
#endif

#define CHECK(n, cond)                \
  do {                                \
    if (!(cond)) {                    \
      return sm2_failed(params, (n)); \
    }                                 \
  } while (0)

static TEE_Result sm2_failed(TEE_Param params[4], uint32_t n) {
  EMSG("sm2 check %u failed", n);
  params[0].value.a = n;
  return TEE_ERROR_GENERIC;
}

/* The curve's a, b, G (GB/T 32918.5), for Z. */
static const uint8_t kA[32] = {0xff, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                               0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00,
                               0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfc};
static const uint8_t kB[32] = {0x28, 0xe9, 0xfa, 0x9e, 0x9d, 0x9f, 0x5e, 0x34, 0x4d, 0x5a, 0x9e,
                               0x4b, 0xcf, 0x65, 0x09, 0xa7, 0xf3, 0x97, 0x89, 0xf5, 0x15, 0xab,
                               0x8f, 0x92, 0xdd, 0xbc, 0xbd, 0x41, 0x4d, 0x94, 0x0e, 0x93};
static const uint8_t kGx[32] = {0x32, 0xc4, 0xae, 0x2c, 0x1f, 0x19, 0x81, 0x19, 0x5f, 0x99, 0x04,
                                0x46, 0x6a, 0x39, 0xc9, 0x94, 0x8f, 0xe3, 0x0b, 0xbf, 0xf2, 0x66,
                                0x0b, 0xe1, 0x71, 0x5a, 0x45, 0x89, 0x33, 0x4c, 0x74, 0xc7};
static const uint8_t kGy[32] = {0xbc, 0x37, 0x36, 0xa2, 0xf4, 0xf6, 0x77, 0x9c, 0x59, 0xbd, 0xce,
                                0xe3, 0x6b, 0x69, 0x21, 0x53, 0xd0, 0xa9, 0x87, 0x7c, 0xc6, 0x2a,
                                0x47, 0x40, 0x02, 0xdf, 0x32, 0xe5, 0x21, 0x39, 0xf0, 0xa0};
/* GM/T 0003.5's key pair. */
static const uint8_t kD[32] = {0x39, 0x45, 0x20, 0x8f, 0x7b, 0x21, 0x44, 0xb1, 0x3f, 0x36, 0xe3,
                               0x8a, 0xc6, 0xd3, 0x9f, 0x95, 0x88, 0x93, 0x93, 0x69, 0x28, 0x60,
                               0xb5, 0x1a, 0x42, 0xfb, 0x81, 0xef, 0x4d, 0xf7, 0xc5, 0xb8};
static const uint8_t kX[32] = {0x09, 0xf9, 0xdf, 0x31, 0x1e, 0x54, 0x21, 0xa1, 0x50, 0xdd, 0x7d,
                               0x16, 0x1e, 0x4b, 0xc5, 0xc6, 0x72, 0x17, 0x9f, 0xad, 0x18, 0x33,
                               0xfc, 0x07, 0x6b, 0xb0, 0x8f, 0xf3, 0x56, 0xf3, 0x50, 0x20};
static const uint8_t kY[32] = {0xcc, 0xea, 0x49, 0x0c, 0xe2, 0x67, 0x75, 0xa5, 0x2d, 0xc6, 0xea,
                               0x71, 0x8c, 0xc1, 0xaa, 0x60, 0x0a, 0xed, 0x05, 0xfb, 0xf3, 0x5e,
                               0x08, 0x4a, 0x66, 0x32, 0xf6, 0x07, 0x2d, 0xa9, 0xad, 0x13};
/* Its signature (r || s) of "message digest" under ID "1234567812345678". */
static const uint8_t kSig[64] = {
    0xf5, 0xa0, 0x3b, 0x06, 0x48, 0xd2, 0xc4, 0x63, 0x0e, 0xea, 0xc5, 0x13, 0xe1, 0xbb, 0x81, 0xa1,
    0x59, 0x44, 0xda, 0x38, 0x27, 0xd5, 0xb7, 0x41, 0x43, 0xac, 0x7e, 0xac, 0xee, 0xe7, 0x20, 0xb3,
    0xb1, 0xb6, 0xaa, 0x29, 0xdf, 0x21, 0x2f, 0xd8, 0x76, 0x31, 0x82, 0xbc, 0x0d, 0x42, 0x1c, 0xa1,
    0xbb, 0x90, 0x38, 0xfd, 0x1f, 0x7f, 0x42, 0xd4, 0x84, 0x0b, 0x69, 0xc4, 0x85, 0xbb, 0xc1, 0xaa};
/* Its digest e = SM3(Z || M), as sm2_vectors.py computes it. */
static const uint8_t kE[32] = {0xf0, 0xb4, 0x3e, 0x94, 0xba, 0x45, 0xac, 0xca, 0xac, 0xe6, 0x92,
                               0xed, 0x53, 0x43, 0x82, 0xeb, 0x17, 0xe6, 0xab, 0x5a, 0x19, 0xce,
                               0x7b, 0x31, 0xf4, 0x48, 0x6f, 0xdf, 0xc0, 0xd2, 0x86, 0x40};
/* Its ciphertext of "encryption standard": C1 (04 || x || y) || C3 || C2. */
static const uint8_t kCipher[116] = {
    0x04, 0x04, 0xeb, 0xfc, 0x71, 0x8e, 0x8d, 0x17, 0x98, 0x62, 0x04, 0x32, 0x26, 0x8e, 0x77,
    0xfe, 0xb6, 0x41, 0x5e, 0x2e, 0xde, 0x0e, 0x07, 0x3c, 0x0f, 0x4f, 0x64, 0x0e, 0xcd, 0x2e,
    0x14, 0x9a, 0x73, 0xe8, 0x58, 0xf9, 0xd8, 0x1e, 0x54, 0x30, 0xa5, 0x7b, 0x36, 0xda, 0xab,
    0x8f, 0x95, 0x0a, 0x3c, 0x64, 0xe6, 0xee, 0x6a, 0x63, 0x09, 0x4d, 0x99, 0x28, 0x3a, 0xff,
    0x76, 0x7e, 0x12, 0x4d, 0xf0, 0x59, 0x98, 0x3c, 0x18, 0xf8, 0x09, 0xe2, 0x62, 0x92, 0x3c,
    0x53, 0xae, 0xc2, 0x95, 0xd3, 0x03, 0x83, 0xb5, 0x4e, 0x39, 0xd6, 0x09, 0xd1, 0x60, 0xaf,
    0xcb, 0x19, 0x08, 0xd0, 0xbd, 0x87, 0x66, 0x21, 0x88, 0x6c, 0xa9, 0x89, 0xca, 0x9c, 0x7d,
    0x58, 0x08, 0x73, 0x07, 0xca, 0x93, 0x09, 0x2d, 0x65, 0x1e, 0xfa};
/* sm2_vectors.py's ciphertext of "x" (nonce 327), whose C1 x has a leading
 * zero byte: OpenSSL's DER takes the INTEGER in its shortest form. */
static const uint8_t kCipherShortX[98] = {
    0x04, 0x00, 0xd0, 0x62, 0x04, 0x58, 0x40, 0xb1, 0xf4, 0xb0, 0xa6, 0x4d, 0x6e, 0x6c,
    0x5b, 0xc5, 0x82, 0x07, 0x9f, 0xc0, 0xaf, 0x8c, 0x36, 0x6e, 0xba, 0x63, 0x2b, 0x35,
    0xf5, 0xe2, 0x17, 0x38, 0x5b, 0x50, 0x32, 0xf0, 0x45, 0x33, 0xc0, 0x64, 0xa4, 0x1a,
    0x76, 0x16, 0xcb, 0xb5, 0x28, 0xb1, 0x68, 0xc7, 0x9a, 0x24, 0x7d, 0x46, 0xf1, 0xc3,
    0x66, 0x7e, 0x1a, 0x2f, 0x59, 0x21, 0xac, 0xa9, 0xa4, 0x4b, 0x4d, 0xf6, 0x8a, 0xf4,
    0xe7, 0x0b, 0x6c, 0xcd, 0xd3, 0x29, 0xe4, 0xea, 0xd3, 0x44, 0xb5, 0xb5, 0x1b, 0xa6,
    0x0b, 0x25, 0xf0, 0x5e, 0x2f, 0xe8, 0x44, 0xce, 0xb5, 0xf8, 0x99, 0xe8, 0x84, 0x87};

/* An SM2 object of `type` with GM/T 0003.5's key (the private value only
 * for a key pair) on `curve`, or TEE_HANDLE_NULL. */
static TEE_ObjectHandle sm2_object(uint32_t type, uint32_t curve, const uint8_t *y) {
  TEE_Attribute attrs[4];
  uint32_t count = 3;
  TEE_ObjectHandle obj = TEE_HANDLE_NULL;
  TEE_InitValueAttribute(&attrs[0], TEE_ATTR_ECC_CURVE, curve, 0);
  TEE_InitRefAttribute(&attrs[1], TEE_ATTR_ECC_PUBLIC_VALUE_X, kX, sizeof kX);
  TEE_InitRefAttribute(&attrs[2], TEE_ATTR_ECC_PUBLIC_VALUE_Y, y, 32);
  if ((type & 0x01000000) != 0) { /* a key pair */
    TEE_InitRefAttribute(&attrs[3], TEE_ATTR_ECC_PRIVATE_VALUE, kD, sizeof kD);
    count = 4;
  }
  if (TEE_AllocateTransientObject(type, 256, &obj) != TEE_SUCCESS) {
    return TEE_HANDLE_NULL;
  }
  if (TEE_PopulateTransientObject(obj, attrs, count) != TEE_SUCCESS) {
    TEE_FreeTransientObject(obj);
    return TEE_HANDLE_NULL;
  }
  return obj;
}

/* An operation of `alg` in `mode` keyed with `key`, or TEE_HANDLE_NULL. */
static TEE_OperationHandle sm2_op(uint32_t alg, uint32_t mode, TEE_ObjectHandle key) {
  TEE_OperationHandle op = TEE_HANDLE_NULL;
  if (key == TEE_HANDLE_NULL || TEE_AllocateOperation(&op, alg, mode, 256) != TEE_SUCCESS) {
    return TEE_HANDLE_NULL;
  }
  if (TEE_SetOperationKey(op, key) != TEE_SUCCESS) {
    TEE_FreeOperation(op);
    return TEE_HANDLE_NULL;
  }
  return op;
}

/* e = SM3(Z || M) with Z = SM3(ENTL || ID || a || b || Gx || Gy || x || y),
 * as a GP TA computes the digest it signs (GP 1.3.1, TEE_ALG_SM2_DSA_SM3). */
static int sm2_digest(const char *id, size_t id_len, const void *msg, size_t msg_len,
                      uint8_t e[32]) {
  TEE_OperationHandle op = TEE_HANDLE_NULL;
  uint8_t entl[2] = {(uint8_t)((id_len * 8) >> 8), (uint8_t)(id_len * 8)};
  uint8_t z[32];
  ta_size_t len = sizeof z;
  if (TEE_AllocateOperation(&op, TEE_ALG_SM3, TEE_MODE_DIGEST, 0) != TEE_SUCCESS) {
    return 0;
  }
  TEE_DigestUpdate(op, entl, sizeof entl);
  TEE_DigestUpdate(op, id, id_len);
  TEE_DigestUpdate(op, kA, sizeof kA);
  TEE_DigestUpdate(op, kB, sizeof kB);
  TEE_DigestUpdate(op, kGx, sizeof kGx);
  TEE_DigestUpdate(op, kGy, sizeof kGy);
  TEE_DigestUpdate(op, kX, sizeof kX);
  int ok = TEE_DigestDoFinal(op, kY, sizeof kY, z, &len) == TEE_SUCCESS && len == 32;
  TEE_ResetOperation(op);
  TEE_DigestUpdate(op, z, sizeof z);
  len = 32;
  ok = ok && TEE_DigestDoFinal(op, msg, msg_len, e, &len) == TEE_SUCCESS && len == 32;
  TEE_FreeOperation(op);
  return ok;
}

/* Signs `e` with `pair` and verifies the signature with `pub`: 1 if both
 * work and a changed digest does not verify. */
static int sign_and_verify(TEE_ObjectHandle pair, TEE_ObjectHandle pub, const uint8_t e[32]) {
  uint8_t sig[64];
  uint8_t other[32];
  ta_size_t len = sizeof sig;
  TEE_OperationHandle sign = sm2_op(TEE_ALG_SM2_DSA_SM3, TEE_MODE_SIGN, pair);
  TEE_OperationHandle verify = sm2_op(TEE_ALG_SM2_DSA_SM3, TEE_MODE_VERIFY, pub);
  int ok = sign != TEE_HANDLE_NULL && verify != TEE_HANDLE_NULL &&
           TEE_AsymmetricSignDigest(sign, NULL, 0, e, 32, sig, &len) == TEE_SUCCESS && len == 64 &&
           TEE_AsymmetricVerifyDigest(verify, NULL, 0, e, 32, sig, len) == TEE_SUCCESS;
  TEE_MemMove(other, e, sizeof other);
  other[31] ^= 1;
  ok = ok && TEE_AsymmetricVerifyDigest(verify, NULL, 0, other, 32, sig, len) ==
                 TEE_ERROR_SIGNATURE_INVALID;
  TEE_FreeOperation(sign);
  TEE_FreeOperation(verify);
  return ok;
}

/* Encrypts `msg` with `pub`, decrypts it with `pair`: 1 if the ciphertext
 * is C1 || C3 || C2 long and the message comes back. */
static int encrypt_and_decrypt(TEE_ObjectHandle pair, TEE_ObjectHandle pub, const void *msg,
                               size_t msg_len) {
  static uint8_t ct[97 + 300];
  static uint8_t back[300];
  ta_size_t ct_len = sizeof ct;
  ta_size_t back_len = sizeof back;
  TEE_OperationHandle enc = sm2_op(TEE_ALG_SM2_PKE, TEE_MODE_ENCRYPT, pub);
  TEE_OperationHandle dec = sm2_op(TEE_ALG_SM2_PKE, TEE_MODE_DECRYPT, pair);
  int ok = msg_len <= sizeof back && enc != TEE_HANDLE_NULL && dec != TEE_HANDLE_NULL &&
           TEE_AsymmetricEncrypt(enc, NULL, 0, msg, msg_len, ct, &ct_len) == TEE_SUCCESS &&
           ct_len == 97 + msg_len && ct[0] == 0x04 &&
           TEE_AsymmetricDecrypt(dec, NULL, 0, ct, ct_len, back, &back_len) == TEE_SUCCESS &&
           back_len == msg_len && TEE_MemCompare(back, msg, msg_len) == 0;
  TEE_FreeOperation(enc);
  TEE_FreeOperation(dec);
  return ok;
}

/* TEE_AsymmetricDecrypt's answer for `len` bytes of `ct` under `pair`. */
static TEE_Result decrypt(TEE_ObjectHandle pair, const void *ct, size_t len) {
  static uint8_t out[64];
  ta_size_t out_len = sizeof out;
  TEE_OperationHandle dec = sm2_op(TEE_ALG_SM2_PKE, TEE_MODE_DECRYPT, pair);
  if (dec == TEE_HANDLE_NULL) {
    return TEE_ERROR_ITEM_NOT_FOUND;
  }
  TEE_Result res = TEE_AsymmetricDecrypt(dec, NULL, 0, ct, len, out, &out_len);
  TEE_FreeOperation(dec);
  return res;
}

/* A generated key pair of `type` and its public half in a `pub_type`
 * object; 1 on success. */
static int generate(uint32_t type, uint32_t pub_type, TEE_ObjectHandle *pair,
                    TEE_ObjectHandle *pub) {
  return TEE_AllocateTransientObject(type, 256, pair) == TEE_SUCCESS &&
         TEE_GenerateKey(*pair, 256, NULL, 0) == TEE_SUCCESS &&
         TEE_AllocateTransientObject(pub_type, 256, pub) == TEE_SUCCESS &&
         TEE_CopyObjectAttributes1(*pub, *pair) == TEE_SUCCESS;
}

TEE_Result sm2_known_answers(TEE_Param params[4]) {
  static const char kId[] = "1234567812345678";
  static const char kMessage[] = "message digest";
  static const char kPlain[] = "encryption standard";
  static uint8_t buf[200];
  uint8_t e[32];
  uint8_t sig[64];
  ta_size_t len = 0;
  uint32_t a = 0;
  uint32_t b = 0;
  TEE_OperationHandle op = TEE_HANDLE_NULL;

  /* Supported on the SM2 curve, and only there; key exchange is not. */
  CHECK(1, TEE_IsAlgorithmSupported(TEE_ALG_SM2_DSA_SM3, TEE_ECC_CURVE_SM2) == TEE_SUCCESS &&
               TEE_IsAlgorithmSupported(TEE_ALG_SM2_PKE, TEE_ECC_CURVE_SM2) == TEE_SUCCESS);
  CHECK(2, TEE_IsAlgorithmSupported(TEE_ALG_SM2_DSA_SM3, TEE_ECC_CURVE_NIST_P256) ==
                   TEE_ERROR_NOT_SUPPORTED &&
               TEE_IsAlgorithmSupported(TEE_ALG_SM2_KEP, TEE_ECC_CURVE_SM2) ==
                   TEE_ERROR_NOT_SUPPORTED &&
               TEE_AllocateOperation(&op, TEE_ALG_SM2_KEP, TEE_MODE_DERIVE, 256) ==
                   TEE_ERROR_NOT_SUPPORTED &&
               TEE_AllocateOperation(&op, TEE_ALG_SM2_DSA_SM3, TEE_MODE_SIGN, 192) ==
                   TEE_ERROR_NOT_SUPPORTED);

  /* GM/T 0003.5's signature over the digest a TA computes. */
  CHECK(3, sm2_digest(kId, sizeof kId - 1, kMessage, sizeof kMessage - 1, e) &&
               TEE_MemCompare(e, kE, sizeof e) == 0);
  TEE_ObjectHandle pub = sm2_object(TEE_TYPE_SM2_DSA_PUBLIC_KEY, TEE_ECC_CURVE_SM2, kY);
  TEE_OperationHandle verify = sm2_op(TEE_ALG_SM2_DSA_SM3, TEE_MODE_VERIFY, pub);
  CHECK(4, verify != TEE_HANDLE_NULL);
  CHECK(5,
        TEE_AsymmetricVerifyDigest(verify, NULL, 0, e, sizeof e, kSig, sizeof kSig) == TEE_SUCCESS);
  TEE_MemMove(sig, kSig, sizeof sig);
  sig[40] ^= 0x10;
  CHECK(6, TEE_AsymmetricVerifyDigest(verify, NULL, 0, e, sizeof e, sig, sizeof sig) ==
               TEE_ERROR_SIGNATURE_INVALID);
  /* Any other length is an invalid signature, not a fault. */
  CHECK(7, TEE_AsymmetricVerifyDigest(verify, NULL, 0, e, sizeof e, kSig, 63) ==
                   TEE_ERROR_SIGNATURE_INVALID &&
               TEE_AsymmetricVerifyDigest(verify, NULL, 0, e, sizeof e, kSig, 0) ==
                   TEE_ERROR_SIGNATURE_INVALID);
  TEE_FreeOperation(verify);

  /* The key pair signs (a fresh nonce each time), SHORT_BUFFER first. */
  TEE_ObjectHandle pair = sm2_object(TEE_TYPE_SM2_DSA_KEYPAIR, TEE_ECC_CURVE_SM2, kY);
  TEE_OperationHandle sign = sm2_op(TEE_ALG_SM2_DSA_SM3, TEE_MODE_SIGN, pair);
  CHECK(8, sign != TEE_HANDLE_NULL);
  len = 63;
  CHECK(9,
        TEE_AsymmetricSignDigest(sign, NULL, 0, e, sizeof e, sig, &len) == TEE_ERROR_SHORT_BUFFER &&
            len == 64);
  TEE_FreeOperation(sign);
  CHECK(10, sign_and_verify(pair, pub, e) && sign_and_verify(pair, pair, e));
  /* Attributes: the curve, the coordinates. */
  CHECK(11, TEE_GetObjectValueAttribute(pair, TEE_ATTR_ECC_CURVE, &a, &b) == TEE_SUCCESS &&
                a == TEE_ECC_CURVE_SM2);
  len = sizeof buf;
  CHECK(12,
        TEE_GetObjectBufferAttribute(pub, TEE_ATTR_ECC_PUBLIC_VALUE_Y, buf, &len) == TEE_SUCCESS &&
            len == 32 && TEE_MemCompare(buf, kY, 32) == 0);
  TEE_FreeTransientObject(pair);
  TEE_FreeTransientObject(pub);

  /* Keys: only the SM2 curve, on the curve, 256 bits. */
  TEE_ObjectHandle bad = TEE_HANDLE_NULL;
  CHECK(13, sm2_object(TEE_TYPE_SM2_DSA_KEYPAIR, TEE_ECC_CURVE_NIST_P256, kY) == TEE_HANDLE_NULL &&
                sm2_object(TEE_TYPE_SM2_PKE_PUBLIC_KEY, TEE_ECC_CURVE_SM2, kX) == TEE_HANDLE_NULL &&
                sm2_object(TEE_TYPE_ECDSA_KEYPAIR, TEE_ECC_CURVE_SM2, kY) == TEE_HANDLE_NULL);
  CHECK(14, TEE_AllocateTransientObject(TEE_TYPE_SM2_PKE_KEYPAIR, 384, &bad) ==
                TEE_ERROR_NOT_SUPPORTED);

  /* GM/T 0003.5's ciphertext decrypts; SHORT_BUFFER with the message's size. */
  pair = sm2_object(TEE_TYPE_SM2_PKE_KEYPAIR, TEE_ECC_CURVE_SM2, kY);
  TEE_OperationHandle dec = sm2_op(TEE_ALG_SM2_PKE, TEE_MODE_DECRYPT, pair);
  CHECK(15, dec != TEE_HANDLE_NULL);
  len = 18;
  CHECK(16, TEE_AsymmetricDecrypt(dec, NULL, 0, kCipher, sizeof kCipher, buf, &len) ==
                    TEE_ERROR_SHORT_BUFFER &&
                len == 19);
  len = sizeof buf;
  CHECK(17,
        TEE_AsymmetricDecrypt(dec, NULL, 0, kCipher, sizeof kCipher, buf, &len) == TEE_SUCCESS &&
            len == 19 && TEE_MemCompare(buf, kPlain, 19) == 0);
  len = sizeof buf;
  CHECK(18, TEE_AsymmetricDecrypt(dec, NULL, 0, kCipherShortX, sizeof kCipherShortX, buf, &len) ==
                    TEE_SUCCESS &&
                len == 1 && buf[0] == 'x');
  TEE_FreeOperation(dec);

  /* Hostile ciphertexts: never a crash. Too short for C1 || C3, C1
   * compressed, off the curve, a coordinate not below the prime. */
  TEE_MemMove(buf, kCipher, sizeof kCipher);
  CHECK(19, decrypt(pair, buf, 96) == TEE_ERROR_BAD_PARAMETERS &&
                decrypt(pair, buf, 0) == TEE_ERROR_BAD_PARAMETERS);
  buf[0] = 0x02;
  CHECK(20, decrypt(pair, buf, sizeof kCipher) == TEE_ERROR_BAD_PARAMETERS);
  buf[0] = 0x04;
  buf[64] ^= 0x01;
  CHECK(21, decrypt(pair, buf, sizeof kCipher) == TEE_ERROR_BAD_PARAMETERS);
  TEE_MemFill(buf + 1, 0xff, 32);
  CHECK(22, decrypt(pair, buf, sizeof kCipher) == TEE_ERROR_BAD_PARAMETERS);
  /* C3 or C2 changed: the hash does not match. */
  TEE_MemMove(buf, kCipher, sizeof kCipher);
  buf[70] ^= 0x01;
  CHECK(23, decrypt(pair, buf, sizeof kCipher) == TEE_ERROR_CIPHERTEXT_INVALID);
  buf[70] ^= 0x01;
  buf[sizeof kCipher - 1] ^= 0x01;
  CHECK(24, decrypt(pair, buf, sizeof kCipher) == TEE_ERROR_CIPHERTEXT_INVALID);
  /* No C2 at all (no message is empty), and one truncated. */
  CHECK(25, decrypt(pair, kCipher, 97) == TEE_ERROR_BAD_PARAMETERS);
  CHECK(26, decrypt(pair, kCipher, sizeof kCipher - 1) == TEE_ERROR_CIPHERTEXT_INVALID);
  /* Lengths no buffer has: refused before a byte past the real one is read. */
  CHECK(27, decrypt(pair, kCipher, (ta_size_t)-1) == TEE_ERROR_BAD_PARAMETERS &&
                decrypt(pair, kCipher, ((ta_size_t)-1) - 96) == TEE_ERROR_BAD_PARAMETERS &&
                decrypt(pair, kCipher, 97 + (1u << 30) + 1) == TEE_ERROR_BAD_PARAMETERS);
  TEE_OperationHandle enc = sm2_op(TEE_ALG_SM2_PKE, TEE_MODE_ENCRYPT, pair);
  CHECK(28, enc != TEE_HANDLE_NULL);
  len = sizeof buf;
  CHECK(29, TEE_AsymmetricEncrypt(enc, NULL, 0, kPlain, (ta_size_t)-1, buf, &len) ==
                TEE_ERROR_BAD_PARAMETERS);
  len = 97 + 18;
  CHECK(30, TEE_AsymmetricEncrypt(enc, NULL, 0, kPlain, 19, buf, &len) == TEE_ERROR_SHORT_BUFFER &&
                len == 97 + 19);
  /* An empty message has no key stream but zeros: GB/T 32918.4 has none. */
  len = sizeof buf;
  CHECK(39, TEE_AsymmetricEncrypt(enc, NULL, 0, kPlain, 0, buf, &len) == TEE_ERROR_BAD_PARAMETERS);
  TEE_FreeOperation(enc);

  /* Round trips: the fixed key pair (and its public half), generated keys
   * of each SM2 type. */
  pub = TEE_HANDLE_NULL;
  CHECK(31, TEE_AllocateTransientObject(TEE_TYPE_SM2_PKE_PUBLIC_KEY, 256, &pub) == TEE_SUCCESS &&
                TEE_CopyObjectAttributes1(pub, pair) == TEE_SUCCESS);
  CHECK(32, encrypt_and_decrypt(pair, pub, kPlain, 19) && encrypt_and_decrypt(pair, pair, "x", 1) &&
                encrypt_and_decrypt(pair, pub, buf, 200));
  TEE_FreeTransientObject(pair);
  TEE_FreeTransientObject(pub);
  CHECK(33, generate(TEE_TYPE_SM2_PKE_KEYPAIR, TEE_TYPE_SM2_PKE_PUBLIC_KEY, &pair, &pub) &&
                encrypt_and_decrypt(pair, pub, kPlain, 19));
  TEE_FreeTransientObject(pair);
  TEE_FreeTransientObject(pub);
  CHECK(34, generate(TEE_TYPE_SM2_DSA_KEYPAIR, TEE_TYPE_SM2_DSA_PUBLIC_KEY, &pair, &pub) &&
                sign_and_verify(pair, pub, e));
  CHECK(35, TEE_GetObjectValueAttribute(pub, TEE_ATTR_ECC_CURVE, &a, &b) == TEE_SUCCESS &&
                a == TEE_ECC_CURVE_SM2);
  TEE_FreeTransientObject(pair);
  TEE_FreeTransientObject(pub);
  CHECK(36, generate(TEE_TYPE_SM2_KEP_KEYPAIR, TEE_TYPE_SM2_KEP_PUBLIC_KEY, &pair, &pub));
  TEE_FreeTransientObject(pair);
  TEE_FreeTransientObject(pub);
  /* GenerateKey takes TEE_ATTR_ECC_CURVE if it names SM2's curve. */
  TEE_Attribute curve;
  TEE_InitValueAttribute(&curve, TEE_ATTR_ECC_CURVE, TEE_ECC_CURVE_SM2, 0);
  CHECK(37, TEE_AllocateTransientObject(TEE_TYPE_SM2_DSA_KEYPAIR, 256, &pair) == TEE_SUCCESS &&
                TEE_GenerateKey(pair, 256, &curve, 1) == TEE_SUCCESS);
  TEE_FreeTransientObject(pair);
  TEE_InitValueAttribute(&curve, TEE_ATTR_ECC_CURVE, TEE_ECC_CURVE_NIST_P256, 0);
  CHECK(38, TEE_AllocateTransientObject(TEE_TYPE_SM2_DSA_KEYPAIR, 256, &pair) == TEE_SUCCESS &&
                TEE_GenerateKey(pair, 256, &curve, 1) == TEE_ERROR_BAD_PARAMETERS);
  TEE_FreeTransientObject(pair);
  params[0].value.a = 0;
  return TEE_SUCCESS;
}

#define SETUP(cond)                               \
  do {                                            \
    if (!(cond)) {                                \
      EMSG("sm2 misuse %u: setup failed", which); \
      return TEE_ERROR_ITEM_NOT_FOUND;            \
    }                                             \
  } while (0)

TEE_Result sm2_misuse(uint32_t which) {
  TEE_ObjectHandle obj = TEE_HANDLE_NULL;
  TEE_OperationHandle op = TEE_HANDLE_NULL;
  uint8_t buf[128];
  ta_size_t len = sizeof buf;
  switch (which) {
    case GP_CRYPTO_MISUSE_SM2_DIGEST_LENGTH:
      obj = sm2_object(TEE_TYPE_SM2_DSA_KEYPAIR, TEE_ECC_CURVE_SM2, kY);
      op = sm2_op(TEE_ALG_SM2_DSA_SM3, TEE_MODE_SIGN, obj);
      SETUP(op != TEE_HANDLE_NULL);
      TEE_AsymmetricSignDigest(op, NULL, 0, kE, 20, buf, &len); /* SM3's is 32 */
      break;
    case GP_CRYPTO_MISUSE_SM2_ECDSA_KEY: {
      /* A P-256 key pair of the same size on an SM2 operation. */
      TEE_Attribute curve;
      TEE_InitValueAttribute(&curve, TEE_ATTR_ECC_CURVE, TEE_ECC_CURVE_NIST_P256, 0);
      SETUP(TEE_AllocateTransientObject(TEE_TYPE_ECDSA_KEYPAIR, 256, &obj) == TEE_SUCCESS &&
            TEE_GenerateKey(obj, 256, &curve, 1) == TEE_SUCCESS &&
            TEE_AllocateOperation(&op, TEE_ALG_SM2_DSA_SM3, TEE_MODE_SIGN, 256) == TEE_SUCCESS);
      TEE_SetOperationKey(op, obj);
      break;
    }
    case GP_CRYPTO_MISUSE_SM2_PKE_KEY_TO_SIGN:
      obj = sm2_object(TEE_TYPE_SM2_PKE_KEYPAIR, TEE_ECC_CURVE_SM2, kY);
      SETUP(obj != TEE_HANDLE_NULL &&
            TEE_AllocateOperation(&op, TEE_ALG_SM2_DSA_SM3, TEE_MODE_SIGN, 256) == TEE_SUCCESS);
      TEE_SetOperationKey(op, obj);
      break;
    case GP_CRYPTO_MISUSE_SM2_PUBLIC_KEY_TO_DECRYPT:
      obj = sm2_object(TEE_TYPE_SM2_PKE_PUBLIC_KEY, TEE_ECC_CURVE_SM2, kY);
      SETUP(obj != TEE_HANDLE_NULL &&
            TEE_AllocateOperation(&op, TEE_ALG_SM2_PKE, TEE_MODE_DECRYPT, 256) == TEE_SUCCESS);
      TEE_SetOperationKey(op, obj);
      break;
    case GP_CRYPTO_MISUSE_SM2_ENCRYPT_IN_DECRYPT_MODE:
      obj = sm2_object(TEE_TYPE_SM2_PKE_KEYPAIR, TEE_ECC_CURVE_SM2, kY);
      op = sm2_op(TEE_ALG_SM2_PKE, TEE_MODE_DECRYPT, obj);
      SETUP(op != TEE_HANDLE_NULL);
      TEE_AsymmetricEncrypt(op, NULL, 0, "x", 1, buf, &len);
      break;
    case GP_CRYPTO_MISUSE_SM2_GENERATE_PUBLIC:
      SETUP(TEE_AllocateTransientObject(TEE_TYPE_SM2_DSA_PUBLIC_KEY, 256, &obj) == TEE_SUCCESS);
      TEE_GenerateKey(obj, 256, NULL, 0);
      break;
    default:
      return TEE_ERROR_BAD_PARAMETERS;
  }
  /* Not reached when the runtime panics, as it must. */
  TEE_FreeOperation(op);
  TEE_FreeTransientObject(obj);
  return TEE_ERROR_GENERIC;
}
