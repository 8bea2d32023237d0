// Synthetic ARM ELF32 firmware for tests, benchmarks and fuzzers: the exact
// program headers and sections a case needs, without a cross-compiler run.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace captee::testing {

struct FakeSegment {
  uint32_t type = 1;  // PT_LOAD
  uint32_t paddr = 0;
  std::vector<uint8_t> data;
  uint32_t bss = 0;    // memsz - filesz
  uint32_t flags = 6;  // PF_R | PF_W
};

struct FakeElf {
  uint16_t machine = 40;  // EM_ARM
  std::vector<FakeSegment> segments;
  // When set, the whole data of this segment is the `.resource_table` section.
  std::optional<size_t> resource_table_segment;
  // Where segment data starts in the file (0: right after the headers).
  uint32_t first_data_offset = 0;
};

// An ELF32 little-endian ET_EXEC file: header, program headers, the segments'
// data (4-aligned), a section-name table and section headers.
std::vector<uint8_t> build_elf(const FakeElf &spec);

// A valid resource table: one carveout, one trace, one vdev with 2 vrings.
std::vector<uint8_t> sample_resource_table();

// A two-segment ARM ELF (code at 0, resource table at 0x10000000).
std::vector<uint8_t> small_firmware(uint8_t fill = 0xA5);

// `n` bytes of a fixed pseudo-random pattern, so big images are not all
// zeros (which would flatter memcpy and page handling).
std::vector<uint8_t> patterned_bytes(size_t n);

}  // namespace captee::testing
