// The TA host's own per-call deadline (internal; see
// docs/decisions/0002-direct-ta-channel.md).
//
// Calls that reach a TA over a direct channel do not pass through capteed, so
// capteed's watchdog cannot see them. The host watches them itself: every
// object it serves on a direct channel is wrapped in a guard that arms the
// manifest's deadline around the call (callbacks the TA makes meanwhile
// included), and when a deadline passes a watchdog thread kills the whole
// process with SIGKILL. The kill is self-inflicted (tgkill on the host's own
// pid is all seccomp allows, and all this needs), so the sandbox stays as it
// is; capteed sees the process die like any crash, and every client of the
// TA, direct or not, gets Object_ERROR_DEFUNCT.
//
// Objects the guarded call returns are guarded too (except memory and
// objects of other domains, whose calls run no TA code here), and a guard
// passed back in is unwrapped, so TA code always sees its own objects.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "captee/object.hpp"
#include "watchdog.hpp"

namespace captee::tee::apps::detail {

class SelfDeadline : public std::enable_shared_from_this<SelfDeadline> {
 public:
  // `deadline_ms` > 0. Starts the watchdog thread (before seccomp, or after:
  // threads are allowed).
  static std::shared_ptr<SelfDeadline> create(uint32_t deadline_ms);

  // A guard for `target` (a new reference; `target` is retained). Null Refs
  // stay null.
  Ref guard(Object target);

  // Invokes `target` under the deadline, unwrapping guards among the inputs
  // and guarding the outputs. Thread-safe.
  int32_t call(Object target, ObjectOp op, ObjectArg *a, ObjectCounts k);

  uint32_t deadline_ms() const { return deadline_ms_; }

 private:
  explicit SelfDeadline(uint32_t deadline_ms);

  uint32_t deadline_ms_;
  Watchdog watchdog_;
  std::function<void()> expire_;
};

}  // namespace captee::tee::apps::detail
