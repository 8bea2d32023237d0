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
// Each session the client gets is a capteed-side IGPSession (gp_session.hpp)
// that holds the TA's controller (so the TA lives while a session does) and
// maps a TA that died (DEFUNCT / UNAVAIL) to retValue TEEC_ERROR_TARGET_DEAD,
// origin TEE, on that call and every later one. The last release closes the
// session.
//
// TAs open sessions to other TAs (GP TA-to-TA) through the same service: each
// loaded TA gets its own GpAppClient (make_ta_gp_app_client), bound to who
// capteed knows the TA to be (apps::TaCaller), through its host environment.
// The TA states no identity: its open asks for TEE_LOGIN_TRUSTED_APP and the
// called TA sees the identity gp_identity_of_ta computed; any other login is
// refused with TEE_ERROR_ACCESS_DENIED (origin TEE). Its calls are kept in
// the wait-for graph (gp_call_graph.hpp), so a chain that would wait for
// itself is answered TEE_ERROR_BUSY (origin TEE) instead of hanging.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "captee/object.hpp"
#include "captee/tee/apps/app_loader.hpp"
#include "captee/tee/apps/ta_caller.hpp"
#include "captee/tee/builtin_ta.hpp"
#include "captee/tee/credentials.hpp"
#include "gp_call_graph.hpp"

namespace captee::tee {

// The IGPAppClient service object over `builtins` and `registry` for the
// client `who` (login identities are computed from it, see gp_identity.hpp).
// Sessions to the TAs in `denied` (lower-case UUIDs, from the policy's "tas"
// rules) are refused with TEEC_ERROR_ACCESS_DENIED, origin TEE. Thread-safe.
Ref make_gp_app_client(std::shared_ptr<const BuiltinTaTable> builtins,
                       std::shared_ptr<apps::AppRegistry> registry, const ClientIdentity &who,
                       std::vector<std::string> denied);

// The IGPAppClient the TA `ta` uses for its own sessions to other TAs. Holds
// `builtins` and `registry` weakly (the registry holds the TA, whose
// environment holds this object, and the TA may be dropped late, on a
// channel thread); once the registry is gone, opens answer
// TEE_ERROR_GENERIC. `denied` as above; `graph` is the daemon's one wait-for
// graph. Thread-safe.
Ref make_ta_gp_app_client(std::weak_ptr<const BuiltinTaTable> builtins,
                          std::weak_ptr<apps::AppRegistry> registry,
                          std::shared_ptr<TaCallGraph> graph, const apps::TaCaller &ta,
                          std::vector<std::string> denied);

}  // namespace captee::tee
