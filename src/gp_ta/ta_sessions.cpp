// TA-to-TA sessions (GP TEE Internal Core API 4.9): TEE_OpenTASession,
// TEE_InvokeTACommand, TEE_CloseTASession, through capteed's GP service.
//
// Invokes go straight to the callee's host when capteed gave the session's
// direct form (decision 0028): IGPSessionTa.invokeInChain with this entry
// point's call chain. A callee busy in another entry point answers
// ERROR_FORWARD and the call is repeated on capteed's session, whose
// wait-for graph decides whether it may wait; opens, closes and those
// repeated invokes carry the chain to capteed too.
//
// The service is the IGPAppClient capteed bound to this TA, from the host
// environment (CAPTEE_TA_ENV_GP_APP_CLIENT): the called TA sees login
// TEE_LOGIN_TRUSTED_APP and this TA's UUID (or what capteed decided this TA
// is, docs/GP.md), never anything this TA says. Parameters:
// ta_sessions_params.hpp; cancellation and cancellationRequestTimeout:
// ta_sessions_wait.hpp.
//
// A session handle is this process's own number for the session, an index
// into the table below with a generation: a handle this TA never got (made
// up, another TA's, or one already closed) is found nowhere and panics the
// TA, as the specification says; no handle reaches another TA's sessions.
#include <cstdint>
#include <mutex>
#include <vector>

#include "IGPAppClient.h"
#include "IGPAppClientTa.h"
#include "IGPSession.h"
#include "IGPSessionCapteeTa.h"
#include "IGPSessionTa.h"
#include "IOpener.h"
#include "call_state.hpp"
#include "captee/object.hpp"
#include "captee/ta_sdk.h"
#include "host_environment.hpp"
#include "ta_sessions_params.hpp"
#include "ta_sessions_wait.hpp"
#include "tee_internal_api.h"

namespace {

using captee::Ref;
using captee::gp_ta::OutgoingCall;
using captee::gp_ta::OutgoingParams;

// Sessions one TA may hold open at once; one more answers OUT_OF_MEMORY.
constexpr size_t kMaxSessions = 256;

struct Slot {
  Ref session;              // capteed's IGPSessionCapteeTa; null when free
  Ref direct;               // the callee's own IGPSessionTa over a direct channel, or null
  uint16_t generation = 1;  // bumped on every close, never 0
};

// A session's two objects, shared for one call.
struct SessionRefs {
  Ref session;
  Ref direct;
};

std::mutex g_mu;
std::vector<Slot> g_slots;  // guarded by g_mu
Ref g_service;              // guarded by g_mu: capteed's IGPAppClient, once found

TEE_TASessionHandle handle_of(size_t index, uint16_t generation) {
  const uintptr_t v = (uintptr_t{generation} << 16) | (index + 1);
  return reinterpret_cast<TEE_TASessionHandle>(v);
}

// The slot a handle names, or nullptr; under g_mu.
Slot *slot_of(TEE_TASessionHandle h) {
  const auto v = reinterpret_cast<uintptr_t>(h);
  const size_t index = (v & 0xFFFF) - 1;
  const auto generation = static_cast<uint16_t>(v >> 16);
  if ((static_cast<uint64_t>(v) >> 32) != 0 || (v & 0xFFFF) == 0 || index >= g_slots.size() ||
      g_slots[index].generation != generation || g_slots[index].session.is_null()) {
    return nullptr;
  }
  return &g_slots[index];
}

// A free slot's index (growing the table up to kMaxSessions), or -1; under
// g_mu.
long free_slot() {
  for (size_t i = 0; i < g_slots.size(); ++i) {
    if (g_slots[i].session.is_null()) {
      return static_cast<long>(i);
    }
  }
  if (g_slots.size() >= kMaxSessions) {
    return -1;
  }
  g_slots.emplace_back();
  return static_cast<long>(g_slots.size() - 1);
}

// capteed's GP service for this TA; null outside captee-tahost.
Ref service() {
  std::lock_guard lock(g_mu);
  if (g_service.is_null()) {
    Object env = captee::gp_ta::host_environment().get();
    Object s = Object_NULL;
    if (!Object_isNull(env) && IOpener_open(env, CAPTEE_TA_ENV_GP_APP_CLIENT, &s) == Object_OK) {
      g_service = Ref::adopt(s);
    }
  }
  return g_service;
}

// The session a handle names, shared for one call (a close meanwhile does
// not pull it away); panics for a handle this TA does not hold.
SessionRefs session_of(TEE_TASessionHandle h) {
  std::lock_guard lock(g_mu);
  Slot *s = slot_of(h);
  if (s == nullptr) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  return {s->session, s->direct};
}

bool died(int32_t err) {
  return err == Object_ERROR_DEFUNCT || err == Object_ERROR_UNAVAIL;
}

// The callee's own session, for direct invokes, or null: capteed gives none
// for a built-in TA, or when direct TA-to-TA is off (docs/GP.md).
Ref direct_form(Object session) {
  Object d = Object_NULL;
  if (IGPSessionCaptee_direct(session, &d) != Object_OK) {
    return Ref();
  }
  return Ref::adopt(d);
}

}  // namespace

