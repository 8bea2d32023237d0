// Signed TAs from the attacker's side (issue 14, item 6): capteed trusts one
// key (--ta-pubkey) and runs GP TAs from its --ta-dir. An attacker who can
// put files there, or hand capteed a buffer, tries an unsigned TA, one signed
// by their own key, a genuine signed TA with a byte flipped in the header,
// the signature or the image, a genuine TA renamed to another UUID, one whose
// signed header names another UUID than its manifest, and a truncated file.
// Each is refused, named in capteed's log with its reason, and runs nothing.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "CAppLoader.h"
#include "IAppLoader.hpp"
#include "captee/fwimage/tools/sign_ta.hpp"
#include "../support/load_image.hpp"
#include "captee/testing/test_keys.hpp"
#include "tee_client_api.h"
#include "tee_harness.hpp"

using namespace captee;
using namespace captee::test;

namespace {

// The GP test TA (single-instance, multi-session).
constexpr const char *kUuidText = "7e57c0de-0002-4000-8000-000000000002";
constexpr std::array<uint8_t, 16> kUuid = {0x7e, 0x57, 0xc0, 0xde, 0x00, 0x02, 0x40, 0x00,
                                           0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02};
constexpr TEEC_UUID kTeecUuid = {0x7e57c0de, 0x0002, 0x4000, {0x80, 0, 0, 0, 0, 0, 0, 0x02}};
// Another UUID, for the renamed and mislabelled files.
constexpr const char *kOtherText = "7e57c0de-0001-4000-8000-000000000001";
constexpr std::array<uint8_t, 16> kOther = {0x7e, 0x57, 0xc0, 0xde, 0x00, 0x01, 0x40, 0x00,
                                            0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01};
constexpr TEEC_UUID kTeecOther = {0x7e57c0de, 0x0001, 0x4000, {0x80, 0, 0, 0, 0, 0, 0, 0x01}};

std::vector<uint8_t> read_file(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const std::string &path, const std::vector<uint8_t> &bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char *>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
}

std::vector<uint8_t> sign(const std::vector<uint8_t> &elf, const std::array<uint8_t, 16> &uuid,
                          int key_bits) {
  const std::string &pem = captee::testing::rsa_private_pem(key_bits);
  auto key = fwimage::PrivateKey::from_pem(
      std::span(reinterpret_cast<const uint8_t *>(pem.data()), pem.size()), "");
  return fwimage::sign_ta(elf, uuid, 1, fwimage::kTaAlgRsaPkcs1Sha256, key.value()).value();
}

class HostileSignedTa : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "signed-ta-" + std::to_string(::getpid());
    std::filesystem::create_directories(dir_ + "/tas");
    std::ofstream(dir_ + "/trusted.pem")
        << captee::testing::public_pem_of(captee::testing::rsa_private_pem(2048));
    elf_ = read_file(CAPTEE_GP_SINGLE_TA);
    ASSERT_FALSE(elf_.empty());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void start() {
    capteed_ = std::make_unique<CapteedProcess>(
        "",
        std::vector<std::string>{"--ta-dir", dir_ + "/tas", "--ta-pubkey", dir_ + "/trusted.pem"},
        0, dir_ + "/capteed.log");
    ASSERT_TRUE(capteed_->ready());
  }

  void install(const std::string &name, const std::vector<uint8_t> &bytes) {
    write_file(dir_ + "/tas/" + name + ".ta", bytes);
  }

  TEEC_Result open_session(TEEC_UUID uuid, uint32_t *origin) {
    ::setenv("CAPTEE_SOCKET", capteed_->socket().c_str(), 1);
    TEEC_Context ctx{};
    TEEC_Result r = TEEC_InitializeContext(nullptr, &ctx);
    if (r != TEEC_SUCCESS) {
      return r;
    }
    TEEC_Session s{};
    r = TEEC_OpenSession(&ctx, &s, &uuid, TEEC_LOGIN_PUBLIC, nullptr, nullptr, origin);
    if (r == TEEC_SUCCESS) {
      TEEC_CloseSession(&s);
    }
    TEEC_FinalizeContext(&ctx);
    return r;
  }

  // `captee ta list --json`: every TA capteed has loaded.
  std::string loaded_tas() const {
    auto [rc, out] = run_capture(std::string(CAPTEE_CLI_PATH) + " --socket " + capteed_->socket() +
                                 " ta list --json");
    EXPECT_EQ(rc, 0) << out;
    return out;
  }

  std::string log() const {
    std::ifstream in(dir_ + "/capteed.log");
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }

