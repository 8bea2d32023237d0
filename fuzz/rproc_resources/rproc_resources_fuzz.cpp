// Fuzzes captee-rprocd's handling of a cached resource table (validation,
// FW_RSC_ADDR_ANY placement, notify ids). Input: one byte choosing the memory
// map (bit 0: with a non-secure region), then the table. The handler may
// refuse; it must never write outside the table or place anything outside
// the processor's memory.
#include <cstring>
#include <string>
#include <vector>

#include "captee/rproc/resources.hpp"

namespace {

IRemoteprocHost_Region region(uint32_t da, uint32_t size, bool secure) {
  IRemoteprocHost_Region r{};
  r.da = da;
  r.size = size;
  r.secure = secure ? 1 : 0;
  std::memcpy(r.name, "r", 2);
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) {
    return 0;
  }
  std::vector<IRemoteprocHost_Region> regions = {region(0x0, 0x10000, true),
                                                 region(0x10000000, 0x60000, true)};
  if (data[0] & 1) {
    regions.push_back(region(0x20000000, 0x8000, false));
  }
  std::vector<uint8_t> table(data + 1, data + size);
  const size_t before = table.size();
  std::string why;
  std::vector<std::string> notes;
  auto res = captee::rproc::Resources::handle(table, regions, &why, &notes);
  if (table.size() != before) {
    __builtin_trap();
  }
  if (res) {
    for (const auto *list : {&res->traces(), &res->vrings(), &res->buffers()}) {
      for (const auto &r : *list) {
        bool inside = false;
        for (const auto &g : regions) {
          inside = inside || (r.da >= g.da && uint64_t{r.da} + r.len <= uint64_t{g.da} + g.size);
        }
        if (!inside) {
          __builtin_trap();
        }
      }
    }
  } else if (why.empty()) {
    __builtin_trap();  // a refusal always says why
  }
  return 0;
}
