// The board's reserved memory and the host <-> device address aliases that
// place it (docs/REMOTEPROC.md, "Reserved memory").
#include "reserved_memory.hpp"

#include <set>

namespace captee::platform {

namespace {

bool holds(uint64_t start, uint64_t size, uint64_t at, uint64_t len) {
  return at >= start && at + len <= start + size;
}

bool inside_one_region(const ProcessorDescription &p, uint64_t da, uint64_t len) {
  for (const RegionDescription &r : p.regions) {
    if (holds(r.da, r.size, da, len)) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::optional<uint32_t> host_to_da(const ProcessorDescription &p, uint32_t address, uint32_t size) {
  for (const AddressAlias &a : p.address_aliases) {
    if (holds(a.host_address, a.size, address, size)) {
      return static_cast<uint32_t>(a.da + (address - a.host_address));
    }
  }
  return std::nullopt;
}

std::optional<uint32_t> da_to_host(const ProcessorDescription &p, uint32_t da, uint32_t size) {
  for (const AddressAlias &a : p.address_aliases) {
    if (holds(a.da, a.size, da, size)) {
      return static_cast<uint32_t>(a.host_address + (da - a.da));
    }
  }
  return std::nullopt;
}

const ReservedMemoryDescription *find_reserved_memory(const ProcessorDescription &p,
                                                      std::string_view name) {
  for (const ReservedMemoryDescription &r : p.reserved_memory) {
    if (r.name == name) {
      return &r;
    }
  }
  return nullptr;
}

std::string validate_reserved_memory(const ProcessorDescription &p, const std::string &who) {
  if (p.address_aliases.size() > kMaxAddressAliasesPerProcessor) {
    return who + " has more than " + std::to_string(kMaxAddressAliasesPerProcessor) +
           " address aliases";
  }
  if (p.reserved_memory.size() > kMaxReservedMemoryPerProcessor) {
    return who + " has more than " + std::to_string(kMaxReservedMemoryPerProcessor) +
           " reserved-memory regions";
  }
  for (size_t i = 0; i < p.address_aliases.size(); i++) {
    const AddressAlias &a = p.address_aliases[i];
    const std::string what = who + " address alias " + std::to_string(i);
    if (a.size == 0 || a.size % kPageSize != 0 || a.host_address % kPageSize != 0 ||
        a.da % kPageSize != 0 || uint64_t{a.host_address} + a.size > (1ull << 32) ||
        uint64_t{a.da} + a.size > (1ull << 32)) {
      return what + " must be whole 4 KiB pages of the 32-bit address space on both sides";
    }
    if (!inside_one_region(p, a.da, a.size)) {
      return what + " does not lead into one memory region of the processor";
    }
  }
  std::set<std::string> names;
  for (const ReservedMemoryDescription &r : p.reserved_memory) {
    if (r.name.empty() || r.name.size() > 31) {
      return who + " has a reserved-memory region without a name of 1 to 31 characters";
    }
    const std::string what = who + " reserved-memory region '" + r.name + "'";
    if (!names.insert(r.name).second) {
      return what + " is declared twice";
    }
    // Whole pages: the host is shared vrings and buffers page by page, and a
    // page half in a vdev region would show it the neighbour's bytes too.
    if (r.size == 0 || r.size % kPageSize != 0 || r.address % kPageSize != 0 ||
        uint64_t{r.address} + r.size > (1ull << 32)) {
      return what + " must start on and span whole 4 KiB pages of the 32-bit address space";
    }
    std::optional<uint32_t> da = host_to_da(p, r.address, r.size);
    if (!da) {
      return what + " is not reachable from the processor through an address alias";
    }
    if (!inside_one_region(p, *da, r.size)) {
      return what + " does not lie inside one memory region of the processor";
    }
  }
  return {};
}

}  // namespace captee::platform
