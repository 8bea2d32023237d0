// The printable forms of GP property values and the readers of them
// (property_values.hpp).
#include "property_values.hpp"

#include <array>
#include <cstdio>

namespace captee::gp_ta {

namespace {

constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int hex_value(char c) {
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
}

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') {
    return c - 'A';
  }
  if (c >= 'a' && c <= 'z') {
    return c - 'a' + 26;
  }
  if (c >= '0' && c <= '9') {
    return c - '0' + 52;
  }
  if (c == '+') {
    return 62;
  }
  if (c == '/') {
    return 63;
  }
  return -1;
}

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    if (x != b[i]) {
      return false;
    }
  }
  return true;
}

// Digits in `base` with '_' separators anywhere (at least one digit), within
// `max`.
std::optional<uint64_t> parse_digits(std::string_view s, unsigned base, uint64_t max) {
  uint64_t v = 0;
  bool any = false;
  for (char c : s) {
    if (c == '_') {
      continue;
    }
    int d = hex_value(c);
    if (d < 0 || static_cast<unsigned>(d) >= base) {
      return std::nullopt;
    }
    if (__builtin_mul_overflow(v, base, &v) || __builtin_add_overflow(v, unsigned(d), &v) ||
        v > max) {
      return std::nullopt;
    }
    any = true;
  }
  if (!any) {
    return std::nullopt;
  }
  return v;
}

}  // namespace

std::optional<bool> parse_bool(std::string_view s) {
  if (equal_ignoring_case(s, "true")) {
    return true;
  }
  if (equal_ignoring_case(s, "false")) {
    return false;
  }
  return std::nullopt;
}

std::optional<uint64_t> parse_integer(std::string_view s, uint64_t max) {
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    return parse_digits(s.substr(2), 16, max);
  }
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
    return parse_digits(s.substr(2), 2, max);
  }
  uint64_t scale = 1;
  if (!s.empty() && (s.back() == 'K' || s.back() == 'M')) {
    scale = s.back() == 'K' ? 1024 : 1024 * 1024;
    s.remove_suffix(1);
  }
  auto v = parse_digits(s, 10, UINT64_MAX);
  uint64_t scaled = 0;
  if (!v || __builtin_mul_overflow(*v, scale, &scaled) || scaled > max) {
    return std::nullopt;
  }
  return scaled;
}

std::optional<TEE_UUID> parse_uuid(std::string_view s) {
  // 8-4-4-4-12: dashes at 8, 13, 18 and 23, hex digits elsewhere.
  if (s.size() != 36) {
    return std::nullopt;
  }
  std::array<uint8_t, 16> b{};
  size_t n = 0;
  for (size_t i = 0; i < s.size();) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') {
        return std::nullopt;
      }
      ++i;
      continue;
    }
    int hi = hex_value(s[i]);
    int lo = hex_value(s[i + 1]);
    if (hi < 0 || lo < 0 || i + 1 == 8 || i + 1 == 13 || i + 1 == 18 || i + 1 == 23) {
      return std::nullopt;
    }
    b[n++] = static_cast<uint8_t>(hi << 4 | lo);
    i += 2;
  }
  TEE_UUID u{};
  u.timeLow = uint32_t(b[0]) << 24 | uint32_t(b[1]) << 16 | uint32_t(b[2]) << 8 | b[3];
  u.timeMid = static_cast<uint16_t>(b[4] << 8 | b[5]);
  u.timeHiAndVersion = static_cast<uint16_t>(b[6] << 8 | b[7]);
  for (size_t i = 0; i < 8; ++i) {
    u.clockSeqAndNode[i] = b[8 + i];
  }
  return u;
}

std::optional<TEE_Identity> parse_identity(std::string_view s) {
  TEE_Identity id{};
  size_t colon = s.find(':');
  auto login = parse_integer(s.substr(0, colon), UINT32_MAX);
  if (!login) {
    return std::nullopt;
  }
  id.login = static_cast<uint32_t>(*login);
  if (colon != std::string_view::npos) {
    auto uuid = parse_uuid(s.substr(colon + 1));
    if (!uuid) {
      return std::nullopt;
    }
    id.uuid = *uuid;
  }
  return id;
}

