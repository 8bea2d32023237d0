// Python int() literal parsing, for --plat-tlv compatibility with
// sign_rproc_fw.py (which uses int(ID, 0) and int(VALUE[2:], 16)).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace captee::fwimage::detail {

// Parses like Python's int(text, base) for base 0 (prefix decides) or 16,
// returning nullopt for syntax errors, negative values or values above 2^32.
std::optional<uint64_t> parse_python_int(std::string_view text, int base);

}  // namespace captee::fwimage::detail
