// libteec: the GlobalPlatform TEE Client API over captee objects.
//
// Follows libminkteec's call sequences (spec mink-interfaces §8.5-8.7): a
// context holds capteed's root object, the IGPAppClient (0x199) and a local
// IWait; a session is an IGPSession; parameters travel as §8.6 lays them out
// (operation.hpp says where each kind of memref's bytes go). Shared memory
// registration and allocation are in shared_memory.cpp.
#include "tee_client_api.h"

#include <cstdlib>
#include <cstring>
#include <new>
#include <random>

#include "IClientEnv.h"
#include "IGPAppClient.h"
#include "IGPSession.h"
#include "IGPSessionCaptee.h"
#include "IGPSessionTa.h"
#include "IWait.h"
#include "MinkCom.h"
#include "call_memory.hpp"
#include "captee/object.hpp"
#include "operation.hpp"
#include "wait_object.hpp"

namespace {

using captee::teec::OperationParams;

constexpr uint32_t kCGPAppClientUid = 0x199;

// §8.7.
TEEC_Result map_invoke_failure(int32_t err, uint32_t *origin, uint32_t other_origin) {
  *origin = TEEC_ORIGIN_TEE;
  switch (err) {
    case Object_ERROR_DEFUNCT:
      return TEEC_ERROR_TARGET_DEAD;
    case Object_ERROR_BUSY:
      return TEEC_ERROR_BUSY;
    case Object_ERROR_KMEM:
    case Object_ERROR_NOSLOTS:
      return TEEC_ERROR_OUT_OF_MEMORY;
    default:
      *origin = other_origin;
      return TEEC_ERROR_GENERIC;
  }
}

// The session served by the TA's own process (IGPSessionCaptee.direct), or
// Object_NULL: a built-in TA's session, an older capteed that has no op 2,
// or CAPTEE_TEEC_DIRECT=0 in the environment (every call then goes through
// capteed, as before; CI runs the GP tests both ways).
Object direct_session(Object session) {
  const char *knob = std::getenv("CAPTEE_TEEC_DIRECT");
  if (knob != nullptr && std::strcmp(knob, "0") == 0) {
    return Object_NULL;
  }
  Object direct = Object_NULL;
  if (IGPSessionCaptee_direct(session, &direct) != Object_OK) {
    Object_ASSIGN_NULL(direct);
  }
  return direct;
}

uint32_t new_cancel_code() {
  thread_local std::minstd_rand rng{std::random_device{}()};
  return static_cast<uint32_t>(rng()) & 0x7FFFFFFFu;
}

void set_origin(uint32_t *returnOrigin, uint32_t origin) {
  if (returnOrigin != nullptr) {
    *returnOrigin = origin;
  }
}

// Marks `op` (may be NULL) as running for TEEC_RequestCancellation, which
// may read it from any thread; returns the call's cancel code (0 without an
// operation, as libminkteec).
uint32_t call_started(TEEC_Operation *op, TEEC_Session *session, TEEC_Context *ctx) {
  if (op == nullptr) {
    return 0;
  }
  const uint32_t code = new_cancel_code();
  __atomic_store_n(&op->imp.cancel_code, code, __ATOMIC_RELAXED);
  __atomic_store_n(&op->imp.session, session, __ATOMIC_RELAXED);
  __atomic_store_n(&op->imp.ctx, ctx, __ATOMIC_RELEASE);
  return code;
}

void call_ended(TEEC_Operation *op) {
  if (op != nullptr) {
    __atomic_store_n(&op->imp.ctx, nullptr, __ATOMIC_RELEASE);
    __atomic_store_n(&op->imp.session, nullptr, __ATOMIC_RELAXED);
  }
}

struct OutBundle {
  uint32_t memref_out_sz[4];
  uint32_t ret_value;
  uint32_t ret_origin;
};
static_assert(sizeof(OutBundle) == 24);

}  // namespace

