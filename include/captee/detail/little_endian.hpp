// The one little-endian reader and writer for captee's byte formats (wire
// frames, signed firmware images, resource tables, ELF cores).
//
// Going through bytes keeps alignment and host byte order out of the
// picture. The caller has checked that the bytes are there: these functions
// read or write exactly 2, 4 or 8 bytes at `p` and check nothing.
// Header-only with no dependencies, so every layer may include it.
#pragma once

#include <cstdint>

namespace captee::detail {

constexpr uint16_t load_le16(const uint8_t *p) {
  return static_cast<uint16_t>(p[0] | p[1] << 8);
}

constexpr uint32_t load_le32(const uint8_t *p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

constexpr uint64_t load_le64(const uint8_t *p) {
  return uint64_t{load_le32(p)} | uint64_t{load_le32(p + 4)} << 32;
}

constexpr void store_le16(uint8_t *p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
}

constexpr void store_le32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; ++i) {
    p[i] = static_cast<uint8_t>(v >> (8 * i));
  }
}

constexpr void store_le64(uint8_t *p, uint64_t v) {
  for (int i = 0; i < 8; ++i) {
    p[i] = static_cast<uint8_t>(v >> (8 * i));
  }
}

}  // namespace captee::detail
