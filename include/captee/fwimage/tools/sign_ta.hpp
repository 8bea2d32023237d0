// Signing a TA in OP-TEE's signed TA format (captee/fwimage/signed_ta.hpp):
// the dev kit's signing step, `captee-sign ta`. In captee_fwimage_tools, which
// capteed does not link.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "captee/fwimage/keys.hpp"
#include "captee/fwimage/signed_ta.hpp"
#include "captee/fwimage/status.hpp"

namespace captee::fwimage {

// Signs `elf` as OP-TEE's sign_encrypt.py does for a bootstrap TA (type 1):
// the layout above, with `uuid` in RFC 4122 byte order. `algo` is one of the
// two TEE_ALG values above. The key must be RSA.
// Errors: BAD_PARAMETERS (algo, key type, an image over 4 GiB), GENERIC
// (OpenSSL failure).
Result<std::vector<uint8_t>> sign_ta(std::span<const uint8_t> elf,
                                     const std::array<uint8_t, 16> &uuid, uint32_t ta_version,
                                     uint32_t algo, const PrivateKey &key);

}  // namespace captee::fwimage
