// Whether a range of the TA host's address space is mapped with given rights:
// the mapping half of TEE_CheckMemoryAccessRights.
//
// The answer comes from /proc/self/maps, which lists every mapping with its
// protection. The TA host enters a seccomp sandbox that forbids open() before
// any TA code runs, so the file is opened once while the TA image is being
// loaded (a static initializer of this library runs inside dlopen, before the
// sandbox) and re-read with pread() on every check. If it could not be opened
// the check falls back to mincore(2), which knows whether pages are mapped
// but not their protection.
#pragma once

#include <cstddef>
#include <cstdint>

namespace captee::gp_ta {

// True if every byte of [begin, begin + size) is mapped, readable when `read`
// and writable when `write`. size 0 is true. A range that wraps around the
// address space is false. Thread-safe (no shared state beyond the descriptor).
bool range_mapped(uintptr_t begin, size_t size, bool read, bool write);

}  // namespace captee::gp_ta
