// The SHA-256 of a TA image, with OpenSSL's EVP (internal to capteed): the
// hasher capteed gives its app registries (AppLoaderConfig::image_sha256).
// It lives in this layer, not in tee_apps, so that captee-tahost, which links
// tee_apps, does not load libcrypto (measured: +410 KB of private memory in
// every TA host).
#pragma once

#include <optional>
#include <span>

#include "captee/tee/apps/app_loader.hpp"

namespace captee::tee {

// nullopt only if OpenSSL fails (no memory): the registry then refuses the
// load rather than share blindly. Thread-safety: pure function.
std::optional<apps::ImageHash> image_sha256(std::span<const std::byte> image);

}  // namespace captee::tee
