// The Linux remoteproc resource table.
//
// A firmware announces the memory and devices it expects from the host in a
// table (`.resource_table` section): carveouts it wants allocated, memory it
// wants mapped, trace buffers the host can read, and virtio devices with their
// vrings. The host reads it after the TEE authenticated the image, so every
// field here came from signed bytes, but the parser still treats the bytes as
// hostile: every offset and length is bounds-checked.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "captee/fwimage/status.hpp"

namespace captee::fwimage {

inline constexpr uint32_t kRscCarveout = 0;
inline constexpr uint32_t kRscDevmem = 1;
inline constexpr uint32_t kRscTrace = 2;
inline constexpr uint32_t kRscVdev = 3;
inline constexpr uint32_t kRscVendorMin = 128;
inline constexpr uint32_t kRscVendorMax = 512;
inline constexpr uint32_t kFwRscAddrAny = 0xFFFFFFFF;
inline constexpr size_t kRscHeaderSize = 16;
inline constexpr size_t kRscNameSize = 32;

// CARVEOUT (type 0) and DEVMEM (type 1) share one layout.
struct RscMemory {
  uint32_t da = 0, pa = 0, len = 0, flags = 0, reserved = 0;
  std::string name;  // up to the first NUL of the 32-byte field
};

struct RscTrace {
  uint32_t da = 0, len = 0, reserved = 0;
  std::string name;
};

struct RscVring {
  uint32_t da = 0, align = 0, num = 0, notifyid = 0, pa = 0;
};

struct RscVdev {
  uint32_t id = 0, notifyid = 0, dfeatures = 0, gfeatures = 0, config_len = 0;
  uint8_t status = 0, num_of_vrings = 0;
  std::vector<RscVring> vrings;
  uint32_t config_offset = 0;  // offset of the config bytes inside the table
};

// Vendor-specific entry (types 128..512): only its offset is known.
struct RscVendor {};
// A type Linux does not know: warned about and skipped, as Linux does.
struct RscUnknown {};

struct RscEntry {
  uint32_t offset = 0;  // offset of the entry's `type` word inside the table
  uint32_t type = 0;
  std::variant<RscMemory, RscTrace, RscVdev, RscVendor, RscUnknown> body;
};

struct ResourceTable {
  uint32_t ver = 0;
  uint32_t num = 0;
  std::vector<RscEntry> entries;
  std::vector<std::string> warnings;  // e.g. unknown entry types
};

// Parses and validates a table: size >= 16 and 4-aligned, ver 1, reserved
// words 0, 16 + 4*num <= size, every entry inside the table, reserved fields
// 0, a vdev has at most 2 vrings with non-zero num and align, and its config
// bytes fit. Never reads outside `bytes`.
// Errors: BAD_FORMAT, e.g. "resource table entry 2 (vdev): 3 vrings, at most 2".
Result<ResourceTable> parse_resource_table(std::span<const uint8_t> bytes);

// "carveout", "devmem", "trace", "vdev", "vendor", "unknown".
const char *rsc_type_name(uint32_t type);

}  // namespace captee::fwimage
