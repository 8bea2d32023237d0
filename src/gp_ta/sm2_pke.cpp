// TEE_ALG_SM2_PKE on OpenSSL's SM2 encryption (sm2.hpp): OpenSSL computes
// C1, C3 and C2 with SM3 (its default for SM2); captee only converts the
// ciphertext's form and checks what the TA gives before OpenSSL sees it.
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>

#include <new>
#include <vector>

#include "operations.hpp"
#include "secret_buffer.hpp"
#include "sm2.hpp"
#include "tee_internal_api.h"

namespace captee::gp_ta {

namespace {

// True if C1 (kSm2PointBytes at `c1`, uncompressed) is a point of the SM2
// curve (whose cofactor is 1, so any such point is in the group).
bool c1_on_curve(const uint8_t *c1) {
  EC_GROUP *group = EC_GROUP_new_by_curve_name(NID_sm2);
  EC_POINT *point = group != nullptr ? EC_POINT_new(group) : nullptr;
  // oct2point refuses a coordinate not below the field's prime.
  const bool ok = point != nullptr &&
                  EC_POINT_oct2point(group, point, c1, kSm2PointBytes, nullptr) == 1 &&
                  EC_POINT_is_on_curve(group, point, nullptr) == 1;
  EC_POINT_free(point);
  EC_GROUP_free(group);
  ERR_clear_error();
  return ok;
}

}  // namespace

TEE_Result sm2_encrypt(const __TEE_OperationHandle *op, const void *src, size_t src_len, void *dst,
                       size_t *dst_len) {
  // An empty message has no key stream that is not all zeros, which GB/T
  // 32918.4 rejects (OpenSSL refuses it too).
  if (src_len == 0 || src_len > kSm2MaxMessage) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  const size_t needed = kSm2Overhead + src_len;  // bounded: cannot wrap
  if (*dst_len < needed) {
    *dst_len = needed;
    return TEE_ERROR_SHORT_BUFFER;
  }
  if (dst == nullptr) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, op->pkey, nullptr);
  const auto *in = static_cast<const unsigned char *>(src);
  size_t der_len = 0;
  bool ok = ctx != nullptr && EVP_PKEY_encrypt_init(ctx) == 1 &&
            EVP_PKEY_encrypt(ctx, nullptr, &der_len, in, src_len) == 1;
  std::vector<uint8_t> der;
  try {
    der.resize(ok ? der_len : 0);
  } catch (const std::bad_alloc &) {
    ok = false;
  }
  ok = ok && EVP_PKEY_encrypt(ctx, der.data(), &der_len, in, src_len) == 1 &&
       der_len <= der.size() &&
       sm2_ciphertext_from_der(der.data(), der_len, static_cast<uint8_t *>(dst), needed);
  EVP_PKEY_CTX_free(ctx);
  ERR_clear_error();
  if (!ok) {
    // OpenSSL failing on a good key, or writing what it never writes.
    TEE_Panic(TEE_ERROR_GENERIC);
  }
  *dst_len = needed;
  return TEE_SUCCESS;
}

TEE_Result sm2_decrypt(const __TEE_OperationHandle *op, const void *src, size_t src_len, void *dst,
                       size_t *dst_len) {
  const auto *in = static_cast<const uint8_t *>(src);
  std::vector<uint8_t> der;
  // Too short (no C2 is too short: no message is empty), too long, C1
  // compressed or off the curve: not a ciphertext.
  if (src_len <= kSm2Overhead || src_len - kSm2Overhead > kSm2MaxMessage || !c1_on_curve(in) ||
      !sm2_ciphertext_to_der(in, src_len, &der)) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  // The message is exactly as long as C2.
  const size_t len = src_len - kSm2Overhead;
  if (*dst_len < len) {
    *dst_len = len;
    return TEE_ERROR_SHORT_BUFFER;
  }
  if (dst == nullptr) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  // The message goes to a buffer of its own first: nothing is written to
  // the TA's unless C3 matches.
  SecretBuffer plain;
  if (!plain.reserve(len)) {
    return TEE_ERROR_OUT_OF_MEMORY;
  }
  size_t written = len;
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, op->pkey, nullptr);
  const bool ok = ctx != nullptr && EVP_PKEY_decrypt_init(ctx) == 1 &&
                  EVP_PKEY_decrypt(ctx, plain.data(), &written, der.data(), der.size()) == 1 &&
                  written == len;
  EVP_PKEY_CTX_free(ctx);
  ERR_clear_error();
  if (!ok) {
    return TEE_ERROR_CIPHERTEXT_INVALID;
  }
  TEE_MemMove(dst, plain.data(), len);
  *dst_len = len;
  return TEE_SUCCESS;
}

}  // namespace captee::gp_ta
