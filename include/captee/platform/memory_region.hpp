// One memory of the emulated SoC (a carveout such as RETRAM or MCU SRAM).
//
// Each region is a memfd mapped only inside the TEE; the emulated core
// executes directly from that mapping. A descriptor of the region would give
// whoever holds it every page, so the region's own memfd never leaves the TEE.
// To hand the normal world a page range (a trace buffer, a vring), the region
// moves those pages onto a memfd of their own, mapped at the same addresses
// (MAP_FIXED), and only that memfd is shared. Sharing ends when the region is
// wiped: the shared memfd is zeroed first, so a host that still maps it reads
// zeros, and the pages go back onto the region's own memfd.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "captee/platform/description.hpp"

namespace captee::platform {

class MemoryRegion {
 public:
  // Creates the memfd and maps it read-write in this process. Returns nullptr
  // and sets *error if the kernel refuses (e.g. out of memory).
  static std::unique_ptr<MemoryRegion> create(const RegionDescription &desc, std::string *error);

  // Wipes the contents, then unmaps and closes.
  ~MemoryRegion();
  MemoryRegion(const MemoryRegion &) = delete;
  MemoryRegion &operator=(const MemoryRegion &) = delete;

  const RegionDescription &description() const { return desc_; }
  uint32_t da() const { return desc_.da; }
  uint32_t size() const { return desc_.size; }
  // True if [da, da+len) lies entirely inside this region (overflow-safe).
  bool contains(uint32_t da, uint64_t len) const;

  // The TEE-side mapping. Borrowed; valid for the region's lifetime.
  std::span<uint8_t> bytes() { return {base_, desc_.size}; }
  std::span<const uint8_t> bytes() const { return {base_, desc_.size}; }
  // Host pointer for device address `da`; the caller has checked contains().
  uint8_t *at(uint32_t da) { return base_ + (da - desc_.da); }

  // The region's own memfd, borrowed. Never handed out (see above).
  int fd() const { return fd_; }

  // Moves [offset, offset+len) onto a memfd of its own and returns a new
  // descriptor for it (the caller owns it): read-write, or, with
  // writable=false, opened read-only with the memfd sealed against new
  // writable mappings. The size is sealed either way, so a holder cannot
  // truncate it under the emulated core. The TEE's mapping keeps its address
  // and contents. `offset` and `len` must be page-aligned, non-zero, inside
  // the region and not shared already. Call only while the core is offline
  // (the pages are copied). Returns -1 and sets *error on failure.
  int share_pages(uint32_t offset, uint32_t len, bool writable, std::string *error);
  // True if [offset, offset+len) overlaps a shared range.
  bool is_shared(uint32_t offset, uint32_t len) const;

  // Ends every share (their memfds are zeroed), then overwrites every byte
  // with zero in a way the compiler may not elide. Call with the core offline.
  void wipe();
  // Ends every share (their memfds and these pages are zeroed); the rest of
  // the region keeps its contents. Call with the core offline.
  void unshare() { end_sharing(); }

 private:
  MemoryRegion(RegionDescription desc, int fd, uint8_t *base)
      : desc_(std::move(desc)), fd_(fd), base_(base) {}
  void end_sharing();
  void restore(uint32_t offset, uint32_t len);

  struct Share {
    uint32_t offset, len;
    int fd;
  };
  RegionDescription desc_;
  int fd_;
  uint8_t *base_;
  std::vector<Share> shares_;
};

}  // namespace captee::platform
