// ECC key objects on OpenSSL 3's EVP_PKEY (ecc.hpp). SM2 keys are OpenSSL's
// key type "SM2" (its own key management, which the SM2 signature and
// encryption take), not "EC" keys on the SM2 curve.
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/param_build.h>

#include <climits>
#include <cstring>

#include "ecc.hpp"
#include "tee_internal_api.h"

namespace captee::gp_ta {

namespace {

struct Curve {
  uint32_t id;  // TEE_ECC_CURVE_*
  uint32_t bits;
  const char *group;     // OpenSSL's name
  const char *key_type;  // OpenSSL's key type
};

constexpr Curve kCurves[] = {
    {TEE_ECC_CURVE_NIST_P192, 192, "prime192v1", "EC"},
    {TEE_ECC_CURVE_NIST_P224, 224, "secp224r1", "EC"},
    {TEE_ECC_CURVE_NIST_P256, 256, "prime256v1", "EC"},
    {TEE_ECC_CURVE_NIST_P384, 384, "secp384r1", "EC"},
    {TEE_ECC_CURVE_NIST_P521, 521, "secp521r1", "EC"},
};

// The SM2 types' one curve, kept apart: it is as large as P-256, so a size
// alone never names it.
constexpr Curve kSm2Curve = {TEE_ECC_CURVE_SM2, 256, "SM2", "SM2"};

const Curve *curve_by_id(uint32_t id) {
  if (id == kSm2Curve.id) {
    return &kSm2Curve;
  }
  for (const Curve &c : kCurves) {
    if (c.id == id) {
      return &c;
    }
  }
  return nullptr;
}

const Curve *curve_by_bits(uint32_t bits) {
  for (const Curve &c : kCurves) {
    if (c.bits == bits) {
      return &c;
    }
  }
  return nullptr;
}

size_t field_bytes(const Curve &c) {
  return (c.bits + 7) / 8;
}

const TEE_Attribute *find(const TEE_Attribute *attrs, uint32_t count, uint32_t id) {
  for (uint32_t i = 0; i < count; ++i) {
    if (attrs[i].attributeID == id) {
      return &attrs[i];
    }
  }
  return nullptr;
}

// `a` right-aligned in `len` bytes at `out`; false if it is longer.
bool right_align(const TEE_Attribute &a, uint8_t *out, size_t len) {
  const size_t n = a.content.ref.length;
  if (n > len) {
    return false;
  }
  std::memset(out, 0, len - n);
  if (n != 0) {
    std::memcpy(out + (len - n), a.content.ref.buffer, n);
  }
  return true;
}

// A key on `curve` from its uncompressed public point (04 || X || Y) and,
// for a key pair, its private value; nullptr if OpenSSL refuses them (a
// point off the curve among others).
EVP_PKEY *build_key(const Curve &curve, const uint8_t *point, size_t point_len,
                    const BIGNUM *priv) {
  OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
  if (bld == nullptr) {
    return nullptr;
  }
  bool ok = OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, curve.group, 0) == 1 &&
            OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, point_len) == 1;
  if (ok && priv != nullptr) {
    ok = OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv) == 1;
  }
  OSSL_PARAM *params = ok ? OSSL_PARAM_BLD_to_param(bld) : nullptr;
  OSSL_PARAM_BLD_free(bld);
  EVP_PKEY *key = nullptr;
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(nullptr, curve.key_type, nullptr);
  if (params == nullptr || ctx == nullptr || EVP_PKEY_fromdata_init(ctx) != 1 ||
      EVP_PKEY_fromdata(ctx, &key, priv != nullptr ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
                        params) != 1) {
    key = nullptr;
  }
  EVP_PKEY_CTX_free(ctx);
  // The array holds a copy of the private value: wiped before it goes.
  for (OSSL_PARAM *p = params; p != nullptr && p->key != nullptr; ++p) {
    OPENSSL_cleanse(p->data, p->data_size);
  }
  OSSL_PARAM_free(params);
  return key;
}

// The curve of an EC or SM2 key, or nullptr.
const Curve *curve_of(const EVP_PKEY *key) {
  if (EVP_PKEY_is_a(key, "SM2") == 1) {
    return &kSm2Curve;
  }
  return curve_by_bits(static_cast<uint32_t>(EVP_PKEY_get_bits(key)));
}

}  // namespace

bool is_sm2_type(uint32_t type) {
  return type == TEE_TYPE_SM2_DSA_PUBLIC_KEY || type == TEE_TYPE_SM2_DSA_KEYPAIR ||
         type == TEE_TYPE_SM2_PKE_PUBLIC_KEY || type == TEE_TYPE_SM2_PKE_KEYPAIR ||
         type == TEE_TYPE_SM2_KEP_PUBLIC_KEY || type == TEE_TYPE_SM2_KEP_KEYPAIR;
}

bool is_ecc_type(uint32_t type) {
  return type == TEE_TYPE_ECDSA_PUBLIC_KEY || type == TEE_TYPE_ECDSA_KEYPAIR ||
         type == TEE_TYPE_ECDH_PUBLIC_KEY || type == TEE_TYPE_ECDH_KEYPAIR || is_sm2_type(type);
}

bool is_ecc_keypair_type(uint32_t type) {
  return type == TEE_TYPE_ECDSA_KEYPAIR || type == TEE_TYPE_ECDH_KEYPAIR ||
         type == TEE_TYPE_SM2_DSA_KEYPAIR || type == TEE_TYPE_SM2_PKE_KEYPAIR ||
         type == TEE_TYPE_SM2_KEP_KEYPAIR;
}

bool ecc_size_valid(uint32_t type, uint32_t bits) {
  if (is_sm2_type(type)) {
    return bits == kSm2Curve.bits;
  }
  return curve_by_bits(bits) != nullptr;
}

