// TEEC_RegisterSharedMemoryFileDescriptor (OP-TEE's extension).
//
// The memory stays the caller's: libteec keeps a duplicate of the descriptor
// and a mapping of its own, through which calls copy windows as for
// registered memory. When the descriptor can be sealed against shrinking, it
// also becomes an object a TA may map: a memref naming every page then
// travels without a copy, as allocated memory does. A TA is never handed an
// object its owner could shrink under it (the receiving side refuses to map
// one; memory.hpp).
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "captee/fd_object.hpp"
#include "operation.hpp"
#include "shared_memory_fd.hpp"
#include "shared_memory_use.hpp"
#include "tee_client_api_extensions.h"

namespace captee::teec {

void unmap_descriptor(void *mapping, size_t length) {
  if (mapping != nullptr && length != 0) {
    ::munmap(mapping, length);
  }
}

namespace {

// The descriptor's size in bytes, or -1. A memfd or file reports it in
// st_size; a dma-buf only through lseek.
off_t descriptor_size(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    return -1;
  }
  if (S_ISREG(st.st_mode)) {
    return st.st_size;
  }
  if (S_ISDIR(st.st_mode) || S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)) {
    return -1;
  }
  return ::lseek(fd, 0, SEEK_END);
}

// A descriptor sealed against shrinking, as an object of the rights `flags`
// allow, or a null Ref when it cannot be sealed (not a memfd, or one made
// without MFD_ALLOW_SEALING). Takes ownership of `fd` either way.
Ref sealed_object(int fd, uint32_t flags) {
  if (::fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK) != 0) {
    ::close(fd);
    return {};
  }
  uint8_t rights = FdObject::kRead;
  if ((flags & TEEC_MEM_OUTPUT) != 0) {
    rights |= FdObject::kWrite;
  }
  return FdObject::adopt(fd, rights);
}

}  // namespace
}  // namespace captee::teec

extern "C" TEEC_Result TEEC_RegisterSharedMemoryFileDescriptor(TEEC_Context *context,
                                                               TEEC_SharedMemory *sharedMem,
                                                               int fd) {
  using namespace captee::teec;
  if (context == nullptr || sharedMem == nullptr || fd < 0 || sharedMem->flags == 0 ||
      (sharedMem->flags & ~uint32_t{TEEC_MEM_INPUT | TEEC_MEM_OUTPUT}) != 0) {
    return TEEC_ERROR_BAD_PARAMETERS;
  }
  const off_t have = descriptor_size(fd);
  if (have <= 0) {
    return TEEC_ERROR_BAD_PARAMETERS;
  }
  size_t size = sharedMem->size == 0 ? static_cast<size_t>(have) : sharedMem->size;
  if (size > static_cast<uint64_t>(have)) {
    return TEEC_ERROR_BAD_PARAMETERS;
  }
  if (size > kMaxSharedMemory) {
    return TEEC_ERROR_OUT_OF_MEMORY;
  }
  int prot = PROT_READ;
  if ((sharedMem->flags & TEEC_MEM_OUTPUT) != 0) {
    prot |= PROT_WRITE;
  }
  void *mapping = ::mmap(nullptr, size, prot, MAP_SHARED, fd, 0);
  if (mapping == MAP_FAILED) {
    return errno == ENOMEM ? TEEC_ERROR_OUT_OF_MEMORY : TEEC_ERROR_BAD_PARAMETERS;
  }
  captee::Ref object;
  const int own = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (own >= 0) {
    object = sealed_object(own, sharedMem->flags);
  }
  sharedMem->size = size;
  sharedMem->buffer = nullptr;
  sharedMem->imp.ctx = context;
  sharedMem->imp.allocated = mapping;
  sharedMem->imp.mapped = size;
  sharedMem->imp.mem_obj = object.detach();
  publish(sharedMem, kDescriptorMemory);
  return TEEC_SUCCESS;
}
