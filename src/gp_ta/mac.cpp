// MACs (GP 6.5): HMAC and AES-CMAC on OpenSSL's EVP_MAC, and the CBC-MACs
// (AES, DES, 3DES; with and without PKCS#5 padding) as the last block of a
// CBC encryption under a zero IV, which OpenSSL has no EVP_MAC for. The IV
// given to TEE_MACInit is ignored, as the specification says for these.
#include <openssl/core_names.h>
#include <openssl/crypto.h>

#include <string>

#include "operations.hpp"
#include "tee_internal_api.h"

using captee::gp_ta::MacKind;
using captee::gp_ta::operation_or_panic;

namespace {

__TEE_OperationHandle *mac_or_panic(TEE_OperationHandle operation) {
  return operation_or_panic(operation, TEE_OPERATION_MAC);
}

void start(__TEE_OperationHandle *op) {
  const captee::gp_ta::Algorithm &alg = *op->alg;
  op->pending = 0;
  OPENSSL_cleanse(op->last_block, sizeof op->last_block);
  if (alg.mac_kind == MacKind::kHmac || alg.mac_kind == MacKind::kCmac) {
    const bool hmac = alg.mac_kind == MacKind::kHmac;
    if (op->mac_ctx == nullptr) {
      EVP_MAC *mac = EVP_MAC_fetch(nullptr, hmac ? "HMAC" : "CMAC", nullptr);
      op->mac_ctx = mac == nullptr ? nullptr : EVP_MAC_CTX_new(mac);
      EVP_MAC_free(mac);  // the context keeps its own reference
      if (op->mac_ctx == nullptr) {
        TEE_Panic(TEE_ERROR_OUT_OF_MEMORY);
      }
    }
    std::string cipher;
    OSSL_PARAM params[2] = {OSSL_PARAM_END, OSSL_PARAM_END};
    if (hmac) {
      params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                                   const_cast<char *>(alg.openssl), 0);
    } else {
      cipher = EVP_CIPHER_get0_name(op->cipher);
      params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, cipher.data(), 0);
    }
    if (EVP_MAC_init(op->mac_ctx, op->key.data(), op->key.size(), params) != 1) {
      TEE_Panic(TEE_ERROR_GENERIC);
    }
    return;
  }
  if (op->cipher_ctx == nullptr && (op->cipher_ctx = EVP_CIPHER_CTX_new()) == nullptr) {
    TEE_Panic(TEE_ERROR_OUT_OF_MEMORY);
  }
  const uint8_t zero_iv[16] = {};
  if (EVP_EncryptInit_ex2(op->cipher_ctx, op->cipher, op->key.data(), zero_iv, nullptr) != 1 ||
      EVP_CIPHER_CTX_set_padding(op->cipher_ctx, alg.mac_kind == MacKind::kCbcMacPkcs5) != 1) {
    TEE_Panic(TEE_ERROR_GENERIC);
  }
}

// Keeps the last whole cipher block of `out` (the CBC-MAC so far).
void keep_last_block(__TEE_OperationHandle *op, const uint8_t *out, size_t written) {
  const size_t bs = op->alg->block_size;
  if (written >= bs) {
    TEE_MemMove(op->last_block, out + written - bs, bs);
  }
}

void update(__TEE_OperationHandle *op, const void *chunk, size_t chunkSize) {
  if (chunk == nullptr && chunkSize != 0) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  if (chunkSize == 0) {
    return;
  }
  const MacKind kind = op->alg->mac_kind;
  if (kind == MacKind::kHmac || kind == MacKind::kCmac) {
    if (EVP_MAC_update(op->mac_ctx, static_cast<const unsigned char *>(chunk), chunkSize) != 1) {
      TEE_Panic(TEE_ERROR_GENERIC);
    }
    return;
  }
  // The CBC-MACs: encrypt in slices through a scratch buffer, keeping only
  // the last block of each.
  constexpr size_t kSlice = 4096;
  uint8_t out[kSlice + 16];
  const auto *in = static_cast<const uint8_t *>(chunk);
  const size_t bs = op->alg->block_size;
  while (chunkSize > 0) {
    const size_t n = chunkSize < kSlice ? chunkSize : kSlice;
    size_t written = 0;
    if (!captee::gp_ta::cipher_update(op->cipher_ctx, out, in, n, &written)) {
      TEE_Panic(TEE_ERROR_GENERIC);
    }
    keep_last_block(op, out, written);
    op->pending = (op->pending + n) % bs;
    in += n;
    chunkSize -= n;
  }
  OPENSSL_cleanse(out, sizeof out);
}

