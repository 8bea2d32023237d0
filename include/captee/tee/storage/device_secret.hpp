// The device secret every storage key derives from (docs/STORAGE.md).
#pragma once

#include <string>

#include "captee/tee/storage/storage_crypto.hpp"

namespace captee::tee::storage {

inline constexpr size_t kDeviceSecretSize = 32;

// Reads the 32-byte secret at `path`. If the file does not exist and
// `create` is true, creates it atomically (a fresh random secret written to a
// temporary file with mode 0600, fsynced, then linked into place, so two
// starts racing both end up with the one that won, and a crash never leaves a
// short secret). Refuses a file that is not a regular file of exactly 32
// bytes, or that group or others may access. False with `*why` on failure.
bool load_or_create_device_secret(const std::string &path, bool create, SecretBytes *secret,
                                  std::string *why);

}  // namespace captee::tee::storage
