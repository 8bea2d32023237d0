// The object types captee's transient objects support and their key sizes
// (GP Internal Core API, TEE_AllocateTransientObject's table): the symmetric
// types, whose one attribute is TEE_ATTR_SECRET_VALUE, and the secrets of
// OP-TEE's key derivations (HKDF's IKM, Concat KDF's Z, PBKDF2's password),
// each under its own attribute, the RSA public key and key pair, whose
// attributes are the GP RSA ones (rsa_keys.hpp), and the ECDSA and ECDH
// ones (ecc.hpp), Ed25519's and X25519's (curve25519.hpp), DH's (dh.hpp).
#pragma once

#include <cstdint>

namespace captee::gp_ta {

// True if objects of `type` exist in captee.
bool object_type_supported(uint32_t type);

// True if `bits` is a key size of `type` (AES 128/192/256, DES 64, DES3
// 128/192, each HMAC type its range in steps of 8, a generic secret 8 to
// 4096 in steps of 8, RSA 256 to 4096, ECC the NIST curves' sizes, Ed25519
// and X25519 256, DH 512 to 2048).
bool object_size_valid(uint32_t type, uint32_t bits);

// True if `attribute_id` is an attribute of `type`.
bool object_attribute_allowed(uint32_t type, uint32_t attribute_id);

// The attribute that holds an object's secret: TEE_ATTR_SECRET_VALUE, or a
// derivation type's own; 0 for RSA, ECC, Curve25519 and DH (their keys are EVP_PKEYs,
// objects.hpp) and
// for a type captee does not have.
uint32_t object_secret_attribute(uint32_t type);

}  // namespace captee::gp_ta