// Finishes the MAC into `mac` (op->info.digestLength bytes of room).
void finish(__TEE_OperationHandle *op, uint8_t *mac) {
  const size_t len = op->info.digestLength;
  const MacKind kind = op->alg->mac_kind;
  if (kind == MacKind::kHmac || kind == MacKind::kCmac) {
    size_t outl = 0;
    if (EVP_MAC_final(op->mac_ctx, mac, &outl, len) != 1 || outl != len) {
      TEE_Panic(TEE_ERROR_GENERIC);
    }
    return;
  }
  if (kind == MacKind::kCbcMacNoPad && op->pending != 0) {
    // Without padding the message must be whole blocks.
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  uint8_t out[16];
  int outl = 0;
  if (EVP_EncryptFinal_ex(op->cipher_ctx, out, &outl) != 1 || outl < 0) {
    TEE_Panic(TEE_ERROR_GENERIC);
  }
  keep_last_block(op, out, static_cast<size_t>(outl));
  TEE_MemMove(mac, op->last_block, len);
  OPENSSL_cleanse(out, sizeof out);
}

}  // namespace

extern "C" {

void TEE_MACInit(TEE_OperationHandle operation, const void *IV, size_t IVLen) {
  __TEE_OperationHandle *op = mac_or_panic(operation);
  captee::gp_ta::require_key(op);
  (void)IV;
  (void)IVLen;
  start(op);
  op->info.handleState |= TEE_HANDLE_FLAG_INITIALIZED;
  op->state = TEE_OPERATION_STATE_ACTIVE;
}

void TEE_MACUpdate(TEE_OperationHandle operation, const void *chunk, size_t chunkSize) {
  __TEE_OperationHandle *op = mac_or_panic(operation);
  captee::gp_ta::require_initialized(op);
  update(op, chunk, chunkSize);
}

TEE_Result TEE_MACComputeFinal(TEE_OperationHandle operation, const void *message,
                               size_t messageLen, void *mac, size_t *macLen) {
  __TEE_OperationHandle *op = mac_or_panic(operation);
  captee::gp_ta::require_initialized(op);
  if (macLen == nullptr) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  const size_t needed = op->info.digestLength;
  if (*macLen < needed || mac == nullptr) {
    *macLen = needed;
    return TEE_ERROR_SHORT_BUFFER;
  }
  update(op, message, messageLen);
  finish(op, static_cast<uint8_t *>(mac));
  *macLen = needed;
  captee::gp_ta::to_initial_state(op);
  return TEE_SUCCESS;
}

TEE_Result TEE_MACCompareFinal(TEE_OperationHandle operation, const void *message,
                               size_t messageLen, const void *mac, size_t macLen) {
  __TEE_OperationHandle *op = mac_or_panic(operation);
  captee::gp_ta::require_initialized(op);
  if (mac == nullptr && macLen != 0) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  update(op, message, messageLen);
  uint8_t computed[EVP_MAX_MD_SIZE];
  finish(op, computed);
  const size_t len = op->info.digestLength;
  const bool same = macLen == len && CRYPTO_memcmp(computed, mac, len) == 0;
  OPENSSL_cleanse(computed, sizeof computed);
  captee::gp_ta::to_initial_state(op);
  return same ? TEE_SUCCESS : TEE_ERROR_MAC_INVALID;
}

}  // extern "C"
