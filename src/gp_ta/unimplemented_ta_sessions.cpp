// TA-to-TA sessions (GP 4.9), not implemented yet: issue 14's TA-to-TA item
// implements them through capteed's GP service and deletes this file. See
// unimplemented.hpp for what a stand-in does.
#include "tee_internal_api.h"
#include "unimplemented.hpp"

using captee::gp_ta::not_implemented;
using captee::gp_ta::unimplemented_panic;

extern "C" {

TEE_Result TEE_OpenTASession(const TEE_UUID *, uint32_t, uint32_t, TEE_Param[TEE_NUM_PARAMS],
                             TEE_TASessionHandle *session, uint32_t *returnOrigin) {
  // No session: a TA that closes what it got back closes TEE_HANDLE_NULL.
  if (session != nullptr) {
    *session = TEE_HANDLE_NULL;
  }
  if (returnOrigin != nullptr) {
    *returnOrigin = TEE_ORIGIN_TEE;
  }
  return not_implemented(__func__);
}

// No session can have been opened: TEE_HANDLE_NULL is a no-op, as the
// specification says; any other handle is invalid.
void TEE_CloseTASession(TEE_TASessionHandle session) {
  if (session != TEE_HANDLE_NULL) {
    unimplemented_panic(__func__);
  }
}

TEE_Result TEE_InvokeTACommand(TEE_TASessionHandle, uint32_t, uint32_t, uint32_t,
                               TEE_Param[TEE_NUM_PARAMS], uint32_t *returnOrigin) {
  if (returnOrigin != nullptr) {
    *returnOrigin = TEE_ORIGIN_TEE;
  }
  return not_implemented(__func__);
}

}  // extern "C"
