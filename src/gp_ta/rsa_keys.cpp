// RSA key objects on OpenSSL 3's EVP_PKEY (rsa_keys.hpp).
#include "rsa_keys.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include <climits>

#include "tee_internal_api.h"

namespace captee::gp_ta {

namespace {

// GP's attribute and OpenSSL's parameter of each RSA component.
struct Component {
  uint32_t attribute_id;
  const char *param;
};

constexpr Component kComponents[] = {
    {TEE_ATTR_RSA_MODULUS, OSSL_PKEY_PARAM_RSA_N},
    {TEE_ATTR_RSA_PUBLIC_EXPONENT, OSSL_PKEY_PARAM_RSA_E},
    {TEE_ATTR_RSA_PRIVATE_EXPONENT, OSSL_PKEY_PARAM_RSA_D},
    {TEE_ATTR_RSA_PRIME1, OSSL_PKEY_PARAM_RSA_FACTOR1},
    {TEE_ATTR_RSA_PRIME2, OSSL_PKEY_PARAM_RSA_FACTOR2},
    {TEE_ATTR_RSA_EXPONENT1, OSSL_PKEY_PARAM_RSA_EXPONENT1},
    {TEE_ATTR_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_EXPONENT2},
    {TEE_ATTR_RSA_COEFFICIENT, OSSL_PKEY_PARAM_RSA_COEFFICIENT1},
};
constexpr size_t kModulus = 0;
constexpr size_t kPublicExponent = 1;
constexpr size_t kPrivateExponent = 2;
constexpr size_t kFirstCrt = 3;
constexpr size_t kComponentCount = sizeof kComponents / sizeof kComponents[0];

const char *param_of(uint32_t attribute_id) {
  for (const Component &c : kComponents) {
    if (c.attribute_id == attribute_id) {
      return c.param;
    }
  }
  return nullptr;
}

// The BIGNUMs a key is built from; private ones are cleared when freed.
struct Numbers {
  BIGNUM *bn[kComponentCount] = {};
  ~Numbers() {
    for (BIGNUM *b : bn) {
      BN_clear_free(b);
    }
  }
};

// A big-endian attribute as a BIGNUM; nullptr if it is too long for
// OpenSSL's int lengths or OpenSSL has no memory.
BIGNUM *to_bn(const TEE_Attribute &a) {
  if (a.content.ref.length > static_cast<size_t>(INT_MAX)) {
    return nullptr;
  }
  return BN_bin2bn(static_cast<const unsigned char *>(a.content.ref.buffer),
                   static_cast<int>(a.content.ref.length), nullptr);
}

// Builds the key from `n`: the public components, and the private ones that
// are set. nullptr if OpenSSL refuses them.
EVP_PKEY *build_key(const Numbers &n, bool keypair) {
  OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
  if (bld == nullptr) {
    return nullptr;
  }
  bool ok = true;
  const size_t last = keypair ? kComponentCount : kPrivateExponent;
  for (size_t i = 0; i < last && ok; ++i) {
    if (n.bn[i] != nullptr) {
      ok = OSSL_PARAM_BLD_push_BN(bld, kComponents[i].param, n.bn[i]) == 1;
    }
  }
  OSSL_PARAM *params = ok ? OSSL_PARAM_BLD_to_param(bld) : nullptr;
  OSSL_PARAM_BLD_free(bld);
  EVP_PKEY *key = nullptr;
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr);
  if (params == nullptr || ctx == nullptr || EVP_PKEY_fromdata_init(ctx) != 1 ||
      EVP_PKEY_fromdata(ctx, &key, keypair ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) != 1) {
    key = nullptr;
  }
  EVP_PKEY_CTX_free(ctx);
  // The array holds copies of the private numbers: wiped before it goes
  // (OSSL_PARAM_clear_free is OpenSSL 3.2's; Debian has 3.0).
  for (OSSL_PARAM *p = params; p != nullptr && p->key != nullptr; ++p) {
    OPENSSL_cleanse(p->data, p->data_size);
  }
  OSSL_PARAM_free(params);
  return key;
}

}  // namespace

bool is_rsa_type(uint32_t type) {
  return type == TEE_TYPE_RSA_PUBLIC_KEY || type == TEE_TYPE_RSA_KEYPAIR;
}

