// Little-endian reads with bounds checks, for the fwimage parsers.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>

namespace captee::fwimage::detail {

// True when [offset, offset+length) lies inside a buffer of `size` bytes,
// computed without overflow.
inline bool in_bounds(uint64_t offset, uint64_t length, uint64_t size) {
  return offset <= size && length <= size - offset;
}

// Reads a little-endian u32 at `offset`; the caller checked the bounds.
inline uint32_t le32(std::span<const uint8_t> b, size_t offset) {
  return static_cast<uint32_t>(b[offset]) | static_cast<uint32_t>(b[offset + 1]) << 8 |
         static_cast<uint32_t>(b[offset + 2]) << 16 | static_cast<uint32_t>(b[offset + 3]) << 24;
}

inline uint16_t le16(std::span<const uint8_t> b, size_t offset) {
  return static_cast<uint16_t>(b[offset] | b[offset + 1] << 8);
}

inline void put_le32(uint8_t *out, uint32_t v) {
  out[0] = static_cast<uint8_t>(v);
  out[1] = static_cast<uint8_t>(v >> 8);
  out[2] = static_cast<uint8_t>(v >> 16);
  out[3] = static_cast<uint8_t>(v >> 24);
}

}  // namespace captee::fwimage::detail
