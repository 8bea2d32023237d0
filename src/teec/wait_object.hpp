// The context's IWait (spec §5.7, libminkteec's CWait): capteed and the TA
// wait on it for a cancellation; TEEC_RequestCancellation signals it.
#pragma once

#include "captee/object.hpp"

namespace captee::teec {

// A new IWait with libminkteec's CWait semantics: a signal with no matching
// waiter and a non-zero code is queued for a later wait. Thread-safe.
Ref make_wait_object();

}  // namespace captee::teec
