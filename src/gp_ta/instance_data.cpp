// TEE_SetInstanceData / TEE_GetInstanceData. A TA instance is one TA host
// process (a multi-instance TA gets a process per session), so one variable
// of the process is the instance's. Entry points run one at a time, but a TA
// may start threads of its own: the pointer is atomic.
#include <atomic>

#include "tee_internal_api.h"

namespace {
std::atomic<const void *> g_instance_data{nullptr};
}  // namespace

extern "C" {

void TEE_SetInstanceData(const void *instanceData) {
  g_instance_data.store(instanceData, std::memory_order_release);
}

const void *TEE_GetInstanceData(void) {
  return g_instance_data.load(std::memory_order_acquire);
}

}  // extern "C"
