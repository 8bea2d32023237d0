#include "sealed_image.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>

#include "captee/detail/write_all.hpp"

namespace captee::tee::apps::detail {

int sealed_copy(std::span<const std::byte> image) {
  const int fd = ::memfd_create("captee-ta", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) {
    return -errno;
  }
  if (const int e = captee::detail::write_all(fd, image.data(), image.size()); e != 0) {
    ::close(fd);
    return -e;
  }
  if (::fcntl(fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) !=
      0) {
    const int e = errno;
    ::close(fd);
    return -e;
  }
  return fd;
}

SealedView::SealedView(int fd, size_t size) : size_(size) {
  if (size == 0) {
    return;  // mmap refuses an empty length; ok() stays false
  }
  void *p = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  data_ = p == MAP_FAILED ? nullptr : p;
}

SealedView::~SealedView() {
  if (data_ != nullptr) {
    ::munmap(data_, size_);
  }
}

}  // namespace captee::tee::apps::detail
