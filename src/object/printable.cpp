#include "captee/detail/printable.hpp"

#include <cstdint>

namespace captee {

namespace {

void escape(std::string &out, uint8_t b) {
  static const char kHex[] = "0123456789abcdef";
  out += "\\x";
  out += kHex[b >> 4];
  out += kHex[b & 0xF];
}

// The length of the valid UTF-8 sequence at the start of `s` (2-4), with its
// code point in *cp; 0 if there is none (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF).
size_t utf8_sequence(std::string_view s, uint32_t *cp) {
  const auto b0 = uint8_t(s[0]);
  size_t len;
  uint32_t min;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
    min = 0x80;
    *cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    min = 0x800;
    *cp = b0 & 0x0F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    min = 0x10000;
    *cp = b0 & 0x07;
  } else {
    return 0;
  }
  if (s.size() < len) {
    return 0;
  }
  for (size_t i = 1; i < len; ++i) {
    const auto b = uint8_t(s[i]);
    if ((b & 0xC0) != 0x80) {
      return 0;
    }
    *cp = (*cp << 6) | (b & 0x3F);
  }
  if (*cp < min || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF)) {
    return 0;
  }
  return len;
}

bool is_hidden_control(uint32_t cp) {
  return (cp >= 0x80 && cp <= 0x9F) ||      // C1, encoded
         (cp >= 0x202A && cp <= 0x202E) ||  // bidi embeddings and overrides
         (cp >= 0x2066 && cp <= 0x2069);    // bidi isolates
}

}  // namespace

std::string printable(std::string_view bytes, Lines lines) {
  std::string out;
  out.reserve(bytes.size());
  const bool many = lines == Lines::kMany;
  for (size_t i = 0; i < bytes.size();) {
    const auto b = uint8_t(bytes[i]);
    if (b < 0x80) {
      const bool kept = (b >= 0x20 && b != 0x7F) || (many && (b == '\n' || b == '\t')) ||
                        (many && b == '\r' && i + 1 < bytes.size() && bytes[i + 1] == '\n');
      if (kept) {
        out += char(b);
      } else {
        escape(out, b);
      }
      ++i;
      continue;
    }
    uint32_t cp = 0;
    const size_t len = utf8_sequence(bytes.substr(i), &cp);
    if (len == 0) {
      escape(out, b);  // not valid UTF-8 here: one byte at a time
      ++i;
      continue;
    }
    for (size_t k = 0; k < len; ++k) {
      if (is_hidden_control(cp)) {
        escape(out, uint8_t(bytes[i + k]));
      } else {
        out += bytes[i + k];
      }
    }
    i += len;
  }
  return out;
}

}  // namespace captee
