// TEEC_RegisterSharedMemoryFileDescriptor's half of shared memory
// (tee_client_api_extensions.h): what its release must undo.
#pragma once

#include <cstddef>
#include <cstdint>

namespace captee::teec {

// TEEC_SharedMemory imp.kind of memory registered from a descriptor.
inline constexpr uint32_t kDescriptorMemory = 3;

// Unmaps libteec's mapping of a registered descriptor (nothing if NULL).
void unmap_descriptor(void *mapping, size_t length);

}  // namespace captee::teec
