/* The cryptography benchmark TA: times N operations of the GP API on 1 MiB
 * inside the TA, so the figure is the API's own cost (and OpenSSL's under
 * it), not a client round trip. Operations and keys are made once per call,
 * outside the timed loop, as a TA that uses a key many times would. */
#include <tee_internal_api.h>
#include <time.h>

/* params[0] value in {a = N, b = what: 0 SHA-256 of 1 MiB (TEE_DigestDoFinal),
 * 1 AES-128-GCM encryption of 1 MiB with a 16-byte tag (TEE_AEInit +
 * TEE_AEEncryptFinal), 2 an RSA-2048 PKCS#1 v1.5 signature of a SHA-256
 * digest (TEE_AsymmetricSignDigest), 3 the same with ECDSA P-256}; params[1]
 * value out {a, b = the
 * nanoseconds the N operations took, low and high 32 bits}. */
#define BENCH_CMD_RUN 0
/* params[0] value in {a, b = the counter, low and high 32 bits}; params[1]
 * value out {a = the 6-digit HOTP (RFC 4226) of RFC 4226's test key}: one
 * HMAC-SHA1 per call, on an operation made for the call from the key object
 * made at the first, as OP-TEE's hotp example does. */
#define BENCH_CMD_HOTP 1
#define BENCH_SHA256_1M 0
#define BENCH_AES128GCM_1M 1
#define BENCH_RSA2048_SIGN 2
#define BENCH_ECDSA_P256_SIGN 3

#define KIB 1024u
static uint8_t g_data[1024 * KIB];
static uint8_t g_out[1024 * KIB];

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static TEE_Result sha256(uint32_t n, uint64_t *ns) {
  TEE_OperationHandle op = TEE_HANDLE_NULL;
  TEE_Result r = TEE_AllocateOperation(&op, TEE_ALG_SHA256, TEE_MODE_DIGEST, 0);
  if (r != TEE_SUCCESS) {
    return r;
  }
  uint8_t digest[32];
  const uint64_t start = now_ns();
  for (uint32_t i = 0; i < n && r == TEE_SUCCESS; ++i) {
    size_t len = sizeof digest;
    r = TEE_DigestDoFinal(op, g_data, sizeof g_data, digest, &len);
  }
  *ns = now_ns() - start;
  TEE_FreeOperation(op);
  return r;
}

static TEE_Result aes128gcm(uint32_t n, uint64_t *ns) {
  static const uint8_t key[16] = {0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6,
                                  0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c};
  uint8_t nonce[12] = {0};
  TEE_ObjectHandle k = TEE_HANDLE_NULL;
  TEE_OperationHandle op = TEE_HANDLE_NULL;
  TEE_Attribute attr;
  TEE_Result r = TEE_AllocateTransientObject(TEE_TYPE_AES, 128, &k);
  if (r == TEE_SUCCESS) {
    TEE_InitRefAttribute(&attr, TEE_ATTR_SECRET_VALUE, key, sizeof key);
    r = TEE_PopulateTransientObject(k, &attr, 1);
  }
  if (r == TEE_SUCCESS) {
    r = TEE_AllocateOperation(&op, TEE_ALG_AES_GCM, TEE_MODE_ENCRYPT, 128);
  }
  if (r == TEE_SUCCESS) {
    r = TEE_SetOperationKey(op, k);
  }
  uint64_t start = now_ns();
  for (uint32_t i = 0; i < n && r == TEE_SUCCESS; ++i) {
    nonce[0] = (uint8_t)i; /* a fresh nonce per message, as GCM needs */
    uint8_t tag[16];
    size_t tag_len = sizeof tag;
    size_t out_len = sizeof g_out;
    r = TEE_AEInit(op, nonce, sizeof nonce, 128, 0, 0);
    if (r == TEE_SUCCESS) {
      r = TEE_AEEncryptFinal(op, g_data, sizeof g_data, g_out, &out_len, tag, &tag_len);
    }
  }
  *ns = now_ns() - start;
  if (op != TEE_HANDLE_NULL) {
    TEE_FreeOperation(op);
  }
  TEE_FreeTransientObject(k);
  return r;
}

/* The key pairs, generated at the first batch that needs them and kept: a
 * TA signs with a key it has, and generation is not what is measured. */
static TEE_ObjectHandle g_rsa_key = TEE_HANDLE_NULL;
static TEE_ObjectHandle g_ec_key = TEE_HANDLE_NULL;

static TEE_Result make_key(TEE_ObjectHandle *key, uint32_t type, uint32_t bits,
                           const TEE_Attribute *params, uint32_t count) {
  if (*key != TEE_HANDLE_NULL) {
    return TEE_SUCCESS;
  }
  TEE_Result r = TEE_AllocateTransientObject(type, bits, key);
  if (r == TEE_SUCCESS) {
    r = TEE_GenerateKey(*key, bits, params, count);
  }
  if (r != TEE_SUCCESS) {
    TEE_FreeTransientObject(*key);
    *key = TEE_HANDLE_NULL;
  }
  return r;
}

/* N signatures of a SHA-256 digest with `alg` and `key`. */
static TEE_Result sign_batch(uint32_t alg, TEE_ObjectHandle key, uint32_t bits, uint32_t n,
                             uint64_t *ns) {
  TEE_OperationHandle op = TEE_HANDLE_NULL;
  TEE_Result r = TEE_AllocateOperation(&op, alg, TEE_MODE_SIGN, bits);
  if (r == TEE_SUCCESS) {
    r = TEE_SetOperationKey(op, key);
  }
  uint8_t sig[256];
  const uint64_t start = now_ns();
  for (uint32_t i = 0; i < n && r == TEE_SUCCESS; ++i) {
    size_t len = sizeof sig;
    r = TEE_AsymmetricSignDigest(op, NULL, 0, g_data, 32, sig, &len);
  }
  *ns = now_ns() - start;
  if (op != TEE_HANDLE_NULL) {
    TEE_FreeOperation(op);
  }
  return r;
}

