// The OpenSSL steps the signed-TA verifier and signer share.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "captee/fwimage/status.hpp"

typedef struct evp_pkey_st EVP_PKEY;

namespace captee::fwimage {

inline constexpr size_t kSha256Length = 32;
using TaDigest = std::array<uint8_t, kSha256Length>;

// SHA-256 over shdr, then bootstrap (may be empty), then image.
// Errors: GENERIC when OpenSSL fails.
Result<TaDigest> signed_ta_digest(std::span<const uint8_t> shdr, std::span<const uint8_t> bootstrap,
                                  std::span<const uint8_t> image);

// Sets the RSA padding `algo` names on a signing or verifying context
// (PKCS#1 v1.5, or PSS with MGF1-SHA-256 and a 32-byte salt, as OP-TEE).
bool set_ta_padding(struct evp_pkey_ctx_st *ctx, uint32_t algo);

// Whether `signature` is `key`'s signature of `digest` under `algo`.
bool rsa_verify_digest(uint32_t algo, const TaDigest &digest, std::span<const uint8_t> signature,
                       EVP_PKEY *key);

}  // namespace captee::fwimage
