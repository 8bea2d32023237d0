#include "captee/rproc/virtqueue.hpp"

#include <atomic>
#include <cstring>

#include "captee/detail/hex.hpp"

namespace captee::rproc {

namespace {

using captee::detail::hex32;

bool power_of_two(uint32_t v) {
  return v != 0 && (v & (v - 1)) == 0;
}

// Shared memory the firmware writes while we read it: every field is read
// once, with an atomic access of its natural size (create() checks the
// alignment), so a value cannot change between its check and its use.
template <typename T>
T load(const std::byte *p) {
  return __atomic_load_n(reinterpret_cast<const T *>(p), __ATOMIC_RELAXED);
}

template <typename T>
void store(std::byte *p, T v) {
  __atomic_store_n(reinterpret_cast<T *>(p), v, __ATOMIC_RELAXED);
}

}  // namespace

uint64_t split_vring_bytes(uint32_t num, uint32_t align) {
  if (!power_of_two(num) || num > kVringMaxNum || !power_of_two(align)) {
    return 0;
  }
  const uint64_t head = 16ull * num + 2ull * (3 + uint64_t{num});
  return (head + align - 1) / align * align + 6 + 8ull * num;
}

std::unique_ptr<HostVirtqueue> HostVirtqueue::create(std::span<std::byte> ring, uint32_t da,
                                                     uint32_t num, uint32_t align, uint32_t pool_da,
                                                     uint32_t pool_size, std::string *why) {
  const uint64_t bytes = split_vring_bytes(num, align);
  if (bytes == 0 || align < 4) {
    *why = "a virtqueue of " + std::to_string(num) + " entries aligned to " +
           std::to_string(align) + " is not a split virtqueue (powers of two, at most " +
           std::to_string(kVringMaxNum) + " entries, alignment at least 4)";
    return nullptr;
  }
  if (da % 16 != 0 || reinterpret_cast<uintptr_t>(ring.data()) % 16 != 0) {
    *why = "the vring at " + hex32(da) + " is not 16-byte aligned, as virtio requires";
    return nullptr;
  }
  if (ring.size() < bytes) {
    *why = "the vring at " + hex32(da) + " needs " + std::to_string(bytes) + " bytes; " +
           std::to_string(ring.size()) + " are mapped";
    return nullptr;
  }
  std::unique_ptr<HostVirtqueue> q(new HostVirtqueue);
  q->ring_ = ring.first(bytes);
  q->da_ = da;
  q->num_ = num;
  q->avail_off_ = 16 * num;
  q->used_off_ = static_cast<uint32_t>(
      (uint64_t{q->avail_off_} + 2ull * (3 + uint64_t{num}) + align - 1) / align * align);
  q->pool_da_ = pool_da;
  q->pool_size_ = pool_size;
  q->reset();
  return q;
}

void HostVirtqueue::reset() {
  std::memset(ring_.data(), 0, ring_.size());
  posted_.assign(num_, Posted{});
  // Linux's free list starts at descriptor 0, so buffers go out as 0, 1, 2...
  free_.clear();
  for (uint32_t i = num_; i-- > 0;) {
    free_.push_back(static_cast<uint16_t>(i));
  }
  avail_idx_ = 0;
  last_used_ = 0;
  outstanding_ = 0;
}

bool HostVirtqueue::add(uint32_t buf_da, uint32_t len, bool device_writes) {
  if (free_.empty()) {
    return false;
  }
  const uint16_t id = free_.back();
  free_.pop_back();
  posted_[id] = {true, device_writes, buf_da, len};
  outstanding_++;
  std::byte *d = at(16 * size_t{id});
  store<uint64_t>(d, buf_da);
  store<uint32_t>(d + 8, len);
  store<uint16_t>(d + 12, device_writes ? kVringDescFWrite : 0);
  store<uint16_t>(d + 14, 0);
  store<uint16_t>(at(avail_off_ + 4 + 2 * (avail_idx_ % num_)), id);
  // The descriptor and the ring entry before the index that publishes them.
#if defined(__SANITIZE_THREAD__)
  // GCC's ThreadSanitizer refuses fences (-Wtsan). Its builds run on x86,
  // where a release fence is only a compiler barrier: this one.
  std::atomic_signal_fence(std::memory_order_release);
#else
  std::atomic_thread_fence(std::memory_order_release);
#endif
  avail_idx_++;
  store<uint16_t>(at(avail_off_ + 2), avail_idx_);
  return true;
}

bool HostVirtqueue::notify_wanted() const {
  return (load<uint16_t>(at(used_off_)) & kVringUsedFNoNotify) == 0;
}

std::string HostVirtqueue::describe_rewrite(uint16_t id, uint64_t addr, uint32_t len,
                                            uint16_t flags) const {
  const std::string d = "descriptor " + std::to_string(id);
  if ((flags & kVringDescFNext) != 0) {
    // Walk the chain the firmware made, at most num links: the host posted
    // single buffers, so any chain is the firmware's, and a loop is named.
    std::vector<bool> seen(num_, false);
    uint16_t i = id;
    for (uint32_t step = 0; step <= num_; step++) {
      if (i >= num_) {
        return d + " chains to descriptor " + std::to_string(i) + ", past the ring's " +
               std::to_string(num_);
      }
      if (seen[i]) {
        return d + " starts a chain that loops back to descriptor " + std::to_string(i);
      }
      seen[i] = true;
      const std::byte *p = at(16 * size_t{i});
      if ((load<uint16_t>(p + 12) & kVringDescFNext) == 0) {
        break;
      }
      i = load<uint16_t>(p + 14);
    }
    return d + " was made the head of a chain (VRING_DESC_F_NEXT); the host posts single buffers";
  }
  if (addr < pool_da_ || addr + len > uint64_t{pool_da_} + pool_size_) {
    return d + " now points at [" + hex32(static_cast<uint32_t>(addr)) + ", +" +
           std::to_string(len) + "), outside the shared buffers [" + hex32(pool_da_) + ", +" +
           std::to_string(pool_size_) + ")";
  }
  return d + " was rewritten by the firmware (address, length or flags)";
}

HostVirtqueue::Take HostVirtqueue::take(Used *out, std::string *violation) {
  const uint16_t used_idx =
      __atomic_load_n(reinterpret_cast<const uint16_t *>(at(used_off_ + 2)), __ATOMIC_ACQUIRE);
  if (used_idx == last_used_) {
    return Take::kNone;
  }
  const uint16_t pending = static_cast<uint16_t>(used_idx - last_used_);
  if (pending > outstanding_) {
    *violation = "the used index of the vring at " + hex32(da_) + " jumped from " +
                 std::to_string(last_used_) + " to " + std::to_string(used_idx) + ": " +
                 std::to_string(pending) + " buffers returned, " + std::to_string(outstanding_) +
                 " were with the device";
    return Take::kViolation;
  }
  const std::byte *e = at(used_off_ + 4 + 8 * size_t{last_used_ % num_});
  const uint32_t id = load<uint32_t>(e);
  const uint32_t len = load<uint32_t>(e + 4);
  const std::string where =
      "used entry " + std::to_string(last_used_) + " of the vring at " + hex32(da_) + ": ";
  if (id >= num_) {
    *violation = where + "descriptor " + std::to_string(id) + " does not exist (the ring has " +
                 std::to_string(num_) + ")";
    return Take::kViolation;
  }
  const Posted p = posted_[id];
  if (!p.busy) {
    *violation =
        where + "descriptor " + std::to_string(id) + " came back, but the device did not hold it";
    return Take::kViolation;
  }
  const std::byte *d = at(16 * size_t{id});
  const uint64_t addr = load<uint64_t>(d);
  const uint32_t dlen = load<uint32_t>(d + 8);
  const uint16_t flags = load<uint16_t>(d + 12);
  if (addr != p.da || dlen != p.len || flags != (p.device_writes ? kVringDescFWrite : 0)) {
    *violation = where + describe_rewrite(static_cast<uint16_t>(id), addr, dlen, flags);
    return Take::kViolation;
  }
  if (p.device_writes && len > p.len) {
    *violation = where + "the device says it wrote " + std::to_string(len) + " bytes into the " +
                 std::to_string(p.len) + "-byte buffer of descriptor " + std::to_string(id);
    return Take::kViolation;
  }
  posted_[id].busy = false;
  free_.push_back(static_cast<uint16_t>(id));
  outstanding_--;
  last_used_++;
  *out = {static_cast<uint16_t>(id), p.da, p.len, p.device_writes ? len : 0};
  return Take::kOne;
}

}  // namespace captee::rproc
