#include "captee/fwimage/keys.hpp"

#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "captee/detail/openssl_lifetime.hpp"
#include "captee/fwimage/signed_image.hpp"
#include "captee/fwimage/verify.hpp"

namespace captee::fwimage {
namespace {

using DecoderPtr = std::unique_ptr<OSSL_DECODER_CTX, decltype(&OSSL_DECODER_CTX_free)>;

// Refuses to prompt: a missing passphrase is an error, never a terminal read.
int no_passphrase(char *, size_t, size_t *, const OSSL_PARAM[], void *) {
  return 0;
}

EvpPkeyPtr decode_pem(std::span<const uint8_t> pem, int selection, std::string_view passphrase) {
  EVP_PKEY *key = nullptr;
  DecoderPtr ctx(
      OSSL_DECODER_CTX_new_for_pkey(&key, "PEM", nullptr, nullptr, selection, nullptr, nullptr),
      &OSSL_DECODER_CTX_free);
  if (!ctx) {
    return nullptr;
  }
  if (!passphrase.empty()) {
    OSSL_DECODER_CTX_set_passphrase(
        ctx.get(), reinterpret_cast<const unsigned char *>(passphrase.data()), passphrase.size());
  } else {
    OSSL_DECODER_CTX_set_passphrase_cb(ctx.get(), no_passphrase, nullptr);
  }
  const unsigned char *data = pem.data();
  size_t len = pem.size();
  const int ok = OSSL_DECODER_from_data(ctx.get(), &data, &len);
  ERR_clear_error();
  if (ok != 1) {
    EVP_PKEY_free(key);
    return nullptr;
  }
  return EvpPkeyPtr(key);
}

bool mentions(std::span<const uint8_t> pem, const char *word) {
  const std::string_view text(reinterpret_cast<const char *>(pem.data()), pem.size());
  return text.find(word) != std::string_view::npos;
}

struct KeyShape {
  KeyAlgorithm algorithm;
  size_t signature_size;
};

Result<KeyShape> classify(EVP_PKEY *key, const char *what) {
  if (EVP_PKEY_is_a(key, "RSA")) {
    const int bytes = EVP_PKEY_get_size(key);
    if (bytes <= 0) {
      return FwError{TeeResult::kBadParameters, std::string(what) + ": RSA key has no modulus"};
    }
    return KeyShape{KeyAlgorithm::kRsa, static_cast<size_t>(bytes)};
  }
  if (EVP_PKEY_is_a(key, "EC")) {
    char group[64] = {};
    size_t len = 0;
    if (EVP_PKEY_get_group_name(key, group, sizeof group, &len) != 1 ||
        (std::strcmp(group, "prime256v1") != 0 && std::strcmp(group, "P-256") != 0)) {
      ERR_clear_error();
      return FwError{TeeResult::kNotSupported, std::string(what) + ": EC curve " +
                                                   (group[0] ? group : "(unknown)") +
                                                   " is not supported, only P-256"};
    }
    return KeyShape{KeyAlgorithm::kEcP256, 64};
  }
  return FwError{TeeResult::kNotSupported,
                 std::string(what) + ": only RSA and EC P-256 keys are supported"};
}

EvpPkeyPtr public_copy(EVP_PKEY *key) {
  unsigned char *der = nullptr;
  const int len = i2d_PUBKEY(key, &der);
  if (len <= 0) {
    ERR_clear_error();
    return nullptr;
  }
  const unsigned char *p = der;
  EvpPkeyPtr pub(d2i_PUBKEY(nullptr, &p, len));
  OPENSSL_free(der);
  ERR_clear_error();
  return pub;
}

// SHA-256 of the DER SubjectPublicKeyInfo, prefixed with the key's kind.
Result<std::string> fingerprint_of(EVP_PKEY *key, KeyAlgorithm algorithm) {
  unsigned char *der = nullptr;
  const int len = i2d_PUBKEY(key, &der);
  if (len <= 0) {
    ERR_clear_error();
    return FwError{TeeResult::kGeneric, "public key: cannot encode as DER"};
  }
  const Sha256Digest digest = sha256({der, static_cast<size_t>(len)});
  OPENSSL_free(der);
  std::string fp =
      algorithm == KeyAlgorithm::kRsa ? "RSA-" + std::to_string(EVP_PKEY_get_bits(key)) : "EC-P256";
  fp += " sha256:";
  for (uint8_t b : digest) {
    char hex[3];
    std::snprintf(hex, sizeof hex, "%02x", b);
    fp += hex;
  }
  return fp;
}

}  // namespace

void EvpPkeyDeleter::operator()(EVP_PKEY *key) const {
  EVP_PKEY_free(key);
}

Result<PublicKey> PublicKey::adopt(EvpPkeyPtr key, KeyAlgorithm algorithm, size_t signature_size) {
  auto fingerprint = fingerprint_of(key.get(), algorithm);
  if (!fingerprint) {
    return fingerprint.error();
  }
  return PublicKey(std::move(key), algorithm, signature_size, std::move(fingerprint).value());
}

Result<PublicKey> PublicKey::from_pem(std::span<const uint8_t> pem) {
  EvpPkeyPtr decoded = decode_pem(pem, EVP_PKEY_PUBLIC_KEY, {});
  if (!decoded) {
    // A private-key file also carries the public key.
    decoded = decode_pem(pem, EVP_PKEY_KEYPAIR, {});
  }
  // Keep only the public half, whatever the PEM held, so a PublicKey never
  // carries secret material.
  EvpPkeyPtr key = decoded ? public_copy(decoded.get()) : nullptr;
  if (!key) {
    return FwError{TeeResult::kBadParameters, "public key: not a PEM RSA or EC key"};
  }
  auto shape = classify(key.get(), "public key");
  if (!shape) {
    return shape.error();
  }
  return adopt(std::move(key), shape->algorithm, shape->signature_size);
}

Result<PrivateKey> PrivateKey::from_pem(std::span<const uint8_t> pem, std::string_view passphrase) {
  EvpPkeyPtr key = decode_pem(pem, EVP_PKEY_KEYPAIR, passphrase);
  if (!key) {
    if (mentions(pem, "ENCRYPTED")) {
      return FwError{TeeResult::kBadParameters,
                     passphrase.empty()
                         ? "private key: the PEM is encrypted and no passphrase was given"
                         : "private key: cannot decrypt the PEM with the given passphrase"};
    }
    if (mentions(pem, "PUBLIC KEY")) {
      return FwError{TeeResult::kBadParameters,
                     "private key: the PEM holds a public key, signing needs a private key"};
    }
    return FwError{TeeResult::kBadParameters, "private key: not a PEM RSA or EC private key"};
  }
  auto shape = classify(key.get(), "private key");
  if (!shape) {
    return shape.error();
  }
  return PrivateKey(std::move(key), shape->algorithm, shape->signature_size);
}

Result<PublicKey> PrivateKey::public_key() const {
  EvpPkeyPtr pub = public_copy(key_.get());
  if (!pub) {
    return FwError{TeeResult::kGeneric, "private key: cannot extract the public key"};
  }
  return PublicKey::adopt(std::move(pub), algorithm_, signature_size_);
}

}  // namespace captee::fwimage
