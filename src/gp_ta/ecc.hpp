// Elliptic-curve keys and operations on the NIST curves P-192 to P-521 and
// the SM2 curve: ECDSA, ECDH and SM2 key objects (TEE_TYPE_ECDSA_* /
// TEE_TYPE_ECDH_* / TEE_TYPE_SM2_*, held as OpenSSL EVP_PKEYs as RSA keys
// are, decision 0022), ECDSA and SM2 signatures as GP's r || s, and ECDH's
// shared secret (TEE_DeriveKey). SM2 encryption is in sm2.hpp.
#pragma once

#include <openssl/evp.h>

#include <cstddef>
#include <cstdint>

#include "tee_api_types.h"

struct __TEE_OperationHandle;
struct __TEE_ObjectHandle;

namespace captee::gp_ta {

// True for the six SM2 object types (DSA, PKE, KEP; public key and pair).
bool is_sm2_type(uint32_t type);

// True for the four ECDSA and ECDH object types and the SM2 ones: each
// takes TEE_ATTR_ECC_CURVE and the point's coordinates.
bool is_ecc_type(uint32_t type);

// True for the ECC types that are key pairs (TEE_ATTR_ECC_PRIVATE_VALUE).
bool is_ecc_keypair_type(uint32_t type);

// True if `bits` is a size of `type`: one of the NIST curves' sizes (192,
// 224, 256, 384, 521), or 256 for the SM2 types.
bool ecc_size_valid(uint32_t type, uint32_t bits);

// A key of `type` from the TA's attributes (checked by the caller: each one
// the type has, none twice): TEE_ATTR_ECC_CURVE, TEE_ATTR_ECC_PUBLIC_VALUE_X
// and _Y, and for a key pair TEE_ATTR_ECC_PRIVATE_VALUE. On success `*key`
// is the caller's and `*bits` the curve's size; TEE_ERROR_BAD_PARAMETERS if
// one is missing, the curve is not the type's (a NIST one; SM2's for the
// SM2 types, which become OpenSSL "SM2" keys), a value is longer than the
// curve's, or the point is not on the curve.
TEE_Result ecc_key_from_attributes(uint32_t type, const TEE_Attribute *attrs, uint32_t count,
                                   EVP_PKEY **key, uint32_t *bits);

// A new key pair of `type` on the curve TEE_ATTR_ECC_CURVE names among
// `params`, which must be of `bits` (an SM2 type's curve is SM2's, the
// attribute optional); TEE_ERROR_BAD_PARAMETERS otherwise. On success `*key`
// is the caller's.
TEE_Result ecc_generate(uint32_t type, uint32_t bits, const TEE_Attribute *params, uint32_t count,
                        EVP_PKEY **key);

// A public key on `own`'s curve at the point (x, y) the TA gives (ECDH's
// peer), or nullptr if a coordinate is longer than the curve's or the point
// is not on the curve. The caller owns it.
EVP_PKEY *ecc_peer_key(const EVP_PKEY *own, const TEE_Attribute &x, const TEE_Attribute &y);

// The public half of `key` as a new key (the caller owns it), or nullptr.
EVP_PKEY *ecc_public_half(const EVP_PKEY *key);

// Buffer attribute `attribute_id` of `key` (X, Y, the private value), as
// TEE_GetObjectBufferAttribute answers it; protection is the caller's.
TEE_Result ecc_attribute(const EVP_PKEY *key, uint32_t attribute_id, void *buffer, size_t *size);

// TEE_ECC_CURVE_* of a key of `type` and `bits`, 0 if none.
uint32_t ecc_curve_of(uint32_t type, uint32_t bits);

// TEE_AsymmetricSignDigest / VerifyDigest for ECDSA and SM2 (TEE_ALG_SM2_DSA_SM3
// signs the digest the TA gives, SM3(Z || M), as ECDSA does its digest:
// OpenSSL's SM2 EVP_PKEY_sign computes no Z); the caller checked the
// operation, its mode, key and the digest's length.
TEE_Result ecdsa_sign(const __TEE_OperationHandle *op, const void *digest, size_t digest_len,
                      void *signature, size_t *signature_len);
TEE_Result ecdsa_verify(const __TEE_OperationHandle *op, const void *digest, size_t digest_len,
                        const void *signature, size_t signature_len);

// TEE_DeriveKey for ECDH: the peer's TEE_ATTR_ECC_PUBLIC_VALUE_X and _Y
// among `params`, the shared secret (the x-coordinate, the curve's size)
// into `out`, an empty generic secret. Every error panics, as GP says.
void ecdh_derive(const __TEE_OperationHandle *op, const TEE_Attribute *params, uint32_t count,
                 __TEE_ObjectHandle *out);

}  // namespace captee::gp_ta
