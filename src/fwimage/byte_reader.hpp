// Bounds checks and span-based little-endian reads, for the fwimage parsers.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>

#include "captee/detail/little_endian.hpp"

namespace captee::fwimage::detail {

// True when [offset, offset+length) lies inside a buffer of `size` bytes,
// computed without overflow.
inline bool in_bounds(uint64_t offset, uint64_t length, uint64_t size) {
  return offset <= size && length <= size - offset;
}

// Little-endian reads at `offset` of a span (captee/detail/little_endian.hpp);
// the caller checked the bounds.
inline uint32_t le32(std::span<const uint8_t> b, size_t offset) {
  return captee::detail::load_le32(b.data() + offset);
}

inline uint16_t le16(std::span<const uint8_t> b, size_t offset) {
  return captee::detail::load_le16(b.data() + offset);
}

using captee::detail::store_le32;

}  // namespace captee::fwimage::detail
