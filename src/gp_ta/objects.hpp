// GP objects inside the runtime: what a TEE_ObjectHandle points to, and how
// the operations family reads a key object. A handle is only trusted once it
// is found among the live objects: anything else a TA passes panics it, as
// the specification requires for an invalid handle.
#pragma once

#include <openssl/evp.h>

#include <cstdint>

#include "secret_buffer.hpp"
#include "tee_api_types.h"

// The object a TEE_ObjectHandle points to (tee_api_types.h leaves it opaque).
struct __TEE_ObjectHandle {
  TEE_ObjectInfo info{};
  // The secret (TEE_ATTR_SECRET_VALUE, or a derivation type's own
  // attribute, object_types.hpp), up to maxObjectSize bits.
  captee::gp_ta::SecretBuffer secret;
  // An RSA or ECC key (rsa_keys.hpp, ecc.hpp), owned by the object, freed (OpenSSL clears
  // its private numbers) when the object is reset or freed; nullptr for the
  // symmetric types. Never changed once set, so an operation shares it.
  EVP_PKEY *pkey = nullptr;
};

namespace captee::gp_ta {

// The live object `handle` names; panics the TA (TEE_ERROR_BAD_PARAMETERS)
// if it names none.
__TEE_ObjectHandle *object_or_panic(TEE_ObjectHandle handle);

}  // namespace captee::gp_ta
