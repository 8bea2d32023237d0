// Persistent objects, their enumeration and data streams (GP 5.7 to 5.9), not
// implemented yet: the storage issue (#16) implements them and deletes this
// file. The generic and transient object functions (GP 5.5, 5.6) work
// already (objects.cpp), as do TEE_InitRefAttribute and
// TEE_InitValueAttribute (attributes.cpp). See unimplemented.hpp for what a
// stand-in does.
//
// No persistent object or enumerator can exist yet, so a function handed a
// handle panics
// (an invalid handle panics in GP too), except where the specification makes
// TEE_HANDLE_NULL a no-op. Allocating and opening functions set their output
// handle to TEE_HANDLE_NULL, so a TA's clean-up path closes nothing.
#include "tee_internal_api.h"
#include "unimplemented.hpp"

using captee::gp_ta::not_implemented;
using captee::gp_ta::unimplemented_panic;

namespace {

template <typename Handle>
TEE_Result no_handle(Handle *out, const char *function) {
  if (out != nullptr) {
    *out = TEE_HANDLE_NULL;
  }
  return not_implemented(function);
}

}  // namespace

extern "C" {

// ---- Persistent objects (GP 5.7) ----

TEE_Result TEE_OpenPersistentObject(uint32_t, const void *, size_t, uint32_t,
                                    TEE_ObjectHandle *object) {
  return no_handle(object, __func__);
}

TEE_Result TEE_CreatePersistentObject(uint32_t, const void *, size_t, uint32_t, TEE_ObjectHandle,
                                      const void *, size_t, TEE_ObjectHandle *object) {
  return no_handle(object, __func__);
}

void TEE_CloseAndDeletePersistentObject(TEE_ObjectHandle object) {
  if (object != TEE_HANDLE_NULL) {
    unimplemented_panic(__func__);
  }
}

TEE_Result TEE_CloseAndDeletePersistentObject1(TEE_ObjectHandle object) {
  if (object == TEE_HANDLE_NULL) {
    return TEE_SUCCESS;  // the specification's no-op, not a deletion
  }
  return not_implemented(__func__);
}

TEE_Result TEE_RenamePersistentObject(TEE_ObjectHandle, const void *, size_t) {
  return not_implemented(__func__);
}

// ---- Persistent object enumeration (GP 5.8) ----

TEE_Result TEE_AllocatePersistentObjectEnumerator(TEE_ObjectEnumHandle *objectEnumerator) {
  return no_handle(objectEnumerator, __func__);
}

void TEE_FreePersistentObjectEnumerator(TEE_ObjectEnumHandle objectEnumerator) {
  if (objectEnumerator != TEE_HANDLE_NULL) {
    unimplemented_panic(__func__);
  }
}

void TEE_ResetPersistentObjectEnumerator(TEE_ObjectEnumHandle) {
  unimplemented_panic(__func__);
}

TEE_Result TEE_StartPersistentObjectEnumerator(TEE_ObjectEnumHandle, uint32_t) {
  return not_implemented(__func__);
}

TEE_Result TEE_GetNextPersistentObject(TEE_ObjectEnumHandle, TEE_ObjectInfo *, void *, size_t *) {
  return not_implemented(__func__);
}

// ---- Data streams (GP 5.9) ----

TEE_Result TEE_ReadObjectData(TEE_ObjectHandle, void *, size_t, size_t *) {
  return not_implemented(__func__);
}

TEE_Result TEE_WriteObjectData(TEE_ObjectHandle, const void *, size_t) {
  return not_implemented(__func__);
}

TEE_Result TEE_TruncateObjectData(TEE_ObjectHandle, size_t) {
  return not_implemented(__func__);
}

TEE_Result TEE_SeekObjectData(TEE_ObjectHandle, intmax_t, TEE_Whence) {
  return not_implemented(__func__);
}

}  // extern "C"
