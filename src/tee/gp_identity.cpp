#include "gp_identity.hpp"

#include <openssl/evp.h>

#include <cstdio>
#include <string>

#include "captee/detail/openssl_lifetime.hpp"
#include "tee_api_defines.h"

namespace captee::tee {
namespace {

constexpr std::array<uint8_t, 16> kTeeClientNamespace = {
    0x58, 0xac, 0x9c, 0xa0, 0x20, 0x86, 0x46, 0x83, 0xa1, 0xb8, 0xec, 0x4b, 0xc0, 0x8e, 0x01, 0xb6};

std::string hex_name(const char *prefix, unsigned long v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s=%lx", prefix, v);
  return buf;
}

}  // namespace

std::array<uint8_t, 16> uuid_v5(const std::array<uint8_t, 16> &ns, std::string_view name) {
  std::array<uint8_t, 16> out{};
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  bool ok = ctx != nullptr && EVP_DigestInit_ex(ctx, EVP_sha1(), nullptr) == 1 &&
            EVP_DigestUpdate(ctx, ns.data(), ns.size()) == 1 &&
            EVP_DigestUpdate(ctx, name.data(), name.size()) == 1 &&
            EVP_DigestFinal_ex(ctx, md, &md_len) == 1 && md_len >= 16;
  EVP_MD_CTX_free(ctx);
  if (!ok) {
    return out;  // nil
  }
  for (size_t i = 0; i < 16; ++i) {
    out[i] = md[i];
  }
  out[6] = static_cast<uint8_t>((out[6] & 0x0F) | 0x50);
  out[8] = static_cast<uint8_t>((out[8] & 0x3F) | 0x80);
  return out;
}

uint32_t gp_identity_for(const ClientIdentity &who, uint32_t login, uint32_t connection_data,
                         GpIdentity *out) {
  *out = GpIdentity{};
  out->login = login;
  if (login >= 0x80000000u && login <= 0xBFFFFFFFu) {
    return TEE_ERROR_ACCESS_DENIED;  // reserved for kernel clients
  }
  auto check = [](const std::array<uint8_t, 16> &u) {
    for (uint8_t b : u) {
      if (b != 0) {
        return true;
      }
    }
    return false;
  };
  switch (login) {
    case TEE_LOGIN_PUBLIC:
      return TEE_SUCCESS;
    case TEE_LOGIN_USER:
      if (who.uid == uid_t(-1)) {
        return TEE_ERROR_ACCESS_DENIED;
      }
      out->uuid = uuid_v5(kTeeClientNamespace, hex_name("uid", who.uid));
      return check(out->uuid) ? TEE_SUCCESS : TEE_ERROR_GENERIC;
    case TEE_LOGIN_GROUP:
      if (!who.in_group(static_cast<gid_t>(connection_data))) {
        return TEE_ERROR_ACCESS_DENIED;
      }
      out->uuid = uuid_v5(kTeeClientNamespace, hex_name("gid", connection_data));
      return check(out->uuid) ? TEE_SUCCESS : TEE_ERROR_GENERIC;
    case TEE_LOGIN_APPLICATION:
      if (who.exe_sha256.empty() || !who.process_verified) {
        return TEE_ERROR_ACCESS_DENIED;
      }
      out->uuid = uuid_v5(kTeeClientNamespace, "app=" + who.exe_sha256);
      return check(out->uuid) ? TEE_SUCCESS : TEE_ERROR_GENERIC;
    case TEE_LOGIN_APPLICATION_USER:   // TEEC_LOGIN_USER_APPLICATION
    case TEE_LOGIN_APPLICATION_GROUP:  // TEEC_LOGIN_GROUP_APPLICATION
      return TEE_ERROR_NOT_SUPPORTED;
    default:
      return TEE_ERROR_BAD_PARAMETERS;
  }
}

GpIdentity gp_identity_of_ta(const apps::TaCaller &ta) {
  GpIdentity out;
  if (ta.authority.trusted()) {
    // An authority capteed trusts vouches for the manifest's UUID.
    out.login = TEE_LOGIN_TRUSTED_APP;
    out.uuid = ta.uuid;
    return out;
  }
  // Anyone may build an image bearing any UUID: a user's TA speaks for the
  // user who loaded it, as that user's own TEEC_LOGIN_USER session would.
  out.login = TEE_LOGIN_USER;
  out.uuid = uuid_v5(kTeeClientNamespace, hex_name("uid", ta.authority.uid));
  return out;
}

}  // namespace captee::tee
