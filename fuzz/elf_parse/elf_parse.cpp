// Fuzzes the ELF32 header, program-header and section-name parser.
#include <cstddef>
#include <cstdint>
#include <span>

#include "captee/fwimage/elf32.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  namespace fw = captee::fwimage;
  auto elf = fw::parse_elf32(std::span<const uint8_t>(data, size));
  if (!elf) {
    return 0;
  }
  (void)fw::require_arm(elf.value());
  size_t total = 0;
  for (size_t i = 0; i < elf->phdrs.size(); ++i) {
    if (elf->phdrs[i].type == fw::kPtLoad) {
      total += elf->segment_bytes(i).size();
    }
  }
  if (elf->resource_table) {
    total += elf->resource_table->size;
  }
  volatile size_t sink = total;  // keeps the accessors from being optimised away
  (void)sink;
  return 0;
}
