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

namespace {

// map()'s checks on `obj`: its descriptor and its size, or an errno value.
int mappable(Object obj, uint8_t rights, int *fd, uint64_t *size) {
  auto *fo = LocalObject::from_as<FdObject>(obj);
  if (fo == nullptr) {
    return EBADF;
  }
  if ((rights & FdObject::kRead) == 0 || (rights & ~fo->rights()) != 0) {
    return EACCES;
  }
  struct stat st {};
  if (::fstat(fo->fd(), &st) != 0) {
    return errno;
  }
  if (st.st_size <= 0) {
    return EINVAL;
  }
  // The descriptor may come from another process, which could shrink the
  // file under the mapping: touching the vanished pages would kill this
  // process with SIGBUS. Only memory whose size can no longer shrink (a
  // memfd sealed with F_SEAL_SHRINK, as every MemoryObject is) is mapped.
  int seals = ::fcntl(fo->fd(), F_GET_SEALS);
  if (seals < 0 || (seals & F_SEAL_SHRINK) == 0) {
    return EINVAL;
  }
  *fd = fo->fd();
  *size = uint64_t(st.st_size);
  return 0;
}

std::optional<Mapping> failed(int e, int *err) {
  if (err != nullptr) {
    *err = e;
  }
  return std::nullopt;
}

}  // namespace

std::optional<Mapping> Mapping::map(Object obj, uint8_t rights, int *err) {
  int fd = -1;
  uint64_t size = 0;
  if (int e = mappable(obj, rights, &fd, &size); e != 0) {
    return failed(e, err);
  }
  bool w = (rights & FdObject::kWrite) != 0;
  void *base =
      ::mmap(nullptr, size_t(size), w ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED, fd, 0);
  if (base == MAP_FAILED) {
    return failed(errno, err);
  }
  return Mapping(base, size_t(size), w);
}

std::optional<Mapping> Mapping::map_pages(Object obj, uint8_t rights, uint64_t offset,
                                          uint64_t length, int *err) {
  int fd = -1;
  uint64_t size = 0;
  if (int e = mappable(obj, rights, &fd, &size); e != 0) {
    return failed(e, err);
  }
  uint64_t end = 0;
  if (__builtin_add_overflow(offset, length, &end) || end > size) {
    return failed(EINVAL, err);
  }
  bool w = (rights & FdObject::kWrite) != 0;
  if (length == 0) {
    return Mapping(nullptr, 0, w);
  }
  const auto page = uint64_t(::sysconf(_SC_PAGESIZE));
  const uint64_t first = offset / page * page;
  // end <= size <= the file's size, so the last page exists and the rounding
  // cannot overflow.
  const uint64_t last = (end + page - 1) / page * page;
  void *base = ::mmap(nullptr, size_t(last - first), w ? PROT_READ | PROT_WRITE : PROT_READ,
                      MAP_SHARED, fd, off_t(first));
  if (base == MAP_FAILED) {
    return failed(errno, err);
  }
  return Mapping(base, size_t(last - first), w);
}

}  // namespace captee
