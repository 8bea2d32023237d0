// The host environment captee-tahost hands a TA when it starts (ta_sdk.h's
// captee_ta_init): the GP runtime takes it, and keeps it for the services
// capteed offers a TA through it (its GP service for TA-to-TA,
// CAPTEE_TA_ENV_GP_APP_CLIENT). A GP TA therefore does not define
// captee_ta_init itself (the link would fail with two definitions).
#pragma once

#include "captee/object.h"

namespace captee::gp_ta {

// The environment (an IOpener), borrowed; Object_NULL outside captee-tahost
// or when the host was given none. Set once, before any entry point runs.
Object host_env();

}  // namespace captee::gp_ta
