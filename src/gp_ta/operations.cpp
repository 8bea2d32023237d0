// The generic operation functions (GP 6.2): allocation, information, keys,
// reset and copy, for the algorithms of algorithms.cpp. The key is copied
// into the operation (a SecretBuffer), so the TA may free its key object
// while the operation lives, as the specification allows.
#include "operations.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>

#include <climits>
#include <initializer_list>
#include <mutex>
#include <new>
#include <unordered_set>

#include "object_types.hpp"
#include "objects.hpp"
#include "tee_internal_api.h"

using captee::gp_ta::Algorithm;
using captee::gp_ta::CipherMode;
using captee::gp_ta::EcScheme;
using captee::gp_ta::MacKind;
using captee::gp_ta::RsaScheme;

namespace captee::gp_ta {

namespace {

std::mutex g_mu;
std::unordered_set<__TEE_OperationHandle *> g_operations;

void free_contexts(__TEE_OperationHandle *op) {
  EVP_MD_CTX_free(op->md_ctx);  // OpenSSL wipes the contexts it frees
  EVP_CIPHER_CTX_free(op->cipher_ctx);
  EVP_MAC_CTX_free(op->mac_ctx);
  EVP_CIPHER_CTX_free(op->cts_ecb_ctx);
  EVP_CIPHER_free(op->cts_ecb);
  op->cts_ecb_ctx = nullptr;
  op->cts_ecb = nullptr;
  EVP_MD_free(op->md);
  EVP_CIPHER_free(op->cipher);
  op->md_ctx = nullptr;
  op->cipher_ctx = nullptr;
  op->mac_ctx = nullptr;
  op->md = nullptr;
  op->cipher = nullptr;
}

void wipe(std::vector<uint8_t> *buf) {
  if (!buf->empty()) {
    OPENSSL_cleanse(buf->data(), buf->size());
  }
  buf->clear();
}

void destroy(__TEE_OperationHandle *op) {
  free_contexts(op);
  EVP_PKEY_free(op->pkey);
  OPENSSL_cleanse(op->last_block, sizeof op->last_block);
  OPENSSL_cleanse(op->digest, sizeof op->digest);
  OPENSSL_cleanse(op->cts_hold, sizeof op->cts_hold);
  wipe(&op->ae_aad);
  wipe(&op->deferred);
  delete op;  // the SecretBuffer wipes the key
}

bool mode_allowed(uint32_t operation_class, uint32_t mode) {
  switch (operation_class) {
    case TEE_OPERATION_DIGEST:
      return mode == TEE_MODE_DIGEST;
    case TEE_OPERATION_MAC:
      return mode == TEE_MODE_MAC;
    case TEE_OPERATION_CIPHER:
    case TEE_OPERATION_AE:
      return mode == TEE_MODE_ENCRYPT || mode == TEE_MODE_DECRYPT;
    case TEE_OPERATION_KEY_DERIVATION:
      return mode == TEE_MODE_DERIVE;
    case TEE_OPERATION_ASYMMETRIC_CIPHER:
      return mode == TEE_MODE_ENCRYPT || mode == TEE_MODE_DECRYPT;
    case TEE_OPERATION_ASYMMETRIC_SIGNATURE:
      return mode == TEE_MODE_SIGN || mode == TEE_MODE_VERIFY;
    default:
      return false;
  }
}

uint32_t required_usage(uint32_t mode) {
  switch (mode) {
    case TEE_MODE_ENCRYPT:
      return TEE_USAGE_ENCRYPT;
    case TEE_MODE_DECRYPT:
      return TEE_USAGE_DECRYPT;
    case TEE_MODE_MAC:
      return TEE_USAGE_MAC;
    case TEE_MODE_DERIVE:
      return TEE_USAGE_DERIVE;
    case TEE_MODE_SIGN:
      return TEE_USAGE_SIGN;
    case TEE_MODE_VERIFY:
      return TEE_USAGE_VERIFY;
    default:
      return 0;
  }
}

// The contexts each class needs from allocation on; false if OpenSSL cannot
// make them.
bool make_contexts(__TEE_OperationHandle *op) {
  const Algorithm &alg = *op->alg;
  if (alg.operation_class == TEE_OPERATION_DIGEST) {
    op->md = EVP_MD_fetch(nullptr, alg.openssl, nullptr);
    op->md_ctx = EVP_MD_CTX_new();
    if (op->md == nullptr || op->md_ctx == nullptr ||
        EVP_DigestInit_ex2(op->md_ctx, op->md, nullptr) != 1) {
      return false;
    }
    op->info.digestLength = static_cast<uint32_t>(EVP_MD_get_size(op->md));
    return true;
  }
  if (alg.operation_class == TEE_OPERATION_MAC && alg.mac_kind == MacKind::kHmac) {
    op->md = EVP_MD_fetch(nullptr, alg.openssl, nullptr);
    if (op->md == nullptr) {
      return false;
    }
    op->info.digestLength = static_cast<uint32_t>(EVP_MD_get_size(op->md));
    return true;
  }
  if (alg.operation_class == TEE_OPERATION_MAC) {
    op->info.digestLength = alg.block_size;
  }
  if ((alg.rsa != RsaScheme::kNone || alg.ec == EcScheme::kEcdsa || alg.ec == EcScheme::kSm2Dsa) &&
      alg.openssl != nullptr) {
    op->md = EVP_MD_fetch(nullptr, alg.openssl, nullptr);
    return op->md != nullptr;
  }
  return true;
}

// A key object fits an operation if it is of the algorithm's type (an HMAC
// also takes a generic secret, as OP-TEE's; RSA verification and encryption,
// and ECDSA and SM2 verification and SM2 encryption, also a public key), no
// larger than the operation's maximum, and on the algorithm's curve if it
// names one.
bool key_fits(const __TEE_OperationHandle *op, const __TEE_ObjectHandle *key) {
  const uint32_t type = key->info.objectType;
  const bool public_use = op->info.mode == TEE_MODE_VERIFY || op->info.mode == TEE_MODE_ENCRYPT;
  const bool type_ok =
      type == op->alg->key_type ||
      (op->alg->mac_kind == MacKind::kHmac && op->alg->operation_class == TEE_OPERATION_MAC &&
       type == TEE_TYPE_GENERIC_SECRET) ||
      (op->alg->rsa != RsaScheme::kNone && public_use && type == TEE_TYPE_RSA_PUBLIC_KEY) ||
      (op->alg->ec == EcScheme::kEcdsa && public_use && type == TEE_TYPE_ECDSA_PUBLIC_KEY) ||
      (op->alg->ec == EcScheme::kSm2Dsa && public_use && type == TEE_TYPE_SM2_DSA_PUBLIC_KEY) ||
      (op->alg->ec == EcScheme::kSm2Pke && public_use && type == TEE_TYPE_SM2_PKE_PUBLIC_KEY) ||
      (op->alg->ec == EcScheme::kEd25519 && public_use && type == TEE_TYPE_ED25519_PUBLIC_KEY);
  if (op->alg->ec_bits != 0 && key->info.objectSize != op->alg->ec_bits) {
    return false;
  }
  return type_ok && key->info.objectSize <= op->info.maxKeySize;
}

// The cipher a keyed block-cipher operation runs on, named by key size (one
// key's, for XTS); CTS also needs the raw block cipher.
bool fetch_cipher(__TEE_OperationHandle *op) {
  const Algorithm &alg = *op->alg;
  if (alg.operation_class == TEE_OPERATION_DIGEST ||
      alg.operation_class == TEE_OPERATION_KEY_DERIVATION || alg.rsa != RsaScheme::kNone ||
      alg.ec != EcScheme::kNone ||
      (alg.operation_class == TEE_OPERATION_MAC && alg.mac_kind == MacKind::kHmac)) {
    return true;
  }
  EVP_CIPHER_free(op->cipher);
  EVP_CIPHER_free(op->cts_ecb);
  op->cipher = nullptr;
  op->cts_ecb = nullptr;
  const size_t key_bytes =
      alg.cipher_mode == CipherMode::kXts ? op->key.size() / 2 : op->key.size();
  const std::string name = cipher_name(alg, key_bytes, alg.cipher_mode);
  op->cipher = name.empty() ? nullptr : EVP_CIPHER_fetch(nullptr, name.c_str(), nullptr);
  if (alg.cipher_mode == CipherMode::kCts) {
    const std::string ecb = cipher_name(alg, key_bytes, CipherMode::kEcb);
    op->cts_ecb = EVP_CIPHER_fetch(nullptr, ecb.c_str(), nullptr);
    return op->cipher != nullptr && op->cts_ecb != nullptr;
  }
  return op->cipher != nullptr;
}

bool two_keys(const __TEE_OperationHandle *op) {
  return (op->info.handleState & TEE_HANDLE_FLAG_EXPECT_TWO_KEYS) != 0;
}

// The state flags an operation keeps whatever its key.
uint32_t fixed_flags(const __TEE_OperationHandle *op) {
  return op->info.handleState & TEE_HANDLE_FLAG_EXPECT_TWO_KEYS;
}

}  // namespace

__TEE_OperationHandle *operation_or_panic(TEE_OperationHandle handle, uint32_t operation_class) {
  {
    std::lock_guard lock(g_mu);
    if (handle != TEE_HANDLE_NULL && g_operations.count(handle) != 0 &&
        (operation_class == 0 || handle->info.operationClass == operation_class)) {
      return handle;
    }
  }
  TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
}

void require_key(const __TEE_OperationHandle *op) {
  if ((op->info.handleState & TEE_HANDLE_FLAG_KEY_SET) == 0) {
    TEE_Panic(TEE_ERROR_BAD_STATE);
  }
}

void require_initialized(const __TEE_OperationHandle *op) {
  if ((op->info.handleState & TEE_HANDLE_FLAG_INITIALIZED) == 0) {
    TEE_Panic(TEE_ERROR_BAD_STATE);
  }
}

void to_initial_state(__TEE_OperationHandle *op) {
  op->state = TEE_OPERATION_STATE_INITIAL;
  op->pending = 0;
  op->extracted = 0;
  OPENSSL_cleanse(op->last_block, sizeof op->last_block);
  OPENSSL_cleanse(op->digest, sizeof op->digest);
  OPENSSL_cleanse(op->cts_hold, sizeof op->cts_hold);
  wipe(&op->ae_aad);
  wipe(&op->deferred);
  op->ae_payload_started = false;
  if (op->info.operationClass == TEE_OPERATION_DIGEST) {
    // A digest is always ready for data.
    if (EVP_DigestInit_ex2(op->md_ctx, op->md, nullptr) != 1) {
      TEE_Panic(TEE_ERROR_GENERIC);
    }
    return;
  }
  op->info.handleState &= ~TEE_HANDLE_FLAG_INITIALIZED;
}

bool cipher_update(EVP_CIPHER_CTX *ctx, uint8_t *out, const uint8_t *in, size_t len,
                   size_t *written) {
  constexpr size_t kChunk = size_t{1} << 30;  // well under INT_MAX
  *written = 0;
  while (len > 0) {
    const size_t n = len < kChunk ? len : kChunk;
    int outl = 0;
    if (EVP_CipherUpdate(ctx, out == nullptr ? nullptr : out + *written, &outl, in,
                         static_cast<int>(n)) != 1 ||
        outl < 0) {
      return false;
    }
    *written += static_cast<size_t>(outl);
    in += n;
    len -= n;
  }
  return true;
}

}  // namespace captee::gp_ta

