// The confinement captee-tahost puts itself under before any TA code runs.
//
// A TA image is code from whoever loaded it: its ELF constructors,
// `.init_array` entries, IFUNC resolvers and the libraries it names all run
// while it is being mapped (dlopen), not only when the host later calls it.
// So the whole sandbox is in place before the image is even opened: the
// process already runs as its own unprivileged uid (the loader drops it when
// capteed is root), then no_new_privs and rlimits, then the seccomp
// allow-list, synchronised to every thread (TSYNC). Only after that does the
// host dlopen the image.
//
// Loading needs exactly one thing the filter forbids: opening the image by
// its /proc/self/fd path. The filter makes open/openat trap (SIGSYS) instead
// of failing, and the host's SIGSYS handler answers that one path with a
// duplicate of the image descriptor the process already holds (and
// /proc/self/maps, the process's own memory map, with a copy opened before
// the filter), and every other path with EPERM. The handler itself never opens anything, so code
// that replaces it gains nothing: the only descriptor it could hand out is
// the TA's own sealed image.
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

// Drops every privilege of root: supplementary groups, then gid and uid
// (real, effective and saved) to `uid`. Then asks to be SIGKILLed when the
// parent dies (the uid change cleared any earlier request) and fails if
// `parent_pid` (>= 0) is no longer the parent. `uid` < 0: no uid change.
// False with the reason in *why.
bool drop_privileges(int64_t uid, int64_t parent_pid, std::string *why);

// Sets PR_SET_NO_NEW_PRIVS and the rlimits: RLIMIT_CORE 0, RLIMIT_NOFILE 64,
// RLIMIT_DATA memory_limit + kHostOverheadBytes +
// direct_channels * kDirectChannelBytes and RLIMIT_AS that plus 1 GiB (the
// memory rlimits are skipped in sanitizer builds, whose shadow memory cannot
// live under them). False with the reason in *why on failure.
bool confine_process(uint64_t memory_limit, unsigned direct_channels, std::string *why);

// The path the host passes to dlopen for the image held at `image_fd`:
// "/proc/self/fd/<image_fd>", the one path the filter's open trap answers.
std::string image_path(int image_fd);

// Installs the seccomp allow-list on every thread: I/O on descriptors the
// process already has (read/write/recvmsg/sendmsg/poll/...), memory
// (mmap/munmap/mprotect/madvise/brk/memfd_create/ftruncate), futexes, threads
// (clone with CLONE_THREAD only; clone3 answers ENOSYS so libc falls back),
// time, signals to itself (tgkill on its own pid), prlimit64 on itself, exit.
// open/openat trap to the handler described above, which answers
// image_path(image_fd) with a duplicate of `image_fd` (borrowed: the caller
// keeps and closes it) and anything else with EPERM. Every other call fails
// with EPERM: in particular creat, socket/socketpair/connect,
// execve/execveat, fork/vfork and clone without CLONE_THREAD. Irreversible.
// `image_fd` may be -1 (nothing can be opened at all).
bool install_seccomp(int image_fd, std::string *why);

}  // namespace captee::tee::apps