  // The attempt is refused with TEEC_ERROR_SECURITY from the TEE, capteed
  // says why, and no TA process was started for it.
  void expect_refused(TEEC_UUID uuid, const std::string &file, const std::string &reason) {
    uint32_t origin = 0;
    EXPECT_EQ(open_session(uuid, &origin), TEEC_ERROR_SECURITY);
    EXPECT_EQ(origin, TEEC_ORIGIN_TEE);
    const std::string l = log();
    EXPECT_NE(l.find("refused to load TA " + file), std::string::npos) << l;
    EXPECT_NE(l.find(reason), std::string::npos) << "wanted \"" << reason << "\" in:\n" << l;
    EXPECT_EQ(loaded_tas().find("\"uuid\""), std::string::npos) << "nothing may have run";
  }

  std::string dir_;
  std::vector<uint8_t> elf_;
  std::unique_ptr<CapteedProcess> capteed_;
};

TEST_F(HostileSignedTa, SignedByTheTrustedKeyRuns) {
  install(kUuidText, sign(elf_, kUuid, 2048));
  start();
  uint32_t origin = 0;
  EXPECT_EQ(open_session(kTeecUuid, &origin), TEEC_SUCCESS) << log();
}

TEST_F(HostileSignedTa, UnsignedIsRefused) {
  install(kUuidText, elf_);
  start();
  expect_refused(kTeecUuid, kUuidText, "not signed by a trusted key");
}

TEST_F(HostileSignedTa, SignedByTheAttackersKeyIsRefused) {
  install(kUuidText, sign(elf_, kUuid, 3072));
  start();
  expect_refused(kTeecUuid, kUuidText, "signed by none of the 1 trusted keys");
}

TEST_F(HostileSignedTa, AFlippedByteAnywhereIsRefused) {
  const auto good = sign(elf_, kUuid, 2048);
  struct Case {
    const char *where;
    size_t at;
    const char *reason;
  };
  const size_t image_at = 20 + 32 + 256 + 20;
  for (const Case &c :
       {Case{"header (image size)", 8, "signed TA:"}, Case{"header (algorithm)", 13, "signed TA:"},
        Case{"hash", 30, "hash mismatch"}, Case{"signature", 100, "signed by none"},
        Case{"bootstrap UUID", 20 + 32 + 256 + 3, "hash mismatch"},
        Case{"image", image_at + 200, "hash mismatch"},
        Case{"image, last byte", good.size() - 1, "hash mismatch"}}) {
    SCOPED_TRACE(c.where);
    auto bad = good;
    bad[c.at] ^= 0x40;
    install(kUuidText, bad);
    start();
    expect_refused(kTeecUuid, kUuidText, c.reason);
    capteed_.reset();
  }
}

TEST_F(HostileSignedTa, AGenuineTaUnderAnotherUuidIsRefused) {
  // Renamed: the file says 0001, the signed header and the manifest 0002.
  install(kOtherText, sign(elf_, kUuid, 2048));
  start();
  expect_refused(kTeecOther, kOtherText, "not its file's name");
}

TEST_F(HostileSignedTa, ASignedHeaderNamingAnotherUuidThanTheManifestIsRefused) {
  // Signed (by the trusted key, e.g. for another of its TAs) as 0001, while
  // the image's manifest is 0002's: the signature vouches for 0001 only.
  install(kOtherText, sign(elf_, kOther, 2048));
  start();
  expect_refused(kTeecOther, kOtherText, "but its manifest names");
}

TEST_F(HostileSignedTa, ATruncatedFileIsRefused) {
  auto cut = sign(elf_, kUuid, 2048);
  cut.resize(cut.size() - 100);
  install(kUuidText, cut);
  start();
  expect_refused(kTeecUuid, kUuidText, "truncated");
}

// The same rules for an image a client hands the app loader: nothing the
// trusted key did not sign runs, and what it signed runs with the key's
// authority.
TEST_F(HostileSignedTa, ClientLoadsObeyTheSameKeys) {
  start();
  Ref loader = capteed_->open(CAppLoader_UID);
  ASSERT_TRUE(loader);
  Ref ctrl;
  EXPECT_EQ(load_image(loader, std::as_bytes(std::span(elf_)), ctrl),
            IAppLoader_ERROR_ELF_SIGNATURE_ERROR);
  auto tampered = sign(elf_, kUuid, 2048);
  tampered[tampered.size() / 2] ^= 1;
  EXPECT_EQ(load_image(loader, std::as_bytes(std::span(tampered)), ctrl),
            IAppLoader_ERROR_ELF_SIGNATURE_ERROR);
  EXPECT_NE(log().find("refused to load a TA image from uid"), std::string::npos) << log();
  const auto good = sign(elf_, kUuid, 2048);
  ASSERT_EQ(load_image(loader, std::as_bytes(std::span(good)), ctrl), Object_OK);
  const std::string tas = loaded_tas();
  EXPECT_NE(tas.find("\"authority\":\"key:"), std::string::npos) << tas;
}

}  // namespace