using captee::gp_ta::operation_or_panic;

extern "C" {

TEE_Result TEE_AllocateOperation(TEE_OperationHandle *operation, uint32_t algorithm, uint32_t mode,
                                 uint32_t maxKeySize) {
  if (operation == nullptr) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  *operation = TEE_HANDLE_NULL;
  const Algorithm *alg = captee::gp_ta::find_algorithm(algorithm);
  if (alg == nullptr || !captee::gp_ta::mode_allowed(alg->operation_class, mode) ||
      !captee::gp_ta::algorithm_available(*alg)) {
    return TEE_ERROR_NOT_SUPPORTED;
  }
  if (alg->key_type != 0 && !captee::gp_ta::object_size_valid(alg->key_type, maxKeySize)) {
    return TEE_ERROR_NOT_SUPPORTED;
  }
  auto *op = new (std::nothrow) __TEE_OperationHandle;
  if (op == nullptr) {
    return TEE_ERROR_OUT_OF_MEMORY;
  }
  op->alg = alg;
  op->info.algorithm = algorithm;
  op->info.operationClass = alg->operation_class;
  op->info.mode = mode;
  op->info.requiredKeyUsage = captee::gp_ta::required_usage(mode);
  const bool xts =
      alg->cipher_mode == CipherMode::kXts && alg->operation_class == TEE_OPERATION_CIPHER;
  if (alg->key_type != 0) {
    op->info.maxKeySize = maxKeySize;
    if (xts) {
      op->info.handleState = TEE_HANDLE_FLAG_EXPECT_TWO_KEYS;
    }
  } else {
    // A digest needs no key and is ready at once.
    op->info.handleState = TEE_HANDLE_FLAG_KEY_SET | TEE_HANDLE_FLAG_INITIALIZED;
  }
  // Room for the largest key the operation may take (a generic secret for
  // an HMAC is at most that large too).
  // An RSA or ECC key is shared with its object (op->pkey), never copied in.
  const bool key_bytes =
      alg->key_type != 0 && alg->rsa == RsaScheme::kNone && alg->ec == EcScheme::kNone;
  if (!captee::gp_ta::make_contexts(op) ||
      (key_bytes && !op->key.reserve((xts ? 2 : 1) * (maxKeySize / 8)))) {
    captee::gp_ta::destroy(op);
    return TEE_ERROR_OUT_OF_MEMORY;
  }
  {
    std::lock_guard lock(captee::gp_ta::g_mu);
    try {
      captee::gp_ta::g_operations.insert(op);
    } catch (const std::bad_alloc &) {
      captee::gp_ta::destroy(op);
      return TEE_ERROR_OUT_OF_MEMORY;
    }
  }
  *operation = op;
  return TEE_SUCCESS;
}

void TEE_FreeOperation(TEE_OperationHandle operation) {
  if (operation == TEE_HANDLE_NULL) {
    return;
  }
  __TEE_OperationHandle *op = operation_or_panic(operation, 0);
  {
    std::lock_guard lock(captee::gp_ta::g_mu);
    captee::gp_ta::g_operations.erase(op);
  }
  captee::gp_ta::destroy(op);
}

void TEE_GetOperationInfo(TEE_OperationHandle operation, TEE_OperationInfo *operationInfo) {
  const __TEE_OperationHandle *op = operation_or_panic(operation, 0);
  if (operationInfo == nullptr) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  *operationInfo = op->info;
}

TEE_Result TEE_GetOperationInfoMultiple(TEE_OperationHandle operation,
                                        TEE_OperationInfoMultiple *operationInfoMultiple,
                                        size_t *operationSize) {
  const __TEE_OperationHandle *op = operation_or_panic(operation, 0);
  if (operationInfoMultiple == nullptr || operationSize == nullptr) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  uint32_t keys = op->info.operationClass == TEE_OPERATION_DIGEST ? 0 : 1;
  if (captee::gp_ta::two_keys(op)) {
    keys = 2;
  }
  const size_t needed = sizeof(TEE_OperationInfoMultiple) + keys * sizeof(TEE_OperationInfoKey);
  if (*operationSize < needed) {
    *operationSize = needed;
    return TEE_ERROR_SHORT_BUFFER;
  }
  TEE_OperationInfoMultiple *m = operationInfoMultiple;
  m->algorithm = op->info.algorithm;
  m->operationClass = op->info.operationClass;
  m->mode = op->info.mode;
  m->digestLength = op->info.digestLength;
  m->maxKeySize = op->info.maxKeySize;
  m->handleState = op->info.handleState;
  m->operationState = op->state;
  m->numberOfKeys = keys;
  for (uint32_t i = 0; i < keys; ++i) {
    // Both keys of a two-key operation are of one size.
    m->keyInformation[i].keySize = op->info.keySize;
    m->keyInformation[i].requiredKeyUsage = op->info.requiredKeyUsage;
  }
  *operationSize = needed;
  return TEE_SUCCESS;
}

void TEE_ResetOperation(TEE_OperationHandle operation) {
  __TEE_OperationHandle *op = operation_or_panic(operation, 0);
  captee::gp_ta::require_key(op);
  captee::gp_ta::to_initial_state(op);
}

TEE_Result TEE_SetOperationKey(TEE_OperationHandle operation, TEE_ObjectHandle key) {
  __TEE_OperationHandle *op = operation_or_panic(operation, 0);
  // A digest takes no key, a two-key operation takes TEE_SetOperationKey2;
  // a key changes only between operations.
  if (op->info.operationClass == TEE_OPERATION_DIGEST || captee::gp_ta::two_keys(op) ||
      op->state != TEE_OPERATION_STATE_INITIAL) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  if (key == TEE_HANDLE_NULL) {
    // Clears the key, as the specification says.
    op->key.clear();
    EVP_PKEY_free(op->pkey);
    op->pkey = nullptr;
    op->info.keySize = 0;
    op->info.handleState = captee::gp_ta::fixed_flags(op);
    return TEE_SUCCESS;
  }
  const __TEE_ObjectHandle *k = captee::gp_ta::object_or_panic(key);
  if ((k->info.handleFlags & TEE_HANDLE_FLAG_INITIALIZED) == 0 || !captee::gp_ta::key_fits(op, k) ||
      (k->info.objectUsage & op->info.requiredKeyUsage) != op->info.requiredKeyUsage) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  if (k->pkey != nullptr) {
    if (EVP_PKEY_up_ref(k->pkey) != 1) {
      TEE_Panic(TEE_ERROR_GENERIC);
    }
    EVP_PKEY_free(op->pkey);
    op->pkey = k->pkey;
  } else if (!op->key.assign(k->secret.data(), k->secret.size()) ||
             !captee::gp_ta::fetch_cipher(op)) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  op->info.keySize = k->info.objectSize;
  op->info.handleState = captee::gp_ta::fixed_flags(op) | TEE_HANDLE_FLAG_KEY_SET;
  return TEE_SUCCESS;
}

TEE_Result TEE_SetOperationKey2(TEE_OperationHandle operation, TEE_ObjectHandle key1,
                                TEE_ObjectHandle key2) {
  __TEE_OperationHandle *op = operation_or_panic(operation, 0);
  // Only AES-XTS takes two keys here (SM2 key exchange is not implemented).
  if (!captee::gp_ta::two_keys(op) || op->state != TEE_OPERATION_STATE_INITIAL) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  if (key1 == TEE_HANDLE_NULL && key2 == TEE_HANDLE_NULL) {
    op->key.clear();
    op->info.keySize = 0;
    op->info.handleState = captee::gp_ta::fixed_flags(op);
    return TEE_SUCCESS;
  }
  const __TEE_ObjectHandle *k1 = captee::gp_ta::object_or_panic(key1);
  const __TEE_ObjectHandle *k2 = captee::gp_ta::object_or_panic(key2);
  for (const __TEE_ObjectHandle *k : {k1, k2}) {
    if ((k->info.handleFlags & TEE_HANDLE_FLAG_INITIALIZED) == 0 ||
        !captee::gp_ta::key_fits(op, k) ||
        (k->info.objectUsage & op->info.requiredKeyUsage) != op->info.requiredKeyUsage) {
      TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
    }
  }
  const size_t len = k1->secret.size();
  if (k2->secret.size() != len) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  // XTS with one key twice is no XTS (IEEE 1619, and OpenSSL refuses it):
  // the specification's TEE_ERROR_SECURITY.
  if (CRYPTO_memcmp(k1->secret.data(), k2->secret.data(), len) == 0) {
    return TEE_ERROR_SECURITY;
  }
  op->key.clear();
  if (!op->key.resize(2 * len)) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  TEE_MemMove(op->key.data(), k1->secret.data(), len);
  TEE_MemMove(op->key.data() + len, k2->secret.data(), len);
  if (!captee::gp_ta::fetch_cipher(op)) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  op->info.keySize = k1->info.objectSize;
  op->info.handleState = captee::gp_ta::fixed_flags(op) | TEE_HANDLE_FLAG_KEY_SET;
  return TEE_SUCCESS;
}

void TEE_CopyOperation(TEE_OperationHandle dstOperation, TEE_OperationHandle srcOperation) {
  __TEE_OperationHandle *dst = operation_or_panic(dstOperation, 0);
  const __TEE_OperationHandle *src = operation_or_panic(srcOperation, 0);
  if (dst == src || dst->info.algorithm != src->info.algorithm ||
      dst->info.mode != src->info.mode || src->info.keySize > dst->info.maxKeySize) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  if (!dst->key.assign(src->key.data(), src->key.size())) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  if (src->pkey != nullptr && EVP_PKEY_up_ref(src->pkey) != 1) {
    TEE_Panic(TEE_ERROR_GENERIC);
  }
  EVP_PKEY_free(dst->pkey);
  dst->pkey = src->pkey;
  EVP_CIPHER_free(dst->cipher);
  dst->cipher = src->cipher;
  if (dst->cipher != nullptr && EVP_CIPHER_up_ref(dst->cipher) != 1) {
    TEE_Panic(TEE_ERROR_GENERIC);
  }
  bool ok = true;
  if (src->md_ctx != nullptr) {
    ok = EVP_MD_CTX_copy_ex(dst->md_ctx, src->md_ctx) == 1;
  }
  if (ok && src->cipher_ctx != nullptr) {
    if (dst->cipher_ctx == nullptr) {
      dst->cipher_ctx = EVP_CIPHER_CTX_new();
    }
    ok = dst->cipher_ctx != nullptr && EVP_CIPHER_CTX_copy(dst->cipher_ctx, src->cipher_ctx) == 1;
  }
  if (ok) {
    EVP_MAC_CTX_free(dst->mac_ctx);
    dst->mac_ctx = nullptr;
    if (src->mac_ctx != nullptr) {
      dst->mac_ctx = EVP_MAC_CTX_dup(src->mac_ctx);
      ok = dst->mac_ctx != nullptr;
    }
  }
  EVP_CIPHER_free(dst->cts_ecb);
  dst->cts_ecb = src->cts_ecb;
  if (dst->cts_ecb != nullptr && EVP_CIPHER_up_ref(dst->cts_ecb) != 1) {
    TEE_Panic(TEE_ERROR_GENERIC);
  }
  if (ok && src->cts_ecb_ctx != nullptr) {
    if (dst->cts_ecb_ctx == nullptr) {
      dst->cts_ecb_ctx = EVP_CIPHER_CTX_new();
    }
    ok =
        dst->cts_ecb_ctx != nullptr && EVP_CIPHER_CTX_copy(dst->cts_ecb_ctx, src->cts_ecb_ctx) == 1;
  }
  if (!ok) {
    TEE_Panic(TEE_ERROR_OUT_OF_MEMORY);
  }
  TEE_MemMove(dst->cts_hold, src->cts_hold, sizeof dst->cts_hold);
  dst->info.keySize = src->info.keySize;
  dst->info.handleState = src->info.handleState;
  dst->state = src->state;
  dst->pending = src->pending;
  dst->extracted = src->extracted;
  TEE_MemMove(dst->last_block, src->last_block, sizeof dst->last_block);
  TEE_MemMove(dst->digest, src->digest, sizeof dst->digest);
  TEE_MemMove(dst->ae_nonce, src->ae_nonce, sizeof dst->ae_nonce);
  dst->ae_tag_len = src->ae_tag_len;
  dst->ae_aad_len = src->ae_aad_len;
  dst->ae_payload_len = src->ae_payload_len;
  dst->ae_payload_started = src->ae_payload_started;
  try {
    dst->ae_aad = src->ae_aad;
    dst->deferred = src->deferred;
  } catch (const std::bad_alloc &) {
    TEE_Panic(TEE_ERROR_OUT_OF_MEMORY);
  }
}

// TEE_SUCCESS for an algorithm captee supports, with this OpenSSL; the
// symmetric and RSA algorithms take no element (TEE_CRYPTO_ELEMENT_NONE),
// the ECC ones a NIST curve (TEE_ECC_CURVE_*: theirs, for OP-TEE's older
// per-curve numbers), Ed25519 and X25519 TEE_ECC_CURVE_25519, SM2
// TEE_ECC_CURVE_SM2.
TEE_Result TEE_IsAlgorithmSupported(uint32_t algId, uint32_t element) {
  const Algorithm *alg = captee::gp_ta::find_algorithm(algId);
  if (alg == nullptr || !captee::gp_ta::algorithm_available(*alg)) {
    return TEE_ERROR_NOT_SUPPORTED;
  }
  if (alg->ec == EcScheme::kNone || alg->ec == EcScheme::kDh) {
    return element == TEE_CRYPTO_ELEMENT_NONE ? TEE_SUCCESS : TEE_ERROR_NOT_SUPPORTED;
  }
  if (alg->ec == EcScheme::kEd25519 || alg->ec == EcScheme::kX25519) {
    return element == TEE_ECC_CURVE_25519 ? TEE_SUCCESS : TEE_ERROR_NOT_SUPPORTED;
  }
  if (alg->ec == EcScheme::kSm2Dsa || alg->ec == EcScheme::kSm2Pke) {
    return element == TEE_ECC_CURVE_SM2 ? TEE_SUCCESS : TEE_ERROR_NOT_SUPPORTED;
  }
  const uint32_t bits = element == TEE_ECC_CURVE_NIST_P192   ? 192
                        : element == TEE_ECC_CURVE_NIST_P224 ? 224
                        : element == TEE_ECC_CURVE_NIST_P256 ? 256
                        : element == TEE_ECC_CURVE_NIST_P384 ? 384
                        : element == TEE_ECC_CURVE_NIST_P521 ? 521
                                                             : 0;
  if (bits == 0 || (alg->ec_bits != 0 && alg->ec_bits != bits)) {
    return TEE_ERROR_NOT_SUPPORTED;
  }
  return TEE_SUCCESS;
}

}  // extern "C"