uint32_t ecc_curve_of(uint32_t type, uint32_t bits) {
  if (is_sm2_type(type)) {
    return kSm2Curve.id;
  }
  const Curve *c = curve_by_bits(bits);
  return c != nullptr ? c->id : 0;
}

TEE_Result ecc_key_from_attributes(uint32_t type, const TEE_Attribute *attrs, uint32_t count,
                                   EVP_PKEY **key, uint32_t *bits) {
  *key = nullptr;
  const bool keypair = is_ecc_keypair_type(type);
  const TEE_Attribute *curve_attr = find(attrs, count, TEE_ATTR_ECC_CURVE);
  const TEE_Attribute *x = find(attrs, count, TEE_ATTR_ECC_PUBLIC_VALUE_X);
  const TEE_Attribute *y = find(attrs, count, TEE_ATTR_ECC_PUBLIC_VALUE_Y);
  const TEE_Attribute *d = find(attrs, count, TEE_ATTR_ECC_PRIVATE_VALUE);
  if (curve_attr == nullptr || x == nullptr || y == nullptr || (keypair && d == nullptr)) {
    return TEE_ERROR_BAD_PARAMETERS;  // a mandatory attribute is missing
  }
  const Curve *curve = curve_by_id(curve_attr->content.value.a);
  // The SM2 types take the SM2 curve and only it.
  if (curve == nullptr || (curve == &kSm2Curve) != is_sm2_type(type)) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  const size_t f = field_bytes(*curve);
  uint8_t point[1 + 2 * 66];
  point[0] = 0x04;  // uncompressed
  if (!right_align(*x, point + 1, f) || !right_align(*y, point + 1 + f, f)) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  BIGNUM *priv = nullptr;
  if (keypair) {
    if (d->content.ref.length > f) {
      return TEE_ERROR_BAD_PARAMETERS;
    }
    priv = BN_secure_new();
    if (priv == nullptr) {
      return TEE_ERROR_OUT_OF_MEMORY;
    }
    BN_set_flags(priv, BN_FLG_CONSTTIME);
    if (BN_bin2bn(static_cast<const unsigned char *>(d->content.ref.buffer),
                  static_cast<int>(d->content.ref.length), priv) == nullptr) {
      BN_clear_free(priv);
      return TEE_ERROR_OUT_OF_MEMORY;
    }
  }
  *key = build_key(*curve, point, 1 + 2 * f, priv);
  BN_clear_free(priv);
  if (*key == nullptr) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  *bits = curve->bits;
  return TEE_SUCCESS;
}

TEE_Result ecc_generate(uint32_t type, uint32_t bits, const TEE_Attribute *params, uint32_t count,
                        EVP_PKEY **key) {
  *key = nullptr;
  const TEE_Attribute *curve_attr = find(params, count, TEE_ATTR_ECC_CURVE);
  const Curve *curve = curve_attr != nullptr ? curve_by_id(curve_attr->content.value.a) : nullptr;
  if (is_sm2_type(type)) {
    // The type names the curve: TEE_ATTR_ECC_CURVE may be left out, as
    // OP-TEE allows, but if given it must be SM2's.
    if (curve_attr != nullptr && curve != &kSm2Curve) {
      return TEE_ERROR_BAD_PARAMETERS;
    }
    curve = &kSm2Curve;
  } else if (curve == &kSm2Curve) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  if (curve == nullptr || curve->bits != bits) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  // OpenSSL's SM2 key generation takes no group name: its key type is the
  // curve.
  *key = curve == &kSm2Curve ? EVP_PKEY_Q_keygen(nullptr, nullptr, "SM2")
                             : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve->group);
  return *key != nullptr ? TEE_SUCCESS : TEE_ERROR_OUT_OF_MEMORY;
}

EVP_PKEY *ecc_peer_key(const EVP_PKEY *own, const TEE_Attribute &x, const TEE_Attribute &y) {
  const Curve *curve = curve_of(own);
  if (curve == nullptr) {
    return nullptr;
  }
  const size_t f = field_bytes(*curve);
  uint8_t point[1 + 2 * 66];
  point[0] = 0x04;
  if (!right_align(x, point + 1, f) || !right_align(y, point + 1 + f, f)) {
    return nullptr;
  }
  return build_key(*curve, point, 1 + 2 * f, nullptr);
}

EVP_PKEY *ecc_public_half(const EVP_PKEY *key) {
  const Curve *curve = curve_of(key);
  uint8_t point[1 + 2 * 66];
  size_t len = 0;
  if (curve == nullptr || EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, point,
                                                          sizeof point, &len) != 1) {
    return nullptr;
  }
  return build_key(*curve, point, len, nullptr);
}

TEE_Result ecc_attribute(const EVP_PKEY *key, uint32_t attribute_id, void *buffer, size_t *size) {
  const char *param = nullptr;
  switch (attribute_id) {
    case TEE_ATTR_ECC_PUBLIC_VALUE_X:
      param = OSSL_PKEY_PARAM_EC_PUB_X;
      break;
    case TEE_ATTR_ECC_PUBLIC_VALUE_Y:
      param = OSSL_PKEY_PARAM_EC_PUB_Y;
      break;
    case TEE_ATTR_ECC_PRIVATE_VALUE:
      param = OSSL_PKEY_PARAM_PRIV_KEY;
      break;
    default:
      return TEE_ERROR_ITEM_NOT_FOUND;
  }
  BIGNUM *bn = nullptr;
  if (EVP_PKEY_get_bn_param(key, param, &bn) != 1) {
    return TEE_ERROR_ITEM_NOT_FOUND;  // a public key's private value
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
