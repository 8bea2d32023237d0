// Whole-file reads and writes for captee-sign, with errors as sentences.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace captee::sign_tool {

// Reads `path` entirely. On failure returns nullopt and sets `error` to
// "cannot read PATH: REASON".
std::optional<std::vector<uint8_t>> read_file(const std::string &path, std::string &error);

// Writes `bytes` to `path` (via a temporary file renamed into place, so a
// failed write never leaves a half-written image). On failure returns false
// and sets `error`.
bool write_file(const std::string &path, std::span<const uint8_t> bytes, std::string &error);

}  // namespace captee::sign_tool
