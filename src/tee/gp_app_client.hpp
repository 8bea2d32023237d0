// The GlobalPlatform app client service of capteed (CGPAppClient_UID 0x199).
//
// IGPAppClient openSession / openSessionV2 find the TA by UUID among capteed's
// built-in TAs (captee/tee/builtin_ta.hpp), then in the app loader's TA directory
// (<ta_dir>/<lower-case canonical uuid>.ta), start it through the AppRegistry (which honours the
// manifest's single-instance and keep-alive flags), and forward the call to the TA's app object
// with openSessionAs, stating the identity capteed computed: a GP TA's app object is an
// IGPAppClientCaptee (idl/IGPAppClientCaptee.idl) implemented by the GP runtime inside
// captee-tahost (src/gp_ta), which calls the TA's GP entry points.
//
// Each session the client gets is a capteed-side IGPSession that holds the
// TA's controller (so the TA lives while a session does) and maps a TA that
// died (DEFUNCT / UNAVAIL) to retValue TEEC_ERROR_TARGET_DEAD, origin TEE, on
// that call and every later one. The last release closes the session.
#pragma once

#include <memory>

#include "captee/object.hpp"
#include <string>
#include <vector>

#include "captee/tee/apps/app_loader.hpp"
#include "captee/tee/builtin_ta.hpp"
#include "captee/tee/credentials.hpp"

namespace captee::tee {

// The IGPAppClient service object over `builtins` and `registry` for the
// client `who` (login identities are computed from it, see gp_identity.hpp).
// Sessions to the TAs in `denied` (lower-case UUIDs, from the policy's "tas"
// rules) are refused with TEEC_ERROR_ACCESS_DENIED, origin TEE. Thread-safe.
Ref make_gp_app_client(std::shared_ptr<const BuiltinTaTable> builtins,
                       std::shared_ptr<apps::AppRegistry> registry, const ClientIdentity &who,
                       std::vector<std::string> denied);

}  // namespace captee::tee
