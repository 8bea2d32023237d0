// What the GP runtime's process-wide functions do inside the
// gp_crypto_attrs fuzzer. The runtime's own (gp_runtime.cpp) end the TA
// process on TEE_Panic; here a panic throws TaPanicked back to the harness,
// which counts it as the TA's expected death and goes on with the next input.
// The fuzzer defines every gp_runtime.cpp function the code under test needs,
// so the linker never pulls that object in (if it did, the duplicate
// definitions would fail the link rather than pass silently).
#pragma once

#include "tee_api_types.h"

struct TaPanicked {
  TEE_Result code;
};
