/* The SDK test TA, written as an OP-TEE TA is: it includes only
 * tee_internal_api.h and tee_internal_api_extensions.h, logs with IMSG /
 * DMSG without including trace.h, marks unused parameters __unused /
 * __maybe_unused, and in the GP v1.1 mode uses the 32-bit memref sizes and
 * uint32_t lengths of v1.1 (tee_api_compat.h renames the functions). */
#include <tee_internal_api.h>
#include <tee_internal_api_extensions.h>

#include "gp_sdk_ta.h"

/* What "a size" is in the mode this TA is compiled in. */
#if __OPTEE_CORE_API_COMPAT_1_1
typedef uint32_t ta_size_t;
#else
typedef size_t ta_size_t;
#endif
_Static_assert(sizeof(((TEE_Param *)0)->memref.size) == sizeof(ta_size_t),
               "TEE_Param's memref size follows the API mode");

TEE_Result TA_CreateEntryPoint(void) {
  DMSG("has been called");
  return TEE_SUCCESS;
}

void TA_DestroyEntryPoint(void) {
  DMSG("has been called");
}

TEE_Result TA_OpenSessionEntryPoint(uint32_t param_types, TEE_Param __maybe_unused params[4],
                                    void __maybe_unused **sess_ctx) {
  if (param_types != TEE_PARAM_TYPES(TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE,
                                     TEE_PARAM_TYPE_NONE)) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  IMSG("session opened (GP v1.1 mode: %d)", __OPTEE_CORE_API_COMPAT_1_1);
  return TEE_SUCCESS;
}

void TA_CloseSessionEntryPoint(void __unused *sess_ctx) {
  IMSG("session closed");
}

static TEE_Result mode(uint32_t pt, TEE_Param params[4]) {
  if (pt != TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_OUTPUT, TEE_PARAM_TYPE_VALUE_OUTPUT,
                            TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE)) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  params[0].value.a = sizeof(params[0].memref.size);
  params[0].value.b = __OPTEE_CORE_API_COMPAT_1_1;
  params[1].value.a = TRACE_LEVEL;
  params[1].value.b = 0;
  return TEE_SUCCESS;
}

static TEE_Result reverse(uint32_t pt, TEE_Param params[4]) {
  if (pt != TEE_PARAM_TYPES(TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_MEMREF_OUTPUT,
                            TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE)) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  ta_size_t n = params[0].memref.size;
  if (params[1].memref.size < n) {
    params[1].memref.size = n;
    return TEE_ERROR_SHORT_BUFFER;
  }
  /* TEE_Malloc / TEE_MemMove take the mode's size type. */
  uint8_t *tmp = TEE_Malloc(n, TEE_MALLOC_FILL_ZERO);
  if (tmp == NULL) {
    return TEE_ERROR_OUT_OF_MEMORY;
  }
  const uint8_t *in = params[0].memref.buffer;
  for (ta_size_t i = 0; i < n; i++) {
    tmp[i] = in[n - 1 - i];
  }
  TEE_MemMove(params[1].memref.buffer, tmp, n);
  TEE_Free(tmp);
  params[1].memref.size = n;
  DHEXDUMP(params[1].memref.buffer, (int)n);
  return TEE_SUCCESS;
}

static TEE_Result values(uint32_t pt, TEE_Param params[4]) {
  if (pt != TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INOUT, TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE,
                            TEE_PARAM_TYPE_NONE)) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  params[0].value.a += 1;
  params[0].value.b *= 2;
  return TEE_SUCCESS;
}

/* Fails the command with check number n in params[0].value.a. */
static TEE_Result failed(TEE_Param params[4], uint32_t n) {
  EMSG("check %u failed", n);
  params[0].value.a = n;
  return TEE_ERROR_GENERIC;
}

