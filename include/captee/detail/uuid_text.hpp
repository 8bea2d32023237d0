// The one text form of a UUID given as 16 bytes in RFC 4122 (big-endian)
// order: 8-4-4-4-12 lower-case hex, the name of a GP TA's file.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

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

// The 16 bytes of a UUID's 8-4-4-4-12 text (hex digits in either case);
// nullopt for anything else.
inline std::optional<std::array<uint8_t, 16>> uuid_from_text(std::string_view s) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  };
  std::array<uint8_t, 16> u{};
  if (s.size() != 36) {
    return std::nullopt;
  }
  size_t byte = 0;
  for (size_t i = 0; i < s.size();) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') {
        return std::nullopt;
      }
      ++i;
      continue;
    }
    const int hi = nibble(s[i]), lo = nibble(s[i + 1]);
    if (hi < 0 || lo < 0) {
      return std::nullopt;
    }
    u[byte++] = uint8_t(hi << 4 | lo);
    i += 2;
  }
  return u;
}

}  // namespace captee::detail
