// Notices a TA host's exit even when its sockets stay open (internal).
//
// capteed learns that a TA host died when the host's channel closes. A
// process the host started (only possible with the filter off) inherits the
// host's sockets, so the channel stays open after the host is gone and a
// call on it would wait forever. One thread per process therefore watches
// every host's pidfd: when a host exits, its whole process group is killed,
// which closes the last copies of its sockets, and the channel's close
// notifier reaps it as usual. The host is not reaped before that, so its
// pid, and with it the group id, cannot yet belong to another process.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>

namespace captee::tee::apps::detail {

// Starts the watch thread and its epoll descriptor now (idempotent), so
// that they belong to a daemon's baseline rather than to its first TA.
void start_exit_watch();

// Watches `pid` (a child of this process, not yet reaped). When it exits,
// `on_exit` runs once, on the watch thread, with no lock of the watch held.
// Returns a key for unwatch(), 0 if the pid cannot be watched (it has
// already been reaped, or pidfd_open is missing), in which case nothing
// runs.
uint64_t watch_exit(pid_t pid, std::function<void()> on_exit);

// Stops watching; after it returns `on_exit` of that key is not running and
// never will. Unknown or fired keys are ignored. Must not be called from
// `on_exit` itself.
void unwatch_exit(uint64_t key);

}  // namespace captee::tee::apps::detail
