// Shared helpers for the remoteproc TA tests: a SoC + TA fixture, GP-style
// command helpers, signed test images and trace-buffer reading.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "captee/fwimage/tools/sign.hpp"
#include "captee/platform/remote_processor.hpp"
#include "captee/ta/remoteproc_ta.hpp"
#include "tee_api_defines.h"
#include "test_support.hpp"

namespace captee::ta::testing {

using Bytes = std::vector<uint8_t>;

inline constexpr uint32_t kParamsNone = TEE_PARAM_TYPES(0, 0, 0, 0);
inline constexpr uint32_t kParamsId = TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, 0, 0, 0);

bool eventually(const std::function<bool()> &cond,
                std::chrono::milliseconds limit = std::chrono::seconds(10));

// Files from the build and the shared test data. Empty when not built.
Bytes dev_signed_firmware();  // CAPTEE_FIRMWARE_SIGNED
Bytes dev_signed_bundle();    // CAPTEE_FIRMWARE_BUNDLE_SIGNED
std::string dev_public_pem();
std::string test_data_text(const std::string &name);  // shared/test-data/rproc/<name>
bool firmware_built();
// The keys a TaFixture trusts unless told otherwise.
std::vector<std::string> default_keys();

// Signs `images` with `private_pem` (RSA unless it is an EC key).
Bytes sign(const std::vector<Bytes> &images, const std::string &private_pem,
           std::vector<fwimage::PlatformTlv> tlvs = {});

// True when this build of the suite drives the TA through libteec and a
// capteed (ta_teec_test), false when it calls the TA directly (ta_test).
bool over_teec();

// A TA over its own SoC. Keys: the development key, OP-TEE's test RSA and
// P-256 keys, and the 2048-bit RSA key of fwimage's test support.
//
// Built with CAPTEE_TA_OVER_TEEC, the TA is the built-in one of an
// in-process capteed (the real Daemon, GP app client and remoteproc
// extension on a temporary socket), and invoke/load/rsc_table/coredump go
// through libteec with the image in TEEC_AllocateSharedMemory memory, as
// Linux's remoteproc_tee does. The SoC stays reachable for the secure probe.
class TaFixture : public ::testing::Test {
 protected:
  TaFixture();
  ~TaFixture() override;
  void SetUp() override { build(platform::default_platform()); }
  void TearDown() override;
  void build(const platform::PlatformDescription &desc, std::vector<std::string> keys = {});

  TEE_Result invoke(uint32_t cmd, uint32_t rproc_id = 0);
  TEE_Result load(const Bytes &image, uint32_t rproc_id = 0);
  TEE_Result rsc_table(uint64_t *da, uint64_t *size, uint32_t rproc_id = 0);
  TEE_Result coredump(Bytes *out, uint32_t rproc_id = 0);
  FirmwareState state(uint32_t rproc_id = 0) { return ta_->state(rproc_id); }

  platform::RemoteProcessor &proc(uint32_t rproc_id = 0) { return *soc_->processor(rproc_id); }
  // The firmware's first trace buffer, through the resource table, up to the
  // first NUL.
  std::string trace(uint32_t rproc_id = 0);
  // True if every byte of every region of the processor is zero.
  bool memory_wiped(uint32_t rproc_id = 0);
  bool log_contains(const std::string &text);

  void teardown();

  platform::Soc *soc_ = nullptr;  // owned_soc_'s, or the in-process capteed's
  RemoteprocTa *ta_ = nullptr;    // likewise
  void *session_ = nullptr;       // a direct session, for tests of the TA itself
  std::mutex log_mu_;
  std::vector<std::string> log_;

  std::unique_ptr<platform::Soc> owned_soc_;
  std::unique_ptr<RemoteprocTa> owned_ta_;
  struct Teec;  // the in-process capteed and the libteec session
  std::unique_ptr<Teec> teec_;
};

}  // namespace captee::ta::testing
