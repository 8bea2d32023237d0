#include "memory_service.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

// Linux 5.1; older libc headers lack it.
#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif

namespace captee::tee {

namespace {
uint64_t page_size() {
  static const uint64_t p = uint64_t(::sysconf(_SC_PAGESIZE));
  return p;
}

// What a descriptor a client passed really is (issue 20, finding 9). A
// shared-pool memory object is what MemoryObject::create makes: a memfd
// whose size is sealed (F_SEAL_SHRINK | F_SEAL_GROW, so no holder can
// truncate it under a mapping), not empty, open for reading. O_PATH and
// write-only descriptors, plain and tmpfs files (no such seals), unsealed
// memfds, pipes, sockets and devices are not. The rights are what the
// descriptor allows, capped by the rights the object carries (the byte the
// sender chose): WRITE only for an O_RDWR descriptor of memory not sealed
// against writes.
int32_t describe_shared(const FdObject &f, IMemoryService_ObjectInfo &info) {
  const int fd = f.fd();
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || (flags & O_PATH) != 0) {
    return IMemoryService_ERROR_NOT_MEMORY_OBJECT;
  }
  const int access = flags & O_ACCMODE;
  const int seals = ::fcntl(fd, F_GET_SEALS);
  constexpr int kSizeSealed = F_SEAL_SHRINK | F_SEAL_GROW;
  struct stat st {};
  if ((access != O_RDONLY && access != O_RDWR) || seals < 0 ||
      (seals & kSizeSealed) != kSizeSealed || ::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
      st.st_size <= 0) {
    return IMemoryService_ERROR_NOT_MEMORY_OBJECT;
  }
  uint32_t rights = 0;
  if ((f.rights() & FdObject::kRead) != 0) {
    rights |= IMemoryService_RIGHT_READ;
  }
  if ((f.rights() & FdObject::kWrite) != 0 && access == O_RDWR &&
      (seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)) == 0) {
    rights |= IMemoryService_RIGHT_WRITE;
  }
  info = {uint64_t(st.st_size), IMemoryService_POOL_SHARED, rights};
  return Object_OK;
}
}  // namespace

PrivateMemory::PrivateMemory(std::shared_ptr<Daemon::State> state, Ref backing, uint64_t size,
                             uint32_t rights)
    : state_(std::move(state)), backing_(std::move(backing)), size_(size), rights_(rights) {
  state_->memory_objects.fetch_add(1);
  state_->memory_bytes.fetch_add(size_);
  state_->private_objects.fetch_add(1);
}

PrivateMemory::~PrivateMemory() {
  backing_.reset();  // wipes the secret region
  state_->memory_objects.fetch_sub(1);
  state_->memory_bytes.fetch_sub(size_);
  state_->private_objects.fetch_sub(1);
  state_->private_bytes.fetch_sub(size_);
}

std::span<std::byte> PrivateMemory::bytes() const {
  auto *m = LocalObject::from_as<MemoryObject>(backing_.get());
  return m != nullptr ? m->bytes() : std::span<std::byte>();
}

int32_t MemoryService::allocate(uint32_t pool, uint64_t size, uint32_t rights, Ref &memObj) {
  if (pool != IMemoryService_POOL_SHARED && pool != IMemoryService_POOL_TEE_PRIVATE) {
    return IMemoryService_ERROR_NO_SUCH_POOL;
  }
  constexpr uint32_t kKnown =
      IMemoryService_RIGHT_READ | IMemoryService_RIGHT_WRITE | IMemoryService_RIGHT_EXECUTE;
  if ((rights & IMemoryService_RIGHT_READ) == 0 || (rights & ~kKnown) != 0 ||
      (pool == IMemoryService_POOL_SHARED && (rights & IMemoryService_RIGHT_EXECUTE) != 0)) {
    return IMemoryService_ERROR_BAD_RIGHTS;  // shared memory is never executable
  }
  uint64_t rounded = 0;
  if (size == 0 || size > state_->opts.max_object_bytes ||
      __builtin_add_overflow(size, page_size() - 1, &rounded)) {
    return IMemoryService_ERROR_TOO_LARGE;
  }
  rounded &= ~(page_size() - 1);
  if (pool == IMemoryService_POOL_SHARED) {
    Ref rw = MemoryObject::create(rounded, false, "captee-shared");
    if (rw.is_null()) {
      return IMemoryService_ERROR_POOL_EXHAUSTED;
    }
    if ((rights & IMemoryService_RIGHT_WRITE) == 0) {
      rw = MemoryObject::read_only_view(rw.get());
      if (rw.is_null()) {
        return Object_ERROR_MEM;
      }
    }
    state_->shared_allocated_total.fetch_add(1);
    memObj = std::move(rw);
    return Object_OK;
  }
  // Reserve first so concurrent allocations cannot overshoot the pool.
  uint64_t used = state_->private_bytes.fetch_add(rounded);
  if (used + rounded > state_->opts.private_pool_bytes) {
    state_->private_bytes.fetch_sub(rounded);
    return IMemoryService_ERROR_POOL_EXHAUSTED;
  }
  Ref backing = MemoryObject::create(rounded, true, "captee-private");
  if (backing.is_null()) {
    state_->private_bytes.fetch_sub(rounded);
    return IMemoryService_ERROR_POOL_EXHAUSTED;
  }
  memObj = make_object<PrivateMemory>(state_, std::move(backing), rounded, rights);
  return Object_OK;
}

int32_t MemoryService::queryObject(Object memObj, IMemoryService_ObjectInfo &info) {
  if (auto *p = LocalObject::from_as<PrivateMemory>(memObj); p != nullptr) {
    info = {p->size(), IMemoryService_POOL_TEE_PRIVATE, p->rights()};
    return Object_OK;
  }
  if (auto *f = LocalObject::from_as<FdObject>(memObj); f != nullptr) {
    return describe_shared(*f, info);
  }
  return IMemoryService_ERROR_NOT_MEMORY_OBJECT;
}

int32_t MemoryService::queryPool(uint32_t pool, IMemoryService_PoolInfo &info) {
  if (pool == IMemoryService_POOL_SHARED) {
    // Shared regions are kernel memory once handed out (see the header).
    info = {state_->opts.max_object_bytes, 0, state_->opts.max_object_bytes};
    return Object_OK;
  }
  if (pool == IMemoryService_POOL_TEE_PRIVATE) {
    uint64_t total = state_->opts.private_pool_bytes;
    uint64_t used = std::min(total, state_->private_bytes.load());
    info = {total, used, total - used};
    return Object_OK;
  }
  return IMemoryService_ERROR_NO_SUCH_POOL;
}

}  // namespace captee::tee
