// Ed25519 and X25519 (RFC 8032, RFC 7748): key objects
// (TEE_TYPE_ED25519_* / TEE_TYPE_X25519_*, 256 bits, held as OpenSSL
// EVP_PKEYs as the other asymmetric keys are, decision 0022), Ed25519
// signatures over a whole message (TEE_AsymmetricSignDigest's "digest") and
// X25519's shared secret (TEE_DeriveKey).
#pragma once

#include <openssl/evp.h>

#include <cstddef>
#include <cstdint>

#include "tee_api_types.h"

struct __TEE_OperationHandle;
struct __TEE_ObjectHandle;

namespace captee::gp_ta {

// True for the four Curve25519 object types.
bool is_25519_type(uint32_t type);

// A key of `type` from the TA's attributes (checked by the caller: each one
// the type has, none twice): the 32-byte public value, and for a key pair
// the 32-byte private value, whose public half must be the public value
// given. `*key` is the caller's; TEE_ERROR_BAD_PARAMETERS otherwise.
TEE_Result key_25519_from_attributes(uint32_t type, const TEE_Attribute *attrs, uint32_t count,
                                     EVP_PKEY **key);

// A new key pair of `type` (an Ed25519 or X25519 key pair).
TEE_Result generate_25519(uint32_t type, EVP_PKEY **key);

// The public half of `key` as a new key (the caller owns it), or nullptr.
EVP_PKEY *public_half_25519(const EVP_PKEY *key);

// Buffer attribute `attribute_id` of `key` of `type`, as
// TEE_GetObjectBufferAttribute answers it; protection is the caller's.
TEE_Result attribute_25519(uint32_t type, const EVP_PKEY *key, uint32_t attribute_id, void *buffer,
                           size_t *size);

// TEE_AsymmetricSignDigest / VerifyDigest for Ed25519 over `msg`. Ed25519ctx
// and Ed25519ph (TEE_ATTR_EDDSA_CTX, TEE_ATTR_EDDSA_PREHASH) need OpenSSL
// 3.2: a non-empty context or a prehash answers TEE_ERROR_NOT_SUPPORTED.
TEE_Result ed25519_sign(const __TEE_OperationHandle *op, const TEE_Attribute *params,
                        uint32_t count, const void *msg, size_t msg_len, void *signature,
                        size_t *signature_len);
TEE_Result ed25519_verify(const __TEE_OperationHandle *op, const TEE_Attribute *params,
                          uint32_t count, const void *msg, size_t msg_len, const void *signature,
                          size_t signature_len);

// TEE_DeriveKey for X25519: the peer's TEE_ATTR_X25519_PUBLIC_VALUE among
// `params`, the 32-byte shared secret into `out`, an empty generic secret.
// Every error (a low-order peer point whose secret is all zeros among them)
// panics, as GP says.
void x25519_derive(const __TEE_OperationHandle *op, const TEE_Attribute *params, uint32_t count,
                   __TEE_ObjectHandle *out);

}  // namespace captee::gp_ta
