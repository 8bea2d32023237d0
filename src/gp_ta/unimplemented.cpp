// The two behaviours of an Internal Core API function captee does not
// implement yet (unimplemented.hpp).
#include "unimplemented.hpp"

#include "tee_internal_api.h"
#include "trace.h"

namespace captee::gp_ta {

TEE_Result not_implemented(const char *function) {
  trace_printf(nullptr, 0, TRACE_ERROR, true, "%s: not implemented in captee yet (see docs/GP.md)",
               function);
  return TEE_ERROR_NOT_IMPLEMENTED;
}

void unimplemented_panic(const char *function) {
  trace_printf(nullptr, 0, TRACE_ERROR, true,
               "%s: not implemented in captee yet (see docs/GP.md); panicking the TA", function);
  TEE_Panic(TEE_ERROR_NOT_IMPLEMENTED);
}

}  // namespace captee::gp_ta
