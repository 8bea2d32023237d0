// RSA key objects (TEE_TYPE_RSA_PUBLIC_KEY, TEE_TYPE_RSA_KEYPAIR): the key
// lives in the object as an OpenSSL EVP_PKEY (objects.hpp), built from the
// TA's attributes or generated, and read back one attribute at a time.
// Decision 0022 says why the key is an EVP_PKEY rather than bytes in a
// SecretBuffer.
#pragma once

#include <openssl/evp.h>

#include <cstddef>
#include <cstdint>

#include "tee_api_types.h"

namespace captee::gp_ta {

// True for the two RSA object types.
bool is_rsa_type(uint32_t type);

// A key of `type` from the TA's attributes: TEE_ATTR_RSA_MODULUS and
// TEE_ATTR_RSA_PUBLIC_EXPONENT, and for a key pair TEE_ATTR_RSA_PRIVATE_EXPONENT
// with the five CRT attributes optional (all or none). The attributes were
// checked by the caller (each one the type has, none twice, no null buffer
// with a length). On success `*key` is the new key (the caller owns it) and
// `*bits` the modulus size; TEE_ERROR_BAD_PARAMETERS if a mandatory
// attribute is missing, the CRT set is partial, or the values are no RSA key
// OpenSSL accepts.
TEE_Result rsa_key_from_attributes(uint32_t type, const TEE_Attribute *attrs, uint32_t count,
                                   EVP_PKEY **key, uint32_t *bits);

// A new key pair of `bits` with the public exponent `exponent` (big-endian,
// `exponent_len` bytes; 65537 if `exponent` is null). On success `*key` is
// the caller's; TEE_ERROR_BAD_PARAMETERS if OpenSSL refuses the size or the
// exponent (it generates no key under 512 bits, nor with an even exponent).
TEE_Result rsa_generate(uint32_t bits, const void *exponent, size_t exponent_len, EVP_PKEY **key);

// The public half of `key` as a new key (the caller owns it), or nullptr if
// OpenSSL cannot make it.
EVP_PKEY *rsa_public_half(const EVP_PKEY *key);

// Attribute `attribute_id` of `key`, big-endian without leading zeros, into
// `buffer` of `*size` bytes (GP's TEE_GetObjectBufferAttribute rules:
// TEE_ERROR_SHORT_BUFFER with the size needed, TEE_ERROR_ITEM_NOT_FOUND for
// an attribute the key does not have, such as the CRT values of a key
// populated without them). Protection is the caller's to check.
TEE_Result rsa_attribute(const EVP_PKEY *key, uint32_t attribute_id, void *buffer, size_t *size);

}  // namespace captee::gp_ta
