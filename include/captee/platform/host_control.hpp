// The non-secure face of the emulated SoC as a Mink service: capteed opens it
// as CRemoteprocControl_UID under policy (root and the captee-rproc group by
// default), and a host-side remoteproc manager (captee-rprocd) drives it.
//
// The service (IRemoteprocControl) hands out one IRemoteprocHost per
// processor. Through it the host reads the processor's state and last crash,
// maps the pages the remoteproc TA granted for the loaded firmware, writes
// the resource-table fields Linux writes, kicks the mailbox, and subscribes
// to crash and kick events. Nothing here can load, start, stop or wipe: that
// is the secure face, which only the TA holds.
//
// Events are delivered on one thread per subscription, never on the emulated
// core's thread, so a slow or hostile subscriber cannot stall the core or
// other subscribers. Pending events are coalesced (kicks OR-ed, the newest
// crash kept with the crash count), so memory stays bounded whatever the
// subscriber does; a crash is never lost.
#pragma once

#include <memory>

#include "captee/object.hpp"

namespace captee::platform {

class Soc;

// At most this many live subscriptions per processor (ERROR_TOO_MANY).
inline constexpr size_t kMaxSubscriptionsPerProcessor = 8;

class HostControl {
 public:
  // `soc` is borrowed and must outlive shutdown(). Installs the crash and
  // mailbox listeners of every processor.
  explicit HostControl(Soc &soc);
  // shutdown().
  ~HostControl();
  HostControl(const HostControl &) = delete;
  HostControl &operator=(const HostControl &) = delete;

  // The IRemoteprocControl service object (a new reference; every caller may
  // share it). Thread-safe.
  Ref service() const;

  // Ends every subscription (joining their threads, so call it after the
  // connections of subscribers are closed or a stuck subscriber delays it),
  // removes the listeners, and makes every object handed out answer
  // Object_ERROR_UNAVAIL. Idempotent.
  void shutdown();

  struct State;  // shared with the objects handed out

 private:
  std::shared_ptr<State> state_;
  Ref service_;
};

}  // namespace captee::platform
