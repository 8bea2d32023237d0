// Cancellation of this TA's calls to other TAs (GP TA-to-TA): the IWait the
// called TAs ask.
//
// Every session this TA opens carries one IWait, this runtime's (the callee
// keeps it as its client's wait object), and every call its own cancel code.
// When the callee asks whether its call is cancelled (TEE_GetCancellationFlag,
// TEE_Wait), the answer is yes once
//  - the call's cancellationRequestTimeout has passed (GP: the TEE then acts
//    as though the client requested cancellation), or
//  - this TA's own current operation is cancelled by its client, if this TA
//    had cancellation unmasked when it made the call: the request travels
//    down the chain (client -> A -> B -> ...), each hop asking the one above.
// A question about a code that is not a call in flight (a callee asking
// after its call ended, or inventing codes) is answered "not cancelled" at
// once, so a callee cannot keep this TA's threads waiting.
#pragma once

#include <cstdint>
#include <memory>

#include "captee/object.h"

namespace captee::gp_ta {

struct OutgoingCallState;

// One call to another TA in flight, made from the thread running an entry
// point (or TA_CreateEntryPoint). Registers the call's cancel code for as
// long as it lives; afterwards, a cancellation that reached the callee from
// this TA's client is this TA's too (note_cancelled).
class OutgoingCall {
 public:
  // `timeout_ms`: the call's cancellationRequestTimeout (TEE_TIMEOUT_INFINITE:
  // none).
  explicit OutgoingCall(uint32_t timeout_ms);
  ~OutgoingCall();
  OutgoingCall(const OutgoingCall &) = delete;
  OutgoingCall &operator=(const OutgoingCall &) = delete;

  uint32_t code() const { return code_; }

 private:
  uint32_t code_;
  std::shared_ptr<OutgoingCallState> state_;
};

// The IWait every session this TA opens carries; borrowed, lives as long as
// the process.
Object outgoing_wait();

}  // namespace captee::gp_ta
