// The GP session capteed's GP service hands out (gp_app_client.hpp): an
// IGPSessionCaptee that forwards to the TA's own session, and whose
// direct() gives a client that session itself, reached over a direct channel
// to the TA's process (docs/GP.md, "Direct sessions"; none for a built-in
// TA's session, ERROR_NO_DIRECT, nor for a TA's own with
// CAPTEE_TA2TA_DIRECT=0 in capteed's environment).
//
// It holds the TA's controller (so the TA lives while a session does) and
// maps a TA that died (DEFUNCT / UNAVAIL) to retValue TEE_ERROR_TARGET_DEAD,
// origin TEE, on that call and every later one. close() closes the TA's
// session synchronously (TA_CloseSessionEntryPoint has run when it
// returns); the last release does the same if close() was never called.
//
// A session a TA opened (TA-to-TA) has a call site in the wait-for graph
// (gp_call_graph.hpp): each of its calls adds the edge caller -> callee
// while it runs, and a call that would close a cycle is refused, an invoke
// with retValue TEE_ERROR_BUSY (origin TEE), a close with
// Object_ERROR_BUSY (the session stays open). Its invokeInChain and
// closeInChain (IGPSessionCapteeTa.idl) bring the caller's call chain of
// direct hops into the graph too (decision 0028); a malformed chain is
// Object_ERROR_INVALID.
#pragma once

#include <cstdint>
#include <memory>

#include "captee/object.hpp"
#include "gp_call_graph.hpp"

namespace captee::tee {

struct GpCallSite {
  std::shared_ptr<TaCallGraph> graph;  // null: a normal-world client's session
  uint64_t caller = 0;                 // apps::TaCaller::app_id of the calling TA
  uint64_t callee = 0;                 // the called TA's id, 0 for a built-in TA
};

// A session over the TA's session `inner` (an IGPSession), keeping
// `controller` (may be null: built-in TAs have none).
Ref make_gp_session(Ref controller, Ref inner, GpCallSite site = {});

}  // namespace captee::tee
