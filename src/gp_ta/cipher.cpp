// Symmetric ciphers (GP 6.4) on OpenSSL's EVP_CIPHER: AES ECB/CBC/CTR/CTS/XTS
// and DES/3DES ECB/CBC, without padding. ECB and CBC hold back a partial
// block until the next call completes it; CTS holds back the last one or two
// blocks, which its final steals from (CBC-CS3, as RFC 3962: OpenSSL 3.0's
// CTS is one-shot); XTS, one-shot in OpenSSL, keeps its data until the
// final (TEE_CipherUpdate outputs nothing). An output buffer too small is
// TEE_ERROR_SHORT_BUFFER with the size needed and nothing written or
// consumed.
#include <openssl/crypto.h>

#include <cstdint>
#include <new>
#include <vector>

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

CipherMode mode_of(const __TEE_OperationHandle *op) {
  return op->alg->cipher_mode;
}

// Bytes taken and not yet output, plus `len` more. An overflow is a length
// no buffer has (a panic).
size_t buffered_plus(const __TEE_OperationHandle *op, size_t len) {
  size_t total = 0;
  const size_t held = mode_of(op) == CipherMode::kXts ? op->deferred.size() : op->pending;
  if (__builtin_add_overflow(held, len, &total)) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  return total;
}

// What CTS keeps of `total` bytes for its final: all of up to two blocks,
// else the last partial block and the whole one before it (two whole
// blocks when nothing is partial).
size_t cts_hold_size(size_t total, size_t bs) {
  if (total <= 2 * bs) {
    return total;
  }
  return total % bs == 0 ? 2 * bs : bs + total % bs;
}

// What an update of `len` bytes outputs.
size_t update_output(const __TEE_OperationHandle *op, size_t len) {
  const size_t total = buffered_plus(op, len);
  const size_t bs = op->alg->block_size;
  switch (mode_of(op)) {
    case CipherMode::kCtr:
      return total;
    case CipherMode::kCts:
      return total - cts_hold_size(total, bs);
    case CipherMode::kXts:
      return 0;
    default:
      return total - total % bs;
  }
}

void check_buffers(const void *src, size_t srcLen, const size_t *dstLen) {
  if ((src == nullptr && srcLen != 0) || dstLen == nullptr) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
}

// The input, or a copy of it if it overlaps the output: held bytes make the
// output run ahead of the input, so even buffers starting at one address
// (which the specification allows) would have input overwritten before it
// is read.
const uint8_t *input_apart(const void *src, size_t len, const void *dst, size_t dst_len,
                           std::vector<uint8_t> *copy) {
  const auto s = reinterpret_cast<uintptr_t>(src);
  const auto d = reinterpret_cast<uintptr_t>(dst);
  if (len == 0 || dst == nullptr || dst_len == 0 || s + len <= d || d + dst_len <= s) {
    return static_cast<const uint8_t *>(src);
  }
  try {
    copy->assign(static_cast<const uint8_t *>(src), static_cast<const uint8_t *>(src) + len);
  } catch (const std::bad_alloc &) {
    TEE_Panic(TEE_ERROR_OUT_OF_MEMORY);
  }
  return copy->data();
}

void wipe(std::vector<uint8_t> *buf) {
  if (!buf->empty()) {
    OPENSSL_cleanse(buf->data(), buf->size());
  }
  buf->clear();
}

// Runs `len` bytes through `ctx` into `out`, which must
// get exactly `expect` bytes (partly overlapping buffers, which the
// specification forbids, make OpenSSL refuse: a panic).
void through(EVP_CIPHER_CTX *ctx, uint8_t *out, const uint8_t *in, size_t len, size_t expect) {
  size_t written = 0;
  if (!captee::gp_ta::cipher_update(ctx, out, in, len, &written) || written != expect) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
}

