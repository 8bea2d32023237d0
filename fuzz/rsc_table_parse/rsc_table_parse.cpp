// Fuzzes the Linux resource-table parser.
#include <cstddef>
#include <cstdint>
#include <span>
#include <variant>

#include "captee/fwimage/resource_table.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  namespace fw = captee::fwimage;
  auto table = fw::parse_resource_table(std::span<const uint8_t>(data, size));
  if (!table) {
    return 0;
  }
  for (const fw::RscEntry &e : table->entries) {
    if (const auto *v = std::get_if<fw::RscVdev>(&e.body)) {
      // The config bytes the parser vouched for must lie inside the input.
      if (v->config_offset + static_cast<uint64_t>(v->config_len) > size) {
        __builtin_trap();
      }
    }
  }
  return 0;
}