static TEE_Result not_implemented(uint32_t pt, TEE_Param params[4]) {
  if (pt != TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_OUTPUT, TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE,
                            TEE_PARAM_TYPE_NONE)) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  /* Digests, ciphers, MACs, AE, RSA, ECC and SM2's signature and encryption
   * are implemented now (issue 15, tests/gp_crypto): an RSA operation is
   * allocated; SM2 key exchange is not: not supported, no handle. */
  TEE_OperationHandle op = TEE_HANDLE_NULL;
  if (TEE_AllocateOperation(&op, TEE_ALG_RSA_NOPAD, TEE_MODE_ENCRYPT, 2048) != TEE_SUCCESS ||
      op == TEE_HANDLE_NULL) {
    return failed(params, 1);
  }
  TEE_FreeOperation(op);
  op = (TEE_OperationHandle)(uintptr_t)1;
  if (TEE_AllocateOperation(&op, TEE_ALG_SM2_KEP, TEE_MODE_DERIVE, 256) !=
          TEE_ERROR_NOT_SUPPORTED ||
      op != TEE_HANDLE_NULL) {
    return failed(params, 1);
  }
  /* Trusted storage is implemented now (issue 16, tests/gp_storage): an
   * object this TA never made is not found, no handle. */
  TEE_ObjectHandle obj = (TEE_ObjectHandle)(uintptr_t)1;
  if (TEE_OpenPersistentObject(TEE_STORAGE_PRIVATE, "id", 2, TEE_DATA_FLAG_ACCESS_READ, &obj) !=
          TEE_ERROR_ITEM_NOT_FOUND ||
      obj != TEE_HANDLE_NULL) {
    return failed(params, 2);
  }
  TEE_CloseObject(obj);
  /* Properties and persistent time are implemented now (issue 14): this TA's
   * data size reads back, and its time was never set. */
  uint32_t u32 = 0;
  if (TEE_GetPropertyAsU32(TEE_PROPSET_CURRENT_TA, "gpd.ta.dataSize", &u32) != TEE_SUCCESS ||
      u32 != 32 * 1024 /* TA_DATA_SIZE of both builds */) {
    return failed(params, 3);
  }
  TEE_Time t = {1, 1};
  if (TEE_GetTAPersistentTime(&t) != TEE_ERROR_TIME_NOT_SET || t.seconds != 0 || t.millis != 0) {
    return failed(params, 4);
  }
  /* TA-to-TA is implemented: a TA nobody installed is not found. */
  TEE_TASessionHandle sess = (TEE_TASessionHandle)(uintptr_t)1;
  uint32_t origin = 0;
  TEE_UUID uuid = GP_SDK_TA_ABSENT_UUID;
  if (TEE_OpenTASession(&uuid, TEE_TIMEOUT_INFINITE, 0, NULL, &sess, &origin) !=
          TEE_ERROR_ITEM_NOT_FOUND ||
      sess != TEE_HANDLE_NULL || origin != TEE_ORIGIN_TEE) {
    return failed(params, 5);
  }
  TEE_CloseTASession(sess);
  if (TEE_IsAlgorithmSupported(TEE_ALG_AES_CBC_NOPAD, TEE_CRYPTO_ELEMENT_NONE) != TEE_SUCCESS ||
      TEE_IsAlgorithmSupported(TEE_ALG_RSA_NOPAD, TEE_CRYPTO_ELEMENT_NONE) != TEE_SUCCESS ||
      TEE_IsAlgorithmSupported(TEE_ALG_ECDSA_P256, TEE_ECC_CURVE_NIST_P256) != TEE_SUCCESS ||
      TEE_IsAlgorithmSupported(TEE_ALG_SM2_DSA_SM3, TEE_ECC_CURVE_SM2) != TEE_SUCCESS ||
      TEE_IsAlgorithmSupported(TEE_ALG_SM2_KEP, TEE_ECC_CURVE_SM2) != TEE_ERROR_NOT_SUPPORTED) {
    return failed(params, 6);
  }
  /* A length in the mode's size type, through a __GP11_ conversion in v1.1:
   * too short is the size needed, then FIPS 180's SHA-256 of "abc". */
  uint8_t hash[32];
  ta_size_t hash_len = 8;
  if (TEE_AllocateOperation(&op, TEE_ALG_SHA256, TEE_MODE_DIGEST, 0) != TEE_SUCCESS ||
      TEE_DigestDoFinal(op, "abc", 3, hash, &hash_len) != TEE_ERROR_SHORT_BUFFER ||
      hash_len != sizeof(hash)) {
    return failed(params, 7);
  }
  if (TEE_DigestDoFinal(op, "abc", 3, hash, &hash_len) != TEE_SUCCESS || hash_len != sizeof(hash) ||
      hash[0] != 0xba || hash[31] != 0xad) {
    return failed(params, 7);
  }
  TEE_FreeOperation(op);
  /* The asymmetric family is implemented now (RSA, tests/gp_crypto): raw
   * RSA with e = 3 and a 256-bit modulus 2^255 + 1 cubes "abc", which stays
   * under the modulus; the output length goes through the same conversion
   * (SHORT_BUFFER with the modulus's 32 bytes first). */
  uint8_t modulus[32] = {0x80};
  modulus[31] = 0x01;
  uint8_t three = 3;
  TEE_Attribute rsa[2];
  TEE_InitRefAttribute(&rsa[0], TEE_ATTR_RSA_MODULUS, modulus, sizeof(modulus));
  TEE_InitRefAttribute(&rsa[1], TEE_ATTR_RSA_PUBLIC_EXPONENT, &three, 1);
  TEE_ObjectHandle pub = TEE_HANDLE_NULL;
  if (TEE_AllocateTransientObject(TEE_TYPE_RSA_PUBLIC_KEY, 256, &pub) != TEE_SUCCESS ||
      TEE_PopulateTransientObject(pub, rsa, 2) != TEE_SUCCESS ||
      TEE_AllocateOperation(&op, TEE_ALG_RSA_NOPAD, TEE_MODE_ENCRYPT, 256) != TEE_SUCCESS ||
      TEE_SetOperationKey(op, pub) != TEE_SUCCESS) {
    return failed(params, 7);
  }
  TEE_FreeTransientObject(pub);
  hash_len = 8;
  if (TEE_AsymmetricEncrypt(op, NULL, 0, "abc", 3, hash, &hash_len) != TEE_ERROR_SHORT_BUFFER ||
      hash_len != 32) {
    return failed(params, 7);
  }
  /* 0x616263^3 = 0x0e17ac53d1a325a43b, zeros on the left. */
  if (TEE_AsymmetricEncrypt(op, NULL, 0, "abc", 3, hash, &hash_len) != TEE_SUCCESS ||
      hash_len != 32 || hash[22] != 0 || hash[23] != 0x0e || hash[31] != 0x3b) {
    return failed(params, 7);
  }
  TEE_FreeOperation(op);
  uint8_t big[4];
  ta_size_t big_len = sizeof(big);
  TEE_BigInt value[TEE_BigIntSizeInU32(32)];
  TEE_BigIntInit(value, TEE_BigIntSizeInU32(32));
  TEE_BigIntConvertFromS32(value, -0x1234);
  /* The magnitude, through the mode's size type. */
  if (TEE_BigIntConvertToOctetString(big, &big_len, value) != TEE_SUCCESS || big_len != 2 ||
      big[0] != 0x12 || big[1] != 0x34) {
    return failed(params, 8);
  }
  if (TEE_CloseAndDeletePersistentObject1(TEE_HANDLE_NULL) != TEE_SUCCESS) {
    return failed(params, 9);
  }
  /* Implemented now (tests/supplicant); with no supplicant running, OP-TEE's
   * answer. */
  if (tee_invoke_supp_plugin(&uuid, 0, 0, NULL, 0, NULL) != TEE_ERROR_COMMUNICATION) {
    return failed(params, 10);
  }
  /* Closing nothing is a no-op, not a panic. */
  TEE_FreeTransientObject(TEE_HANDLE_NULL);
  TEE_FreePersistentObjectEnumerator(TEE_HANDLE_NULL);
  TEE_FreePropertyEnumerator(TEE_HANDLE_NULL);
