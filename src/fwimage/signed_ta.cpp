// OP-TEE's signed TA format: parsing and verification (what capteed runs
// before a TA byte is handed to a TA host). See signed_ta.hpp for the layout.
#include "captee/fwimage/signed_ta.hpp"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <memory>
#include <string>

#include "captee/detail/little_endian.hpp"
#include "signed_ta_crypto.hpp"

namespace captee::fwimage {
namespace {

using detail::load_le16;
using detail::load_le32;

FwError bad_format(const std::string &what) {
  return FwError{TeeResult::kBadFormat, "signed TA: " + what};
}

}  // namespace

bool looks_like_signed_ta(std::span<const uint8_t> bytes) {
  return bytes.size() >= 4 && load_le32(bytes.data()) == kShdrMagic;
}

Result<SignedTa> parse_signed_ta(std::span<const uint8_t> bytes) {
  if (bytes.size() < kShdrSize) {
    return bad_format("shorter than its " + std::to_string(kShdrSize) + "-byte header");
  }
  const uint8_t *p = bytes.data();
  if (load_le32(p) != kShdrMagic) {
    return bad_format("no signed-header magic");
  }
  SignedTa ta;
  ta.img_type = load_le32(p + 4);
  const uint32_t img_size = load_le32(p + 8);
  ta.algo = load_le32(p + 12);
  const uint16_t hash_size = load_le16(p + 16);
  const uint16_t sig_size = load_le16(p + 18);
  if (ta.img_type == kShdrEncryptedTa || ta.img_type == kShdrSubkey) {
    return FwError{TeeResult::kNotSupported,
                   std::string("signed TA: ") +
                       (ta.img_type == kShdrEncryptedTa ? "encrypted TAs" : "subkey chains") +
                       " are not supported"};
  }
  if (ta.img_type != kShdrTa && ta.img_type != kShdrBootstrapTa) {
    return FwError{TeeResult::kNotSupported,
                   "signed TA: image type " + std::to_string(ta.img_type) + " is not supported"};
  }
  if (ta.algo != kTaAlgRsaPkcs1Sha256 && ta.algo != kTaAlgRsaPssSha256) {
    return FwError{TeeResult::kNotSupported,
                   "signed TA: algorithm " + std::to_string(ta.algo) + " is not supported"};
  }
  if (hash_size != kSha256Length) {
    return bad_format("hash size " + std::to_string(hash_size) + " is not SHA-256's 32");
  }
  if (sig_size == 0) {
    return bad_format("no signature");
  }
  const size_t bootstrap = ta.img_type == kShdrBootstrapTa ? kShdrBootstrapSize : 0;
  size_t image_at = 0;
  size_t end = 0;
  if (__builtin_add_overflow(kShdrSize + size_t{hash_size}, size_t{sig_size}, &image_at) ||
      __builtin_add_overflow(image_at, bootstrap, &image_at) ||
      __builtin_add_overflow(image_at, size_t{img_size}, &end)) {
    return bad_format("sizes overflow");
  }
  if (end > bytes.size()) {
    return bad_format("truncated: the header announces " + std::to_string(end) +
                      " bytes, the file has " + std::to_string(bytes.size()));
  }
  if (end < bytes.size()) {
    return bad_format(std::to_string(bytes.size() - end) + " bytes after the image");
  }
  if (img_size == 0) {
    return bad_format("empty image");
  }
  ta.shdr = bytes.subspan(0, kShdrSize);
  ta.hash = bytes.subspan(kShdrSize, hash_size);
  ta.signature = bytes.subspan(kShdrSize + hash_size, sig_size);
  ta.bootstrap = bytes.subspan(kShdrSize + hash_size + sig_size, bootstrap);
  ta.image = bytes.subspan(image_at, img_size);
  if (bootstrap != 0) {
    ta.has_uuid = true;
    std::copy(ta.bootstrap.begin(), ta.bootstrap.begin() + 16, ta.uuid.begin());
    ta.ta_version = load_le32(ta.bootstrap.data() + 16);
  }
  return ta;
}

Result<size_t> verify_signed_ta(const SignedTa &ta, std::span<const PublicKey *const> keys) {
  const auto digest = signed_ta_digest(ta.shdr, ta.bootstrap, ta.image);
  if (!digest) {
    return digest.error();
  }
  if (CRYPTO_memcmp(digest->data(), ta.hash.data(), kSha256Length) != 0) {
    return FwError{TeeResult::kSecurity, "signed TA: hash mismatch (header or image changed)"};
  }
  size_t rsa_keys = 0;
  for (size_t i = 0; i < keys.size(); ++i) {
    const PublicKey *key = keys[i];
    if (key == nullptr || key->algorithm() != KeyAlgorithm::kRsa) {
      continue;
    }
    ++rsa_keys;
    if (ta.signature.size() == key->signature_size() &&
        rsa_verify_digest(ta.algo, digest.value(), ta.signature, key->evp())) {
      return i;
    }
  }
  if (rsa_keys == 0) {
    return FwError{TeeResult::kNotSupported, "signed TA: no RSA key is trusted"};
  }
  return FwError{TeeResult::kSignatureInvalid,
                 "signed TA: signed by none of the " + std::to_string(rsa_keys) + " trusted keys"};
}

}  // namespace captee::fwimage
