// Memory objects: shared memory that travels as a capability.
//
// A MemoryObject is a memfd-backed region wrapped in an object (an FdObject),
// so it is passed like any other object: a channel sends its descriptor with
// SCM_RIGHTS and the receiver gets an FdObject for the same pages. What the
// receiver can do is fixed by the sender:
//  - a read-write object's descriptor can be mapped PROT_READ|PROT_WRITE;
//  - a read-only view's descriptor is opened O_RDONLY *and* the region is
//    sealed with F_SEAL_FUTURE_WRITE, so no process can create a new writable
//    mapping or write() it (reopening /proc/<pid>/fd/N does not help). The
//    creator keeps writing through the mapping it made at creation.
// Sizes are sealed at creation (F_SEAL_SHRINK | F_SEAL_GROW), so a mapping can
// never be truncated under a reader (no SIGBUS).
//
// A secret region is wiped (explicit_bzero) when the creator's last reference
// goes, before its pages are returned; peers that still map it see zeros.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "captee/fd_object.hpp"

namespace captee {

class MemoryObject final : public FdObject {
 public:
  // A new zero-filled read-write region of `size` bytes (> 0). Null Ref if the
  // memfd cannot be created or mapped (e.g. ENOMEM).
  static Ref create(size_t size, bool secret = false, const char *name = "captee-mem");

  // A read-only view of the region behind `rw` (which must be a MemoryObject
  // created here). Seals the region against new writable mappings; existing
  // ones, including this process's own, keep working. Null Ref on failure.
  static Ref read_only_view(Object rw);

  // The creator's own mapping (read-write for created objects, read-only for
  // views). Borrowed: valid while a reference is held.
  std::span<std::byte> bytes() const noexcept { return {static_cast<std::byte *>(base_), size_}; }
  size_t size() const noexcept { return size_; }
  bool secret() const noexcept { return secret_; }

 private:
  MemoryObject(int fd, uint8_t rights, void *base, size_t size, bool secret, bool owner)
      : FdObject(fd, rights), base_(base), size_(size), secret_(secret), owner_(owner) {}
  ~MemoryObject() override;

  void *base_;
  size_t size_;
  bool secret_;
  bool owner_;  // the creator's object: wipes a secret region at the end
};

// A mapping of any FdObject (a MemoryObject or one received over a channel).
// Unmapped on destruction. Move-only.
class Mapping {
 public:
  Mapping() = default;
  Mapping(Mapping &&o) noexcept;
  Mapping &operator=(Mapping &&o) noexcept;
  ~Mapping();
  std::span<std::byte> bytes() const noexcept { return {static_cast<std::byte *>(base_), size_}; }
  bool writable() const noexcept { return writable_; }

  // Maps `obj` with `rights` (FdObject::kRead, optionally | kWrite). Fails if
  // `obj` is not fd-backed, asks for rights it does not carry, is empty or
  // not sealed against shrinking (F_SEAL_SHRINK: otherwise whoever else holds
  // the descriptor could truncate it and every access to the lost pages
  // would be a SIGBUS here), or the kernel refuses (sealed or read-only
  // descriptor). On failure returns nullopt and sets *err to an errno value
  // (EBADF: not fd-backed; EACCES/EPERM: rights; EINVAL: empty or shrinkable).
  static std::optional<Mapping> map(Object obj, uint8_t rights, int *err = nullptr);

  // Maps only the pages of `obj` under the window [offset, offset + length),
  // with map()'s checks: a memref hands its receiver these pages and no other
  // part of the object. bytes() covers the pages; the window starts at
  // offset % page size within them. A zero-length window maps nothing (an
  // empty Mapping). EINVAL also if the window does not lie inside the object.
  static std::optional<Mapping> map_pages(Object obj, uint8_t rights, uint64_t offset,
                                          uint64_t length, int *err = nullptr);

 private:
  Mapping(void *b, size_t s, bool w) : base_(b), size_(s), writable_(w) {}
  void *base_ = nullptr;
  size_t size_ = 0;
  bool writable_ = false;
};

}  // namespace captee
