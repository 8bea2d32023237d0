// Fuzzes the remoteproc TA's LOAD_FW. The first input byte picks the mode:
//   even: the rest is handed to LOAD_FW as it is (a hostile signed image);
//   odd:  the rest is an ELF file the fuzzer signs with the TA's trusted key
//         (EC P-256, fast), optionally with a boot-address TLV, so the
//         loader's paths after the signature check (segment placement,
//         overlaps, carveout bounds, resource table, boot address) are
//         reached with arbitrary ELF headers.
// Invariants checked: the TA never crashes; a refused load leaves the
// context OFF with every region zero; a successful one is LOADED, reports a
// resource table inside memory, and RELEASE_FW wipes it.
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "captee/fwimage/tools/sign.hpp"
#include "captee/fwimage/signed_image.hpp"
#include "captee/platform/remote_processor.hpp"
#include "captee/ta/remoteproc_ta.hpp"
#include "captee/testing/test_keys.hpp"
#include "tee_api_defines.h"

namespace {

namespace fw = captee::fwimage;
namespace pl = captee::platform;
namespace ta = captee::ta;

struct Harness {
  std::unique_ptr<fw::PrivateKey> key;
  std::unique_ptr<pl::Soc> soc;
  std::unique_ptr<ta::RemoteprocTa> rproc_ta;
  void *session = nullptr;

  Harness() {
    const std::string &priv = captee::testing::ec_private_pem();
    const std::string pub = captee::testing::public_pem_of(priv);
    key = std::make_unique<fw::PrivateKey>(
        fw::PrivateKey::from_pem({reinterpret_cast<const uint8_t *>(priv.data()), priv.size()}, {})
            .value());
    std::string error;
    soc = pl::Soc::create(pl::default_platform(), &error);
    rproc_ta = ta::RemoteprocTa::create(*soc, {{pub}, [](std::string_view, bool) {}}, &error);
    if (!rproc_ta || rproc_ta->open_session(0, nullptr, &session) != TEE_SUCCESS) {
      __builtin_trap();
    }
  }

  TEE_Result invoke(uint32_t cmd, uint32_t types, TEE_Param *p) {
    p[0].value.a = 0;
    return rproc_ta->invoke_command(session, cmd, types, p);
  }

  bool wiped() {
    pl::RemoteProcessor &proc = *soc->processor(0);
    for (const auto &r : proc.regions()) {
      auto b = proc.translate(r->da(), r->size());
      if (std::any_of(b.begin(), b.end(), [](uint8_t v) { return v != 0; })) {
        return false;
      }
    }
    return true;
  }
};

Harness &harness() {
  static Harness h;
  return h;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) {
    return 0;
  }
  Harness &h = harness();
  std::vector<uint8_t> image;
  const std::span<const uint8_t> rest(data + 1, size - 1);
  if ((data[0] & 1) == 0) {
    image.assign(rest.begin(), rest.end());
  } else {
    fw::SignRequest req;
    req.images.push_back(rest);
    req.sign_type = fw::kSignTypeEcdsaP256Sha256;
    if (data[0] & 2) {
      const uint8_t boot = data[0] & 0xF0;  // a boot address in RETRAM
      req.platform_tlvs.push_back({ta::kTlvBootAddress, {boot, 0, 0, 0}});
    }
    auto signed_image = fw::sign_images(req, *h.key);
    if (!signed_image) {
      return 0;
    }
    image = std::move(signed_image).value();
  }
  TEE_Param p[4] = {};
  p[1].memref.buffer = image.data();
  p[1].memref.size = image.size();
  const TEE_Result r =
      h.invoke(ta::kRprocLoadFw,
               TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_MEMREF_INPUT, 0, 0), p);
  if (r != TEE_SUCCESS) {
    if (h.rproc_ta->state(0) != ta::FirmwareState::kOff || !h.wiped()) {
      __builtin_trap();
    }
    return 0;
  }
  if (h.rproc_ta->state(0) != ta::FirmwareState::kLoaded) {
    __builtin_trap();
  }
  TEE_Param q[4] = {};
  if (h.invoke(ta::kRprocGetRscTable,
               TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_VALUE_OUTPUT,
                               TEE_PARAM_TYPE_VALUE_OUTPUT, 0),
               q) != TEE_SUCCESS) {
    __builtin_trap();
  }
  if (q[2].value.a != 0 && h.soc->processor(0)->translate(q[1].value.a, q[2].value.a).empty()) {
    __builtin_trap();
  }
  TEE_Param d[4] = {};
  if (h.invoke(ta::kRprocGetCoredump,
               TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_MEMREF_OUTPUT, 0, 0),
               d) != TEE_ERROR_SHORT_BUFFER) {
    __builtin_trap();
  }
  TEE_Param z[4] = {};
  if (h.invoke(ta::kRprocReleaseFw, TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, 0, 0, 0), z) !=
          TEE_SUCCESS ||
      !h.wiped()) {
    __builtin_trap();
  }
  return 0;
}
