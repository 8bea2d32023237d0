// TEEC_RegisterSharedMemory, TEEC_AllocateSharedMemory and
// TEEC_ReleaseSharedMemory (spec mink-interfaces §8.5).
//
// Allocated memory is a memory object from capteed's memory service, mapped
// here; the caller works in the mapping, so memrefs over it are zero-copy.
//
// Registered memory is the caller's own (heap, stack, a mapped file): it
// cannot be handed to another process as it is. Above kInlineMax bytes it
// gets a shadow: a memfd memory object made here, which memrefs send and the
// TA maps, kept coherent with the caller's buffer around each call
// (operation.cpp). An input-only registration sends a read-only, sealed view
// of the shadow, so not even a misbehaving TA can write it.
#include <cstdlib>

#include "MinkCom.h"
#include "captee/memory.hpp"
#include "operation.hpp"
#include "tee_client_api.h"

namespace {

using captee::LocalObject;
using captee::MemoryObject;
using captee::Ref;
using captee::teec::kInlineMax;
using captee::teec::kMaxSharedMemory;

constexpr uint32_t kRegistered = 1;
constexpr uint32_t kAllocated = 2;

bool valid_flags(uint32_t flags) {
  return flags != 0 && (flags & ~uint32_t{TEEC_MEM_INPUT | TEEC_MEM_OUTPUT}) == 0;
}

void clear_imp(TEEC_SharedMemory *shm) {
  shm->imp.ctx = nullptr;
  shm->imp.allocated = nullptr;
  shm->imp.mem_obj = Object_NULL;
  shm->imp.shadow_obj = Object_NULL;
  shm->imp.shadow = nullptr;
  shm->imp.kind = 0;
}

// The shadow of a registration of `size` (> kInlineMax) bytes.
TEEC_Result make_shadow(TEEC_SharedMemory *shm) {
  Ref rw = MemoryObject::create(shm->size, false, "captee-teec-shadow");
  auto *mo = LocalObject::from_as<MemoryObject>(rw.get());
  if (mo == nullptr) {
    return TEEC_ERROR_OUT_OF_MEMORY;
  }
  Ref sent = shm->flags == TEEC_MEM_INPUT ? MemoryObject::read_only_view(rw.get()) : rw;
  if (!sent) {
    return TEEC_ERROR_OUT_OF_MEMORY;
  }
  shm->imp.shadow = mo->bytes().data();
  shm->imp.mem_obj = sent.detach();
  shm->imp.shadow_obj = rw.detach();
  return TEEC_SUCCESS;
}

}  // namespace

extern "C" {

TEEC_Result TEEC_RegisterSharedMemory(TEEC_Context *context, TEEC_SharedMemory *sharedMem) {
  if (context == nullptr || sharedMem == nullptr || sharedMem->buffer == nullptr ||
      !valid_flags(sharedMem->flags)) {
    return TEEC_ERROR_BAD_PARAMETERS;
  }
  if (sharedMem->size > kMaxSharedMemory) {
    return TEEC_ERROR_OUT_OF_MEMORY;
  }
  clear_imp(sharedMem);
  if (sharedMem->size > kInlineMax) {
    if (TEEC_Result r = make_shadow(sharedMem); r != TEEC_SUCCESS) {
      clear_imp(sharedMem);
      return r;
    }
  }
  sharedMem->imp.ctx = context;
  sharedMem->imp.kind = kRegistered;
  return TEEC_SUCCESS;
}

TEEC_Result TEEC_AllocateSharedMemory(TEEC_Context *context, TEEC_SharedMemory *sharedMem) {
  if (context == nullptr || sharedMem == nullptr || !valid_flags(sharedMem->flags)) {
    return TEEC_ERROR_BAD_PARAMETERS;
  }
  if (sharedMem->size > kMaxSharedMemory) {
    return TEEC_ERROR_OUT_OF_MEMORY;
  }
  clear_imp(sharedMem);
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
  sharedMem->imp.kind = kAllocated;
  return TEEC_SUCCESS;
}

void TEEC_ReleaseSharedMemory(TEEC_SharedMemory *sharedMemory) {
  if (sharedMemory == nullptr || sharedMemory->imp.kind == 0) {
    return;
  }
  if (sharedMemory->imp.kind == kAllocated) {
    std::free(sharedMemory->imp.allocated);
    sharedMemory->buffer = nullptr;
  }
  Object_ASSIGN_NULL(sharedMemory->imp.mem_obj);
  Object_ASSIGN_NULL(sharedMemory->imp.shadow_obj);
  clear_imp(sharedMemory);
}

}  // extern "C"
