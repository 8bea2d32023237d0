// The host environment captee-tahost hands a GP TA when it starts
// (captee_ta_init, captee/ta_sdk.h), which the GP runtime defines and keeps:
// through it the runtime reaches what capteed keeps for this TA (the device
// ID, the persistent time; idl/ITaEnvironment.idl).
#pragma once

#include "captee/object.hpp"

namespace captee::gp_ta {

// The ITaEnvironment capteed bound to this TA (opened from the host
// environment once, on first use, then kept). A null Ref when the TA runs
// without one: a host started without an environment (an in-process app
// registry configured without AppLoaderConfig::ta_environment), or an
// environment that does not offer it. Thread-safe.
const Ref &ta_environment();

}  // namespace captee::gp_ta
