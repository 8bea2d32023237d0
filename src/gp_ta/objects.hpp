// GP objects inside the runtime: what a TEE_ObjectHandle points to, and how
// the operations family reads a key object. A handle is only trusted once it
// is found among the live objects: anything else a TA passes panics it, as
// the specification requires for an invalid handle.
#pragma once

#include <openssl/evp.h>

#include <cstddef>
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
  // A persistent object's (storage_objects.cpp): the number capteed gave its
  // handle (never 0), and the handle's data position. 0 for a transient one.
  uint32_t storage_handle = 0;
  uint64_t data_position = 0;
  // The TEE_ObjectHandle value the TA holds for this object
  // (register_object).
  uintptr_t handle_value = 0;
};

namespace captee::gp_ta {

// The live object `handle` names; panics the TA (TEE_ERROR_BAD_PARAMETERS)
// if it names none.
__TEE_ObjectHandle *object_or_panic(TEE_ObjectHandle handle);

// Makes `o` (new-allocated, initialised) a live object and returns the
// handle the TA gets for it: a small number, not `o`'s address, so that a
// TA may keep it in 32 bits (GP lets a TA pass handles through a value
// parameter). TEE_HANDLE_NULL if out of memory; `o` is then deleted.
TEE_ObjectHandle register_object(__TEE_ObjectHandle *o);

// Ends a live object: forgets its handle, wipes and deletes it. A
// persistent object's capteed handle must be closed first.
void free_object(__TEE_ObjectHandle *o);

// An attribute of `o` as TEE_GetObjectBufferAttribute gives it, without the
// checks of what the TA may read (the storage family stores keys with it).
TEE_Result object_buffer_attribute(const __TEE_ObjectHandle *o, uint32_t attribute_id, void *buffer,
                                   size_t *size);

bool is_persistent(const __TEE_ObjectHandle *o);

// The persistent side of the generic object functions, in the storage
// family (storage_objects.cpp): TEE_CloseObject's (closes capteed's handle,
// then frees `o`), TEE_GetObjectInfo1's (refreshes the data size) and
// TEE_RestrictObjectUsage1's (stores the narrower usage).
void close_persistent(__TEE_ObjectHandle *o);
TEE_Result refresh_persistent_info(__TEE_ObjectHandle *o);
TEE_Result restrict_persistent_usage(__TEE_ObjectHandle *o, uint32_t usage);

}  // namespace captee::gp_ta
