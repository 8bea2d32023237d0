// The v1.3.1 entry points of a TA compiled in the GP v1.1 compatibility mode.
// Such a TA defines __GP11_TA_OpenSessionEntryPoint and
// __GP11_TA_InvokeCommandEntryPoint (tee_api_compat.h renames them), while
// the runtime calls TA_OpenSessionEntryPoint / TA_InvokeCommandEntryPoint
// with v1.3.1 parameters. These definitions are weak: a v1.3.1 TA's own
// entry points take precedence, and the linker takes this object from the
// archive only when the TA lacks them. They convert the parameters to 32-bit
// sizes, call the TA, and copy its outputs back.
#include "gp11_params.hpp"
#include "tee_internal_api.h"
#include "trace.h"

// Weak references: a v1.3.1 TA does not define them.
extern "C" {
TEE_Result __GP11_TA_OpenSessionEntryPoint(uint32_t, __GP11_TEE_Param[TEE_NUM_PARAMS], void **)
    __attribute__((weak));
TEE_Result __GP11_TA_InvokeCommandEntryPoint(void *, uint32_t, uint32_t,
                                             __GP11_TEE_Param[TEE_NUM_PARAMS])
    __attribute__((weak));
}

namespace {

[[noreturn]] void no_entry_point(const char *name) {
  trace_printf(nullptr, 0, TRACE_ERROR, true, "the TA defines neither %s nor __GP11_%s", name,
               name);
  TEE_Panic(TEE_ERROR_NOT_IMPLEMENTED);
}

}  // namespace

extern "C" {

__attribute__((weak)) TEE_Result TA_OpenSessionEntryPoint(uint32_t paramTypes,
                                                          TEE_Param params[TEE_NUM_PARAMS],
                                                          void **sessionContext) {
  if (__GP11_TA_OpenSessionEntryPoint == nullptr) {
    no_entry_point("TA_OpenSessionEntryPoint");
  }
  __GP11_TEE_Param gp11[TEE_NUM_PARAMS];
  if (!captee::gp_ta::params_to_gp11_checked(paramTypes, params, gp11)) {
    return TEE_ERROR_BAD_PARAMETERS;  // a memref over 4 GiB: the TA cannot see it
  }
  TEE_Result r = __GP11_TA_OpenSessionEntryPoint(paramTypes, gp11, sessionContext);
  captee::gp_ta::params_from_gp11_outputs(paramTypes, gp11, params);
  return r;
}

__attribute__((weak)) TEE_Result TA_InvokeCommandEntryPoint(void *sessionContext,
                                                            uint32_t commandID, uint32_t paramTypes,
                                                            TEE_Param params[TEE_NUM_PARAMS]) {
  if (__GP11_TA_InvokeCommandEntryPoint == nullptr) {
    no_entry_point("TA_InvokeCommandEntryPoint");
  }
  __GP11_TEE_Param gp11[TEE_NUM_PARAMS];
  if (!captee::gp_ta::params_to_gp11_checked(paramTypes, params, gp11)) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  TEE_Result r = __GP11_TA_InvokeCommandEntryPoint(sessionContext, commandID, paramTypes, gp11);
  captee::gp_ta::params_from_gp11_outputs(paramTypes, gp11, params);
  return r;
}

}  // extern "C"
