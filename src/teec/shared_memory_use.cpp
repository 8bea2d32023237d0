#include "shared_memory_use.hpp"

#include <condition_variable>
#include <mutex>

namespace captee::teec {
namespace {

constexpr uint32_t kAllocated = 2;
constexpr uint32_t kDescriptor = 3;

std::mutex &lock() {
  static std::mutex mu;
  return mu;
}

// Signalled when a use is given back to memory being released, and when a
// release ends.
std::condition_variable &changed() {
  static std::condition_variable cv;
  return cv;
}

}  // namespace

bool take_use(TEEC_SharedMemory *shm, const TEEC_Context *ctx, SharedMemoryView *view) {
  std::lock_guard guard(lock());
  if (shm->imp.kind == 0 || shm->imp.ctx != ctx || shm->imp.releasing != 0 ||
      shm->imp.users == UINT32_MAX) {
    return false;
  }
  ++shm->imp.users;
  // A descriptor's bytes are reached through libteec's own mapping: its
  // buffer is NULL, as in OP-TEE.
  view->buffer =
      static_cast<uint8_t *>(shm->imp.kind == kDescriptor ? shm->imp.allocated : shm->buffer);
  view->size = shm->size;
  view->flags = shm->flags;
  view->kind = shm->imp.kind;
  view->mem_obj = shm->imp.mem_obj;
  return true;
}

void give_use(TEEC_SharedMemory *shm) {
  std::lock_guard guard(lock());
  --shm->imp.users;
  if (shm->imp.users == 0 && shm->imp.releasing != 0) {
    changed().notify_all();
  }
}

void publish(TEEC_SharedMemory *shm, uint32_t kind) {
  std::lock_guard guard(lock());
  shm->imp.users = 0;
  shm->imp.releasing = 0;
  shm->imp.kind = kind;
}

bool retire(TEEC_SharedMemory *shm, RetiredMemory *out) {
  std::unique_lock guard(lock());
  if (shm->imp.releasing != 0) {
    // A release on another thread: this one returns when that one has.
    changed().wait(guard, [&] { return shm->imp.releasing == 0; });
    return false;
  }
  if (shm->imp.kind == 0) {
    return false;
  }
  shm->imp.releasing = 1;
  changed().wait(guard, [&] { return shm->imp.users == 0; });
  out->kind = shm->imp.kind;
  out->allocated = shm->imp.allocated;
  out->mapped = shm->imp.mapped;
  out->mem_obj = shm->imp.mem_obj;
  if (shm->imp.kind == kAllocated) {
    shm->buffer = nullptr;
  }
  shm->imp.ctx = nullptr;
  shm->imp.allocated = nullptr;
  shm->imp.mapped = 0;
  shm->imp.mem_obj = Object_NULL;
  shm->imp.kind = 0;
  shm->imp.releasing = 0;
  changed().notify_all();
  return true;
}

}  // namespace captee::teec
