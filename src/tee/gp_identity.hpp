// The GP client identity capteed computes for a login method, from the
// kernel-derived facts about the caller (never from what the client says).
//
//   PUBLIC       login PUBLIC, nil UUID
//   USER         UUIDv5(58ac9ca0-2086-4683-a1b8-ec4bc08e01b6, "uid=<hex euid>")
//   GROUP        UUIDv5(same namespace, "gid=<hex gid>"), gid = connectionData;
//                refused unless the caller is in that group
//   APPLICATION  UUIDv5(same namespace, "app=<sha256 hex of the executable>");
//                refused if the executable could not be hashed
// USER_APPLICATION and GROUP_APPLICATION are NOT_SUPPORTED (as in Linux);
// the kernel-client range 0x80000000-0xBFFFFFFF is ACCESS_DENIED.
//
// A TA calling another TA (TA-to-TA) states nothing: capteed binds its
// identity to the TA process (apps::TaCaller), by the authority of its image
// (docs/decisions/0016):
//   trusted (--ta-dir, a --ta-pubkey key)  TRUSTED_APP, the manifest's UUID
//   a user's buffer (uid U)                USER, the UUID of "uid=<hex U>"
// so a user's TA bearing a trusted TA's UUID is seen as that user, never as
// the trusted TA.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "captee/tee/apps/ta_caller.hpp"
#include "captee/tee/credentials.hpp"

namespace captee::tee {

struct GpIdentity {
  uint32_t login = 0;
  std::array<uint8_t, 16> uuid{};  // RFC 4122 byte order
};

// UUIDv5 (SHA-1, RFC 4122 §4.3) of `name` in `ns`.
std::array<uint8_t, 16> uuid_v5(const std::array<uint8_t, 16> &ns, std::string_view name);

// TEE_SUCCESS and *out, or a TEE_ERROR_* code (origin TEE; the client sees
// the TEEC_ERROR_* of the same value).
uint32_t gp_identity_for(const ClientIdentity &who, uint32_t login, uint32_t connection_data,
                         GpIdentity *out);

// The identity the TA `ta` presents to the TAs it opens sessions to.
GpIdentity gp_identity_of_ta(const apps::TaCaller &ta);

}  // namespace captee::tee
