// The one text form of a UUID given as 16 bytes in RFC 4122 (big-endian)
// order: 8-4-4-4-12 lower-case hex, the name of a GP TA's file.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace captee::detail {

inline std::string uuid_text(const std::array<uint8_t, 16> &u) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  s.reserve(36);
  for (size_t i = 0; i < u.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) {
      s.push_back('-');
    }
    s.push_back(kHex[u[i] >> 4]);
    s.push_back(kHex[u[i] & 0xF]);
  }
  return s;
}

}  // namespace captee::detail