// CTS update: whole blocks go through CBC, the rest joins the held bytes.
void cts_update(__TEE_OperationHandle *op, const uint8_t *src, size_t len, uint8_t *dst,
                size_t out) {
  const size_t bs = op->alg->block_size;
  const size_t from_hold = op->pending < out ? op->pending : out;
  const size_t from_src = out - from_hold;
  // The CBC context holds nothing between calls (each feeds whole blocks),
  // so the held part outputs its whole blocks and the input the rest.
  const size_t first = from_hold - from_hold % bs;
  if (from_hold > 0) {
    through(op->cipher_ctx, dst, op->cts_hold, from_hold, first);
  }
  if (from_src > 0) {
    through(op->cipher_ctx, dst + first, src, from_src, out - first);
  }
  // What stays: the rest of the held bytes, then the rest of the input.
  uint8_t hold[sizeof op->cts_hold];
  const size_t keep_old = op->pending - from_hold;
  const size_t keep_new = len - from_src;
  if (keep_old + keep_new > sizeof hold) {
    TEE_Panic(TEE_ERROR_GENERIC);  // cts_hold_size() keeps at most two blocks
  }
  TEE_MemMove(hold, op->cts_hold + from_hold, keep_old);
  TEE_MemMove(hold + keep_old, src + from_src, keep_new);
  TEE_MemMove(op->cts_hold, hold, keep_old + keep_new);
  OPENSSL_cleanse(hold, sizeof hold);
  op->pending = keep_old + keep_new;
}

// CTS final over the held bytes (one block, or more than one and at most
// two): CBC, then the last two blocks swapped and the second-last cut to
// the length of the last (CS3).
void cts_final(__TEE_OperationHandle *op, uint8_t *dst) {
  const size_t bs = op->alg->block_size;
  const size_t h = op->pending;
  uint8_t *held = op->cts_hold;
  if (h == bs) {
    through(op->cipher_ctx, dst, held, bs, bs);
    return;
  }
  const size_t d = h - bs;  // 1 to bs bytes in the last block
  uint8_t x[16];
  uint8_t y[16] = {};
  if (op->info.mode == TEE_MODE_ENCRYPT) {
    through(op->cipher_ctx, x, held, bs, bs);  // C(n-1), whole
    TEE_MemMove(y, held + bs, d);              // P(n) padded with zeros
    through(op->cipher_ctx, y, y, bs, bs);     // C(n)
    TEE_MemMove(dst, y, bs);
    TEE_MemMove(dst + bs, x, d);
  } else {
    // D = the raw decryption of C(n): P(n) ^ C(n-1) and, past d, C(n-1)'s
    // bytes the encryption cut off.
    through(op->cts_ecb_ctx, y, held, bs, bs);
    TEE_MemMove(x, held + bs, d);
    TEE_MemMove(x + d, y + d, bs - d);  // C(n-1), whole again
    for (size_t i = 0; i < d; ++i) {
      y[i] ^= x[i];  // P(n)
    }
    through(op->cipher_ctx, dst, x, bs, bs);  // P(n-1)
    TEE_MemMove(dst + bs, y, d);
  }
  OPENSSL_cleanse(x, sizeof x);
  OPENSSL_cleanse(y, sizeof y);
}

}  // namespace

