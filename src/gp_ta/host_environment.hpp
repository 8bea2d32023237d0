// The host environment captee-tahost hands a TA (captee_ta_init, ta_sdk.h):
// the IOpener through which the GP runtime reaches what capteed serves TAs
// beside their sessions (the supplicant plugin relay).
#pragma once

#include "captee/object.h"

namespace captee::gp_ta {

// The environment the host passed, retained for the life of the process;
// Object_NULL if the TA runs without one (a host with no listener table).
// Borrowed: do not release it.
Object host_environment();

}  // namespace captee::gp_ta
