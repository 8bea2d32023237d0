// ECDSA signatures and ECDH derivation (ecc.hpp). OpenSSL speaks DER for
// ECDSA signatures; GP wants r || s, each the curve's size in bytes
// (P-521: 66), so signatures are converted both ways here.
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>

#include <climits>

#include "ecc.hpp"
#include "objects.hpp"
#include "operations.hpp"
#include "tee_internal_api.h"

namespace captee::gp_ta {

namespace {

// The size of r and of s: the curve's in bytes.
size_t scalar_bytes(const EVP_PKEY *key) {
  const int bits = EVP_PKEY_get_bits(key);
  return bits > 0 ? (static_cast<size_t>(bits) + 7) / 8 : 0;
}

}  // namespace

TEE_Result ecdsa_sign(const __TEE_OperationHandle *op, const void *digest, size_t digest_len,
                      void *signature, size_t *signature_len) {
  const size_t f = scalar_bytes(op->pkey);
  if (*signature_len < 2 * f) {
    *signature_len = 2 * f;
    return TEE_ERROR_SHORT_BUFFER;
  }
  if (signature == nullptr) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  // The largest DER signature (P-521) is well under 160 bytes.
  unsigned char der[160];
  size_t der_len = sizeof der;
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, op->pkey, nullptr);
  bool ok = ctx != nullptr && EVP_PKEY_sign_init(ctx) == 1 &&
            EVP_PKEY_sign(ctx, der, &der_len, static_cast<const unsigned char *>(digest),
                          digest_len) == 1;
  EVP_PKEY_CTX_free(ctx);
  ECDSA_SIG *sig = nullptr;
  if (ok) {
    const unsigned char *p = der;
    sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_len));
  }
  auto *out = static_cast<unsigned char *>(signature);
  ok = sig != nullptr &&
       BN_bn2binpad(ECDSA_SIG_get0_r(sig), out, static_cast<int>(f)) == static_cast<int>(f) &&
       BN_bn2binpad(ECDSA_SIG_get0_s(sig), out + f, static_cast<int>(f)) == static_cast<int>(f);
  ECDSA_SIG_free(sig);
  if (!ok) {
    ERR_clear_error();
    TEE_Panic(TEE_ERROR_GENERIC);  // OpenSSL failing on a good key and digest
  }
  *signature_len = 2 * f;
  return TEE_SUCCESS;
}

TEE_Result ecdsa_verify(const __TEE_OperationHandle *op, const void *digest, size_t digest_len,
                        const void *signature, size_t signature_len) {
  const size_t f = scalar_bytes(op->pkey);
  // Any other length is a wrong signature, not a fault.
  if (f == 0 || signature_len != 2 * f) {
    return TEE_ERROR_SIGNATURE_INVALID;
  }
  const auto *in = static_cast<const unsigned char *>(signature);
  BIGNUM *r = BN_bin2bn(in, static_cast<int>(f), nullptr);
  BIGNUM *s = BN_bin2bn(in + f, static_cast<int>(f), nullptr);
  ECDSA_SIG *sig = ECDSA_SIG_new();
  if (r == nullptr || s == nullptr || sig == nullptr || ECDSA_SIG_set0(sig, r, s) != 1) {
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    TEE_Panic(TEE_ERROR_OUT_OF_MEMORY);
  }
  unsigned char *der = nullptr;
  const int der_len = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);  // frees r and s
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, op->pkey, nullptr);
  const int verdict = der_len > 0 && ctx != nullptr && EVP_PKEY_verify_init(ctx) == 1
                          ? EVP_PKEY_verify(ctx, der, static_cast<size_t>(der_len),
                                            static_cast<const unsigned char *>(digest), digest_len)
                          : -1;
  EVP_PKEY_CTX_free(ctx);
  OPENSSL_free(der);
  ERR_clear_error();
  return verdict == 1 ? TEE_SUCCESS : TEE_ERROR_SIGNATURE_INVALID;
}

void ecdh_derive(const __TEE_OperationHandle *op, const TEE_Attribute *params, uint32_t count,
                 __TEE_ObjectHandle *out) {
  const TEE_Attribute *x = nullptr;
  const TEE_Attribute *y = nullptr;
  for (uint32_t i = 0; i < count; ++i) {
    const TEE_Attribute **slot = params[i].attributeID == TEE_ATTR_ECC_PUBLIC_VALUE_X   ? &x
                                 : params[i].attributeID == TEE_ATTR_ECC_PUBLIC_VALUE_Y ? &y
                                                                                        : nullptr;
    if (slot == nullptr || *slot != nullptr ||
        (params[i].content.ref.buffer == nullptr && params[i].content.ref.length != 0)) {
      TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
    }
    *slot = &params[i];
  }
  if (x == nullptr || y == nullptr) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  const size_t f = scalar_bytes(op->pkey);
  if (f * 8 > out->info.maxObjectSize) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);  // the secret does not fit the object
  }
  // The peer's point must be on our curve (OpenSSL checks it): a point off
  // the curve would leak bits of our private value.
  EVP_PKEY *peer = ecc_peer_key(op->pkey, *x, *y);
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, op->pkey, nullptr);
  size_t len = f;
  const bool ok = peer != nullptr && ctx != nullptr && out->secret.resize(f) &&
                  EVP_PKEY_derive_init(ctx) == 1 && EVP_PKEY_derive_set_peer(ctx, peer) == 1 &&
                  EVP_PKEY_derive(ctx, out->secret.data(), &len) == 1 && len == f;
  EVP_PKEY_CTX_free(ctx);
  EVP_PKEY_free(peer);
  if (!ok) {
    out->secret.clear();
    ERR_clear_error();
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  out->info.objectSize = static_cast<uint32_t>(f * 8);
  out->info.handleFlags |= TEE_HANDLE_FLAG_INITIALIZED;
}

}  // namespace captee::gp_ta
