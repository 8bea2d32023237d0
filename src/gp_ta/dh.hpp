// Finite-field Diffie-Hellman (TEE_TYPE_DH_KEYPAIR, TEE_ALG_DH_DERIVE_SHARED_SECRET)
// on OpenSSL 3's "DH" EVP_PKEY, held like the other asymmetric keys
// (decision 0022). OpenSSL works on primes of 512 bits and more, so captee's
// DH objects are 512 to 2048 bits (OP-TEE's go down to 256).
#pragma once

#include <openssl/evp.h>

#include <cstddef>
#include <cstdint>

#include "tee_api_types.h"

struct __TEE_OperationHandle;
struct __TEE_ObjectHandle;

namespace captee::gp_ta {

// A DH key pair from the TA's attributes (checked by the caller: each one
// the type has, none twice): TEE_ATTR_DH_PRIME, _BASE, _PUBLIC_VALUE and
// _PRIVATE_VALUE, TEE_ATTR_DH_SUBPRIME optional. `*key` is the caller's and
// `*bits` the prime's size; TEE_ERROR_BAD_PARAMETERS if one is missing or
// OpenSSL refuses them.
TEE_Result dh_key_from_attributes(const TEE_Attribute *attrs, uint32_t count, EVP_PKEY **key,
                                  uint32_t *bits);

// A new key pair in the group TEE_ATTR_DH_PRIME and _BASE (and _SUBPRIME)
// among `params` give, whose prime must be of `bits`; TEE_ATTR_DH_X_BITS,
// if given, is the private value's size. TEE_ERROR_BAD_PARAMETERS
// otherwise.
TEE_Result dh_generate(uint32_t bits, const TEE_Attribute *params, uint32_t count, EVP_PKEY **key);

// Buffer attribute `attribute_id` of `key`, as TEE_GetObjectBufferAttribute
// answers it; protection is the caller's.
TEE_Result dh_attribute(const EVP_PKEY *key, uint32_t attribute_id, void *buffer, size_t *size);

// TEE_DeriveKey for DH: the peer's TEE_ATTR_DH_PUBLIC_VALUE among `params`
// (OpenSSL refuses one out of range), the shared secret (big-endian,
// without leading zeros) into `out`, an empty generic secret. Every error
// panics, as GP says.
void dh_derive(const __TEE_OperationHandle *op, const TEE_Attribute *params, uint32_t count,
               __TEE_ObjectHandle *out);

}  // namespace captee::gp_ta
