// The TA host's side of direct channels (internal; see
// docs/decisions/0002-direct-ta-channel.md).
//
// capteed makes a socket pair per client that gets a TA's app object, keeps
// nothing of it, hands one end to the client and this one to the host over
// the host root (ITaHost.attachClient). The host serves the object on it as the
// primordial of a channel of its own, so the client's calls reach the TA in
// one hop. A direct channel carries only that client's traffic: a malformed
// frame closes it alone, its export table and serving threads are its own,
// and it never carries channel references. Its closing (the client released
// everything or died) frees its slot; the host process itself lives on the
// loader's channel alone.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "captee/object.hpp"
#include "self_deadline.hpp"

namespace captee::tee::apps::detail {

class DirectClients {
 public:
  // At most `max_channels` direct channels at once. `deadline` (may be null:
  // no deadline) guards every object served on them.
  DirectClients(unsigned max_channels, std::shared_ptr<SelfDeadline> deadline);

  // Serves `target` (borrowed; the host's own object) on a new channel over a
  // duplicate of `sock` (borrowed). The handshake runs on a thread of its own
  // (with a small stack), so this returns at once: Object_OK,
  // Object_ERROR_NOSLOTS when the slots are taken or no thread or descriptor
  // is left, Object_ERROR_INVALID if `sock` is not a connected SEQPACKET
  // socket. A pending handshake holds a slot, but one whose client already
  // hung up is reclaimed when a new attach finds the slots full.
  // Thread-safe.
  int32_t attach(int sock, Object target);

  // Slots taken: channels open or being opened.
  unsigned used() const;

 private:
  struct Slot;
  struct State;
  static void *handshake(void *slot);

  unsigned max_;
  std::shared_ptr<SelfDeadline> deadline_;
  std::shared_ptr<State> state_;
};

}  // namespace captee::tee::apps::detail
