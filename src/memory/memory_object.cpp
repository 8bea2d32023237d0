#include "captee/memory.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>

#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif

namespace captee {

Ref MemoryObject::create(size_t size, bool secret, const char *name) {
  if (size == 0) {
    return {};
  }
  int fd = ::memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) {
    return {};
  }
  if (::ftruncate(fd, off_t(size)) != 0 ||
      ::fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) != 0) {
    ::close(fd);
    return {};
  }
  void *base = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (base == MAP_FAILED) {
    ::close(fd);
    return {};
  }
  auto *obj = new MemoryObject(fd, kRead | kWrite, base, size, secret, true);
  return Ref::adopt(obj->as_object());
}

Ref MemoryObject::read_only_view(Object rw) {
  auto *src = LocalObject::from_as<MemoryObject>(rw);
  if (src == nullptr) {
    return {};
  }
  // Seal first: from now on nobody can make a new writable mapping.
  int seals = ::fcntl(src->fd(), F_GET_SEALS);
  if (seals < 0 || (!(seals & F_SEAL_FUTURE_WRITE) &&
                    ::fcntl(src->fd(), F_ADD_SEALS, F_SEAL_FUTURE_WRITE) != 0)) {
    return {};
  }
  std::string proc = "/proc/self/fd/" + std::to_string(src->fd());
  int fd = ::open(proc.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return {};
  }
  void *base = ::mmap(nullptr, src->size(), PROT_READ, MAP_SHARED, fd, 0);
  if (base == MAP_FAILED) {
    ::close(fd);
    return {};
  }
  auto *obj = new MemoryObject(fd, kRead, base, src->size(), src->secret(), false);
  return Ref::adopt(obj->as_object());
}

MemoryObject::~MemoryObject() {
  if (base_ != nullptr) {
    if (secret_ && owner_) {
      ::explicit_bzero(base_, size_);
    }
    ::munmap(base_, size_);
  }
}

Mapping::Mapping(Mapping &&o) noexcept
    : base_(std::exchange(o.base_, nullptr)),
      size_(std::exchange(o.size_, 0)),
      writable_(o.writable_) {}

Mapping &Mapping::operator=(Mapping &&o) noexcept {
  if (this != &o) {
    if (base_ != nullptr) {
      ::munmap(base_, size_);
    }
    base_ = std::exchange(o.base_, nullptr);
    size_ = std::exchange(o.size_, 0);
    writable_ = o.writable_;
  }
  return *this;
}

Mapping::~Mapping() {
  if (base_ != nullptr) {
    ::munmap(base_, size_);
  }
}

std::optional<Mapping> Mapping::map(Object obj, uint8_t rights, int *err) {
  auto fail = [&](int e) -> std::optional<Mapping> {
    if (err != nullptr) {
      *err = e;
    }
    return std::nullopt;
  };
  auto *fo = LocalObject::from_as<FdObject>(obj);
  if (fo == nullptr) {
    return fail(EBADF);
  }
  if ((rights & FdObject::kRead) == 0 || (rights & ~fo->rights()) != 0) {
    return fail(EACCES);
  }
  struct stat st {};
  if (::fstat(fo->fd(), &st) != 0) {
    return fail(errno);
  }
  if (st.st_size <= 0) {
    return fail(EINVAL);
  }
  // The descriptor may come from another process, which could shrink the
  // file under the mapping: touching the vanished pages would kill this
  // process with SIGBUS. Only memory whose size can no longer shrink (a
  // memfd sealed with F_SEAL_SHRINK, as every MemoryObject is) is mapped.
  int seals = ::fcntl(fo->fd(), F_GET_SEALS);
  if (seals < 0 || (seals & F_SEAL_SHRINK) == 0) {
    return fail(EINVAL);
  }
  bool w = (rights & FdObject::kWrite) != 0;
  void *base = ::mmap(nullptr, size_t(st.st_size), w ? PROT_READ | PROT_WRITE : PROT_READ,
                      MAP_SHARED, fo->fd(), 0);
  if (base == MAP_FAILED) {
    return fail(errno);
  }
  return Mapping(base, size_t(st.st_size), w);
}

}  // namespace captee
