// The firmware's side of a virtio-rpmsg device, written for the tests from
// the virtio split-ring layout: it takes buffers from the available rings and
// returns them on the used rings, as OpenAMP does in the device role. The
// memory is one block standing for the firmware's shared memory at device
// address `base`. Hostile tests reach into the same memory to break rules.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "captee/rproc/rpmsg_bus.hpp"

namespace captee::rproc::testing {

class SharedBlock {
 public:
  SharedBlock(uint32_t base, size_t size)
      : base_(base), size_(size), bytes_(static_cast<std::byte *>(std::aligned_alloc(4096, size))) {
    std::memset(bytes_, 0, size);
  }
  ~SharedBlock() { std::free(bytes_); }
  SharedBlock(const SharedBlock &) = delete;
  SharedBlock &operator=(const SharedBlock &) = delete;
  std::span<std::byte> at(uint32_t da, size_t len) { return {bytes_ + (da - base_), len}; }
  uint8_t *p(uint32_t da) { return reinterpret_cast<uint8_t *>(bytes_ + (da - base_)); }
  template <typename T>
  T get(uint32_t da) {
    T v;
    std::memcpy(&v, p(da), sizeof v);
    return v;
  }
  template <typename T>
  void put(uint32_t da, T v) {
    std::memcpy(p(da), &v, sizeof v);
  }
  uint32_t base() const { return base_; }

 private:
  uint32_t base_;
  size_t size_;
  std::byte *bytes_;
};

// One split ring as the device sees it.
struct DeviceRing {
  uint32_t da = 0, num = 0, align = 0;
  uint16_t last_avail = 0;
  uint32_t avail() const { return da + 16 * num; }
  uint32_t used() const {
    const uint32_t head = 16 * num + 2 * (3 + num);
    return da + (head + align - 1) / align * align;
  }
  uint32_t desc(uint16_t id) const { return da + 16 * uint32_t{id}; }
};

class FakeRpmsgDevice {
 public:
  // The geometry of ST's OpenAMP examples: 16-entry rings aligned to 16, a
  // 16 KiB buffer, at the discovery boards' reserved memory.
  static constexpr uint32_t kBase = 0x10040000;
  static constexpr uint32_t kRx = 0x10040000, kTx = 0x10041000, kPool = 0x10042000;
  static constexpr uint32_t kPoolSize = 0x4000;

  explicit FakeRpmsgDevice(uint32_t num = 16, uint32_t align = 16)
      : mem_(kBase, 0x6000), to_host_{kRx, num, align}, to_device_{kTx, num, align} {}

  RpmsgVdevMemory memory() {
    RpmsgVdevMemory m;
    m.rx_ring = mem_.at(kRx, 0x1000);
    m.tx_ring = mem_.at(kTx, 0x1000);
    m.rx_da = kRx;
    m.tx_da = kTx;
    m.rx_num = m.tx_num = to_host_.num;
    m.rx_align = m.tx_align = to_host_.align;
    m.rx_notifyid = 0;
    m.tx_notifyid = 1;
    m.pool = mem_.at(kPool, kPoolSize);
    m.pool_da = kPool;
    return m;
  }
  SharedBlock &mem() { return mem_; }
  DeviceRing &to_host() { return to_host_; }
  DeviceRing &to_device() { return to_device_; }

  // Takes the next available buffer of `r`; false when there is none.
  bool take(DeviceRing &r, uint16_t *id, uint32_t *addr, uint32_t *len) {
    const uint16_t idx = mem_.get<uint16_t>(r.avail() + 2);
    if (idx == r.last_avail) {
      return false;
    }
    *id = mem_.get<uint16_t>(r.avail() + 4 + 2 * (r.last_avail % r.num));
    r.last_avail++;
    *addr = static_cast<uint32_t>(mem_.get<uint64_t>(r.desc(*id)));
    *len = mem_.get<uint32_t>(r.desc(*id) + 8);
    return true;
  }
  // Returns descriptor `id` on `r`'s used ring with `len`.
  void give_back(DeviceRing &r, uint32_t id, uint32_t len) {
    const uint16_t idx = mem_.get<uint16_t>(r.used() + 2);
    mem_.put<uint32_t>(r.used() + 4 + 8 * (idx % r.num), id);
    mem_.put<uint32_t>(r.used() + 8 + 8 * (idx % r.num), len);
    mem_.put<uint16_t>(r.used() + 2, static_cast<uint16_t>(idx + 1));
  }
  // Sends a message to the host: fills the next receive buffer it posted.
  // false when the host posted none.
  bool send(uint32_t src, uint32_t dst, std::span<const uint8_t> payload) {
    uint16_t id;
    uint32_t addr, len;
    if (!take(to_host_, &id, &addr, &len)) {
      return false;
    }
    mem_.put<uint32_t>(addr, src);
    mem_.put<uint32_t>(addr + 4, dst);
    mem_.put<uint32_t>(addr + 8, 0);
    mem_.put<uint16_t>(addr + 12, static_cast<uint16_t>(payload.size()));
    mem_.put<uint16_t>(addr + 14, 0);
    std::memcpy(mem_.p(addr + 16), payload.data(), payload.size());
    give_back(to_host_, id, static_cast<uint32_t>(16 + payload.size()));
    return true;
  }
  bool announce(const std::string &name, uint32_t addr, uint32_t flags = kRpmsgNsCreate) {
    std::vector<uint8_t> ns(kRpmsgNsMsgSize, 0);
    std::memcpy(ns.data(), name.data(), std::min<size_t>(name.size(), kRpmsgNameSize));
    std::memcpy(ns.data() + 32, &addr, 4);
    std::memcpy(ns.data() + 36, &flags, 4);
    return send(addr, kRpmsgNsAddr, ns);
  }
  struct Message {
    uint32_t src = 0, dst = 0;
    std::vector<uint8_t> payload;
  };
  // Receives the next message the host sent, and gives its buffer back.
  bool receive(Message *m) {
    uint16_t id;
    uint32_t addr, len;
    if (!take(to_device_, &id, &addr, &len)) {
      return false;
    }
    m->src = mem_.get<uint32_t>(addr);
    m->dst = mem_.get<uint32_t>(addr + 4);
    const uint16_t n = mem_.get<uint16_t>(addr + 12);
    m->payload.assign(mem_.p(addr + 16), mem_.p(addr + 16) + n);
    give_back(to_device_, id, 0);
    return true;
  }

 private:
  SharedBlock mem_;
  DeviceRing to_host_, to_device_;
};

}  // namespace captee::rproc::testing
