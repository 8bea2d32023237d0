// Building signed firmware images, byte for byte as OP-TEE's
// scripts/sign_rproc_fw.py does.
//
// TLV order: SIGNTYPE, NUM_IMG, IMGTYPE, IMGSIZE, HASHTYPE, HASHTABLE,
// [PKEYINFO], [platform TLVs]. RSA PKCS#1 v1.5 signing is deterministic, so for
// the same inputs and RSA key the output equals the script's. ECDSA output
// differs per run (random k) but verifies the same way.
// Thread-safety: safe to call concurrently, also with the same PrivateKey.
// Secrets: the private key stays inside OpenSSL (freed with cleansing); no
// copy of it is made here.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "captee/fwimage/keys.hpp"
#include "captee/fwimage/status.hpp"

namespace captee::fwimage {

struct PlatformTlv {
  uint32_t type = 0;
  std::vector<uint8_t> value;
};

// Converts one `--plat-tlv ID VALUE` pair with the script's rules: ID is a
// Python-style integer literal (0x.., 0o.., 0b.. or decimal) in
// 0x10000..0x1FFFF; a VALUE starting with "0x" becomes a 4-byte little-endian
// integer, anything else its UTF-8 bytes (no NUL).
// Errors: BAD_PARAMETERS naming the bad ID or value.
Result<PlatformTlv> parse_platform_tlv(std::string_view id, std::string_view value);

// Adds `tlv` to `list` as the script's dict does: a repeated ID keeps its first
// position and takes the last value.
void add_platform_tlv(std::vector<PlatformTlv> &list, PlatformTlv tlv);

struct SignRequest {
  // ELF32 ARM images, in bundle order. Borrowed for the call.
  std::vector<std::span<const uint8_t>> images;
  // The sign type the user asked for (--key_type); must match the key.
  uint8_t sign_type = 1;
  std::optional<std::vector<uint8_t>> key_info;  // PKEYINFO
  std::vector<PlatformTlv> platform_tlvs;
};

// The TLV area (already 8-aligned) for `request`, without signing.
// Errors: BAD_FORMAT naming the image ("image 1: ELF: ..."), BAD_PARAMETERS.
Result<std::vector<uint8_t>> build_tlv_area(const SignRequest &request);

// Builds and signs the full image. Like OP-TEE's script it signs any ARM ELF
// whatever its resource table holds; when `warnings` is given it receives one
// sentence per thing a loader will do differently from what the image seems
// to ask (see loading_warnings). Errors as build_tlv_area, plus
// BAD_PARAMETERS when the key does not match sign_type, GENERIC if OpenSSL
// fails to sign.
Result<std::vector<uint8_t>> sign_images(const SignRequest &request, const PrivateKey &key,
                                         std::vector<std::string> *warnings = nullptr);

// What a loader makes of a signed image that differs from what it seems to
// ask: that the remoteproc TA will refuse it (a malformed resource table, two
// tables), or that the host will not find its resource table where it looks
// (table_not_found_warning). Empty for an image that loads as it reads.
std::vector<std::string> loading_warnings(std::span<const uint8_t> signed_image);

// Signs a 32-byte digest: RSA PKCS#1 v1.5 (modulus bytes) or ECDSA P-256 raw
// r||s (64 bytes).
Result<std::vector<uint8_t>> sign_digest(std::span<const uint8_t> digest, const PrivateKey &key);

}  // namespace captee::fwimage
