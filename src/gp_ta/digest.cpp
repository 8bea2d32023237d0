// Message digests (GP 6.3) on OpenSSL's EVP_MD. An output buffer too small
// is TEE_ERROR_SHORT_BUFFER with the size needed, and the operation is left
// exactly as it was (the final chunk is not consumed).
#include <openssl/crypto.h>

#include "operations.hpp"
#include "tee_internal_api.h"

using captee::gp_ta::operation_or_panic;

namespace {

__TEE_OperationHandle *digest_or_panic(TEE_OperationHandle operation) {
  return operation_or_panic(operation, TEE_OPERATION_DIGEST);
}

void update(__TEE_OperationHandle *op, const void *chunk, size_t chunkSize) {
  if (chunk == nullptr && chunkSize != 0) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  // Data after extraction has begun is a programming error.
  if (op->state == TEE_OPERATION_STATE_EXTRACTING) {
    TEE_Panic(TEE_ERROR_BAD_STATE);
  }
  if (chunkSize != 0 && EVP_DigestUpdate(op->md_ctx, chunk, chunkSize) != 1) {
    TEE_Panic(TEE_ERROR_GENERIC);
  }
  op->state = TEE_OPERATION_STATE_ACTIVE;
}

}  // namespace

extern "C" {

void TEE_DigestUpdate(TEE_OperationHandle operation, const void *chunk, size_t chunkSize) {
  update(digest_or_panic(operation), chunk, chunkSize);
}

TEE_Result TEE_DigestDoFinal(TEE_OperationHandle operation, const void *chunk, size_t chunkLen,
                             void *hash, size_t *hashLen) {
  __TEE_OperationHandle *op = digest_or_panic(operation);
  if (hashLen == nullptr || op->state == TEE_OPERATION_STATE_EXTRACTING) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  const size_t needed = op->info.digestLength;
  if (*hashLen < needed || hash == nullptr) {
    *hashLen = needed;
    return TEE_ERROR_SHORT_BUFFER;
  }
  update(op, chunk, chunkLen);
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(op->md_ctx, static_cast<unsigned char *>(hash), &len) != 1) {
    TEE_Panic(TEE_ERROR_GENERIC);
  }
  *hashLen = len;
  captee::gp_ta::to_initial_state(op);
  return TEE_SUCCESS;
}

// Hands out the digest in pieces: the first call finishes it, each call
// takes up to *hashLen bytes of what is left. No further data is accepted
// until a reset or a final.
TEE_Result TEE_DigestExtract(TEE_OperationHandle operation, void *hash, size_t *hashLen) {
  __TEE_OperationHandle *op = digest_or_panic(operation);
  if (hashLen == nullptr || (hash == nullptr && *hashLen != 0)) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  if (op->state != TEE_OPERATION_STATE_EXTRACTING) {
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(op->md_ctx, op->digest, &len) != 1 || len != op->info.digestLength) {
      TEE_Panic(TEE_ERROR_GENERIC);
    }
    op->state = TEE_OPERATION_STATE_EXTRACTING;
    op->extracted = 0;
  }
  const size_t left = op->info.digestLength - op->extracted;
  const size_t n = *hashLen < left ? *hashLen : left;
  if (n != 0) {
    TEE_MemMove(hash, op->digest + op->extracted, n);
  }
  op->extracted += n;
  *hashLen = n;
  return TEE_SUCCESS;
}

}  // extern "C"
