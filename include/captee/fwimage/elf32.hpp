// ELF32 program and section headers, as a remote-processor loader needs them.
//
// A remote-processor firmware is an ELF32 executable whose PT_LOAD segments
// are copied to device addresses (p_paddr) and whose optional
// `.resource_table` section tells the host which resources the firmware
// expects. This parser reads exactly that and nothing more: the ELF header,
// every program header, and the location of `.resource_table`. It never reads
// outside the span it is given, whatever the header fields say.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "captee/fwimage/status.hpp"

namespace captee::fwimage {

inline constexpr uint32_t kPtLoad = 1;
inline constexpr uint32_t kPfX = 1;  // p_flags: executable
inline constexpr uint16_t kEmArm = 40;
inline constexpr uint32_t kShtNobits = 8;
inline constexpr size_t kElf32EhdrSize = 52;
inline constexpr size_t kElf32PhdrSize = 32;
inline constexpr size_t kElf32ShdrSize = 40;

// An Elf32_Phdr, fields in file order.
struct Elf32Phdr {
  uint32_t type = 0;
  uint32_t offset = 0;
  uint32_t vaddr = 0;
  uint32_t paddr = 0;
  uint32_t filesz = 0;
  uint32_t memsz = 0;
  uint32_t flags = 0;
  uint32_t align = 0;

  bool operator==(const Elf32Phdr &) const = default;
};

// Decodes 32 little-endian bytes into an Elf32Phdr. `bytes` must hold at least
// kElf32PhdrSize bytes (checked; returns an all-zero header otherwise).
Elf32Phdr decode_phdr(std::span<const uint8_t> bytes);

// Where the `.resource_table` section lives. An empty section (sh_size 0) is
// no table at all, as OP-TEE's TA reads it (TEE_ERROR_NO_DATA): ST's examples
// link an empty `.resource_table` into firmware that has no host resources.
struct SectionLocation {
  uint32_t index = 0;   // section header index
  uint32_t type = 0;    // sh_type
  uint32_t addr = 0;    // sh_addr: the device address of the table
  uint32_t offset = 0;  // sh_offset inside the ELF file
  uint32_t size = 0;    // sh_size
};

// A validated view of one ELF32 file. `bytes` views the caller's buffer: the
// caller keeps it alive as long as the view is used.
struct Elf32Image {
  std::span<const uint8_t> bytes;
  uint16_t type = 0;     // e_type
  uint16_t machine = 0;  // e_machine
  uint32_t entry = 0;    // e_entry
  uint32_t flags = 0;    // e_flags
  uint32_t phoff = 0;
  uint32_t shoff = 0;
  uint16_t shnum = 0;
  uint16_t shstrndx = 0;
  std::vector<Elf32Phdr> phdrs;
  std::optional<SectionLocation> resource_table;

  // The file bytes of program header `i` (p_filesz bytes at p_offset).
  // Only valid for PT_LOAD headers, whose bounds parse_elf32 checked.
  std::span<const uint8_t> segment_bytes(size_t i) const;
};

// Parses and checks an ELF32 file: magic, ELFCLASS32, little-endian,
// EV_CURRENT (ident and e_version), e_ehsize 52, e_phentsize 32,
// e_shentsize 40, e_phnum > 0, program and section header tables inside the
// file, every PT_LOAD segment's file bytes inside the file with
// filesz <= memsz and no 32-bit wrap of paddr+memsz, and a well-formed
// section-name table when `.resource_table` is looked up.
// It does not check e_machine (see require_arm).
// Errors: BAD_FORMAT with a sentence naming the field, e.g.
// "ELF: e_phentsize is 40, expected 32".
Result<Elf32Image> parse_elf32(std::span<const uint8_t> bytes);

// BAD_FORMAT "ELF: e_machine is N, expected 40 (ARM)" unless machine is ARM.
Status require_arm(const Elf32Image &elf);

}  // namespace captee::fwimage