#if !__OPTEE_CORE_API_COMPAT_1_1
  TEE_FreeOperation(TEE_HANDLE_NULL); /* v1.1 gives NULL no meaning here */
#endif
  params[0].value.a = 0;
  return TEE_SUCCESS;
}

static TEE_Result small_functions(uint32_t pt, TEE_Param params[4]) {
  if (pt != TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_OUTPUT, TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE,
                            TEE_PARAM_TYPE_NONE)) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  static int marker;
  if (TEE_GetInstanceData() != NULL && TEE_GetInstanceData() != &marker) {
    return failed(params, 1);
  }
  TEE_SetInstanceData(&marker);
  if (TEE_GetInstanceData() != &marker) {
    return failed(params, 2);
  }
  TEE_Attribute attr;
  TEE_InitValueAttribute(&attr, TEE_ATTR_ECC_CURVE, TEE_ECC_CURVE_NIST_P256, 0);
  if (attr.attributeID != TEE_ATTR_ECC_CURVE || attr.content.value.a != TEE_ECC_CURVE_NIST_P256) {
    return failed(params, 3);
  }
  static const char secret[] = "0123456789abcdef";
  TEE_InitRefAttribute(&attr, TEE_ATTR_SECRET_VALUE, secret, 16);
  if (attr.content.ref.buffer != secret || attr.content.ref.length != 16) {
    return failed(params, 4);
  }
  TEE_UUID uuid;
  TEE_UUID want = GP_SDK_TA_GP11_UUID;
  if (tee_uuid_from_str(&uuid, "7E57C0DE-0011-4000-8000-000000000011") != TEE_SUCCESS ||
      TEE_MemCompare(&uuid, &want, sizeof(uuid)) != 0) {
    return failed(params, 5);
  }
  if (tee_uuid_from_str(&uuid, "7e57c0de-0011-4000-8000-00000000001") != TEE_ERROR_BAD_FORMAT ||
      tee_uuid_from_str(&uuid, "7e57c0de+0011-4000-8000-000000000011") != TEE_ERROR_BAD_FORMAT ||
      tee_uuid_from_str(&uuid, "7e57c0de-0011-4000-8000-00000000001g") != TEE_ERROR_BAD_FORMAT) {
    return failed(params, 6);
  }
  uint8_t *zi = tee_map_zi(8192, 0);
  if (zi == NULL || zi[0] != 0 || zi[8191] != 0) {
    return failed(params, 7);
  }
  zi[100] = 1;
  if (tee_unmap(zi, 4096) != TEE_ERROR_BAD_PARAMETERS || tee_unmap(zi, 8192) != TEE_SUCCESS ||
      tee_unmap(zi, 8192) != TEE_ERROR_BAD_PARAMETERS) {
    return failed(params, 8);
  }
  char buf[4] = {0};
  if (TEE_MemMove(buf, "abc", 3) != buf || buf[2] != 'c') {
    return failed(params, 9);
  }
  params[0].value.a = 0;
  return TEE_SUCCESS;
}

TEE_Result TA_InvokeCommandEntryPoint(void __maybe_unused *sess_ctx, uint32_t cmd_id,
                                      uint32_t param_types, TEE_Param params[4]) {
  switch (cmd_id) {
    case GP_SDK_CMD_MODE:
      return mode(param_types, params);
    case GP_SDK_CMD_REVERSE:
      return reverse(param_types, params);
    case GP_SDK_CMD_VALUES:
      return values(param_types, params);
    case GP_SDK_CMD_NOT_IMPLEMENTED:
      return not_implemented(param_types, params);
    case GP_SDK_CMD_PANICKING_STUB: {
      TEE_ResetPersistentObjectEnumerator(TEE_HANDLE_NULL);
      return TEE_ERROR_GENERIC; /* not reached */
    }
    case GP_SDK_CMD_SMALL_FUNCTIONS:
      return small_functions(param_types, params);
    default:
      return TEE_ERROR_NOT_SUPPORTED;
  }
}