std::optional<std::vector<uint8_t>> base64_decode(std::string_view s) {
  // Padding is optional, but where it is it closes the text.
  size_t pad = 0;
  while (pad < 2 && !s.empty() && s.back() == '=') {
    s.remove_suffix(1);
    ++pad;
  }
  if (s.size() % 4 == 1 || (pad != 0 && (s.size() + pad) % 4 != 0)) {
    return std::nullopt;
  }
  std::vector<uint8_t> out;
  out.reserve(s.size() / 4 * 3 + 2);
  uint32_t acc = 0;
  unsigned bits = 0;
  for (char c : s) {
    int v = base64_value(c);
    if (v < 0) {
      return std::nullopt;
    }
    acc = (acc << 6) | unsigned(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<uint8_t>(acc >> bits));
      acc &= (1u << bits) - 1;
    }
  }
  // The bits left over must be zero, or two texts would decode the same.
  if (acc != 0) {
    return std::nullopt;
  }
  return out;
}

std::string base64_encode(const uint8_t *data, size_t size) {
  std::string out;
  out.reserve((size + 2) / 3 * 4);
  for (size_t i = 0; i < size; i += 3) {
    uint32_t chunk = uint32_t(data[i]) << 16;
    if (i + 1 < size) {
      chunk |= uint32_t(data[i + 1]) << 8;
    }
    if (i + 2 < size) {
      chunk |= data[i + 2];
    }
    out += kBase64[chunk >> 18 & 63];
    out += kBase64[chunk >> 12 & 63];
    out += i + 1 < size ? kBase64[chunk >> 6 & 63] : '=';
    out += i + 2 < size ? kBase64[chunk & 63] : '=';
  }
  return out;
}

std::string uuid_to_string(const TEE_UUID &u) {
  char s[37];
  std::snprintf(s, sizeof s, "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x", u.timeLow,
                u.timeMid, u.timeHiAndVersion, u.clockSeqAndNode[0], u.clockSeqAndNode[1],
                u.clockSeqAndNode[2], u.clockSeqAndNode[3], u.clockSeqAndNode[4],
                u.clockSeqAndNode[5], u.clockSeqAndNode[6], u.clockSeqAndNode[7]);
  return s;
}

std::string property_to_string(const PropertyValue &v) {
  switch (v.type) {
    case PropertyType::kBool:
      return v.b ? "true" : "false";
    case PropertyType::kU32:
      return std::to_string(v.u32);
    case PropertyType::kU64:
      return std::to_string(v.u64);
    case PropertyType::kUuid:
      return uuid_to_string(v.uuid);
    case PropertyType::kIdentity:
      return std::to_string(v.identity.login) + ":" + uuid_to_string(v.identity.uuid);
    case PropertyType::kString:
    case PropertyType::kBinaryBlock:
      break;
  }
  return std::string(v.text);
}

std::optional<bool> property_as_bool(const PropertyValue &v) {
  if (v.type == PropertyType::kBool) {
    return v.b;
  }
  return parse_bool(property_to_string(v));
}

std::optional<uint32_t> property_as_u32(const PropertyValue &v) {
  if (v.type == PropertyType::kU32) {
    return v.u32;
  }
  auto n = parse_integer(property_to_string(v), UINT32_MAX);
  if (!n) {
    return std::nullopt;
  }
  return static_cast<uint32_t>(*n);
}

std::optional<uint64_t> property_as_u64(const PropertyValue &v) {
  if (v.type == PropertyType::kU64) {
    return v.u64;
  }
  if (v.type == PropertyType::kU32) {
    return v.u32;
  }
  return parse_integer(property_to_string(v), UINT64_MAX);
}

std::optional<TEE_UUID> property_as_uuid(const PropertyValue &v) {
  if (v.type == PropertyType::kUuid) {
    return v.uuid;
  }
  return parse_uuid(property_to_string(v));
}

std::optional<TEE_Identity> property_as_identity(const PropertyValue &v) {
  if (v.type == PropertyType::kIdentity) {
    return v.identity;
  }
  return parse_identity(property_to_string(v));
}

std::optional<std::vector<uint8_t>> property_as_binary_block(const PropertyValue &v) {
  return base64_decode(property_to_string(v));
}

}  // namespace captee::gp_ta
