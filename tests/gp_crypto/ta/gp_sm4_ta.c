/* SM4 inside a TA through the GP API, against GB/T 32907-2016's examples
 * (appendix A): example 1, one block, checks ECB; example 2, the same block
 * encrypted 1,000,000 times, is the last block of a CBC encryption of the
 * block followed by 999,999 zero blocks under a zero IV (each CBC step then
 * encrypts the previous ciphertext), so it checks CBC across many updates.
 * CTR is checked against its definition on ECB: block i of the key stream
 * is the encryption of the counter block plus i. */
#include "gp_sm4_ta.h"

#include <tee_internal_api_extensions.h>

#if __OPTEE_CORE_API_COMPAT_1_1
typedef uint32_t ta_size_t;
#else
typedef size_t ta_size_t;
#endif

#define CHECK(n, cond)                \
  do {                                \
    if (!(cond)) {                    \
      return sm4_failed(params, (n)); \
    }                                 \
  } while (0)

static TEE_Result sm4_failed(TEE_Param params[4], uint32_t n) {
  EMSG("sm4 check %u failed", n);
  params[0].value.a = n;
  return TEE_ERROR_GENERIC;
}

static const uint8_t kKey[16] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
                                 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10};
/* GB/T 32907 example 1: the plaintext is the key. */
static const uint8_t kExample1[16] = {0x68, 0x1e, 0xdf, 0x34, 0xd2, 0x06, 0x96, 0x5e,
                                      0x86, 0xb3, 0xe9, 0x4f, 0x53, 0x6e, 0x42, 0x46};
/* GB/T 32907 example 2: after 1,000,000 encryptions. */
static const uint8_t kExample2[16] = {0x59, 0x52, 0x98, 0xc7, 0xc6, 0xfd, 0x27, 0x1f,
                                      0x04, 0x02, 0xf8, 0x04, 0xc3, 0x3d, 0x3f, 0x66};

/* An SM4 operation of `alg` in `mode` with kKey, or TEE_HANDLE_NULL. */
static TEE_OperationHandle sm4_op(uint32_t alg, uint32_t mode) {
  TEE_OperationHandle op = TEE_HANDLE_NULL;
  TEE_ObjectHandle key = TEE_HANDLE_NULL;
  TEE_Attribute attr;
  if (TEE_AllocateOperation(&op, alg, mode, 128) != TEE_SUCCESS) {
    return TEE_HANDLE_NULL;
  }
  TEE_InitRefAttribute(&attr, TEE_ATTR_SECRET_VALUE, kKey, sizeof kKey);
  if (TEE_AllocateTransientObject(TEE_TYPE_SM4, 128, &key) != TEE_SUCCESS ||
      TEE_PopulateTransientObject(key, &attr, 1) != TEE_SUCCESS ||
      TEE_SetOperationKey(op, key) != TEE_SUCCESS) {
    TEE_FreeTransientObject(key);
    TEE_FreeOperation(op);
    return TEE_HANDLE_NULL;
  }
  TEE_FreeTransientObject(key);
  return op;
}

