// TEEC_RegisterSharedMemory, TEEC_AllocateSharedMemory and
// TEEC_ReleaseSharedMemory (spec mink-interfaces §8.5).
//
// Allocated memory is a memory object from capteed's memory service, mapped
// here; the caller works in the mapping, so a memref naming all of its pages
// is zero-copy. Registered memory is the caller's own (heap, stack, a mapped
// file) and cannot be handed to another process as it is: nothing is made at
// registration; each call copies the window its memref names (operation.cpp,
// decision 0009).
//
// A call holds a use of the memory it names until it has copied its output
// back; the release waits for those uses (shared_memory_use.hpp).
#include <cstdlib>

#include "MinkCom.h"
#include "operation.hpp"
#include "shared_memory_fd.hpp"
#include "shared_memory_use.hpp"
#include "tee_client_api.h"

namespace {

using captee::teec::kMaxSharedMemory;

constexpr uint32_t kRegistered = 1;
constexpr uint32_t kAllocated = 2;

bool valid_flags(uint32_t flags) {
  return flags != 0 && (flags & ~uint32_t{TEEC_MEM_INPUT | TEEC_MEM_OUTPUT}) == 0;
}

void clear_imp(TEEC_SharedMemory *shm) {
  shm->imp.ctx = nullptr;
  shm->imp.allocated = nullptr;
  shm->imp.mapped = 0;
  shm->imp.mem_obj = Object_NULL;
  shm->imp.kind = 0;
  shm->imp.users = 0;
  shm->imp.releasing = 0;
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
  sharedMem->imp.ctx = context;
  captee::teec::publish(sharedMem, kRegistered);
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
  captee::teec::publish(sharedMem, kAllocated);
  return TEEC_SUCCESS;
}

void TEEC_ReleaseSharedMemory(TEEC_SharedMemory *sharedMemory) {
  if (sharedMemory == nullptr) {
    return;
  }
  captee::teec::RetiredMemory retired;
  if (!captee::teec::retire(sharedMemory, &retired)) {
    return;
  }
  if (retired.kind == captee::teec::kDescriptorMemory) {
    captee::teec::unmap_descriptor(retired.allocated, retired.mapped);
  } else {
    std::free(retired.allocated);
  }
  Object_ASSIGN_NULL(retired.mem_obj);
}

}  // extern "C"
