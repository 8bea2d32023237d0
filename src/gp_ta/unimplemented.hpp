// What a GP Internal Core API function captee does not implement yet does
// (tee_internal_api.h, docs/GP.md): never a silent success. Each logs one
// error line naming itself on the TA host's stderr, then
//  - returns TEE_ERROR_NOT_IMPLEMENTED if it returns a TEE_Result, or
//  - panics the TA (TEE_Panic(TEE_ERROR_NOT_IMPLEMENTED): its sessions then
//    answer TEE_ERROR_TARGET_DEAD) if it has no way to report an error.
// The unimplemented_*.cpp files hold these stand-ins, one file per API family;
// the issue that implements a family deletes its file (the archive would
// otherwise offer two definitions and the linker would take whichever object
// it reaches first).
#pragma once

#include "tee_api_types.h"

namespace captee::gp_ta {

// Logs "<function>: not implemented" and returns TEE_ERROR_NOT_IMPLEMENTED.
TEE_Result not_implemented(const char *function);

// Logs "<function>: not implemented" and panics the TA.
[[noreturn]] void unimplemented_panic(const char *function);

}  // namespace captee::gp_ta