TEE_Result rsa_key_from_attributes(uint32_t type, const TEE_Attribute *attrs, uint32_t count,
                                   EVP_PKEY **key, uint32_t *bits) {
  *key = nullptr;
  const bool keypair = type == TEE_TYPE_RSA_KEYPAIR;
  Numbers n;
  for (uint32_t i = 0; i < count; ++i) {
    for (size_t c = 0; c < kComponentCount; ++c) {
      if (attrs[i].attributeID == kComponents[c].attribute_id) {
        n.bn[c] = to_bn(attrs[i]);
        if (n.bn[c] == nullptr) {
          return TEE_ERROR_BAD_PARAMETERS;
        }
        if (c >= kPrivateExponent) {
          BN_set_flags(n.bn[c], BN_FLG_CONSTTIME);
        }
      }
    }
  }
  if (n.bn[kModulus] == nullptr || n.bn[kPublicExponent] == nullptr ||
      (keypair && n.bn[kPrivateExponent] == nullptr)) {
    return TEE_ERROR_BAD_PARAMETERS;  // a mandatory attribute is missing
  }
  size_t crt = 0;
  for (size_t c = kFirstCrt; c < kComponentCount; ++c) {
    crt += n.bn[c] != nullptr ? 1 : 0;
  }
  if (crt != 0 && crt != kComponentCount - kFirstCrt) {
    return TEE_ERROR_BAD_PARAMETERS;  // GP: the CRT values come all or none
  }
  // An even modulus, or a public exponent under 3 or even, is no RSA key;
  // OpenSSL would fail later, or worse compute something meaningless.
  if (!BN_is_odd(n.bn[kModulus]) || !BN_is_odd(n.bn[kPublicExponent]) ||
      BN_is_one(n.bn[kPublicExponent])) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  const int modulus_bits = BN_num_bits(n.bn[kModulus]);
  *key = build_key(n, keypair);
  if (*key == nullptr) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  *bits = static_cast<uint32_t>(modulus_bits);
  return TEE_SUCCESS;
}

TEE_Result rsa_generate(uint32_t bits, const void *exponent, size_t exponent_len, EVP_PKEY **key) {
  *key = nullptr;
  BIGNUM *e = nullptr;
  if (exponent != nullptr) {
    if (exponent_len > static_cast<size_t>(INT_MAX)) {
      return TEE_ERROR_BAD_PARAMETERS;
    }
    e = BN_bin2bn(static_cast<const unsigned char *>(exponent), static_cast<int>(exponent_len),
                  nullptr);
  } else {
    e = BN_new();
    if (e != nullptr && BN_set_word(e, RSA_F4) != 1) {
      BN_free(e);
      e = nullptr;
    }
  }
  if (e == nullptr) {
    return TEE_ERROR_OUT_OF_MEMORY;
  }
  TEE_Result res = TEE_SUCCESS;
  if (!BN_is_odd(e) || BN_is_one(e)) {
    res = TEE_ERROR_BAD_PARAMETERS;
  }
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr);
  if (res == TEE_SUCCESS &&
      (ctx == nullptr || EVP_PKEY_keygen_init(ctx) != 1 ||
       EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, static_cast<int>(bits)) != 1 ||
       EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx, e) != 1 || EVP_PKEY_generate(ctx, key) != 1)) {
    *key = nullptr;
    res = TEE_ERROR_BAD_PARAMETERS;
  }
  EVP_PKEY_CTX_free(ctx);
  BN_free(e);
  return res;
}

EVP_PKEY *rsa_public_half(const EVP_PKEY *key) {
  Numbers n;
  if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n.bn[kModulus]) != 1 ||
      EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &n.bn[kPublicExponent]) != 1) {
    return nullptr;
  }
  return build_key(n, false);
}

TEE_Result rsa_attribute(const EVP_PKEY *key, uint32_t attribute_id, void *buffer, size_t *size) {
  const char *param = param_of(attribute_id);
  if (param == nullptr) {
    return TEE_ERROR_ITEM_NOT_FOUND;
  }
  BIGNUM *bn = nullptr;
  if (EVP_PKEY_get_bn_param(key, param, &bn) != 1) {
    return TEE_ERROR_ITEM_NOT_FOUND;  // a public key's private parts, absent CRT values
  }
  const size_t len = static_cast<size_t>(BN_num_bytes(bn));
  TEE_Result res = TEE_SUCCESS;
  if (*size < len || (buffer == nullptr && len > 0)) {
    res = TEE_ERROR_SHORT_BUFFER;
  } else if (len > 0) {
    (void)BN_bn2bin(bn, static_cast<unsigned char *>(buffer));
  }
  *size = len;
  BN_clear_free(bn);
  return res;
}

}  // namespace captee::gp_ta
