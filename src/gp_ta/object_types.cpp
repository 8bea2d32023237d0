// Object types and their sizes (object_types.hpp). One row per type.
#include "object_types.hpp"

#include <initializer_list>

#include "curve25519.hpp"
#include "ecc.hpp"
#include "tee_api_defines.h"
#include "tee_api_defines_extensions.h"

namespace captee::gp_ta {

namespace {

struct SizeRule {
  uint32_t type;
  uint32_t min_bits;
  uint32_t max_bits;
  uint32_t step;  // 0: only min_bits, max_bits and the sizes listed in `also`
  uint32_t also;
};

constexpr SizeRule kRules[] = {
    {TEE_TYPE_AES, 128, 256, 0, 192},
    {TEE_TYPE_DES, 64, 64, 0, 64},
    {TEE_TYPE_DES3, 128, 192, 0, 128},
    {TEE_TYPE_SM4, 128, 128, 0, 128},
    {TEE_TYPE_HMAC_MD5, 64, 512, 8, 0},
    {TEE_TYPE_HMAC_SHA1, 80, 512, 8, 0},
    {TEE_TYPE_HMAC_SHA224, 112, 512, 8, 0},
    {TEE_TYPE_HMAC_SHA256, 192, 1024, 8, 0},
    {TEE_TYPE_HMAC_SHA384, 256, 1024, 8, 0},
    {TEE_TYPE_HMAC_SHA512, 256, 1024, 8, 0},
    {TEE_TYPE_HMAC_SM3, 80, 1024, 8, 0},
    {TEE_TYPE_HMAC_SHA3_224, 192, 1024, 8, 0},
    {TEE_TYPE_HMAC_SHA3_256, 256, 1024, 8, 0},
    {TEE_TYPE_HMAC_SHA3_384, 256, 1024, 8, 0},
    {TEE_TYPE_HMAC_SHA3_512, 256, 1024, 8, 0},
    {TEE_TYPE_GENERIC_SECRET, 8, 4096, 8, 0},
    // OP-TEE's derivation secrets (tee_api_defines_extensions.h).
    {TEE_TYPE_HKDF_IKM, 8, 4096, 8, 0},
    {TEE_TYPE_CONCAT_KDF_Z, 8, 4096, 8, 0},
    {TEE_TYPE_PBKDF2_PASSWORD, 8, 4096, 8, 0},
    // RSA: any modulus size from 256 to 4096 bits, as OP-TEE allows (a
    // populated key's size is its modulus's, which need not be a multiple
    // of 8).
    {TEE_TYPE_RSA_PUBLIC_KEY, 256, 4096, 1, 0},
    {TEE_TYPE_RSA_KEYPAIR, 256, 4096, 1, 0},
    // ECC: the NIST curves' sizes (192, 224, 256, 384, 521; object_size_valid
    // asks ecc.hpp).
    {TEE_TYPE_ECDSA_PUBLIC_KEY, 192, 521, 0, 0},
    {TEE_TYPE_ECDSA_KEYPAIR, 192, 521, 0, 0},
    {TEE_TYPE_ECDH_PUBLIC_KEY, 192, 521, 0, 0},
    {TEE_TYPE_ECDH_KEYPAIR, 192, 521, 0, 0},
    // SM2 (GB/T 32918): its one 256-bit curve.
    {TEE_TYPE_SM2_DSA_PUBLIC_KEY, 256, 256, 0, 256},
    {TEE_TYPE_SM2_DSA_KEYPAIR, 256, 256, 0, 256},
    {TEE_TYPE_SM2_PKE_PUBLIC_KEY, 256, 256, 0, 256},
    {TEE_TYPE_SM2_PKE_KEYPAIR, 256, 256, 0, 256},
    {TEE_TYPE_SM2_KEP_PUBLIC_KEY, 256, 256, 0, 256},
    {TEE_TYPE_SM2_KEP_KEYPAIR, 256, 256, 0, 256},
    // DH: 512 bits (OpenSSL's smallest group) to 2048, any bit.
    {TEE_TYPE_DH_KEYPAIR, 512, 2048, 1, 0},
    {TEE_TYPE_ED25519_PUBLIC_KEY, 256, 256, 0, 256},
    {TEE_TYPE_ED25519_KEYPAIR, 256, 256, 0, 256},
    {TEE_TYPE_X25519_PUBLIC_KEY, 256, 256, 0, 256},
    {TEE_TYPE_X25519_KEYPAIR, 256, 256, 0, 256},
};

bool is_rsa(uint32_t type) {
  return type == TEE_TYPE_RSA_PUBLIC_KEY || type == TEE_TYPE_RSA_KEYPAIR;
}

const SizeRule *rule_for(uint32_t type) {
  for (const SizeRule &r : kRules) {
    if (r.type == type) {
      return &r;
    }
  }
  return nullptr;
}

}  // namespace

bool object_type_supported(uint32_t type) {
  return rule_for(type) != nullptr;
}

bool object_size_valid(uint32_t type, uint32_t bits) {
  const SizeRule *r = rule_for(type);
  if (r == nullptr || bits < r->min_bits || bits > r->max_bits) {
    return false;
  }
  if (is_ecc_type(type)) {
    return ecc_size_valid(type, bits);
  }
  if (r->step == 0) {
    return bits == r->min_bits || bits == r->max_bits || bits == r->also;
  }
  return (bits - r->min_bits) % r->step == 0;
}

uint32_t object_secret_attribute(uint32_t type) {
  switch (type) {
    case TEE_TYPE_HKDF_IKM:
      return TEE_ATTR_HKDF_IKM;
    case TEE_TYPE_CONCAT_KDF_Z:
      return TEE_ATTR_CONCAT_KDF_Z;
    case TEE_TYPE_PBKDF2_PASSWORD:
      return TEE_ATTR_PBKDF2_PASSWORD;
    default:
      return rule_for(type) != nullptr && !is_rsa(type) && !is_ecc_type(type) &&
                     !is_25519_type(type) && type != TEE_TYPE_DH_KEYPAIR
                 ? TEE_ATTR_SECRET_VALUE
                 : 0;
  }
}

bool object_attribute_allowed(uint32_t type, uint32_t attribute_id) {
  switch (attribute_id) {
    case TEE_ATTR_RSA_MODULUS:
    case TEE_ATTR_RSA_PUBLIC_EXPONENT:
      return is_rsa(type);
    case TEE_ATTR_RSA_PRIVATE_EXPONENT:
    case TEE_ATTR_RSA_PRIME1:
    case TEE_ATTR_RSA_PRIME2:
    case TEE_ATTR_RSA_EXPONENT1:
    case TEE_ATTR_RSA_EXPONENT2:
    case TEE_ATTR_RSA_COEFFICIENT:
      return type == TEE_TYPE_RSA_KEYPAIR;
    case TEE_ATTR_ECC_CURVE:
    case TEE_ATTR_ECC_PUBLIC_VALUE_X:
    case TEE_ATTR_ECC_PUBLIC_VALUE_Y:
      return is_ecc_type(type);
    case TEE_ATTR_ECC_PRIVATE_VALUE:
      return is_ecc_keypair_type(type);
    case TEE_ATTR_DH_PRIME:
    case TEE_ATTR_DH_SUBPRIME:
    case TEE_ATTR_DH_BASE:
    case TEE_ATTR_DH_PUBLIC_VALUE:
    case TEE_ATTR_DH_PRIVATE_VALUE:
      return type == TEE_TYPE_DH_KEYPAIR;
    case TEE_ATTR_ED25519_PUBLIC_VALUE:
      return type == TEE_TYPE_ED25519_PUBLIC_KEY || type == TEE_TYPE_ED25519_KEYPAIR;
    case TEE_ATTR_ED25519_PRIVATE_VALUE:
      return type == TEE_TYPE_ED25519_KEYPAIR;
    case TEE_ATTR_X25519_PUBLIC_VALUE:
      return type == TEE_TYPE_X25519_PUBLIC_KEY || type == TEE_TYPE_X25519_KEYPAIR;
    case TEE_ATTR_X25519_PRIVATE_VALUE:
      return type == TEE_TYPE_X25519_KEYPAIR;
    default:
      return attribute_id != 0 && attribute_id == object_secret_attribute(type);
  }
}

}  // namespace captee::gp_ta
