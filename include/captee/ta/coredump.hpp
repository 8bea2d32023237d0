// ELF32 core files of a remote processor, as the remoteproc TA's GET_COREDUMP
// returns them.
//
// Linux remoteproc records a crashed coprocessor as an ELF core file so that
// gdb and readelf can read it; captee's TA produces the same shape from the
// TEE side: an ELF32 little-endian ET_CORE / EM_ARM file with one PT_NOTE
// (an NT_PRSTATUS in Linux's 32-bit Arm `elf_prstatus` layout: r0-r15, cpsr,
// orig_r0; plus a "CAPTEE" note holding the crash reason when there is one),
// then one PT_LOAD per memory region with its contents.
// Pure functions; safe to call from several threads.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "captee/platform/cortex_m_core.hpp"

namespace captee::ta {

inline constexpr uint32_t kNtPrstatus = 1;
inline constexpr uint32_t kArmPrstatusSize = 148;  // sizeof(struct elf_prstatus), 32-bit Arm
inline constexpr uint32_t kArmPrstatusRegOffset = 72;
inline constexpr uint32_t kNtCapteeCrashReason = 0x43525348;  // "CRSH", in the "CAPTEE" note

struct CoreDumpRegion {
  uint32_t da = 0;
  uint8_t access = 0;              // platform::Access bits
  std::span<const uint8_t> bytes;  // borrowed for the call
};

struct CoreDumpInput {
  platform::CoreRegisters registers;
  int signal = 0;            // pr_cursig: SIGSEGV/SIGILL/SIGTRAP for a crash, 0 otherwise
  uint32_t pid = 1;          // pr_pid (the rproc_id + 1, so it is never 0)
  std::string crash_reason;  // empty when the core did not crash
  std::vector<CoreDumpRegion> regions;
};

// Bytes the core file needs. Never overflows (64-bit); callers compare it
// with their buffer.
uint64_t coredump_size(const CoreDumpInput &input);

// Writes the core file into `out`, which must hold at least
// coredump_size(input) bytes. Returns the bytes written, 0 if `out` is short.
size_t write_coredump(const CoreDumpInput &input, std::span<uint8_t> out);

// The Linux signal number a crash reason corresponds to (SIGILL for undefined
// instructions, SIGTRAP for breakpoints, SIGSEGV otherwise).
int crash_signal(const std::string &reason);

}  // namespace captee::ta