static TEE_Result rsa2048_sign(uint32_t n, uint64_t *ns) {
  TEE_Result r = make_key(&g_rsa_key, TEE_TYPE_RSA_KEYPAIR, 2048, NULL, 0);
  return r != TEE_SUCCESS ? r
                          : sign_batch(TEE_ALG_RSASSA_PKCS1_V1_5_SHA256, g_rsa_key, 2048, n, ns);
}

static TEE_Result ecdsa_p256_sign(uint32_t n, uint64_t *ns) {
  TEE_Attribute curve;
  TEE_InitValueAttribute(&curve, TEE_ATTR_ECC_CURVE, TEE_ECC_CURVE_NIST_P256, 0);
  TEE_Result r = make_key(&g_ec_key, TEE_TYPE_ECDSA_KEYPAIR, 256, &curve, 1);
  return r != TEE_SUCCESS ? r : sign_batch(TEE_ALG_ECDSA_SHA256, g_ec_key, 256, n, ns);
}

static TEE_ObjectHandle g_hotp_key = TEE_HANDLE_NULL;

static TEE_Result hotp(uint64_t counter, uint32_t *value) {
  static const char kKey[] = "12345678901234567890"; /* RFC 4226, appendix D */
  TEE_Result r = TEE_SUCCESS;
  if (g_hotp_key == TEE_HANDLE_NULL) {
    TEE_Attribute attr;
    TEE_InitRefAttribute(&attr, TEE_ATTR_SECRET_VALUE, kKey, sizeof kKey - 1);
    r = TEE_AllocateTransientObject(TEE_TYPE_HMAC_SHA1, 8 * (sizeof kKey - 1), &g_hotp_key);
    if (r == TEE_SUCCESS) {
      r = TEE_PopulateTransientObject(g_hotp_key, &attr, 1);
    }
    if (r != TEE_SUCCESS) {
      TEE_FreeTransientObject(g_hotp_key);
      g_hotp_key = TEE_HANDLE_NULL;
      return r;
    }
  }
  TEE_OperationHandle op = TEE_HANDLE_NULL;
  r = TEE_AllocateOperation(&op, TEE_ALG_HMAC_SHA1, TEE_MODE_MAC, 8 * (sizeof kKey - 1));
  if (r == TEE_SUCCESS) {
    r = TEE_SetOperationKey(op, g_hotp_key);
  }
  uint8_t msg[8];
  uint8_t mac[20];
  size_t mac_len = sizeof mac;
  for (int i = 0; i < 8; ++i) {
    msg[i] = (uint8_t)(counter >> (56 - 8 * i));
  }
  if (r == TEE_SUCCESS) {
    TEE_MACInit(op, NULL, 0);
    r = TEE_MACComputeFinal(op, msg, sizeof msg, mac, &mac_len);
  }
  if (op != TEE_HANDLE_NULL) {
    TEE_FreeOperation(op);
  }
  if (r != TEE_SUCCESS) {
    return r;
  }
  /* Dynamic truncation (RFC 4226, 5.3): 31 bits at the offset the last
   * nibble gives, modulo 10^6. */
  const uint8_t off = mac[19] & 0xf;
  const uint32_t bin = ((uint32_t)(mac[off] & 0x7f) << 24) | ((uint32_t)mac[off + 1] << 16) |
                       ((uint32_t)mac[off + 2] << 8) | mac[off + 3];
  *value = bin % 1000000u;
  return TEE_SUCCESS;
}

TEE_Result TA_CreateEntryPoint(void) {
  for (size_t i = 0; i < sizeof g_data; ++i) {
    g_data[i] = (uint8_t)(i * 7u);
  }
  return TEE_SUCCESS;
}

void TA_DestroyEntryPoint(void) {
  TEE_FreeTransientObject(g_rsa_key);
  TEE_FreeTransientObject(g_ec_key);
  TEE_FreeTransientObject(g_hotp_key);
}

TEE_Result TA_OpenSessionEntryPoint(uint32_t __unused pt, TEE_Param __unused params[4],
                                    void __unused **ctx) {
  return TEE_SUCCESS;
}

void TA_CloseSessionEntryPoint(void __unused *ctx) {}

TEE_Result TA_InvokeCommandEntryPoint(void __unused *ctx, uint32_t cmd, uint32_t pt,
                                      TEE_Param params[4]) {
  if (cmd == BENCH_CMD_HOTP &&
      pt == TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_VALUE_OUTPUT,
                            TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE)) {
    return hotp((uint64_t)params[0].value.b << 32 | params[0].value.a, &params[1].value.a);
  }
  if (cmd != BENCH_CMD_RUN ||
      pt != TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_VALUE_OUTPUT,
                            TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE)) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  uint64_t ns = 0;
  TEE_Result r = TEE_ERROR_BAD_PARAMETERS;
  if (params[0].value.b == BENCH_SHA256_1M) {
    r = sha256(params[0].value.a, &ns);
  } else if (params[0].value.b == BENCH_AES128GCM_1M) {
    r = aes128gcm(params[0].value.a, &ns);
  } else if (params[0].value.b == BENCH_RSA2048_SIGN) {
    r = rsa2048_sign(params[0].value.a, &ns);
  } else if (params[0].value.b == BENCH_ECDSA_P256_SIGN) {
    r = ecdsa_p256_sign(params[0].value.a, &ns);
  }
  params[1].value.a = (uint32_t)ns;
  params[1].value.b = (uint32_t)(ns >> 32);
  return r;
}
