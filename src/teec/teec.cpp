// libteec: the GlobalPlatform TEE Client API over captee objects.
//
// Follows libminkteec's call sequences (spec mink-interfaces §8.5-8.7): a
// context holds capteed's root object, the IGPAppClient (0x199) and a local
// IWait; a session is an IGPSession; parameters travel as the iN/oN buffers
// of §8.6. Memrefs over TEEC_AllocateSharedMemory memory travel as the
// memory object itself (zero-copy: the TA maps the same pages); temporary
// and registered memrefs travel as plain buffers copied by the channel.
#include "tee_client_api.h"

#include <cstdlib>
#include <cstring>
#include <random>

#include "IClientEnv.h"
#include "IGPAppClient.h"
#include "IGPSession.h"
#include "IWait.h"
#include "MinkCom.h"
#include "captee/object.hpp"
#include "wait_object.hpp"

namespace {

constexpr size_t kMaxSharedMemory = 16u << 20;  // libminkteec's limit
constexpr uint32_t kCGPAppClientUid = 0x199;

struct Marshalled {
  uint32_t param_types = 0;
  uint32_t ex_param_types = 0;
  const void *in_ptr[4] = {};
  size_t in_len[4] = {};
  void *out_ptr[4] = {};
  size_t out_len[4] = {};
  Object mem[4] = {Object_NULL, Object_NULL, Object_NULL, Object_NULL};  // borrowed
  IGPSession_MemoryObjectParameters mem_params[4] = {};
};

bool is_output_type(uint32_t t) {
  return t == TEEC_MEMREF_TEMP_OUTPUT || t == TEEC_MEMREF_TEMP_INOUT ||
         t == TEEC_MEMREF_PARTIAL_OUTPUT || t == TEEC_MEMREF_PARTIAL_INOUT;
}

// API checks of §8.5 step 1 and the §8.6 mapping. TEEC_SUCCESS or
// BAD_PARAMETERS.
TEEC_Result marshal(const TEEC_Context *ctx, TEEC_Operation *op, Marshalled &m) {
  if (op == nullptr) {
    return TEEC_SUCCESS;
  }
  if ((op->paramTypes & 0xFFFF0000u) != 0) {
    return TEEC_ERROR_BAD_PARAMETERS;
  }
  for (unsigned n = 0; n < 4; ++n) {
    uint32_t t = TEEC_PARAM_TYPE_GET(op->paramTypes, n);
    TEEC_Parameter &p = op->params[n];
    uint32_t sent = t;
    switch (t) {
      case TEEC_NONE:
        break;
      case TEEC_VALUE_INPUT:
      case TEEC_VALUE_OUTPUT:
      case TEEC_VALUE_INOUT:
        if (t & TEEC_VALUE_INPUT) {
          m.in_ptr[n] = &p.value;
          m.in_len[n] = sizeof p.value;
        }
        if (t & TEEC_VALUE_OUTPUT) {
          m.out_ptr[n] = &p.value;
          m.out_len[n] = sizeof p.value;
        }
        break;
      case TEEC_MEMREF_TEMP_INPUT:
      case TEEC_MEMREF_TEMP_OUTPUT:
      case TEEC_MEMREF_TEMP_INOUT:
        if (p.tmpref.buffer == nullptr) {
          m.ex_param_types |= TEE_EX_PARAM_TYPE_MEMREF_NULL << (4 * n);
          // Only the size travels (a size query); no bytes.
          m.in_ptr[n] = nullptr;
          m.in_len[n] = 0;
          break;
        }
        if (p.tmpref.size > kMaxSharedMemory) {
          return TEEC_ERROR_BAD_PARAMETERS;
        }
        m.in_ptr[n] = p.tmpref.buffer;
        m.in_len[n] = p.tmpref.size;
        if (t != TEEC_MEMREF_TEMP_INPUT) {
          m.out_ptr[n] = p.tmpref.buffer;
          m.out_len[n] = p.tmpref.size;
        }
        break;
      case TEEC_MEMREF_WHOLE:
      case TEEC_MEMREF_PARTIAL_INPUT:
      case TEEC_MEMREF_PARTIAL_OUTPUT:
      case TEEC_MEMREF_PARTIAL_INOUT: {
        const TEEC_SharedMemory *shm = p.memref.parent;
        if (shm == nullptr || shm->imp.ctx != ctx || shm->imp.kind == 0) {
          return TEEC_ERROR_BAD_PARAMETERS;
        }
        auto *base = static_cast<uint8_t *>(shm->buffer);
        size_t offset = 0;
        size_t size = shm->size;
        bool want_in = false;
        bool want_out = false;
        if (t == TEEC_MEMREF_WHOLE) {
          want_in = (shm->flags & TEEC_MEM_INPUT) != 0;
          want_out = (shm->flags & TEEC_MEM_OUTPUT) != 0;
          sent = 4u | (shm->flags & 3u);
        } else {
          want_in = (t & TEEC_VALUE_INPUT) != 0;
          want_out = (t & TEEC_VALUE_OUTPUT) != 0;
          if ((want_in && !(shm->flags & TEEC_MEM_INPUT)) ||
              (want_out && !(shm->flags & TEEC_MEM_OUTPUT))) {
            return TEEC_ERROR_BAD_PARAMETERS;
          }
          size_t end = 0;
          if (__builtin_add_overflow(p.memref.offset, p.memref.size, &end) || end > shm->size) {
            return TEEC_ERROR_BAD_PARAMETERS;
          }
          offset = p.memref.offset;
          size = p.memref.size;
          sent = t & 7u;
        }
        if (!Object_isNull(shm->imp.mem_obj)) {
          // Zero-copy: the TA maps the same pages (§8.6, memory-object row).
          m.mem[n] = shm->imp.mem_obj;
          m.mem_params[n] = {size, offset, 0};
          m.in_ptr[n] = &m.mem_params[n];
          m.in_len[n] = sizeof m.mem_params[n];
          break;
        }
        uint8_t *ptr = (base == nullptr) ? nullptr : base + offset;
        m.in_ptr[n] = ptr;
        m.in_len[n] = ptr == nullptr ? 0 : size;
        if (want_out) {
          m.out_ptr[n] = ptr;
          m.out_len[n] = ptr == nullptr ? 0 : size;
        }
        break;
      }
      default:
        return TEEC_ERROR_BAD_PARAMETERS;
    }
    m.param_types |= sent << (4 * n);
  }
  return TEEC_SUCCESS;
}

// Output sizes (§8.6): the returned oN length, then memrefOutSzN if non-zero.
void write_back(TEEC_Operation *op, const Marshalled &m, const size_t out_len[4],
                const uint32_t out_sz[4]) {
  if (op == nullptr) {
    return;
  }
  for (unsigned n = 0; n < 4; ++n) {
    uint32_t t = TEEC_PARAM_TYPE_GET(op->paramTypes, n);
    TEEC_Parameter &p = op->params[n];
    bool memref_null = ((m.ex_param_types >> (4 * n)) & 0xF) == TEE_EX_PARAM_TYPE_MEMREF_NULL;
    if (t == TEEC_MEMREF_TEMP_OUTPUT || t == TEEC_MEMREF_TEMP_INOUT) {
      if (!memref_null) {
        p.tmpref.size = out_len[n];
      }
      if (out_sz[n] != 0) {
        p.tmpref.size = out_sz[n];
      }
    } else if (is_output_type(t) || (t == TEEC_MEMREF_WHOLE && p.memref.parent != nullptr &&
                                     (p.memref.parent->flags & TEEC_MEM_OUTPUT))) {
      p.memref.size = out_len[n];
      if (out_sz[n] != 0) {
        p.memref.size = out_sz[n];
      }
    }
  }
}

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

uint32_t new_cancel_code() {
  thread_local std::minstd_rand rng{std::random_device{}()};
  return static_cast<uint32_t>(rng()) & 0x7FFFFFFFu;
}

void set_origin(uint32_t *returnOrigin, uint32_t origin) {
  if (returnOrigin != nullptr) {
    *returnOrigin = origin;
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
  Marshalled m;
  if (TEEC_Result r = marshal(context, operation, m); r != TEEC_SUCCESS) {
    return r;
  }
  uint32_t connection_data = 0;
  if (connectionData != nullptr) {
    std::memcpy(&connection_data, connectionData, sizeof connection_data);
  }
  uint32_t cancel_code = 0;
  if (operation != nullptr) {
    cancel_code = new_cancel_code();
    __atomic_store_n(&operation->imp.cancel_code, cancel_code, __ATOMIC_RELAXED);
    __atomic_store_n(&operation->imp.session, session, __ATOMIC_RELEASE);
  }
  size_t out_len[4] = {};
  OutBundle bo{};
  Object sess = Object_NULL;
  int32_t err = IGPAppClient_openSession(
      context->imp.app_client, destination, sizeof *destination, context->imp.waiter_cbo,
      cancel_code, connectionMethod, connection_data, m.param_types, m.ex_param_types, m.in_ptr[0],
      m.in_len[0], m.in_ptr[1], m.in_len[1], m.in_ptr[2], m.in_len[2], m.in_ptr[3], m.in_len[3],
      m.out_ptr[0], m.out_len[0], &out_len[0], m.out_ptr[1], m.out_len[1], &out_len[1],
      m.out_ptr[2], m.out_len[2], &out_len[2], m.out_ptr[3], m.out_len[3], &out_len[3], m.mem[0],
      m.mem[1], m.mem[2], m.mem[3], &bo.memref_out_sz[0], &bo.memref_out_sz[1],
      &bo.memref_out_sz[2], &bo.memref_out_sz[3], &sess, &bo.ret_value, &bo.ret_origin);
  if (operation != nullptr) {
    __atomic_store_n(&operation->imp.session, nullptr, __ATOMIC_RELEASE);
  }
  if (err != Object_OK) {
    Object_ASSIGN_NULL(sess);
    uint32_t origin = 0;
    TEEC_Result r = map_invoke_failure(err, &origin, TEEC_ORIGIN_COMMS);
    set_origin(returnOrigin, origin);
    return r;
  }
  write_back(operation, m, out_len, bo.memref_out_sz);
  set_origin(returnOrigin, bo.ret_origin);
  if (bo.ret_value != TEEC_SUCCESS || Object_isNull(sess)) {
    Object_ASSIGN_NULL(sess);
    return bo.ret_value != TEEC_SUCCESS ? bo.ret_value : TEEC_ERROR_GENERIC;
  }
  session->imp.session = sess;
  session->imp.ctx = context;
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
  Object_ASSIGN_NULL(session->imp.session);
  session->imp.ctx = nullptr;
}

TEEC_Result TEEC_InvokeCommand(TEEC_Session *session, uint32_t commandID, TEEC_Operation *operation,
                               uint32_t *returnOrigin) {
  set_origin(returnOrigin, TEEC_ORIGIN_API);
  if (session == nullptr || Object_isNull(session->imp.session)) {
    return TEEC_ERROR_BAD_PARAMETERS;
  }
  Marshalled m;
  if (TEEC_Result r = marshal(session->imp.ctx, operation, m); r != TEEC_SUCCESS) {
    return r;
  }
  uint32_t cancel_code = 0;
  if (operation != nullptr) {
    cancel_code = new_cancel_code();
    __atomic_store_n(&operation->imp.cancel_code, cancel_code, __ATOMIC_RELAXED);
    __atomic_store_n(&operation->imp.session, session, __ATOMIC_RELEASE);
  }
  size_t out_len[4] = {};
  OutBundle bo{};
  int32_t err = IGPSession_invokeCommand(
      session->imp.session, commandID, cancel_code, 0xFFFFFFFFu, m.param_types, m.ex_param_types,
      m.in_ptr[0], m.in_len[0], m.in_ptr[1], m.in_len[1], m.in_ptr[2], m.in_len[2], m.in_ptr[3],
      m.in_len[3], m.out_ptr[0], m.out_len[0], &out_len[0], m.out_ptr[1], m.out_len[1], &out_len[1],
      m.out_ptr[2], m.out_len[2], &out_len[2], m.out_ptr[3], m.out_len[3], &out_len[3], m.mem[0],
      m.mem[1], m.mem[2], m.mem[3], &bo.memref_out_sz[0], &bo.memref_out_sz[1],
      &bo.memref_out_sz[2], &bo.memref_out_sz[3], &bo.ret_value, &bo.ret_origin);
  if (operation != nullptr) {
    __atomic_store_n(&operation->imp.session, nullptr, __ATOMIC_RELEASE);
  }
  if (err != Object_OK) {
    uint32_t origin = 0;
    TEEC_Result r = map_invoke_failure(err, &origin, TEEC_ORIGIN_TEE);
    set_origin(returnOrigin, origin);
    return r;
  }
  write_back(operation, m, out_len, bo.memref_out_sz);
  set_origin(returnOrigin, bo.ret_origin);
  return bo.ret_value;
}

TEEC_Result TEEC_RegisterSharedMemory(TEEC_Context *context, TEEC_SharedMemory *sharedMem) {
  if (context == nullptr || sharedMem == nullptr || sharedMem->buffer == nullptr ||
      sharedMem->flags == 0 || (sharedMem->flags & ~(TEEC_MEM_INPUT | TEEC_MEM_OUTPUT)) != 0) {
    return TEEC_ERROR_BAD_PARAMETERS;
  }
  if (sharedMem->size > kMaxSharedMemory) {
    return TEEC_ERROR_OUT_OF_MEMORY;
  }
  sharedMem->imp.ctx = context;
  sharedMem->imp.allocated = nullptr;
  sharedMem->imp.mem_obj = Object_NULL;
  sharedMem->imp.kind = 1;
  return TEEC_SUCCESS;
}

TEEC_Result TEEC_AllocateSharedMemory(TEEC_Context *context, TEEC_SharedMemory *sharedMem) {
  if (context == nullptr || sharedMem == nullptr || sharedMem->flags == 0 ||
      (sharedMem->flags & ~(TEEC_MEM_INPUT | TEEC_MEM_OUTPUT)) != 0) {
    return TEEC_ERROR_BAD_PARAMETERS;
  }
  if (sharedMem->size > kMaxSharedMemory) {
    return TEEC_ERROR_OUT_OF_MEMORY;
  }
  sharedMem->imp.mem_obj = Object_NULL;
  sharedMem->imp.allocated = nullptr;
  if (sharedMem->size == 0) {
    // Zero-length allocations still get a distinct, valid pointer (as OP-TEE).
    sharedMem->imp.allocated = std::calloc(1, 1);
    if (sharedMem->imp.allocated == nullptr) {
      return TEEC_ERROR_OUT_OF_MEMORY;
    }
    sharedMem->buffer = sharedMem->imp.allocated;
  } else {
    Object mo = Object_NULL;
    void *addr = nullptr;
    size_t mapped = 0;
    if (MinkCom_getMemoryObject(context->imp.root_obj, sharedMem->size, &mo) != Object_OK) {
      return TEEC_ERROR_OUT_OF_MEMORY;
    }
    if (MinkCom_getMemoryObjectInfo(mo, &addr, &mapped) != Object_OK || mapped < sharedMem->size) {
      Object_ASSIGN_NULL(mo);
      return TEEC_ERROR_GENERIC;
    }
    sharedMem->imp.mem_obj = mo;
    sharedMem->buffer = addr;
  }
  sharedMem->imp.ctx = context;
  sharedMem->imp.kind = 2;
  return TEEC_SUCCESS;
}

void TEEC_ReleaseSharedMemory(TEEC_SharedMemory *sharedMemory) {
  if (sharedMemory == nullptr || sharedMemory->imp.kind == 0) {
    return;
  }
  if (sharedMemory->imp.kind == 2) {
    std::free(sharedMemory->imp.allocated);
    Object_ASSIGN_NULL(sharedMemory->imp.mem_obj);
    sharedMemory->buffer = nullptr;
  }
  sharedMemory->imp.allocated = nullptr;
  sharedMemory->imp.kind = 0;
  sharedMemory->imp.ctx = nullptr;
}

void TEEC_RequestCancellation(TEEC_Operation *operation) {
  if (operation == nullptr || operation->started != 0) {
    return;
  }
  TEEC_Session *session = __atomic_load_n(&operation->imp.session, __ATOMIC_ACQUIRE);
  if (session == nullptr || session->imp.ctx == nullptr) {
    return;
  }
  uint32_t code = __atomic_load_n(&operation->imp.cancel_code, __ATOMIC_RELAXED);
  (void)IWait_signal(session->imp.ctx->imp.waiter_cbo, code, IWait_EVENT_CANCEL);
}

}  // extern "C"