TEE_Result sm4_known_answers(TEE_Param params[4]) {
  static uint8_t chunk[64 * 1024];
  static uint8_t out[64 * 1024];
  uint8_t block[16];
  uint8_t iv[16] = {0};
  ta_size_t len = 0;
  TEE_OperationHandle op = TEE_HANDLE_NULL;

  CHECK(1, TEE_IsAlgorithmSupported(TEE_ALG_SM4_ECB_NOPAD, TEE_CRYPTO_ELEMENT_NONE) == TEE_SUCCESS);
  /* Example 1, both directions. */
  op = sm4_op(TEE_ALG_SM4_ECB_NOPAD, TEE_MODE_ENCRYPT);
  CHECK(2, op != TEE_HANDLE_NULL);
  TEE_CipherInit(op, NULL, 0);
  len = sizeof block;
  CHECK(3, TEE_CipherDoFinal(op, kKey, sizeof kKey, block, &len) == TEE_SUCCESS && len == 16 &&
               TEE_MemCompare(block, kExample1, 16) == 0);
  TEE_FreeOperation(op);
  op = sm4_op(TEE_ALG_SM4_ECB_NOPAD, TEE_MODE_DECRYPT);
  CHECK(4, op != TEE_HANDLE_NULL);
  TEE_CipherInit(op, NULL, 0);
  len = sizeof block;
  CHECK(5, TEE_CipherDoFinal(op, kExample1, 16, block, &len) == TEE_SUCCESS && len == 16 &&
               TEE_MemCompare(block, kKey, 16) == 0);
  TEE_FreeOperation(op);

  /* Example 2 through CBC: the block, then 999,999 zero blocks. */
  op = sm4_op(TEE_ALG_SM4_CBC_NOPAD, TEE_MODE_ENCRYPT);
  CHECK(6, op != TEE_HANDLE_NULL);
  TEE_CipherInit(op, iv, sizeof iv);
  TEE_MemFill(chunk, 0, sizeof chunk);
  TEE_MemMove(chunk, kKey, sizeof kKey);
  uint32_t blocks_left = 1000000;
  while (blocks_left > 0) {
    uint32_t blocks = blocks_left < sizeof chunk / 16 ? blocks_left : sizeof chunk / 16;
    len = sizeof out;
    CHECK(7,
          TEE_CipherUpdate(op, chunk, blocks * 16, out, &len) == TEE_SUCCESS && len == blocks * 16);
    TEE_MemFill(chunk, 0, 16); /* only the first chunk starts with the plaintext */
    blocks_left -= blocks;
    if (blocks_left == 0) {
      TEE_MemMove(block, out + len - 16, 16);
    }
  }
  len = sizeof out;
  CHECK(8, TEE_CipherDoFinal(op, NULL, 0, out, &len) == TEE_SUCCESS && len == 0);
  CHECK(9, TEE_MemCompare(block, kExample2, 16) == 0);
  TEE_FreeOperation(op);

  /* CTR: three blocks and a partial one against ECB of the counter blocks
   * (the counter is the whole block, big-endian, as in AES-CTR). */
  uint8_t counter[16] = {0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xaa, 0x99, 0x88,
                         0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, 0xfe};
  uint8_t counters[64];
  uint8_t stream[64];
  uint8_t plain[61];
  uint8_t ctr_out[61];
  for (int i = 0; i < 4; ++i) {
    TEE_MemMove(counters + 16 * i, counter, 16);
    for (int b = 15; b >= 0; --b) {
      if (++counter[b] != 0) {
        break;
      }
    }
  }
  for (size_t i = 0; i < sizeof plain; ++i) {
    plain[i] = (uint8_t)(i * 37u + 5u);
  }
  op = sm4_op(TEE_ALG_SM4_ECB_NOPAD, TEE_MODE_ENCRYPT);
  CHECK(10, op != TEE_HANDLE_NULL);
  TEE_CipherInit(op, NULL, 0);
  len = sizeof stream;
  CHECK(11, TEE_CipherDoFinal(op, counters, sizeof counters, stream, &len) == TEE_SUCCESS);
  TEE_FreeOperation(op);
  op = sm4_op(TEE_ALG_SM4_CTR, TEE_MODE_ENCRYPT);
  CHECK(12, op != TEE_HANDLE_NULL);
  TEE_CipherInit(op, counters, 16);
  len = sizeof ctr_out;
  CHECK(13, TEE_CipherDoFinal(op, plain, sizeof plain, ctr_out, &len) == TEE_SUCCESS &&
                len == sizeof plain);
  TEE_FreeOperation(op);
  for (size_t i = 0; i < sizeof plain; ++i) {
    CHECK(14, ctr_out[i] == (uint8_t)(plain[i] ^ stream[i]));
  }
  /* The object type takes 128 bits only. */
  TEE_ObjectHandle key = TEE_HANDLE_NULL;
  CHECK(15, TEE_AllocateTransientObject(TEE_TYPE_SM4, 256, &key) == TEE_ERROR_NOT_SUPPORTED);
  params[0].value.a = 0;
  return TEE_SUCCESS;
}
