// The TA host's side of direct channels (internal; see
// docs/decisions/0002-direct-ta-channel.md).
//
// capteed makes a socket pair per client that gets a TA's app object, keeps
// nothing of it, hands one end to the client and this one to the host over
// the host root (kHostAttachClient). The host serves the object on it as the
// primordial of a channel of its own, so the client's calls reach the TA in
// one hop. A direct channel carries only that client's traffic: a malformed
// frame closes it alone, its export table and serving threads are its own,
// and it never carries channel references. Its closing (the client released
// everything or died) frees its slot; the host process itself lives on the
// loader's channel alone.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "captee/object.hpp"
#include "self_deadline.hpp"

namespace captee::tee::apps::detail {

class DirectClients {
 public:
  // At most `max_channels` direct channels at once. `deadline` (may be null:
  // no deadline) guards every object served on them.
  DirectClients(unsigned max_channels, std::shared_ptr<SelfDeadline> deadline);

  // Serves `target` (borrowed; the host's own object) on a new channel over a
  // duplicate of `sock` (borrowed). The handshake runs on a thread of its own,
  // so this returns at once: Object_OK, Object_ERROR_NOSLOTS when the slots
  // are taken or no thread or descriptor is left, Object_ERROR_INVALID if
  // `sock` is not a connected SEQPACKET socket. Thread-safe.
  int32_t attach(int sock, Object target);

  // Direct channels open or being opened.
  unsigned live() const { return state_->live.load(std::memory_order_acquire); }

 private:
  struct State {
    std::atomic<unsigned> live{0};
  };
  unsigned max_;
  std::shared_ptr<SelfDeadline> deadline_;
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

}  // namespace captee::tee::apps::detail
