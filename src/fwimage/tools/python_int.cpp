#include "python_int.hpp"

#include <cctype>

namespace captee::fwimage::detail {
namespace {

int digit_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  const char lower = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower >= 'a' && lower <= 'z') {
    return lower - 'a' + 10;
  }
  return 99;
}

bool starts_with_prefix(std::string_view s, char letter) {
  return s.size() >= 2 && s[0] == '0' &&
         std::tolower(static_cast<unsigned char>(s[1])) == static_cast<unsigned char>(letter);
}

}  // namespace

std::optional<uint64_t> parse_python_int(std::string_view s, int base) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
    s.remove_prefix(1);
  }
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
    s.remove_suffix(1);
  }
  bool negative = false;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  bool had_prefix = false;
  if ((base == 0 || base == 16) && starts_with_prefix(s, 'x')) {
    base = 16;
    had_prefix = true;
  } else if (base == 0 && starts_with_prefix(s, 'o')) {
    base = 8;
    had_prefix = true;
  } else if (base == 0 && starts_with_prefix(s, 'b')) {
    base = 2;
    had_prefix = true;
  }
  if (had_prefix) {
    s.remove_prefix(2);
    if (!s.empty() && s.front() == '_') {
      s.remove_prefix(1);
    }
  }
  if (base == 0) {
    base = 10;
    // Python rejects decimal literals with leading zeros unless all digits are 0.
    if (s.size() > 1 && s.front() == '0' && s.find_first_not_of("0_") != std::string_view::npos) {
      return std::nullopt;
    }
  }
  if (s.empty()) {
    return std::nullopt;
  }
  uint64_t value = 0;
  bool previous_underscore = true;  // forbids a leading underscore
  for (char c : s) {
    if (c == '_') {
      if (previous_underscore) {
        return std::nullopt;
      }
      previous_underscore = true;
      continue;
    }
    const int d = digit_value(c);
    if (d >= base) {
      return std::nullopt;
    }
    previous_underscore = false;
    if (value > (uint64_t{1} << 40)) {
      value = uint64_t{1} << 41;  // saturate: anything this large is out of range
    } else {
      value = value * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
    }
  }
  if (previous_underscore) {
    return std::nullopt;
  }
  if (value > 0xFFFFFFFFull || (negative && value != 0)) {
    return std::nullopt;
  }
  return value;
}

}  // namespace captee::fwimage::detail
