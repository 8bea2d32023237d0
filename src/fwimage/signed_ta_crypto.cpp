#include "signed_ta_crypto.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <memory>

#include "captee/fwimage/signed_ta.hpp"

namespace captee::fwimage {

Result<TaDigest> signed_ta_digest(std::span<const uint8_t> shdr, std::span<const uint8_t> bootstrap,
                                  std::span<const uint8_t> image) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  TaDigest out{};
  unsigned len = 0;
  if (!md || EVP_DigestInit_ex(md.get(), EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(md.get(), shdr.data(), shdr.size()) != 1 ||
      (!bootstrap.empty() && EVP_DigestUpdate(md.get(), bootstrap.data(), bootstrap.size()) != 1) ||
      EVP_DigestUpdate(md.get(), image.data(), image.size()) != 1 ||
      EVP_DigestFinal_ex(md.get(), out.data(), &len) != 1 || len != out.size()) {
    ERR_clear_error();
    return FwError{TeeResult::kGeneric, "signed TA: SHA-256 failed"};
  }
  return out;
}

bool set_ta_padding(EVP_PKEY_CTX *ctx, uint32_t algo) {
  if (EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) != 1) {
    return false;
  }
  if (algo == kTaAlgRsaPkcs1Sha256) {
    return EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1;
  }
  return algo == kTaAlgRsaPssSha256 &&
         EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256()) == 1 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, static_cast<int>(kSha256Length)) == 1;
}

bool rsa_verify_digest(uint32_t algo, const TaDigest &digest, std::span<const uint8_t> signature,
                       EVP_PKEY *key) {
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr), &EVP_PKEY_CTX_free);
  const bool ok = ctx && EVP_PKEY_verify_init(ctx.get()) == 1 && set_ta_padding(ctx.get(), algo) &&
                  EVP_PKEY_verify(ctx.get(), signature.data(), signature.size(), digest.data(),
                                  digest.size()) == 1;
  ERR_clear_error();
  return ok;
}

}  // namespace captee::fwimage
