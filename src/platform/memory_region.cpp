#include "captee/platform/memory_region.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif

namespace captee::platform {

namespace {

// Overwrites [offset, offset+len) of a memfd that has no mapping there.
void zero_fd_range(int fd, uint32_t offset, uint32_t len) {
  static const uint8_t zeros[kPageSize] = {};
  for (uint32_t done = 0; done < len; done += kPageSize) {
    (void)pwrite(fd, zeros, kPageSize, off_t{offset} + done);
  }
}

}  // namespace

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

int MemoryRegion::share_pages(uint32_t offset, uint32_t len, bool writable, std::string *error) {
  if (len == 0 || offset % kPageSize != 0 || len % kPageSize != 0 || offset > desc_.size ||
      len > desc_.size - offset) {
    *error = "pages [" + std::to_string(offset) + ", +" + std::to_string(len) +
             ") are not a page range of region '" + desc_.name + "'";
    return -1;
  }
  if (is_shared(offset, len)) {
    *error = "pages of region '" + desc_.name + "' are shared already";
    return -1;
  }
  const std::string label = "captee-" + desc_.name + "-shared";
  int fd = memfd_create(label.c_str(), MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) {
    *error = std::string("memfd_create failed: ") + std::strerror(errno);
    return -1;
  }
  auto fail = [&](const char *what) {
    *error = std::string(what) + " failed: " + std::strerror(errno);
    close(fd);
    return -1;
  };
  if (ftruncate(fd, len) != 0 || fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) != 0) {
    return fail("sizing the shared pages");
  }
  if (pwrite(fd, base_ + offset, len, 0) != static_cast<ssize_t>(len)) {
    return fail("copying the shared pages");
  }
  // Replaces the pages in place: the address the core and the TEE use stays.
  if (mmap(base_ + offset, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) ==
      MAP_FAILED) {
    return fail("mapping the shared pages");
  }
  int handed = -1;
  if (writable) {
    handed = dup(fd);
  } else if (fcntl(fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE) == 0) {
    // Sealed after the TEE's writable mapping exists, which keeps working.
    const std::string proc = "/proc/self/fd/" + std::to_string(fd);
    handed = open(proc.c_str(), O_RDONLY | O_CLOEXEC);
  }
  if (handed < 0) {
    const int e = errno;
    restore(offset, len);  // the region's own pages still hold the same bytes
    close(fd);
    *error = std::string("handing out the shared pages failed: ") + std::strerror(e);
    return -1;
  }
  (void)fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL);  // best effort: the seals that matter are set
  // The region's own pages under the share still hold the copy: unreachable
  // now, but not left behind either.
  zero_fd_range(fd_, offset, len);
  shares_.push_back({offset, len, fd});
  return handed;
}

bool MemoryRegion::is_shared(uint32_t offset, uint32_t len) const {
  for (const Share &s : shares_) {
    if (uint64_t{offset} < uint64_t{s.offset} + s.len &&
        uint64_t{s.offset} < uint64_t{offset} + len) {
      return true;
    }
  }
  return false;
}

void MemoryRegion::restore(uint32_t offset, uint32_t len) {
  // Back onto the region's own memfd, at the same address. If the kernel
  // refused, the pages would stay on the shared memfd (already zeroed by the
  // caller), which is safe but keeps sharing them.
  (void)mmap(base_ + offset, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd_, offset);
}

void MemoryRegion::end_sharing() {
  for (const Share &s : shares_) {
    explicit_bzero(base_ + s.offset, s.len);  // what a host still maps reads as zeros
    restore(s.offset, s.len);
    close(s.fd);
  }
  shares_.clear();
}

void MemoryRegion::wipe() {
  end_sharing();
  explicit_bzero(base_, desc_.size);
}

}  // namespace captee::platform
