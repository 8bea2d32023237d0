#include "captee/fwimage/verify.hpp"

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <string>
#include <vector>

#include "captee/detail/openssl_lifetime.hpp"

namespace captee::fwimage {
namespace {

using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)>;

FwError bad_signature(std::string why) {
  return FwError{TeeResult::kSignatureInvalid, "signature: " + std::move(why)};
}

const char *sign_type_name(uint8_t type) {
  return type == kSignTypeRsaPkcs1Sha256 ? "RSA PKCS#1 v1.5" : "ECDSA P-256";
}

// As the key fingerprints name the algorithm.
const char *key_kind_name(uint8_t type) {
  return type == kSignTypeRsaPkcs1Sha256 ? "RSA" : "EC-P256";
}

KeyAlgorithm algorithm_of(uint8_t sign_type) {
  return sign_type == kSignTypeRsaPkcs1Sha256 ? KeyAlgorithm::kRsa : KeyAlgorithm::kEcP256;
}

// Raw r||s (32 bytes each) to the DER ECDSA-Sig-Value OpenSSL verifies.
std::vector<uint8_t> raw_to_der(std::span<const uint8_t> raw) {
  ECDSA_SIG *sig = ECDSA_SIG_new();
  BIGNUM *r = BN_bin2bn(raw.data(), 32, nullptr);
  BIGNUM *s = BN_bin2bn(raw.data() + 32, 32, nullptr);
  std::vector<uint8_t> der;
  if (sig != nullptr && r != nullptr && s != nullptr && ECDSA_SIG_set0(sig, r, s) == 1) {
    r = s = nullptr;  // owned by sig now
    unsigned char *out = nullptr;
    const int len = i2d_ECDSA_SIG(sig, &out);
    if (len > 0) {
      der.assign(out, out + len);
      OPENSSL_free(out);
    }
  }
  BN_free(r);
  BN_free(s);
  ECDSA_SIG_free(sig);
  return der;
}

}  // namespace

Sha256Digest sha256(std::span<const uint8_t> bytes) {
  Sha256Digest d{};
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), d.data(), &len, EVP_sha256(), nullptr);
  return d;
}

Sha256Digest signed_digest(const SignedContainer &c) {
  return sha256(c.signed_bytes);
}

Status verify_digest(uint8_t sign_type, std::span<const uint8_t> digest,
                     std::span<const uint8_t> signature, const PublicKey &key) {
  const bool rsa = sign_type == kSignTypeRsaPkcs1Sha256;
  if (key.algorithm() != algorithm_of(sign_type)) {
    return bad_signature(std::string("SIGNTYPE is ") + sign_type_name(sign_type) +
                         " but the key is " +
                         (key.algorithm() == KeyAlgorithm::kRsa ? "RSA" : "EC P-256"));
  }
  if (signature.size() != key.signature_size()) {
    return bad_signature("sign_len is " + std::to_string(signature.size()) + " but the key makes " +
                         std::to_string(key.signature_size()) + "-byte signatures");
  }
  std::vector<uint8_t> der;
  std::span<const uint8_t> sig = signature;
  if (!rsa) {
    der = raw_to_der(signature);
    if (der.empty()) {
      return bad_signature("cannot decode the ECDSA r||s value");
    }
    sig = der;
  }
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.evp(), nullptr), &EVP_PKEY_CTX_free);
  int ok = ctx && EVP_PKEY_verify_init(ctx.get()) == 1 &&
           (!rsa || EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) == 1) &&
           EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_sha256()) == 1;
  if (ok) {
    ok = EVP_PKEY_verify(ctx.get(), sig.data(), sig.size(), digest.data(), digest.size()) == 1;
  }
  ERR_clear_error();
  if (!ok) {
    return bad_signature("verification failed");
  }
  return {};
}

Status verify_signature(const SignedContainer &c, const PublicKey &key) {
  auto type = read_sign_type(c);
  if (!type) {
    return type.error();
  }
  const Sha256Digest digest = signed_digest(c);
  return verify_digest(type.value(), digest, c.signature, key);
}

Result<size_t> verify_signed_head(const SignedContainer &c, std::span<const PublicKey> trusted) {
  auto type = read_sign_type(c);
  if (!type) {
    return type.error();
  }
  // A key of the SIGNTYPE's algorithm must verify the signature; keys that
  // cannot have made it (other algorithm or signature size) are not tried.
  const KeyAlgorithm wanted = algorithm_of(type.value());
  const Sha256Digest digest = signed_digest(c);
  for (size_t i = 0; i < trusted.size(); i++) {
    const PublicKey &k = trusted[i];
    if (k.algorithm() != wanted || k.signature_size() != c.signature.size()) {
      continue;
    }
    if (verify_digest(type.value(), digest, c.signature, k).ok()) {
      return i;
    }
  }
  std::string msg = std::string("signature: the image (") + key_kind_name(type.value()) + ", " +
                    std::to_string(c.signature.size()) +
                    "-byte signature) is not signed by any provisioned key; provisioned: ";
  if (trusted.empty()) {
    msg += "none";
  }
  for (size_t i = 0; i < trusted.size(); i++) {
    msg += (i ? ", " : "") + trusted[i].fingerprint();
  }
  return FwError{TeeResult::kSignatureInvalid, std::move(msg)};
}

Status verify_segment(const FirmwareImage &image, const Segment &segment,
                      std::span<const uint8_t> loaded) {
  const Sha256Digest got = sha256(loaded);
  if (loaded.size() != segment.phdr.filesz ||
      CRYPTO_memcmp(got.data(), segment.expected_sha256.data(), kSha256Size) != 0) {
    return FwError{TeeResult::kSecurity, "segment " + std::to_string(segment.index) + " of image " +
                                             std::to_string(image.index) + ": hash mismatch"};
  }
  return {};
}

Status verify_segment_hashes(const ParsedImage &p) {
  for (const FirmwareImage &img : p.images) {
    for (const Segment &seg : img.segments) {
      if (!seg.loadable()) {
        continue;
      }
      if (Status s = verify_segment(img, seg, seg.file_bytes); !s) {
        return s;
      }
    }
  }
  return {};
}

Result<ParsedImage> verify_signed_image(std::span<const uint8_t> file, const PublicKey &key) {
  auto c = parse_container(file);
  if (!c) {
    return c.error();
  }
  return verify_container(c.value(), key);
}

Result<ParsedImage> verify_signed_image(std::span<const uint8_t> head,
                                        std::span<const uint8_t> image_area, const PublicKey &key) {
  auto c = parse_container(head, image_area);
  if (!c) {
    return c.error();
  }
  return verify_container(c.value(), key);
}

Result<ParsedImage> verify_container(const SignedContainer &container, const PublicKey &key) {
  // Nothing signed is interpreted before the signature holds.
  if (Status s = verify_signature(container, key); !s) {
    return s.error();
  }
  auto p = parse_contents(container, /*decode_table=*/false);
  if (!p) {
    return p.error();
  }
  if (Status s = verify_segment_hashes(p.value()); !s) {
    return s.error();
  }
  if (Status s = decode_resource_table(p.value()); !s) {
    return s.error();
  }
  return p;
}

}  // namespace captee::fwimage
