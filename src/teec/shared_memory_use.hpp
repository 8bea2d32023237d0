// Which calls use which shared memory, so that TEEC_ReleaseSharedMemory never
// frees memory under a call (issue 20 finding 7).
//
// A call takes a use of each TEEC_SharedMemory its memrefs name when it
// marshals them, and gives it back after copying its output back. A release
// refuses new uses, waits until the taken ones are given back, and only then
// frees. The state lives in the caller's TEEC_SharedMemory (imp.users,
// imp.releasing), where no lock of its own can be placed safely, so one lock
// for the whole library guards every TEEC_SharedMemory's imp and buffer. It is
// held for a few loads and stores, never across a call or a copy.
#pragma once

#include <cstddef>
#include <cstdint>

#include "tee_client_api.h"

namespace captee::teec {

// What a call reads of a TEEC_SharedMemory, read under the lock.
struct SharedMemoryView {
  uint8_t *buffer = nullptr;
  size_t size = 0;
  uint32_t flags = 0;
  uint32_t kind = 0;             // 1 registered, 2 allocated, 3 descriptor
  Object mem_obj = Object_NULL;  // borrowed: valid while the use is held
};

// Takes one use of `shm` for a call on `ctx` and reads it into *view. False
// (nothing taken) if `shm` is not live registered or allocated memory of
// `ctx`, or its release has begun.
bool take_use(TEEC_SharedMemory *shm, const TEEC_Context *ctx, SharedMemoryView *view);

// Gives back a use taken by take_use; wakes a release waiting for it.
void give_use(TEEC_SharedMemory *shm);

// Makes `shm` (its imp already filled in) usable by calls: sets imp.kind to
// `kind` under the lock.
void publish(TEEC_SharedMemory *shm, uint32_t kind);

// What a release must free once no call uses the memory.
struct RetiredMemory {
  uint32_t kind = 0;
  void *allocated = nullptr;
  size_t mapped = 0;
  Object mem_obj = Object_NULL;
};

// For TEEC_ReleaseSharedMemory: refuses new uses, waits until every use is
// given back, then clears imp (and the buffer pointer of allocated memory)
// and moves what must be freed into *out (the caller frees it, outside the
// lock). False if `shm` is not live; if another thread is releasing it, first
// waits for that release to end.
bool retire(TEEC_SharedMemory *shm, RetiredMemory *out);

}  // namespace captee::teec
