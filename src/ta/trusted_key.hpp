// A public key the remoteproc TA trusts, with the fingerprint it logs.
#pragma once

#include <string>
#include <string_view>

#include "captee/fwimage/keys.hpp"

namespace captee::ta {

struct TrustedKey {
  fwimage::PublicKey key;
  // "RSA-2048 sha256:<64 hex>" or "EC-P256 sha256:<64 hex>": SHA-256 of the
  // DER SubjectPublicKeyInfo, as `openssl pkey -pubin -outform DER | sha256sum`.
  std::string fingerprint;
};

// Parses one PEM public key (or the public half of a private key).
// Errors: the fwimage key errors (BAD_PARAMETERS, NOT_SUPPORTED).
fwimage::Result<TrustedKey> make_trusted_key(std::string_view pem);

}  // namespace captee::ta