extern "C" {

void TEE_CipherInit(TEE_OperationHandle operation, const void *IV, size_t IVLen) {
  __TEE_OperationHandle *op = operation_or_panic(operation, TEE_OPERATION_CIPHER);
  captee::gp_ta::require_key(op);
  const bool needs_iv = mode_of(op) != CipherMode::kEcb;
  if (needs_iv && (IV == nullptr || IVLen != op->alg->block_size)) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  if (op->cipher_ctx == nullptr && (op->cipher_ctx = EVP_CIPHER_CTX_new()) == nullptr) {
    TEE_Panic(TEE_ERROR_OUT_OF_MEMORY);
  }
  const int enc = op->info.mode == TEE_MODE_ENCRYPT ? 1 : 0;
  // CTS: the first key half is the whole key; XTS: both keys, as OpenSSL
  // takes them.
  if (EVP_CipherInit_ex2(op->cipher_ctx, op->cipher, op->key.data(),
                         needs_iv ? static_cast<const unsigned char *>(IV) : nullptr, enc,
                         nullptr) != 1 ||
      EVP_CIPHER_CTX_set_padding(op->cipher_ctx, 0) != 1) {
    TEE_Panic(TEE_ERROR_GENERIC);
  }
  if (mode_of(op) == CipherMode::kCts && !enc) {
    if (op->cts_ecb_ctx == nullptr && (op->cts_ecb_ctx = EVP_CIPHER_CTX_new()) == nullptr) {
      TEE_Panic(TEE_ERROR_OUT_OF_MEMORY);
    }
    if (EVP_CipherInit_ex2(op->cts_ecb_ctx, op->cts_ecb, op->key.data(), nullptr, 0, nullptr) !=
            1 ||
        EVP_CIPHER_CTX_set_padding(op->cts_ecb_ctx, 0) != 1) {
      TEE_Panic(TEE_ERROR_GENERIC);
    }
  }
  op->pending = 0;
  OPENSSL_cleanse(op->cts_hold, sizeof op->cts_hold);
  wipe(&op->deferred);
  op->info.handleState |= TEE_HANDLE_FLAG_INITIALIZED;
  op->state = TEE_OPERATION_STATE_ACTIVE;
}

TEE_Result TEE_CipherUpdate(TEE_OperationHandle operation, const void *srcData, size_t srcLen,
                            void *destData, size_t *destLen) {
  __TEE_OperationHandle *op = cipher_or_panic(operation);
  check_buffers(srcData, srcLen, destLen);
  const size_t needed = update_output(op, srcLen);
  if (*destLen < needed) {
    *destLen = needed;
    return TEE_ERROR_SHORT_BUFFER;
  }
  if (destData == nullptr && needed != 0) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  std::vector<uint8_t> copy;
  const uint8_t *src = input_apart(srcData, srcLen, destData, needed, &copy);
  auto *dst = static_cast<uint8_t *>(destData);
  switch (mode_of(op)) {
    case CipherMode::kXts:
      try {
        op->deferred.insert(op->deferred.end(), src, src + srcLen);
      } catch (const std::bad_alloc &) {
        TEE_Panic(TEE_ERROR_OUT_OF_MEMORY);
      }
      break;
    case CipherMode::kCts:
      cts_update(op, src, srcLen, dst, needed);
      break;
    default: {
      const size_t total = buffered_plus(op, srcLen);
      through(op->cipher_ctx, dst, src, srcLen, needed);
      op->pending = mode_of(op) == CipherMode::kCtr ? 0 : total % op->alg->block_size;
    }
  }
  wipe(&copy);
  *destLen = needed;
  return TEE_SUCCESS;
}

TEE_Result TEE_CipherDoFinal(TEE_OperationHandle operation, const void *srcData, size_t srcLen,
                             void *destData, size_t *destLen) {
  __TEE_OperationHandle *op = cipher_or_panic(operation);
  check_buffers(srcData, srcLen, destLen);
  const size_t total = buffered_plus(op, srcLen);
  const size_t bs = op->alg->block_size;
  const CipherMode mode = mode_of(op);
  // Without padding, ECB and CBC take whole blocks only; CTS and XTS at
  // least one block (or, for CTS, nothing at all).
  if (((mode == CipherMode::kEcb || mode == CipherMode::kCbc) && total % bs != 0) ||
      (mode == CipherMode::kCts && total != 0 && total < bs) ||
      (mode == CipherMode::kXts && total < bs)) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  if (*destLen < total) {
    *destLen = total;
    return TEE_ERROR_SHORT_BUFFER;
  }
  if (destData == nullptr && total != 0) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  std::vector<uint8_t> copy;
  const uint8_t *src = input_apart(srcData, srcLen, destData, total, &copy);
  auto *dst = static_cast<uint8_t *>(destData);
  if (mode == CipherMode::kXts) {
    try {
      op->deferred.insert(op->deferred.end(), src, src + srcLen);
    } catch (const std::bad_alloc &) {
      TEE_Panic(TEE_ERROR_OUT_OF_MEMORY);
    }
    // One call: OpenSSL's XTS treats each update as a whole data unit.
    through(op->cipher_ctx, dst, op->deferred.data(), total, total);
  } else if (mode == CipherMode::kCts) {
    const size_t out = total - cts_hold_size(total, bs);
    cts_update(op, src, srcLen, dst, out);
    if (op->pending != 0) {
      cts_final(op, dst + out);
    }
  } else {
    through(op->cipher_ctx, dst, src, srcLen, total);
  }
  uint8_t tail[16];
  int outl = 0;
  if (EVP_CipherFinal_ex(op->cipher_ctx, tail, &outl) != 1 || outl != 0) {
    TEE_Panic(TEE_ERROR_GENERIC);
  }
  wipe(&copy);
  *destLen = total;
  captee::gp_ta::to_initial_state(op);
  return TEE_SUCCESS;
}

}  // extern "C"
