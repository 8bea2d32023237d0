// tee_invoke_supp_plugin (OP-TEE's tee_internal_api_extensions.h): a TA asks
// a plugin of the normal world's supplicant, through capteed's relay
// (ISuppPluginRelay, host environment id CAPTEE_TA_SUPP_PLUGINS). The checks
// on the TA's own arguments are OP-TEE's libutee's and its kernel's; the
// errors after them are what OP-TEE's supplicant path gives (docs/GP.md,
// "Supplicant plugins").
#include <cstring>
#include <mutex>
#include <span>
#include <vector>

#include "ISuppPluginRelay.hpp"
#include "IOpener.hpp"
#include "captee/object.hpp"
#include "captee/supp_plugin_protocol.h"
#include "captee/ta_sdk.h"
#include "host_environment.hpp"
#include "memory_access.hpp"
#include "tee_internal_api.h"
#include "tee_internal_api_extensions.h"

namespace {

// The relay, opened on first use and kept: it lives as long as capteed.
captee::Ref relay() {
  static std::mutex mu;
  static captee::Ref opened;  // guarded by mu
  std::lock_guard lock(mu);
  if (opened.is_null()) {
    const captee::Ref &env = captee::gp_ta::host_environment();
    if (!env.is_null()) {
      captee::iface::IOpener(env).open(CAPTEE_TA_SUPP_PLUGINS, opened);
    }
  }
  return opened;
}

ISuppPluginRelay_Uuid octets_of(const TEE_UUID &u) {
  ISuppPluginRelay_Uuid o{};
  const uint32_t head[3] = {u.timeLow, u.timeMid, u.timeHiAndVersion};
  const int widths[3] = {4, 2, 2};
  size_t at = 0;
  for (int f = 0; f < 3; ++f) {
    for (int i = widths[f] - 1; i >= 0; --i) {
      o.bytes[at++] = static_cast<uint8_t>(head[f] >> (8 * i));
    }
  }
  std::memcpy(o.bytes + at, u.clockSeqAndNode, sizeof u.clockSeqAndNode);
  return o;
}

// The call itself, once the TA's arguments passed their checks.
TEE_Result call_relay(const TEE_UUID &uuid, uint32_t cmd, uint32_t sub_cmd, void *buf, size_t len,
                      uint32_t &out_len) {
  if (len > CAPTEE_SUPP_PLUGIN_MAX_DATA) {
    return TEE_ERROR_OUT_OF_MEMORY;  // OP-TEE: the RPC payload cannot be allocated
  }
  captee::Ref r = relay();
  if (r.is_null()) {
    return TEE_ERROR_COMMUNICATION;
  }
  auto data = std::span(static_cast<const std::byte *>(buf), len);
  std::vector<std::byte> answer(len);
  size_t answer_len = 0;
  uint32_t result = TEE_ERROR_COMMUNICATION;
  if (captee::iface::ISuppPluginRelay(r).invokePlugin(octets_of(uuid), cmd, sub_cmd, data, answer,
                                                      answer_len, out_len, result) != Object_OK) {
    out_len = 0;
    return TEE_ERROR_COMMUNICATION;  // capteed is gone
  }
  // capteed never answers more than was asked; the check keeps the TA's
  // buffer safe whatever arrives.
  if (answer_len != 0 && answer_len <= len) {
    std::memcpy(buf, answer.data(), answer_len);
  }
  return result;
}

}  // namespace

extern "C" TEE_Result tee_invoke_supp_plugin(const TEE_UUID *uuid, uint32_t cmd, uint32_t sub_cmd,
                                             void *buf, size_t len, size_t *outlen) {
  if (uuid == nullptr || (len != 0 && buf == nullptr) || (len == 0 && buf != nullptr)) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  // OP-TEE's kernel refuses a buffer the TA cannot read and write (and the
  // TA's library panics on that refusal); the same holds for the client's
  // input memrefs, which are not the TA's to hand on writable.
  if (TEE_CheckMemoryAccessRights(
          TEE_MEMORY_ACCESS_READ | TEE_MEMORY_ACCESS_WRITE | TEE_MEMORY_ACCESS_ANY_OWNER, buf,
          len) != TEE_SUCCESS) {
    TEE_Panic(TEE_ERROR_ACCESS_DENIED);
  }
  if (outlen != nullptr && !captee::gp_ta::range_mapped(reinterpret_cast<uintptr_t>(outlen),
                                                        sizeof *outlen, true, true)) {
    TEE_Panic(TEE_ERROR_ACCESS_DENIED);
  }
  uint32_t out_len = 0;
  const TEE_Result result = call_relay(*uuid, cmd, sub_cmd, buf, len, out_len);
  if (outlen != nullptr) {
    *outlen = out_len;  // written whatever the result, as OP-TEE's library does
  }
  return result;
}
