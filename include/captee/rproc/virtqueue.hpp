// The driver's (host's) side of one virtio split virtqueue in memory the
// firmware shares, as Linux's virtio_ring drives a remoteproc vring.
//
// Layout (virtio 1.x "split virtqueue", legacy alignment): `num` 16-byte
// descriptors {addr u64, len u32, flags u16, next u16}; the available ring
// {flags u16, idx u16, ring[num] u16, used_event u16} right after them; the
// used ring {flags u16, idx u16, ring[num] {id u32, len u32}, avail_event
// u16} at the next multiple of `align`. Little-endian (legacy virtio on a
// little-endian SoC).
//
// The host writes descriptors and the available ring; the firmware writes the
// used ring. Everything the firmware can write is hostile: the host keeps its
// own copy of every descriptor it posted and never follows an address or a
// chain out of shared memory. take() checks each used entry (index, id,
// length) and that the descriptor it names is still the one the host wrote;
// the first broken rule is a violation with one sentence, after which the
// caller must stop using the queue (the device is reset or crashed).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace captee::rproc {

inline constexpr uint16_t kVringDescFNext = 1;
inline constexpr uint16_t kVringDescFWrite = 2;
inline constexpr uint16_t kVringUsedFNoNotify = 1;
inline constexpr uint32_t kVringMaxNum = 32768;

// Bytes of a split virtqueue (Linux's vring_size()). 0 when num or align is
// not a power of two, or num is above kVringMaxNum.
uint64_t split_vring_bytes(uint32_t num, uint32_t align);

class HostVirtqueue {
 public:
  // A buffer the device gave back.
  struct Used {
    uint16_t id = 0;
    uint32_t da = 0;    // the buffer's device address, from the host's copy
    uint32_t size = 0;  // the buffer's size, from the host's copy
    uint32_t len = 0;   // what the device says it wrote (<= size for device-writable buffers)
  };
  enum class Take { kNone, kOne, kViolation };

  // A queue over `ring` (the vring's bytes, at device address `da`; the caller
  // keeps them mapped for the queue's life). `pool_da`/`pool_size` is where
  // its buffers live, for the violation sentences. nullptr with *why when the
  // geometry is not a virtqueue's (num and align powers of two, ring 16-byte
  // aligned and large enough).
  static std::unique_ptr<HostVirtqueue> create(std::span<std::byte> ring, uint32_t da, uint32_t num,
                                               uint32_t align, uint32_t pool_da, uint32_t pool_size,
                                               std::string *why);

  // Zeroes the ring and forgets every buffer, as a new virtqueue starts.
  void reset();
  // Posts one buffer as one descriptor (never chained) and publishes it in the
  // available ring. false when every descriptor is with the device.
  bool add(uint32_t buf_da, uint32_t len, bool device_writes);
  // The next buffer the device returned, checked; kNone when there is none.
  Take take(Used *out, std::string *violation);
  // Whether the device wants a notification (used.flags has no NO_NOTIFY).
  bool notify_wanted() const;

  uint32_t num() const { return num_; }
  uint32_t outstanding() const { return outstanding_; }
  uint32_t da() const { return da_; }

 private:
  HostVirtqueue() = default;
  struct Posted {
    bool busy = false;
    bool device_writes = false;
    uint32_t da = 0, len = 0;
  };
  std::byte *at(size_t offset) const { return ring_.data() + offset; }
  std::string describe_rewrite(uint16_t id, uint64_t addr, uint32_t len, uint16_t flags) const;

  std::span<std::byte> ring_;
  uint32_t da_ = 0, num_ = 0, avail_off_ = 0, used_off_ = 0;
  uint32_t pool_da_ = 0, pool_size_ = 0;
  std::vector<Posted> posted_;
  std::vector<uint16_t> free_;  // a stack: the next descriptor to use is at the back
  uint16_t avail_idx_ = 0, last_used_ = 0;
  uint32_t outstanding_ = 0;
};

}  // namespace captee::rproc
