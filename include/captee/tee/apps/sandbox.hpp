// The confinement captee-tahost puts itself under before running a TA.
//
// Order matters: no_new_privs and rlimits first (before the TA image is even
// mapped), then, once the image is loaded and the channel is up, the seccomp
// allow-list, synchronised to every thread of the process (TSYNC).
#pragma once

#include <cstdint>
#include <string>

namespace captee::tee::apps {

// Memory the host runtime needs beyond the TA's own limit (thread stacks of
// the channel pool, libc, the loaded image).
inline constexpr uint64_t kHostOverheadBytes = 96ull << 20;
// What each direct client channel adds: its two serving threads' stacks,
// which Linux counts against RLIMIT_DATA like any private writable mapping.
inline constexpr uint64_t kDirectChannelBytes = 16ull << 20;

// Sets PR_SET_NO_NEW_PRIVS and the rlimits: RLIMIT_CORE 0, RLIMIT_NOFILE 64,
// RLIMIT_DATA memory_limit + kHostOverheadBytes + direct_channels *
// kDirectChannelBytes and RLIMIT_AS that plus 1 GiB (the memory rlimits are
// skipped in sanitizer builds, whose shadow memory cannot live under them).
// False with the reason in *why on failure.
bool confine_process(uint64_t memory_limit, unsigned direct_channels, std::string *why);

// Installs the seccomp allow-list on every thread: I/O on descriptors the
// process already has (read/write/recvmsg/sendmsg/poll/...), memory
// (mmap/munmap/mprotect/madvise/brk/memfd_create/ftruncate), futexes, threads
// (clone with CLONE_THREAD only; clone3 answers ENOSYS so libc falls back),
// time, signals to itself (tgkill on its own pid), prlimit64 on itself, exit. Everything else fails
// with EPERM: in particular open/openat/creat, socket/socketpair/connect, execve/execveat,
// fork/vfork and clone without CLONE_THREAD. Irreversible.
bool install_seccomp(std::string *why);

}  // namespace captee::tee::apps
