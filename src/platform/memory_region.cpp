#include "captee/platform/memory_region.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace captee::platform {

std::unique_ptr<MemoryRegion> MemoryRegion::create(const RegionDescription &desc,
                                                   std::string *error) {
  const std::string label = "captee-" + desc.name;
  int fd = memfd_create(label.c_str(), MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) {
    *error = "memfd_create for region '" + desc.name + "' failed: " + std::strerror(errno);
    return nullptr;
  }
  // The size is fixed for the region's life: forbid the holder of a shared fd
  // from shrinking it under the emulator (which would SIGBUS the TEE).
  if (ftruncate(fd, desc.size) != 0 ||
      fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0) {
    *error = "sizing region '" + desc.name + "' failed: " + std::strerror(errno);
    close(fd);
    return nullptr;
  }
  void *base = mmap(nullptr, desc.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (base == MAP_FAILED) {
    *error = "mapping region '" + desc.name + "' failed: " + std::strerror(errno);
    close(fd);
    return nullptr;
  }
  return std::unique_ptr<MemoryRegion>(new MemoryRegion(desc, fd, static_cast<uint8_t *>(base)));
}

MemoryRegion::~MemoryRegion() {
  wipe();
  munmap(base_, desc_.size);
  close(fd_);
}

bool MemoryRegion::contains(uint32_t da, uint64_t len) const {
  // Written so that no sum can overflow, whatever da and len are.
  return da >= desc_.da && len <= desc_.size && da - desc_.da <= desc_.size - len;
}

void MemoryRegion::wipe() {
  explicit_bzero(base_, desc_.size);
}

}  // namespace captee::platform
