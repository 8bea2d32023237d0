// The client of the session whose entry point runs now, which the GP runtime
// (gp_runtime.cpp) keeps for the TEE_PROPSET_CURRENT_CLIENT properties.
#pragma once

#include "tee_api_types.h"

namespace captee::gp_ta {

// The identity capteed stated for the client of the session whose
// TA_OpenSessionEntryPoint, TA_InvokeCommandEntryPoint or
// TA_CloseSessionEntryPoint runs now; nullptr outside those
// (TA_CreateEntryPoint, TA_DestroyEntryPoint, a thread of the TA's own).
// Valid until that entry point returns.
const TEE_Identity *current_client();

}  // namespace captee::gp_ta
