// The storage family's shared pieces (storage.hpp): storage ids, results,
// persistent handles.
#include <cstdint>
#include <utility>

#include "ITrustedStorage.hpp"
#include "host_environment.hpp"
#include "storage.hpp"
#include "tee_api_defines_extensions.h"
#include "trace.h"

namespace captee::gp_ta {

bool storage_namespace(uint32_t storage_id, uint32_t *ns) {
  switch (storage_id) {
    case TEE_STORAGE_PRIVATE:
    case TEE_STORAGE_PRIVATE_REE:
      *ns = ITrustedStorage_NAMESPACE_PRIVATE;
      return true;
    case TEE_STORAGE_PRIVATE_RPMB:
      *ns = ITrustedStorage_NAMESPACE_RPMB;
      return true;
    default:
      return false;
  }
}

TEE_Result storage_result(int32_t r) {
  switch (r) {
    case Object_OK:
      return TEE_SUCCESS;
    case ITrustedStorage_ERROR_NOT_FOUND:
      return TEE_ERROR_ITEM_NOT_FOUND;
    case ITrustedStorage_ERROR_ACCESS_CONFLICT:
      return TEE_ERROR_ACCESS_CONFLICT;
    case ITrustedStorage_ERROR_NO_SPACE:
      return TEE_ERROR_STORAGE_NO_SPACE;
    case ITrustedStorage_ERROR_CORRUPT:
      return TEE_ERROR_CORRUPT_OBJECT;
    case ITrustedStorage_ERROR_TOO_MANY_HANDLES:
    case Object_ERROR_MEM:
      return TEE_ERROR_OUT_OF_MEMORY;
    case ITrustedStorage_ERROR_BAD_HANDLE:
    case ITrustedStorage_ERROR_ACCESS_DENIED:
    case Object_ERROR_INVALID:
      trace_printf(nullptr, 0, TRACE_ERROR, true,
                   "trusted storage: capteed refused a call the runtime checked (%d); "
                   "panicking the TA",
                   static_cast<int>(r));
      TEE_Panic(TEE_ERROR_BAD_STATE);
    default:
      return TEE_ERROR_STORAGE_NOT_AVAILABLE;
  }
}

TEE_Result storage_for(uint32_t storage_id, uint32_t *ns, captee::iface::ITrustedStorage *s) {
  uint32_t space = 0;
  if (!storage_namespace(storage_id, &space)) {
    return TEE_ERROR_ITEM_NOT_FOUND;
  }
  captee::iface::ITrustedStorage storage(trusted_storage());
  if (!storage) {
    return TEE_ERROR_STORAGE_NOT_AVAILABLE;
  }
  *ns = space;
  *s = std::move(storage);
  return TEE_SUCCESS;
}

__TEE_ObjectHandle *persistent_or_panic(TEE_ObjectHandle handle) {
  __TEE_ObjectHandle *o = object_or_panic(handle);
  if (!is_persistent(o)) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  return o;
}

TEE_Result closing_if_corrupt(__TEE_ObjectHandle *o, TEE_Result r) {
  if (r == TEE_ERROR_CORRUPT_OBJECT) {
    close_persistent(o);
  }
  return r;
}

}  // namespace captee::gp_ta
