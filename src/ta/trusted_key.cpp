#include "trusted_key.hpp"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cstdio>

#include "captee/detail/openssl_lifetime.hpp"
#include "captee/fwimage/verify.hpp"

namespace captee::ta {

fwimage::Result<TrustedKey> make_trusted_key(std::string_view pem) {
  auto key =
      fwimage::PublicKey::from_pem({reinterpret_cast<const uint8_t *>(pem.data()), pem.size()});
  if (!key) {
    return key.error();
  }
  unsigned char *der = nullptr;
  const int len = i2d_PUBKEY(key->evp(), &der);
  if (len <= 0) {
    return fwimage::FwError{fwimage::TeeResult::kGeneric, "public key: cannot encode as DER"};
  }
  const fwimage::Sha256Digest digest = fwimage::sha256({der, static_cast<size_t>(len)});
  OPENSSL_free(der);
  std::string fp = key->algorithm() == fwimage::KeyAlgorithm::kRsa
                       ? "RSA-" + std::to_string(EVP_PKEY_get_bits(key->evp()))
                       : "EC-P256";
  fp += " sha256:";
  for (uint8_t b : digest) {
    char hex[3];
    std::snprintf(hex, sizeof hex, "%02x", b);
    fp += hex;
  }
  return TrustedKey{std::move(key).value(), std::move(fp)};
}

}  // namespace captee::ta
