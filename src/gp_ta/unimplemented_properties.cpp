// Property functions captee does not implement yet (issue 14's properties
// item implements them and deletes this file). TEE_GetPropertyAsIdentity's
// "gpd.client.identity" is implemented in gp_runtime.cpp. See
// unimplemented.hpp for what a stand-in does.
#include "tee_internal_api.h"
#include "unimplemented.hpp"

using captee::gp_ta::not_implemented;
using captee::gp_ta::unimplemented_panic;

extern "C" {

TEE_Result TEE_GetPropertyAsString(TEE_PropSetHandle, const char *, char *, size_t *) {
  return not_implemented(__func__);
}

TEE_Result TEE_GetPropertyAsBool(TEE_PropSetHandle, const char *, bool *) {
  return not_implemented(__func__);
}

TEE_Result TEE_GetPropertyAsU32(TEE_PropSetHandle, const char *, uint32_t *) {
  return not_implemented(__func__);
}

TEE_Result TEE_GetPropertyAsU64(TEE_PropSetHandle, const char *, uint64_t *) {
  return not_implemented(__func__);
}

TEE_Result TEE_GetPropertyAsBinaryBlock(TEE_PropSetHandle, const char *, void *, size_t *) {
  return not_implemented(__func__);
}

TEE_Result TEE_GetPropertyAsUUID(TEE_PropSetHandle, const char *, TEE_UUID *) {
  return not_implemented(__func__);
}

TEE_Result TEE_AllocatePropertyEnumerator(TEE_PropSetHandle *enumerator) {
  if (enumerator != nullptr) {
    *enumerator = TEE_HANDLE_NULL;
  }
  return not_implemented(__func__);
}

// No enumerator can have been allocated: TEE_HANDLE_NULL is the one value
// the specification lets through (nothing to free); any other is invalid.
void TEE_FreePropertyEnumerator(TEE_PropSetHandle enumerator) {
  if (enumerator != TEE_HANDLE_NULL) {
    unimplemented_panic(__func__);
  }
}

void TEE_StartPropertyEnumerator(TEE_PropSetHandle, TEE_PropSetHandle) {
  unimplemented_panic(__func__);
}

void TEE_ResetPropertyEnumerator(TEE_PropSetHandle) {
  unimplemented_panic(__func__);
}

TEE_Result TEE_GetPropertyName(TEE_PropSetHandle, void *, size_t *) {
  return not_implemented(__func__);
}

TEE_Result TEE_GetNextProperty(TEE_PropSetHandle) {
  return not_implemented(__func__);
}

}  // extern "C"
