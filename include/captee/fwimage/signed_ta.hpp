// OP-TEE's signed TA format (what its sign_encrypt.py writes and its TA
// loader reads), so TAs signed for OP-TEE and TAs the captee dev kit signs
// are the same bytes.
//
//   struct shdr (20 bytes, little-endian): magic 0x4f545348, img_type,
//     img_size, algo (TEE_ALG_*), hash_size (u16), sig_size (u16)
//   hash[hash_size]   SHA-256 over shdr, then the bootstrap header (type 1
//                     only), then the image
//   sig[sig_size]     RSA signature of that hash (PKCS#1 v1.5 or PSS with
//                     SHA-256 and a 32-byte salt)
//   type 1 (bootstrap TA) only: uuid[16] (RFC 4122 byte order), ta_version (u32)
//   image[img_size]   the TA's ELF, to the end of the file
//
// Encrypted TAs (type 2) and subkeys (type 3) are refused as NOT_SUPPORTED.
// Signing is in captee/fwimage/tools/sign_ta.hpp (captee-sign's library).
// Thread-safety: every function may run concurrently.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "captee/fwimage/keys.hpp"
#include "captee/fwimage/status.hpp"

namespace captee::fwimage {

inline constexpr uint32_t kShdrMagic = 0x4f545348;
inline constexpr uint32_t kShdrTa = 0;
inline constexpr uint32_t kShdrBootstrapTa = 1;
inline constexpr uint32_t kShdrEncryptedTa = 2;
inline constexpr uint32_t kShdrSubkey = 3;
inline constexpr size_t kShdrSize = 20;
inline constexpr size_t kShdrBootstrapSize = 20;
// TEE_ALG_RSASSA_PKCS1_V1_5_SHA256 and TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA256.
inline constexpr uint32_t kTaAlgRsaPkcs1Sha256 = 0x70004830;
inline constexpr uint32_t kTaAlgRsaPssSha256 = 0x70414930;

// A parsed signed TA: views into the caller's bytes, valid while they are.
struct SignedTa {
  uint32_t img_type = 0;
  uint32_t algo = 0;
  std::span<const uint8_t> shdr;       // the 20 header bytes, as hashed
  std::span<const uint8_t> bootstrap;  // type 1: the 20 bytes after sig; else empty
  std::span<const uint8_t> hash;
  std::span<const uint8_t> signature;
  std::span<const uint8_t> image;
  bool has_uuid = false;  // type 1 carries the TA's UUID
  std::array<uint8_t, 16> uuid{};
  uint32_t ta_version = 0;
};

// Whether `bytes` starts with the signed header's magic (an unsigned TA is an
// ELF and starts with 0x7f 'E' 'L' 'F').
bool looks_like_signed_ta(std::span<const uint8_t> bytes);

// Parses the framing. Every size is checked against the file with overflow-
// checked sums, and the image must run exactly to the end of the file.
// Errors: BAD_FORMAT "signed TA: ..." (magic, truncation, sizes, trailing
// bytes), NOT_SUPPORTED (encrypted TAs, subkeys, other image types or
// algorithms).
Result<SignedTa> parse_signed_ta(std::span<const uint8_t> bytes);

// Recomputes the hash and checks the signature against each key in turn.
// Returns the index in `keys` of the key that signed it.
// Errors: SECURITY "signed TA: hash mismatch" (any byte of header or image
// changed), SIGNATURE_INVALID "signed TA: signed by none of the N trusted
// keys", NOT_SUPPORTED (a non-RSA key is skipped; if none is RSA).
Result<size_t> verify_signed_ta(const SignedTa &ta, std::span<const PublicKey *const> keys);

}  // namespace captee::fwimage
