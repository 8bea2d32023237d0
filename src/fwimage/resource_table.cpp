#include "captee/fwimage/resource_table.hpp"

#include <string>

#include "byte_reader.hpp"

namespace captee::fwimage {
namespace {

using detail::in_bounds;
using detail::le32;

constexpr size_t kMemoryBody = 20 + kRscNameSize;  // after `type`
constexpr size_t kTraceBody = 12 + kRscNameSize;
constexpr size_t kVdevBody = 20 + 4;
constexpr size_t kVringSize = 20;

FwError rsc_error(std::string message) {
  return FwError{TeeResult::kBadFormat, "resource table: " + std::move(message)};
}

std::string read_name(std::span<const uint8_t> b, size_t at) {
  std::string name;
  for (size_t i = 0; i < kRscNameSize && b[at + i] != 0; ++i) {
    name.push_back(static_cast<char>(b[at + i]));
  }
  return name;
}

}  // namespace

const char *rsc_type_name(uint32_t type) {
  switch (type) {
    case kRscCarveout:
      return "carveout";
    case kRscDevmem:
      return "devmem";
    case kRscTrace:
      return "trace";
    case kRscVdev:
      return "vdev";
    default:
      return type >= kRscVendorMin && type <= kRscVendorMax ? "vendor" : "unknown";
  }
}

Result<ResourceTable> parse_resource_table(std::span<const uint8_t> b) {
  if (b.size() < kRscHeaderSize) {
    return rsc_error("size " + std::to_string(b.size()) + " is smaller than its 16-byte header");
  }
  if (b.size() % 4 != 0) {
    return rsc_error("size " + std::to_string(b.size()) + " is not a multiple of 4");
  }
  ResourceTable t;
  t.ver = le32(b, 0);
  t.num = le32(b, 4);
  if (t.ver != 1) {
    return rsc_error("version is " + std::to_string(t.ver) + ", expected 1");
  }
  if (le32(b, 8) != 0 || le32(b, 12) != 0) {
    return rsc_error("reserved header words are not zero");
  }
  if (!in_bounds(kRscHeaderSize, uint64_t{t.num} * 4, b.size())) {
    return rsc_error(std::to_string(t.num) + " entries do not fit in " + std::to_string(b.size()) +
                     " bytes");
  }
  t.entries.reserve(t.num);
  for (uint32_t i = 0; i < t.num; ++i) {
    const uint32_t off = le32(b, kRscHeaderSize + size_t{i} * 4);
    const std::string where = "entry " + std::to_string(i);
    if (!in_bounds(off, 4, b.size())) {
      return rsc_error(where + ": offset " + std::to_string(off) + " lies outside the table");
    }
    RscEntry e;
    e.offset = off;
    e.type = le32(b, off);
    const std::string what = where + " (" + rsc_type_name(e.type) + ")";
    const size_t body = size_t{off} + 4;
    auto need = [&](uint64_t len) { return in_bounds(body, len, b.size()); };
    switch (e.type) {
      case kRscCarveout:
      case kRscDevmem: {
        if (!need(kMemoryBody)) {
          return rsc_error(what + ": truncated");
        }
        RscMemory m{le32(b, body),      le32(b, body + 4),  le32(b, body + 8),
                    le32(b, body + 12), le32(b, body + 16), read_name(b, body + 20)};
        if (m.reserved != 0) {
          return rsc_error(what + ": reserved field is not zero");
        }
        e.body = std::move(m);
        break;
      }
      case kRscTrace: {
        if (!need(kTraceBody)) {
          return rsc_error(what + ": truncated");
        }
        RscTrace tr{le32(b, body), le32(b, body + 4), le32(b, body + 8), read_name(b, body + 12)};
        if (tr.reserved != 0) {
          return rsc_error(what + ": reserved field is not zero");
        }
        e.body = std::move(tr);
        break;
      }
      case kRscVdev: {
        if (!need(kVdevBody)) {
          return rsc_error(what + ": truncated");
        }
        RscVdev v;
        v.id = le32(b, body);
        v.notifyid = le32(b, body + 4);
        v.dfeatures = le32(b, body + 8);
        v.gfeatures = le32(b, body + 12);
        v.config_len = le32(b, body + 16);
        v.status = b[body + 20];
        v.num_of_vrings = b[body + 21];
        if (b[body + 22] != 0 || b[body + 23] != 0) {
          return rsc_error(what + ": reserved bytes are not zero");
        }
        if (v.num_of_vrings > 2) {
          return rsc_error(what + ": " + std::to_string(v.num_of_vrings) + " vrings, at most 2");
        }
        const uint64_t vrings_len = uint64_t{v.num_of_vrings} * kVringSize;
        if (!need(kVdevBody + vrings_len + v.config_len)) {
          return rsc_error(what + ": vrings or config lie outside the table");
        }
        for (uint32_t r = 0; r < v.num_of_vrings; ++r) {
          const size_t at = body + kVdevBody + r * kVringSize;
          RscVring vr{le32(b, at), le32(b, at + 4), le32(b, at + 8), le32(b, at + 12),
                      le32(b, at + 16)};
          if (vr.num == 0 || vr.align == 0) {
            return rsc_error(what + ": vring " + std::to_string(r) + " has a zero num or align");
          }
          v.vrings.push_back(vr);
        }
        v.config_offset = static_cast<uint32_t>(body + kVdevBody + vrings_len);
        e.body = std::move(v);
        break;
      }
      default:
        if (e.type >= kRscVendorMin && e.type <= kRscVendorMax) {
          e.body = RscVendor{};
        } else {
          e.body = RscUnknown{};
          t.warnings.push_back(where + ": unknown type " + std::to_string(e.type) + ", skipped");
        }
        break;
    }
    t.entries.push_back(std::move(e));
  }
  return t;
}

}  // namespace captee::fwimage
