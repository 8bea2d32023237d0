// Signing a TA in OP-TEE's format (the dev kit's signing step, through
// captee-sign ta). Only signing tools link this.
#include <openssl/err.h>
#include <openssl/evp.h>

#include <memory>

#include "captee/detail/little_endian.hpp"
#include "captee/fwimage/tools/sign_ta.hpp"
#include "signed_ta_crypto.hpp"

namespace captee::fwimage {

Result<std::vector<uint8_t>> sign_ta(std::span<const uint8_t> elf,
                                     const std::array<uint8_t, 16> &uuid, uint32_t ta_version,
                                     uint32_t algo, const PrivateKey &key) {
  if (algo != kTaAlgRsaPkcs1Sha256 && algo != kTaAlgRsaPssSha256) {
    return FwError{TeeResult::kBadParameters,
                   "sign TA: the algorithm must be RSA PKCS#1 v1.5 "
                   "or PSS with SHA-256"};
  }
  if (key.algorithm() != KeyAlgorithm::kRsa) {
    return FwError{TeeResult::kBadParameters, "sign TA: OP-TEE's TA format needs an RSA key"};
  }
  if (elf.empty() || elf.size() > UINT32_MAX) {
    return FwError{TeeResult::kBadParameters, "sign TA: the image must be 1 byte to 4 GiB"};
  }
  const size_t sig_size = key.signature_size();
  if (sig_size > UINT16_MAX) {
    return FwError{TeeResult::kBadParameters, "sign TA: the key's signatures are too long"};
  }
  uint8_t shdr[kShdrSize];
  detail::store_le32(shdr, kShdrMagic);
  detail::store_le32(shdr + 4, kShdrBootstrapTa);
  detail::store_le32(shdr + 8, static_cast<uint32_t>(elf.size()));
  detail::store_le32(shdr + 12, algo);
  detail::store_le16(shdr + 16, static_cast<uint16_t>(kSha256Length));
  detail::store_le16(shdr + 18, static_cast<uint16_t>(sig_size));
  uint8_t bootstrap[kShdrBootstrapSize];
  std::copy(uuid.begin(), uuid.end(), bootstrap);
  detail::store_le32(bootstrap + 16, ta_version);

  const auto digest = signed_ta_digest(shdr, bootstrap, elf);
  if (!digest) {
    return digest.error();
  }
  std::vector<uint8_t> signature(sig_size);
  size_t written = signature.size();
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new_from_pkey(nullptr, key.evp(), nullptr), &EVP_PKEY_CTX_free);
  if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1 || !set_ta_padding(ctx.get(), algo) ||
      EVP_PKEY_sign(ctx.get(), signature.data(), &written, digest->data(), digest->size()) != 1 ||
      written != sig_size) {
    ERR_clear_error();
    return FwError{TeeResult::kGeneric, "sign TA: OpenSSL could not sign"};
  }
  std::vector<uint8_t> out;
  out.reserve(kShdrSize + kSha256Length + sig_size + kShdrBootstrapSize + elf.size());
  out.insert(out.end(), shdr, shdr + kShdrSize);
  out.insert(out.end(), digest->begin(), digest->end());
  out.insert(out.end(), signature.begin(), signature.end());
  out.insert(out.end(), bootstrap, bootstrap + kShdrBootstrapSize);
  out.insert(out.end(), elf.begin(), elf.end());
  return out;
}

}  // namespace captee::fwimage
