// The SHA-256 of a TA image (internal): with the authority, what decides
// whether a load may share a running single-instance TA.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace captee::tee::apps::detail {

using ImageHash = std::array<uint8_t, 32>;

// SHA-256 of `image` (OpenSSL EVP). nullopt only if OpenSSL fails (no
// memory): the caller then refuses the load rather than share blindly.
// Thread-safety: pure function.
std::optional<ImageHash> image_sha256(std::span<const std::byte> image);

}  // namespace captee::tee::apps::detail
