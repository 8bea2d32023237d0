// A GP property's value and the conversions between its types (GP TEE
// Internal Core API v1.3.1 §4.4). A property has one type; every property
// also has a printable form, and a getter asking for another type reads that
// form:
//   - bool: "true" / "false" (any case when read);
//   - 32- and 64-bit integers: decimal, digits and '_' with an optional K
//     (x 1024) or M (x 1024 x 1024) suffix; hexadecimal, 0x or 0X then hex
//     digits and '_'; binary, 0b or 0B then 0, 1 and '_'; printed in decimal;
//   - UUID: 8-4-4-4-12 hexadecimal digits (any case when read, lower case
//     printed);
//   - identity: an integer login, optionally ':' and a UUID (printed
//     "<login in decimal>:<uuid>");
//   - binary block: Base64 (RFC 4648's alphabet; padding optional when read);
//   - string: itself.
// A value that does not read as the type asked (or does not fit it) is
// TEE_ERROR_BAD_FORMAT for the getter. Pure functions over the TA's memory:
// no I/O, no global state; unit-tested on their own
// (tests/gp_sdk/property_values_test.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tee_api_types.h"

namespace captee::gp_ta {

enum class PropertyType : uint8_t { kBool, kU32, kU64, kUuid, kIdentity, kString, kBinaryBlock };

// One property's value. `text` holds a string's characters, or a binary
// block's Base64 form (as a TA writes it in TA_CURRENT_TA_EXT_PROPERTIES);
// it points at storage that outlives the value (the TA's image, or the
// runtime's tables).
struct PropertyValue {
  PropertyType type = PropertyType::kString;
  bool b = false;
  uint32_t u32 = 0;
  uint64_t u64 = 0;
  TEE_UUID uuid{};
  TEE_Identity identity{};
  std::string_view text;
};

// The printable form (see above).
std::string property_to_string(const PropertyValue &v);

// Conversions to each getter's type: nullopt is TEE_ERROR_BAD_FORMAT.
std::optional<bool> property_as_bool(const PropertyValue &v);
std::optional<uint32_t> property_as_u32(const PropertyValue &v);
std::optional<uint64_t> property_as_u64(const PropertyValue &v);
std::optional<TEE_UUID> property_as_uuid(const PropertyValue &v);
std::optional<TEE_Identity> property_as_identity(const PropertyValue &v);
std::optional<std::vector<uint8_t>> property_as_binary_block(const PropertyValue &v);

// The readers behind them, on a printable form.
std::optional<bool> parse_bool(std::string_view s);
std::optional<uint64_t> parse_integer(std::string_view s, uint64_t max);
std::optional<TEE_UUID> parse_uuid(std::string_view s);
std::optional<TEE_Identity> parse_identity(std::string_view s);
std::optional<std::vector<uint8_t>> base64_decode(std::string_view s);
std::string base64_encode(const uint8_t *data, size_t size);
std::string uuid_to_string(const TEE_UUID &u);

}  // namespace captee::gp_ta
