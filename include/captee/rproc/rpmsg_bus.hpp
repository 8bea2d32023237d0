// The host side of one virtio-rpmsg device (a vdev of id 7 in a firmware's
// resource table), as Linux's virtio_rpmsg_bus drives it over remoteproc.
//
// Two virtqueues: vring 0 carries messages to the host (Linux's "input"
// queue, rvq), vring 1 messages to the firmware ("output", svq). The buffer
// pool is Linux's: num_bufs 512-byte buffers (twice vring 0's size, at most
// 512), the first half posted on vring 0 for the firmware to fill, in order,
// the second half used in order for sending, then reclaimed from vring 1's
// used ring. Each buffer holds a 16-byte rpmsg header {src u32, dst u32,
// reserved u32, len u16, flags u16} and up to 496 bytes of payload.
// Notifications are mailbox kicks on the vrings' notify ids.
//
// With VIRTIO_RPMSG_F_NS the firmware announces channels to address 53:
// {name[32], addr u32, flags u32} with flags 0 (create) or 1 (destroy). Each
// created channel gets a local endpoint address, allocated from 1024 as
// Linux's idr does (the lowest free), the address a driver such as rpmsg_tty
// gets when it probes the channel.
//
// Everything in the rings and buffers is the firmware's to write and is
// checked (HostVirtqueue): a firmware breaking the ring rules breaks the bus
// (`broken` with one sentence; the caller resets or crashes the processor),
// never the host. A malformed message (shorter than its header, a length past
// its buffer, a name-service message of the wrong size) is dropped with a
// note and its buffer goes back to the firmware.
//
// Thread-safe. Callbacks run without the bus's lock, on the thread that
// called on_kick(), start() or send(), so they may call back into the bus.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "captee/rproc/virtqueue.hpp"

namespace captee::rproc {

inline constexpr uint32_t kVirtioIdRpmsg = 7;
inline constexpr uint32_t kVirtioRpmsgFNs = 1u << 0;
// Device status bits (virtio 1.x, 2.1): Linux's driver reaches
// ACKNOWLEDGE | DRIVER | DRIVER_OK on a legacy device like rpmsg.
inline constexpr uint8_t kVirtioStatusAcknowledge = 1;
inline constexpr uint8_t kVirtioStatusDriver = 2;
inline constexpr uint8_t kVirtioStatusDriverOk = 4;
inline constexpr uint32_t kRpmsgBufSize = 512;
inline constexpr uint32_t kRpmsgMaxBufs = 512;
inline constexpr uint32_t kRpmsgHeaderSize = 16;
inline constexpr uint32_t kRpmsgMaxPayload = kRpmsgBufSize - kRpmsgHeaderSize;  // 496
inline constexpr uint32_t kRpmsgNsAddr = 53;
inline constexpr uint32_t kRpmsgFirstLocalAddr = 1024;
inline constexpr uint32_t kRpmsgNameSize = 32;
inline constexpr uint32_t kRpmsgNsMsgSize = kRpmsgNameSize + 8;
inline constexpr uint32_t kRpmsgNsCreate = 0;
inline constexpr uint32_t kRpmsgNsDestroy = 1;
inline constexpr size_t kRpmsgMaxChannels = 64;  // per vdev: a firmware cannot exhaust the host

// One announced channel.
struct RpmsgChannel {
  std::string name;     // up to 31 characters, as announced
  uint32_t remote = 0;  // the firmware's address (the announced addr)
  uint32_t local = 0;   // the host endpoint's address, from 1024
};

// The memory of one vdev as the host mapped it.
struct RpmsgVdevMemory {
  std::span<std::byte> rx_ring, tx_ring;  // vring 0 and 1
  uint32_t rx_da = 0, tx_da = 0;
  uint32_t rx_num = 0, tx_num = 0, rx_align = 0, tx_align = 0;
  uint32_t rx_notifyid = 0, tx_notifyid = 0;
  std::span<std::byte> pool;  // the vdev buffer (vdevNbuffer)
  uint32_t pool_da = 0;
};

struct RpmsgEvents {
  std::function<void(uint32_t notifyid)> kick;
  std::function<void(const RpmsgChannel &)> created, destroyed;
  // A message for the endpoint at `local`, from the firmware's `src`.
  std::function<void(uint32_t local, uint32_t src, std::span<const uint8_t> payload)> message;
  std::function<void(const std::string &why)> broken;
  std::function<void(const std::string &note)> note;  // dropped messages and the like
};

class RpmsgBus {
 public:
  enum class SendResult { kOk, kTooBig, kNoBuffer, kBroken };

  // The features the host accepts of the device's: F_NS only.
  static uint32_t negotiate(uint32_t device_features) { return device_features & kVirtioRpmsgFNs; }

  // Sets up the queues over `memory` (zeroed, as Linux's find_vqs does) and
  // the buffer pool. nullptr with *why when the geometry cannot carry rpmsg
  // (not virtqueues, or a pool too small for num_bufs 512-byte buffers).
  static std::unique_ptr<RpmsgBus> create(const RpmsgVdevMemory &memory, uint32_t features,
                                          RpmsgEvents events, std::string *why);
  ~RpmsgBus();

  // Posts the receive half of the pool on vring 0 (before the firmware starts).
  void start();
  // The firmware kicked these mailbox channels (bit n: notify id n).
  void on_kick(uint32_t channels);
  // Sends `payload` from local address `src` to the firmware's `dst`. Waits up
  // to `wait` for a transmit buffer when all are with the firmware.
  SendResult send(uint32_t src, uint32_t dst, std::span<const uint8_t> payload,
                  std::chrono::milliseconds wait = std::chrono::seconds(15));
  // Stops the bus: every channel is destroyed (callbacks run), sends fail.
  void shut_down();

  std::vector<RpmsgChannel> channels() const;
  bool broken() const;
  uint32_t num_bufs() const { return num_bufs_; }

 private:
  struct Pending;  // callbacks collected under the lock, run after it
  RpmsgBus() = default;
  void receive_locked(Pending *out);
  void reclaim_locked(Pending *out);
  void break_locked(const std::string &why, Pending *out);
  void handle_ns_locked(uint32_t src, std::span<const uint8_t> msg, Pending *out);
  uint32_t allocate_local_locked() const;
  void run(Pending &p);

  mutable std::mutex mu_;
  std::condition_variable tx_freed_;
  RpmsgEvents events_;
  std::unique_ptr<HostVirtqueue> rx_, tx_;
  RpmsgVdevMemory mem_;
  uint32_t features_ = 0;
  uint32_t num_bufs_ = 0;
  uint32_t next_fresh_tx_ = 0;     // Linux's last_sbuf
  std::vector<uint32_t> free_tx_;  // reclaimed transmit buffers (device addresses)
  std::vector<RpmsgChannel> channels_;
  bool broken_ = false, stopped_ = false;
  uint32_t dropped_ = 0;  // malformed or unaddressed messages
};

}  // namespace captee::rproc