extern "C" {

TEE_Result TEE_OpenTASession(const TEE_UUID *destination, uint32_t cancellationRequestTimeout,
                             uint32_t paramTypes, TEE_Param params[TEE_NUM_PARAMS],
                             TEE_TASessionHandle *session, uint32_t *returnOrigin) {
  if (destination == nullptr || session == nullptr) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  *session = TEE_HANDLE_NULL;
  uint32_t origin = TEE_ORIGIN_TEE;
  auto done = [&](TEE_Result r) {
    if (returnOrigin != nullptr) {
      *returnOrigin = origin;
    }
    return r;
  };
  OutgoingParams p;
  if (TEE_Result r = p.build(paramTypes, params); r != TEE_SUCCESS) {
    return done(r);
  }
  Ref gp = service();
  if (gp.is_null()) {
    return done(TEE_ERROR_ITEM_NOT_FOUND);  // no TEE to find the TA in
  }
  {
    // Not worth opening a session there is no handle for.
    std::lock_guard lock(g_mu);
    if (free_slot() < 0) {
      return done(TEE_ERROR_OUT_OF_MEMORY);
    }
  }
  OutgoingCall call(cancellationRequestTimeout);
  Object inner = Object_NULL;
  uint32_t ret = TEE_ERROR_GENERIC;
  // TEE_LOGIN_TRUSTED_APP: "who capteed knows this TA to be", nothing more.
  const captee::gp::CallChain chain = captee::gp_ta::current_chain();
  const auto wire = chain.bytes();
  const int32_t err = IGPAppClientTa_openSessionInChain(
      gp.get(), wire.data(), wire.size(), destination, sizeof *destination,
      captee::gp_ta::outgoing_wait(), call.code(), cancellationRequestTimeout,
      TEE_LOGIN_TRUSTED_APP, 0, paramTypes, p.ex_types(), p.in(0).data(), p.in(0).size(),
      p.in(1).data(), p.in(1).size(), p.in(2).data(), p.in(2).size(), p.in(3).data(),
      p.in(3).size(), p.out(0).data(), p.out(0).size(), p.out_len(0), p.out(1).data(),
      p.out(1).size(), p.out_len(1), p.out(2).data(), p.out(2).size(), p.out_len(2),
      p.out(3).data(), p.out(3).size(), p.out_len(3), p.mem(0), p.mem(1), p.mem(2), p.mem(3),
      p.out_size(0), p.out_size(1), p.out_size(2), p.out_size(3), &inner, &ret, &origin);
  Ref opened = Ref::adopt(inner);
  if (err != Object_OK) {
    // capteed did not answer the call: the TA cannot be reached.
    origin = TEE_ORIGIN_TEE;
    return done(TEE_ERROR_TARGET_DEAD);
  }
  if (origin == TEE_ORIGIN_TRUSTED_APP) {
    p.finish(params);
  }
  if (ret != TEE_SUCCESS) {
    return done(ret);
  }
  if (opened.is_null()) {
    origin = TEE_ORIGIN_TEE;
    return done(TEE_ERROR_GENERIC);
  }
  Ref direct = direct_form(opened.get());
  std::unique_lock lock(g_mu);
  const long index = free_slot();  // another thread of this TA may have taken the last one
  if (index < 0) {
    lock.unlock();
    origin = TEE_ORIGIN_TEE;
    direct.reset();
    opened.reset();  // closes the session just opened
    return done(TEE_ERROR_OUT_OF_MEMORY);
  }
  Slot &slot = g_slots[static_cast<size_t>(index)];
  slot.session = std::move(opened);
  slot.direct = std::move(direct);
  *session = handle_of(static_cast<size_t>(index), slot.generation);
  return done(TEE_SUCCESS);
}

void TEE_CloseTASession(TEE_TASessionHandle session) {
  if (session == TEE_HANDLE_NULL) {
    return;
  }
  Ref s;
  Ref direct;
  {
    std::lock_guard lock(g_mu);
    Slot *slot = slot_of(session);
    if (slot == nullptr) {
      TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
    }
    s = std::move(slot->session);
    slot->session = Ref();
    direct = std::move(slot->direct);
    slot->direct = Ref();
    slot->generation = static_cast<uint16_t>(slot->generation == 0xFFFF ? 1 : slot->generation + 1);
  }
  // Synchronous: the callee's TA_CloseSessionEntryPoint has run when it
  // returns. Busy means the callee waits for this TA (a chain that came
  // back here): its close cannot run now, and the specification has no
  // error to report for this function.
  direct.reset();  // its channel ends with it, outside g_mu
  const captee::gp::CallChain chain = captee::gp_ta::current_chain();
  const auto wire = chain.bytes();
  if (IGPSessionCapteeTa_closeInChain(s.get(), wire.data(), wire.size()) == Object_ERROR_BUSY) {
    TEE_Panic(TEE_ERROR_BUSY);
  }
}

TEE_Result TEE_InvokeTACommand(TEE_TASessionHandle session, uint32_t cancellationRequestTimeout,
                               uint32_t commandID, uint32_t paramTypes,
                               TEE_Param params[TEE_NUM_PARAMS], uint32_t *returnOrigin) {
  const SessionRefs s = session_of(session);
  OutgoingParams p;
  uint32_t origin = TEE_ORIGIN_TEE;
  uint32_t ret = p.build(paramTypes, params);
  if (ret == TEE_SUCCESS) {
    OutgoingCall call(cancellationRequestTimeout);
    const captee::gp::CallChain chain = captee::gp_ta::current_chain();
    const auto wire = chain.bytes();
    // Direct only with a chain the callee can extend: a full one (or none,
    // a host without an id) goes through capteed, which starts a new one.
    // The callee's host and capteed's session take the same invokeInChain.
    auto invoke_in_chain = [&](auto invoke, Object target) {
      return invoke(target, wire.data(), wire.size(), commandID, call.code(),
                    cancellationRequestTimeout, paramTypes, p.ex_types(), p.in(0).data(),
                    p.in(0).size(), p.in(1).data(), p.in(1).size(), p.in(2).data(), p.in(2).size(),
                    p.in(3).data(), p.in(3).size(), p.out(0).data(), p.out(0).size(), p.out_len(0),
                    p.out(1).data(), p.out(1).size(), p.out_len(1), p.out(2).data(),
                    p.out(2).size(), p.out_len(2), p.out(3).data(), p.out(3).size(), p.out_len(3),
                    p.mem(0), p.mem(1), p.mem(2), p.mem(3), p.out_size(0), p.out_size(1),
                    p.out_size(2), p.out_size(3), &ret, &origin);
    };
    int32_t err = IGPSessionTa_ERROR_FORWARD;
    if (!s.direct.is_null() && !chain.empty() && !chain.full()) {
      err = invoke_in_chain(IGPSessionTa_invokeInChain, s.direct.get());
      if (died(err)) {
        // The callee's process is gone: capteed's session says so as well.
        ret = TEE_ERROR_TARGET_DEAD;
        origin = TEE_ORIGIN_TEE;
        err = Object_OK;
      } else if (err != Object_OK) {
        err = IGPSessionTa_ERROR_FORWARD;  // busy, or a host that cannot: through capteed
      }
    }
    if (err == IGPSessionTa_ERROR_FORWARD) {
      err = invoke_in_chain(IGPSessionCapteeTa_invokeInChain, s.session.get());
    }
    if (err != Object_OK) {
      ret = TEE_ERROR_TARGET_DEAD;  // capteed did not answer: the TA cannot be reached
      origin = TEE_ORIGIN_TEE;
    } else if (origin == TEE_ORIGIN_TRUSTED_APP) {
      p.finish(params);
    }
  }
  if (returnOrigin != nullptr) {
    *returnOrigin = origin;
  }
  // The called TA may answer anything; of the TEE, the specification allows
  // only these two: any other error means this call was wrong (e.g. a
  // chain that would wait for itself) and panics the caller.
  if (origin != TEE_ORIGIN_TRUSTED_APP && ret != TEE_SUCCESS && ret != TEE_ERROR_OUT_OF_MEMORY &&
      ret != TEE_ERROR_TARGET_DEAD) {
    TEE_Panic(ret);
  }
  return ret;
}

}  // extern "C"
