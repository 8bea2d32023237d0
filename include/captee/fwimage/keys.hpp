// Signing and verification keys for signed firmware images (OpenSSL 3).
//
// Keys are read from PEM: PKCS#8, traditional RSA/EC and SubjectPublicKeyInfo,
// including passphrase-protected private keys. Only the two algorithms of the
// format are accepted: RSA (any modulus OpenSSL accepts) and EC on P-256.
// The OpenSSL key object frees its secret material with OPENSSL_clear_free;
// the PEM text handed in stays the caller's to wipe.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "captee/fwimage/status.hpp"

typedef struct evp_pkey_st EVP_PKEY;

namespace captee::fwimage {

enum class KeyAlgorithm { kRsa, kEcP256 };

struct EvpPkeyDeleter {
  void operator()(EVP_PKEY *key) const;
};
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyDeleter>;

// A public key. Move-only; immutable after construction, so const methods may
// be called from several threads at once.
class PublicKey {
 public:
  // Reads a public key, or the public half of a private key, from PEM.
  // Errors: BAD_PARAMETERS "public key: not a PEM RSA or EC key", NOT_SUPPORTED
  // for EC curves other than P-256 or other algorithms, GENERIC "public key:
  // cannot encode as DER" (no fingerprint).
  static Result<PublicKey> from_pem(std::span<const uint8_t> pem);

  KeyAlgorithm algorithm() const { return algorithm_; }
  // Signature length of the format: modulus bytes (RSA) or 64 (P-256).
  size_t signature_size() const { return signature_size_; }
  // What logs and refusals name the key by: "RSA-2048 sha256:<64 hex>" or
  // "EC-P256 sha256:<64 hex>", the SHA-256 of the DER SubjectPublicKeyInfo, as
  // `openssl pkey -pubin -outform DER | sha256sum`.
  const std::string &fingerprint() const { return fingerprint_; }
  // Borrowed; owned by this object.
  EVP_PKEY *evp() const { return key_.get(); }

 private:
  PublicKey(EvpPkeyPtr key, KeyAlgorithm algorithm, size_t signature_size, std::string fingerprint)
      : key_(std::move(key)),
        algorithm_(algorithm),
        signature_size_(signature_size),
        fingerprint_(std::move(fingerprint)) {}
  static Result<PublicKey> adopt(EvpPkeyPtr key, KeyAlgorithm algorithm, size_t signature_size);
  EvpPkeyPtr key_;
  KeyAlgorithm algorithm_;
  size_t signature_size_;
  std::string fingerprint_;
  friend class PrivateKey;
};

// A private key. Move-only. Secret material is freed securely by OpenSSL.
class PrivateKey {
 public:
  // Reads a private key from PEM, decrypting it with `passphrase` when the
  // PEM is encrypted (an empty passphrase means none was given).
  // Errors: BAD_PARAMETERS "private key: ..." (not a key, wrong or missing
  // passphrase), NOT_SUPPORTED (algorithm or curve).
  static Result<PrivateKey> from_pem(std::span<const uint8_t> pem, std::string_view passphrase);

  KeyAlgorithm algorithm() const { return algorithm_; }
  size_t signature_size() const { return signature_size_; }
  EVP_PKEY *evp() const { return key_.get(); }
  // A copy of the public half.
  Result<PublicKey> public_key() const;

 private:
  PrivateKey(EvpPkeyPtr key, KeyAlgorithm algorithm, size_t signature_size)
      : key_(std::move(key)), algorithm_(algorithm), signature_size_(signature_size) {}
  EvpPkeyPtr key_;
  KeyAlgorithm algorithm_;
  size_t signature_size_;
};

}  // namespace captee::fwimage
