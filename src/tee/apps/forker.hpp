// Forks TA hosts from one thread that lives as long as the process.
//
// A TA host asks the kernel to kill it when its parent dies
// (PR_SET_PDEATHSIG), so that no TA process outlives a capteed that was
// killed outright. The kernel means the parent *thread*: a host forked by a
// connection's serving thread would be killed when that thread ends, long
// before capteed does. So every fork happens here, on a thread that never
// ends. Internal.
#pragma once

#include <sys/types.h>

#include <functional>

namespace captee::tee::apps::detail {

// Starts the forker thread now (idempotent), so that it belongs to a
// daemon's baseline rather than to its first TA.
void start_forker();

// Forks on the forker thread. In the child, `in_child` runs (it must not
// return: it execs or _exits, and may use only async-signal-safe calls); in
// the parent the child's pid is returned, -1 with errno set if fork failed.
// Blocks the calling thread until the fork is done. Thread-safe.
pid_t fork_from_forker_thread(const std::function<void()> &in_child);

}  // namespace captee::tee::apps::detail
