// Symmetric ciphers (GP 6.4): AES ECB/CBC/CTR and DES/3DES ECB/CBC, without
// padding, on OpenSSL's EVP_CIPHER. ECB and CBC hold back a partial block
// until the next call completes it; an output buffer too small is
// TEE_ERROR_SHORT_BUFFER with the size needed and nothing written or
// consumed.
#include <openssl/crypto.h>

#include "operations.hpp"
#include "tee_internal_api.h"

using captee::gp_ta::CipherMode;
using captee::gp_ta::operation_or_panic;

namespace {

__TEE_OperationHandle *cipher_or_panic(TEE_OperationHandle operation) {
  __TEE_OperationHandle *op = operation_or_panic(operation, TEE_OPERATION_CIPHER);
  captee::gp_ta::require_initialized(op);
  return op;
}

// Bytes the cipher has taken and not yet output, plus `len` more: the total
// it will have. An overflow is a length no buffer has (a panic).
size_t buffered_plus(const __TEE_OperationHandle *op, size_t len) {
  size_t total = 0;
  if (__builtin_add_overflow(op->pending, len, &total)) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  return total;
}

// What an update of `len` bytes outputs: CTR everything, ECB and CBC the
// whole blocks.
size_t update_output(const __TEE_OperationHandle *op, size_t len) {
  const size_t total = buffered_plus(op, len);
  if (op->alg->cipher_mode == CipherMode::kCtr) {
    return total;
  }
  return total - total % op->alg->block_size;
}

TEE_Result run(__TEE_OperationHandle *op, const void *src, size_t srcLen, void *dst, size_t *dstLen,
               size_t needed) {
  if ((src == nullptr && srcLen != 0) || dstLen == nullptr) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  if (*dstLen < needed) {
    *dstLen = needed;
    return TEE_ERROR_SHORT_BUFFER;
  }
  if (dst == nullptr && needed != 0) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  size_t written = 0;
  if (!captee::gp_ta::cipher_update(op->cipher_ctx, static_cast<uint8_t *>(dst),
                                    static_cast<const uint8_t *>(src), srcLen, &written) ||
      written != needed) {
    // Partly overlapping buffers, which the specification forbids.
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  const size_t total = buffered_plus(op, srcLen);
  op->pending = op->alg->cipher_mode == CipherMode::kCtr ? 0 : total % op->alg->block_size;
  *dstLen = written;
  op->state = TEE_OPERATION_STATE_ACTIVE;
  return TEE_SUCCESS;
}

}  // namespace

extern "C" {

void TEE_CipherInit(TEE_OperationHandle operation, const void *IV, size_t IVLen) {
  __TEE_OperationHandle *op = operation_or_panic(operation, TEE_OPERATION_CIPHER);
  captee::gp_ta::require_key(op);
  const bool needs_iv = op->alg->cipher_mode != CipherMode::kEcb;
  if (needs_iv && (IV == nullptr || IVLen != op->alg->block_size)) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  if (op->cipher_ctx == nullptr && (op->cipher_ctx = EVP_CIPHER_CTX_new()) == nullptr) {
    TEE_Panic(TEE_ERROR_OUT_OF_MEMORY);
  }
  const int enc = op->info.mode == TEE_MODE_ENCRYPT ? 1 : 0;
  if (EVP_CipherInit_ex2(op->cipher_ctx, op->cipher, op->key.data(),
                         needs_iv ? static_cast<const unsigned char *>(IV) : nullptr, enc,
                         nullptr) != 1 ||
      EVP_CIPHER_CTX_set_padding(op->cipher_ctx, 0) != 1) {
    TEE_Panic(TEE_ERROR_GENERIC);
  }
  op->pending = 0;
  op->info.handleState |= TEE_HANDLE_FLAG_INITIALIZED;
  op->state = TEE_OPERATION_STATE_ACTIVE;
}

TEE_Result TEE_CipherUpdate(TEE_OperationHandle operation, const void *srcData, size_t srcLen,
                            void *destData, size_t *destLen) {
  __TEE_OperationHandle *op = cipher_or_panic(operation);
  return run(op, srcData, srcLen, destData, destLen, update_output(op, srcLen));
}

TEE_Result TEE_CipherDoFinal(TEE_OperationHandle operation, const void *srcData, size_t srcLen,
                             void *destData, size_t *destLen) {
  __TEE_OperationHandle *op = cipher_or_panic(operation);
  const size_t total = buffered_plus(op, srcLen);
  // Without padding, ECB and CBC take whole blocks only.
  if (op->alg->cipher_mode != CipherMode::kCtr && total % op->alg->block_size != 0) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  TEE_Result r = run(op, srcData, srcLen, destData, destLen, total);
  if (r != TEE_SUCCESS) {
    return r;
  }
  uint8_t tail[16];
  int outl = 0;
  if (EVP_CipherFinal_ex(op->cipher_ctx, tail, &outl) != 1 || outl != 0) {
    TEE_Panic(TEE_ERROR_GENERIC);
  }
  captee::gp_ta::to_initial_state(op);
  return TEE_SUCCESS;
}

}  // extern "C"
