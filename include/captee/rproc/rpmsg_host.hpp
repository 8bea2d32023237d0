// A processor's rpmsg channels as captee-rprocd serves them: one RpmsgBus per
// rpmsg vdev (id 7) of the firmware's resource table, and a registry of the
// channels the firmware announced that outlives a boot.
//
// Channels are named as the firmware announces them and numbered per name in
// announcement order (as Linux numbers /dev/ttyRPMSG0, 1, ...): a new channel
// takes the lowest index of its name that is not up. After a crash the
// channels are down; when the recovered firmware announces them again they
// come back under the same (name, index), so whatever a client holds by
// name and index works again.
//
// Users listen to a channel (RpmsgListener): they hear its messages and when
// it goes down or comes back. Listeners are called on the host's own
// delivery thread, never on the thread that took the firmware's kick, and
// never with a lock held; a listener may send. The queue toward listeners is
// bounded: a firmware that floods a slow listener loses messages, not host
// memory.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "IRemoteprocHost.hpp"
#include "captee/rproc/resources.hpp"
#include "captee/rproc/rpmsg_bus.hpp"

namespace captee::rproc {

struct RpmsgChannelInfo {
  std::string name;
  uint32_t index = 0;  // among the channels of this name (ttyRPMSG-style numbering)
  uint32_t vdev = 0;   // which rpmsg vdev of the table (0 = the first)
  uint32_t remote = 0, local = 0;
  bool up = false;  // false once the firmware destroyed it, crashed or stopped
};

class RpmsgListener {
 public:
  virtual ~RpmsgListener() = default;
  virtual void on_message(std::span<const uint8_t> payload) = 0;
  virtual void on_state(bool up) = 0;
};

class RpmsgHost {
 public:
  using Log = std::function<void(const std::string &)>;
  // `broken` hears why a vdev broke the ring rules (the processor should be
  // crashed: captee does not reset a vdev under running firmware).
  RpmsgHost(Log log, Log broken);
  ~RpmsgHost();
  RpmsgHost(const RpmsgHost &) = delete;
  RpmsgHost &operator=(const RpmsgHost &) = delete;

  // Sets up the rpmsg vdevs of `table` (the cached copy) over `res`'s
  // mappings, which must stay mapped until detach(): writes the negotiated
  // features and the status byte (ACKNOWLEDGE | DRIVER | DRIVER_OK) into the
  // table, as Linux does before START_FW, and posts the receive buffers.
  // A vdev that cannot carry rpmsg is skipped with a log line.
  void attach(std::vector<uint8_t> &table, const Resources &res, iface::IRemoteprocHost host);
  // Every channel goes down (listeners are told); the buses are gone when
  // this returns, so the mappings may be dropped.
  void detach();
  // The firmware kicked these mailbox channels.
  void on_kick(uint32_t channels);

  std::vector<RpmsgChannelInfo> channels() const;
  enum class SendResult { kOk, kNoChannel, kDown, kTooBig, kNoBuffer };
  SendResult send(const std::string &name, uint32_t index, std::span<const uint8_t> payload);
  // Listens to channel (name, index), which need not exist yet. Returns an id
  // for unlisten().
  uint64_t listen(const std::string &name, uint32_t index, std::shared_ptr<RpmsgListener> l);
  void unlisten(uint64_t id);
  // Hears every channel that comes up (on the delivery thread). Set once,
  // before attach().
  void set_observer(std::function<void(const RpmsgChannelInfo &)> observer);

 private:
  struct Bus {
    uint32_t vdev = 0;
    std::unique_ptr<RpmsgBus> bus;
  };
  struct Listening {
    std::string name;
    uint32_t index = 0;
    std::shared_ptr<RpmsgListener> listener;
  };
  void created(uint32_t vdev, const RpmsgChannel &c);
  void destroyed(uint32_t vdev, const RpmsgChannel &c);
  void message(uint32_t vdev, uint32_t local, std::span<const uint8_t> payload);
  void deliver_locked(const std::string &name, uint32_t index,
                      std::function<void(RpmsgListener &)>);
  void delivery_loop();

  Log log_, broken_;
  // Held shared while a bus is used, exclusively to replace the buses.
  mutable std::shared_mutex use_mu_;
  std::vector<Bus> buses_;
  iface::IRemoteprocHost host_;

  mutable std::mutex reg_mu_;
  std::vector<RpmsgChannelInfo> registry_;
  std::map<uint64_t, Listening> listeners_;
  uint64_t next_listener_ = 1;
  std::deque<std::function<void()>> queue_;
  uint64_t lost_deliveries_ = 0;
  bool stopping_ = false;
  std::condition_variable queue_cv_;
  std::function<void(const RpmsgChannelInfo &)> observer_;
  std::thread delivery_;
};

}  // namespace captee::rproc
