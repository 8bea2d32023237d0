// The SHA-256 of a TA image, with OpenSSL's EVP (internal to capteed): the
// hasher capteed gives its app registries (AppLoaderConfig::image_sha256).
// It lives in this layer, not in tee_apps: captee-tahost, which links
// tee_apps, needs nothing of capteed's crypto (it loads libcrypto only for
// the TA's own, decision 0020).
#pragma once

#include <optional>
#include <span>

#include "captee/tee/apps/app_loader.hpp"

namespace captee::tee {

// nullopt only if OpenSSL fails (no memory): the registry then refuses the
// load rather than share blindly. Thread-safety: pure function.
std::optional<apps::ImageHash> image_sha256(std::span<const std::byte> image);

}  // namespace captee::tee
