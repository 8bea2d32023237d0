// OpenSSL made ready in the TA host before its sandbox closes. Internal.
#pragma once

#include <string>

namespace captee::tee::apps::detail {

// Loads what a TA's crypto (the GP runtime's digest, cipher and MAC
// families, on libcrypto) needs from the file system, while the host may
// still open files: the default and legacy providers (single DES lives in
// the legacy one, a module OpenSSL would otherwise dlopen on first use) and
// a seeded DRBG. A TA image names libcrypto.so.3; the loader then finds it
// already mapped and opens nothing. False with the reason in *why if the
// default provider cannot be loaded; the legacy one is optional (without
// it single DES is not supported).
bool preload_openssl(std::string *why);

}  // namespace captee::tee::apps::detail
