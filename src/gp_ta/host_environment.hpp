// The host environment captee-tahost hands a GP TA when it starts
// (captee_ta_init, captee/ta_sdk.h), which the GP runtime defines and keeps:
// through it the runtime reaches what capteed serves this TA beside its
// sessions (the device ID and persistent time, idl/ITaEnvironment.idl; the
// supplicant plugin relay, idl/ISuppPluginRelay.idl; GP trusted storage,
// idl/ITrustedStorage.idl).
#pragma once

#include "captee/object.hpp"

namespace captee::gp_ta {

// The environment the host passed, kept for the life of the process; a null
// Ref if the TA runs without one (a host with no listener table). Set once by
// captee_ta_init before any entry point runs, so reading it needs no lock.
const Ref &host_environment();

// The ITaEnvironment capteed bound to this TA (opened from the host
// environment once, on first use, then kept). A null Ref when the TA runs
// without one: a host started without an environment (an in-process app
// registry configured without AppLoaderConfig::ta_environment), or an
// environment that does not offer it. Thread-safe.
const Ref &ta_environment();

// The ITrustedStorage capteed bound to this TA for this process (opened
// from the host environment once, on first use, then kept: releasing it
// would close every persistent object handle). A null Ref when the TA runs
// without one (outside capteed). Thread-safe.
const Ref &trusted_storage();

}  // namespace captee::gp_ta
