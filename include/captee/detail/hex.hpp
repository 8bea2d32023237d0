// The one hex formatter for captee's log lines and error messages.
// Header-only with no dependencies beyond the C library, so every layer may
// include it.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace captee::detail {

// "0x" then `v` in lowercase hex, zero-padded to at least `min_digits`
// digits (clamped to 1..16): hex32(0x1000) is "0x00001000", hex32(10, 1) is
// "0xa". Named for the 32-bit addresses and codes it mostly prints; wider
// values print in full, never truncated.
inline std::string hex32(uint64_t v, int min_digits = 8) {
  if (min_digits < 1) {
    min_digits = 1;
  } else if (min_digits > 16) {
    min_digits = 16;
  }
  char buf[2 + 16 + 1];
  std::snprintf(buf, sizeof buf, "0x%0*llx", min_digits, static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace captee::detail
