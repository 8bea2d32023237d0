// One memory of the emulated SoC (a carveout such as RETRAM or MCU SRAM).
//
// Each region is a memfd, so that later the TEE can hand a page range of it to
// the normal world as a file descriptor (trace buffers, vrings) without
// copying, while the rest stays mapped only inside the TEE. The emulated core
// executes directly from the TEE's mapping.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

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

  // The memfd, borrowed (still owned by the region). Used to share page
  // ranges with the normal world.
  int fd() const { return fd_; }

  // Overwrites every byte with zero in a way the compiler may not elide.
  void wipe();

 private:
  MemoryRegion(RegionDescription desc, int fd, uint8_t *base)
      : desc_(std::move(desc)), fd_(fd), base_(base) {}
  RegionDescription desc_;
  int fd_;
  uint8_t *base_;
};

}  // namespace captee::platform
