// What a TA-to-TA call made from inside an entry point inherits from the
// entry point's own call (ta_sessions_wait.hpp): whether the calling TA's
// client can cancel it now, and how to ask that client. The state itself is
// gp_runtime.cpp's; only the thread running the entry point may use these.
#pragma once

#include <cstdint>

#include "captee/gp_call_chain.hpp"
#include "captee/object.h"

namespace captee::gp_ta {

struct CurrentCancellation {
  Object wait = Object_NULL;  // the client's IWait, borrowed for the entry point's call
  uint32_t cancel_code = 0;   // the client's code for this call (0: not cancellable)
  bool unmasked = false;      // the TA has unmasked cancellation
  bool cancelled = false;     // the TA has already seen its cancellation
};

// The entry point in progress on this thread (all zero outside one).
CurrentCancellation current_cancellation();

// Records that the entry point's call was cancelled: a callee saw the
// cancellation through this TA (the client's wait object hands each request
// out once), so TEE_GetCancellationFlag answers true from now on.
void note_cancelled();

// The call chain a TA-to-TA call made now carries (decision 0028): the
// entry point's, or this instance alone (empty when the host gave no id).
captee::gp::CallChain current_chain();

}  // namespace captee::gp_ta