extern "C" {

TEEC_Result TEEC_InitializeContext(const char *name, TEEC_Context *context) {
  if (context == nullptr) {
    return TEEC_ERROR_BAD_PARAMETERS;
  }
  if (name != nullptr && std::strcmp(name, "captee") != 0) {
    return TEEC_ERROR_ITEM_NOT_FOUND;
  }
  std::memset(context, 0, sizeof *context);
  Object root = Object_NULL;
  if (MinkCom_getRootEnvObject(&root) != Object_OK) {
    return TEEC_ERROR_COMMUNICATION;
  }
  captee::Ref root_ref = captee::Ref::adopt(root);
  Object env_obj = Object_NULL;
  if (MinkCom_getClientEnvObject(root, &env_obj) != Object_OK) {
    return TEEC_ERROR_GENERIC;
  }
  captee::Ref env = captee::Ref::adopt(env_obj);
  Object app = Object_NULL;
  if (IClientEnv_open(env.get(), kCGPAppClientUid, &app) != Object_OK) {
    return TEEC_ERROR_GENERIC;
  }
  context->imp.root_obj = root_ref.detach();
  context->imp.app_client = app;
  context->imp.waiter_cbo = captee::teec::make_wait_object().detach();
  context->imp.reg_mem = false;
  context->imp.memref_null = true;
  return TEEC_SUCCESS;
}

void TEEC_FinalizeContext(TEEC_Context *context) {
  if (context == nullptr) {
    return;
  }
  Object_ASSIGN_NULL(context->imp.root_obj);
  Object_ASSIGN_NULL(context->imp.waiter_cbo);
  Object_ASSIGN_NULL(context->imp.app_client);
}

TEEC_Result TEEC_OpenSession(TEEC_Context *context, TEEC_Session *session,
                             const TEEC_UUID *destination, uint32_t connectionMethod,
                             const void *connectionData, TEEC_Operation *operation,
                             uint32_t *returnOrigin) {
  set_origin(returnOrigin, TEEC_ORIGIN_API);
  if (context == nullptr || session == nullptr || destination == nullptr ||
      Object_isNull(context->imp.app_client)) {
    return TEEC_ERROR_BAD_PARAMETERS;
  }
  switch (connectionMethod) {
    case TEEC_LOGIN_PUBLIC:
    case TEEC_LOGIN_USER:
    case TEEC_LOGIN_APPLICATION:
    case TEEC_LOGIN_USER_APPLICATION:
      if (connectionData != nullptr) {
        return TEEC_ERROR_BAD_PARAMETERS;
      }
      break;
    case TEEC_LOGIN_GROUP:
    case TEEC_LOGIN_GROUP_APPLICATION:
      if (connectionData == nullptr) {
        return TEEC_ERROR_BAD_PARAMETERS;
      }
      break;
    default:
      return TEEC_ERROR_BAD_PARAMETERS;
  }
  session->imp.session = Object_NULL;  // closing a session that failed to open is a no-op
  session->imp.ctx = nullptr;
  session->imp.call_memory = nullptr;
  session->imp.direct = Object_NULL;
  OperationParams m(nullptr);  // no session yet: call objects are not recycled
  uint32_t marshal_origin = TEEC_ORIGIN_API;
  if (TEEC_Result r = m.marshal(context, operation, &marshal_origin); r != TEEC_SUCCESS) {
    set_origin(returnOrigin, marshal_origin);
    return r;
  }
  uint32_t connection_data = 0;
  if (connectionData != nullptr) {
    std::memcpy(&connection_data, connectionData, sizeof connection_data);
  }
  const uint32_t cancel_code = call_started(operation, session, context);
  OutBundle bo{};
  Object sess = Object_NULL;
  int32_t err = IGPAppClient_openSession(
      context->imp.app_client, destination, sizeof *destination, context->imp.waiter_cbo,
      cancel_code, connectionMethod, connection_data, m.param_types, m.ex_param_types, m.in_ptr[0],
      m.in_len[0], m.in_ptr[1], m.in_len[1], m.in_ptr[2], m.in_len[2], m.in_ptr[3], m.in_len[3],
      m.out_ptr[0], m.out_len[0], &m.out_got[0], m.out_ptr[1], m.out_len[1], &m.out_got[1],
      m.out_ptr[2], m.out_len[2], &m.out_got[2], m.out_ptr[3], m.out_len[3], &m.out_got[3],
      m.mem[0], m.mem[1], m.mem[2], m.mem[3], &bo.memref_out_sz[0], &bo.memref_out_sz[1],
      &bo.memref_out_sz[2], &bo.memref_out_sz[3], &sess, &bo.ret_value, &bo.ret_origin);
  call_ended(operation);
  if (err != Object_OK) {
    Object_ASSIGN_NULL(sess);
    uint32_t origin = 0;
    TEEC_Result r = map_invoke_failure(err, &origin, TEEC_ORIGIN_COMMS);
    set_origin(returnOrigin, origin);
    return r;
  }
  m.finish(operation, bo.memref_out_sz);
  set_origin(returnOrigin, bo.ret_origin);
  if (bo.ret_value != TEEC_SUCCESS || Object_isNull(sess)) {
    Object_ASSIGN_NULL(sess);
    return bo.ret_value != TEEC_SUCCESS ? bo.ret_value : TEEC_ERROR_GENERIC;
  }
  session->imp.session = sess;
  session->imp.ctx = context;
  session->imp.call_memory = new (std::nothrow) captee::teec::CallMemory;  // NULL: no reuse
  session->imp.direct = direct_session(sess);
  if (!Object_isNull(session->imp.direct)) {
    // Cancellation then reaches the TA's process without capteed too. A
    // host that cannot take it keeps the IWait given at open, through
    // capteed: slower to cancel, the same result.
    (void)IGPSessionTa_useWait(session->imp.direct, context->imp.waiter_cbo);
  }
  return TEEC_SUCCESS;
}

void TEEC_CloseSession(TEEC_Session *session) {
  if (session == nullptr) {
    return;
  }
  // close (op 0) first: releases travel in batches, and a single-session TA
  // must be free again when this returns. The last release would close it
  // too (§8.9 item 4).
  if (!Object_isNull(session->imp.session)) {
    (void)IGPSession_close(session->imp.session);
  }
  Object_ASSIGN_NULL(session->imp.direct);
  Object_ASSIGN_NULL(session->imp.session);
  session->imp.ctx = nullptr;
  delete static_cast<captee::teec::CallMemory *>(session->imp.call_memory);
  session->imp.call_memory = nullptr;
}

TEEC_Result TEEC_InvokeCommand(TEEC_Session *session, uint32_t commandID, TEEC_Operation *operation,
                               uint32_t *returnOrigin) {
  set_origin(returnOrigin, TEEC_ORIGIN_API);
  if (session == nullptr || Object_isNull(session->imp.session)) {
    return TEEC_ERROR_BAD_PARAMETERS;
  }
  OperationParams m(static_cast<captee::teec::CallMemory *>(session->imp.call_memory));
  uint32_t marshal_origin = TEEC_ORIGIN_API;
  if (TEEC_Result r = m.marshal(session->imp.ctx, operation, &marshal_origin); r != TEEC_SUCCESS) {
    set_origin(returnOrigin, marshal_origin);
    return r;
  }
  const uint32_t cancel_code = call_started(operation, session, session->imp.ctx);
  OutBundle bo{};
  const bool direct = !Object_isNull(session->imp.direct);
  int32_t err = IGPSession_invokeCommand(
      direct ? session->imp.direct : session->imp.session, commandID, cancel_code, 0xFFFFFFFFu,
      m.param_types, m.ex_param_types, m.in_ptr[0], m.in_len[0], m.in_ptr[1], m.in_len[1],
      m.in_ptr[2], m.in_len[2], m.in_ptr[3], m.in_len[3], m.out_ptr[0], m.out_len[0], &m.out_got[0],
      m.out_ptr[1], m.out_len[1], &m.out_got[1], m.out_ptr[2], m.out_len[2], &m.out_got[2],
      m.out_ptr[3], m.out_len[3], &m.out_got[3], m.mem[0], m.mem[1], m.mem[2], m.mem[3],
      &bo.memref_out_sz[0], &bo.memref_out_sz[1], &bo.memref_out_sz[2], &bo.memref_out_sz[3],
      &bo.ret_value, &bo.ret_origin);
  call_ended(operation);
  if (direct && err == Object_ERROR_UNAVAIL) {
    // The direct channel ends only with the TA's process (or capteed, which
    // takes the TA with it): what capteed's session says of a dead TA.
    err = Object_ERROR_DEFUNCT;
  }
  if (err != Object_OK) {
    uint32_t origin = 0;
    TEEC_Result r = map_invoke_failure(err, &origin, TEEC_ORIGIN_TEE);
    set_origin(returnOrigin, origin);
    return r;
  }
  m.finish(operation, bo.memref_out_sz);
  set_origin(returnOrigin, bo.ret_origin);
  return bo.ret_value;
}

void TEEC_RequestCancellation(TEEC_Operation *operation) {
  if (operation == nullptr || operation->started != 0) {
    return;
  }
  // The context, not the session: an open session's call has no session yet.
  TEEC_Context *ctx = __atomic_load_n(&operation->imp.ctx, __ATOMIC_ACQUIRE);
  if (ctx == nullptr) {
    return;
  }
  uint32_t code = __atomic_load_n(&operation->imp.cancel_code, __ATOMIC_RELAXED);
  (void)IWait_signal(ctx->imp.waiter_cbo, code, IWait_EVENT_CANCEL);
}

}  // extern "C"
