// LOAD_FW end to end: real firmware boots, and every way an image can be bad
// is refused with its GP code, leaving the processor OFF and wiped.
#include <gtest/gtest.h>

#include <cstring>

#include "captee/fwimage/signed_image.hpp"
#include "captee/fwimage/verify.hpp"
#include "ta_test_support.hpp"

namespace captee::ta::testing {
namespace {

namespace fwt = captee::fwimage::testing;

Bytes test_image(const std::string &name) {
  return fwt::read_bytes(fwt::rproc_data(name));
}

#define REQUIRE_FIRMWARE()                                               \
  if (!firmware_built()) {                                               \
    GTEST_SKIP() << "arm-none-eabi-gcc or openssl missing: no firmware"; \
  }

class Load : public TaFixture {
 protected:
  // After a refused load: state OFF, core offline, every region zero, and a
  // good image still loads.
  void expect_refused_and_clean() {
    EXPECT_EQ(state(), FirmwareState::kOff);
    EXPECT_EQ(proc().state(), platform::CoreState::kOffline);
    EXPECT_TRUE(memory_wiped());
    ASSERT_EQ(load(test_image("sample-m4.rsa2048.sig")), TEE_SUCCESS);
    ASSERT_EQ(invoke(kRprocReleaseFw), TEE_SUCCESS);
  }
};

TEST_F(Load, SampleFirmwareBootsStopsAndIsWipedOnRelease) {
  REQUIRE_FIRMWARE();
  ASSERT_EQ(load(dev_signed_firmware()), TEE_SUCCESS);
  EXPECT_FALSE(memory_wiped());
  ASSERT_EQ(invoke(kRprocStartFw), TEE_SUCCESS);
  EXPECT_TRUE(eventually([&] { return trace().find("captee-m4: boot 1\n") != std::string::npos; }))
      << trace();
  EXPECT_EQ(
      trace().rfind("captee-m4: hello from the coprocessor, resource table at 0x10000000\n", 0),
      0u);
  // The firmware kicks channel 0 once booted, and answers host kicks on the
  // same channels with its heartbeat in the trace.
  EXPECT_TRUE(eventually([&] { return (proc().mailbox().host_pending() & 1u) != 0; }));
  proc().mailbox().ack(1u);
  proc().mailbox().kick(0x4u);
  EXPECT_TRUE(eventually([&] { return (proc().mailbox().host_pending() & 0x4u) != 0; }));
  EXPECT_TRUE(eventually([&] {
    return trace().find("kick 0x00000004 heartbeat ") != std::string::npos;
  })) << trace();
  EXPECT_EQ(proc().mailbox().firmware_pending(), 0u);  // the firmware cleared it
  EXPECT_EQ(proc().state(), platform::CoreState::kRunning);

  ASSERT_EQ(invoke(kRprocStopFw), TEE_SUCCESS);
  EXPECT_EQ(proc().state(), platform::CoreState::kOffline);
  EXPECT_FALSE(memory_wiped());  // kept for a core dump until release
  ASSERT_EQ(invoke(kRprocReleaseFw), TEE_SUCCESS);
  EXPECT_TRUE(memory_wiped());
}

TEST_F(Load, BootCounterCountsRestartsSinceLoad) {
  REQUIRE_FIRMWARE();
  ASSERT_EQ(load(dev_signed_firmware()), TEE_SUCCESS);
  ASSERT_EQ(invoke(kRprocStartFw), TEE_SUCCESS);
  ASSERT_TRUE(eventually([&] { return trace().find("boot 1\n") != std::string::npos; }));
  // Restart the core without reloading (the platform's secure face): the
  // counter is outside every segment and keeps its count.
  ASSERT_TRUE(proc().stop().ok());
  ASSERT_TRUE(proc().start(0).ok());
  EXPECT_TRUE(eventually([&] { return trace().find("boot 2\n") != std::string::npos; })) << trace();
  // STOP + LOAD of the same image (Linux's recovery) reloads warm: the
  // segments are rewritten and re-hashed, the rest of SRAM is kept.
  ASSERT_EQ(invoke(kRprocStopFw), TEE_SUCCESS);
  ASSERT_EQ(load(dev_signed_firmware()), TEE_SUCCESS);
  EXPECT_TRUE(log_contains("(same image, reloaded warm)"));
  ASSERT_EQ(invoke(kRprocStartFw), TEE_SUCCESS);
  EXPECT_TRUE(eventually([&] { return trace().find("boot 3\n") != std::string::npos; })) << trace();
  // Another image after a STOP starts from wiped memory.
  ASSERT_EQ(invoke(kRprocStopFw), TEE_SUCCESS);
  ASSERT_EQ(load(dev_signed_bundle()), TEE_SUCCESS);
  ASSERT_EQ(invoke(kRprocStartFw), TEE_SUCCESS);
  EXPECT_TRUE(eventually([&] { return trace().find("boot 1\n") != std::string::npos; })) << trace();
  // And so does the same image after RELEASE_FW.
  ASSERT_EQ(invoke(kRprocStopFw), TEE_SUCCESS);
  ASSERT_EQ(invoke(kRprocReleaseFw), TEE_SUCCESS);
  ASSERT_EQ(load(dev_signed_bundle()), TEE_SUCCESS);
  ASSERT_EQ(invoke(kRprocStartFw), TEE_SUCCESS);
  EXPECT_TRUE(eventually([&] { return trace().find("boot 1\n") != std::string::npos; })) << trace();
  ASSERT_EQ(invoke(kRprocStopFw), TEE_SUCCESS);
}

TEST_F(Load, TwoImageBundleLoadsBothImages) {
  REQUIRE_FIRMWARE();
  ASSERT_EQ(load(dev_signed_bundle()), TEE_SUCCESS);
  EXPECT_TRUE(log_contains("2 image(s), 4 segment(s)"));
  // The companion's descriptor sits in RETRAM at 0x8000 and its data in SRAM.
  std::span<uint8_t> desc = proc().translate(0x8000, 4);
  ASSERT_EQ(desc.size(), 4u);
  EXPECT_EQ(std::memcmp(desc.data(), "CMP1", 4), 0);
  ASSERT_EQ(invoke(kRprocStartFw), TEE_SUCCESS);
  EXPECT_TRUE(eventually([&] {
    return trace().find("captee-m4: companion says: companion image up, checksum 0x") !=
           std::string::npos;
  })) << trace();
  ASSERT_EQ(invoke(kRprocStopFw), TEE_SUCCESS);
  ASSERT_EQ(invoke(kRprocReleaseFw), TEE_SUCCESS);
  EXPECT_TRUE(memory_wiped());
}

TEST_F(Load, OpteeSignedRsaAndP256ImagesBoot) {
  for (const char *name : {"sample-m4.rsa2048.sig", "sample-m4.p256.sig"}) {
    SCOPED_TRACE(name);
    ASSERT_EQ(load(test_image(name)), TEE_SUCCESS);
    ASSERT_EQ(invoke(kRprocStartFw), TEE_SUCCESS);
    EXPECT_TRUE(eventually([&] {
      return trace().rfind("sample: firmware up, resource table at 0x10000000", 0) == 0;
    })) << trace();
    ASSERT_EQ(invoke(kRprocStopFw), TEE_SUCCESS);
    ASSERT_EQ(invoke(kRprocReleaseFw), TEE_SUCCESS);
  }
}

TEST_F(Load, OnlyTheKeyOfTheSignTypeIsTried) {
  // Provisioned with the P-256 key only: the RSA image is refused, the EC one loads.
  build(platform::default_platform(), {test_data_text("test-p256.pub.pem")});
  EXPECT_EQ(load(test_image("sample-m4.rsa2048.sig")), TEE_ERROR_SIGNATURE_INVALID);
  EXPECT_EQ(load(test_image("sample-m4.p256.sig")), TEE_SUCCESS);
}

TEST_F(Load, UnknownKeyIsSignatureInvalidAndLoggedWithFingerprints) {
  const Bytes image = sign({test_image("sample-m4.elf")}, fwt::rsa_private_pem(3072));
  EXPECT_EQ(load(image), TEE_ERROR_SIGNATURE_INVALID);
  EXPECT_TRUE(log_contains("not signed by any provisioned key"));
  for (const std::string &fp : ta_->key_fingerprints(0)) {
    EXPECT_TRUE(log_contains(fp)) << fp;
  }
  const Bytes ec = sign({test_image("sample-m4.elf")}, fwt::ec_private_pem());
  EXPECT_EQ(load(ec), TEE_ERROR_SIGNATURE_INVALID);
  expect_refused_and_clean();
}

TEST_F(Load, FingerprintIsSha256OfTheDerPublicKey) {
  const std::string path = fwt::rproc_data("test-rsa2048.pub.pem");
  FILE *p = popen(("openssl pkey -pubin -in '" + path + "' -outform DER | sha256sum").c_str(), "r");
  ASSERT_NE(p, nullptr);
  char buf[128] = {};
  ASSERT_NE(fgets(buf, sizeof buf, p), nullptr);
  pclose(p);
  const std::string expected = "RSA-2048 sha256:" + std::string(buf, 64);
  const auto fps = ta_->key_fingerprints(0);
  EXPECT_NE(std::find(fps.begin(), fps.end(), expected), fps.end()) << expected;
}

TEST_F(Load, NoKeysRefusesEverything) {
  std::string error;
  auto soc = platform::Soc::create(platform::default_platform(), &error);
  auto ta =
      RemoteprocTa::create(*soc, RemoteprocTaConfig{{}, [](std::string_view, bool) {}}, &error);
  ASSERT_TRUE(ta);
  void *s = nullptr;
  ASSERT_EQ(ta->open_session(kParamsNone, nullptr, &s), TEE_SUCCESS);
  Bytes image = test_image("sample-m4.rsa2048.sig");
  TEE_Param p[4] = {};
  p[1].memref.buffer = image.data();
  p[1].memref.size = image.size();
  EXPECT_EQ(ta->invoke_command(
                s, kRprocLoadFw,
                TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_MEMREF_INPUT, 0, 0), p),
            TEE_ERROR_SIGNATURE_INVALID);
  ta->close_session(s);
}

TEST_F(Load, BadKeyPemIsRefusedAtCreate) {
  std::string error;
  auto ta = RemoteprocTa::create(*soc_, RemoteprocTaConfig{{"not a key"}, {}}, &error);
  EXPECT_FALSE(ta);
  EXPECT_NE(error.find("key 0"), std::string::npos) << error;
}

TEST_F(Load, TamperedHeaderIsBadParameters) {
  Bytes image = test_image("sample-m4.rsa2048.sig");
  image[0] ^= 1;  // magic
  EXPECT_EQ(load(image), TEE_ERROR_BAD_PARAMETERS);
  image[0] ^= 1;
  image[16] ^= 8;  // img_len no longer matches the buffer
  EXPECT_EQ(load(image), TEE_ERROR_BAD_PARAMETERS);
  image[16] ^= 8;
  Bytes shorter(image.begin(), image.end() - 8);
  EXPECT_EQ(load(shorter), TEE_ERROR_BAD_PARAMETERS);
  EXPECT_EQ(load(Bytes(image.begin(), image.begin() + 10)), TEE_ERROR_BAD_PARAMETERS);
  expect_refused_and_clean();
}

TEST_F(Load, TamperedTlvOrSignatureIsSignatureInvalid) {
  const Bytes good = test_image("sample-m4.rsa2048.sig");
  auto c = fwimage::parse_container(good);
  ASSERT_TRUE(c.ok());
  // Bytes inside the hash table, at the end of the TLV area, and in the signature.
  const fwimage::Tlv *table = c->find(fwimage::kTlvHashTable);
  ASSERT_NE(table, nullptr);
  for (size_t at : {size_t{table->offset + 8 + 40}, size_t{c->signature_offset - 8},
                    size_t{c->signature_offset}, size_t{c->signature_offset + 100}}) {
    SCOPED_TRACE(at);
    Bytes image = good;
    image[at] ^= 0x20;
    EXPECT_EQ(load(image), TEE_ERROR_SIGNATURE_INVALID);
    EXPECT_EQ(state(), FirmwareState::kOff);
  }
  expect_refused_and_clean();
}

TEST_F(Load, TamperedSegmentBytesAreSecurityAndWiped) {
  const Bytes good = test_image("sample-m4.rsa2048.sig");
  auto p = fwimage::parse_signed_image(good);
  ASSERT_TRUE(p.ok());
  const fwimage::FirmwareImage &img = p->images[0];
  // The last PT_LOAD segment: the first one is then already in memory when
  // the mismatch is found, so the wipe is observable.
  const fwimage::Segment *last = nullptr;
  for (const auto &s : img.segments) {
    if (s.loadable() && s.phdr.filesz > 0) {
      last = &s;
    }
  }
  ASSERT_NE(last, nullptr);
  Bytes image = good;
  image[img.offset + last->phdr.offset + last->phdr.filesz / 2] ^= 0x01;
  EXPECT_EQ(load(image), TEE_ERROR_SECURITY);
  EXPECT_TRUE(log_contains("does not match its hash"));
  expect_refused_and_clean();
}

TEST_F(Load, SegmentOutsideTheCarveoutsIsAccessDenied) {
  const std::string key = test_data_text("test-rsa2048.pem");
  // Entirely outside, and straddling the end of RETRAM (64 KiB); each after a
  // good segment that is then wiped.
  for (uint32_t da : {0x20000000u, 0x0000FFF0u, 0x4C001000u /* the mailbox */}) {
    SCOPED_TRACE(da);
    fwt::FakeElf elf;
    elf.segments.push_back({1, 0x0, Bytes(256, 0x77), 0});
    elf.segments.push_back({1, da, Bytes(32, 0x66), 0});
    EXPECT_EQ(load(sign({fwt::build_elf(elf)}, key)), TEE_ERROR_ACCESS_DENIED);
    EXPECT_TRUE(memory_wiped());
  }
  expect_refused_and_clean();
}

TEST_F(Load, OverlappingSegmentsAreBadFormat) {
  const std::string key = test_data_text("test-rsa2048.pem");
  fwt::FakeElf elf;
  elf.segments.push_back({1, 0x1000, Bytes(256, 0x77), 0});
  elf.segments.push_back({1, 0x10F0, Bytes(32, 0x66), 0});
  EXPECT_EQ(load(sign({fwt::build_elf(elf)}, key)), TEE_ERROR_BAD_FORMAT);
  EXPECT_TRUE(memory_wiped());
  // The .bss of one segment counts too, and across the images of a bundle.
  fwt::FakeElf a, b;
  a.segments.push_back({1, 0x10000000, Bytes(64, 0x11), 0x1000});
  b.segments.push_back({1, 0x10000800, Bytes(64, 0x22), 0});
  EXPECT_EQ(load(sign({fwt::build_elf(a), fwt::build_elf(b)}, key)), TEE_ERROR_BAD_FORMAT);
  EXPECT_TRUE(log_contains("overlaps"));
  expect_refused_and_clean();
}

TEST_F(Load, NonLoadSegmentsAreNotLoaded) {
  fwt::FakeElf elf;
  elf.segments.push_back({1, 0x0, Bytes(16, 0x11), 0});
  elf.segments.push_back({4 /* PT_NOTE */, 0x20000000, Bytes(16, 0x22), 0});
  EXPECT_EQ(load(sign({fwt::build_elf(elf)}, test_data_text("test-rsa2048.pem"))), TEE_SUCCESS);
}

// A vector table at 0x100 instead of 0: SP, then a reset handler that spins.
Bytes vector_table_at_0x100() {
  Bytes code(12, 0);
  const uint32_t sp = 0x10001000, reset = 0x109;  // Thumb bit set; code at 0x108
  std::memcpy(code.data(), &sp, 4);
  std::memcpy(code.data() + 4, &reset, 4);
  code[8] = 0xFE;  // b .
  code[9] = 0xE7;
  fwt::FakeElf elf;
  elf.segments.push_back({1, 0x100, code, 0});
  return fwt::build_elf(elf);
}

fwimage::PlatformTlv boot_tlv(std::vector<uint8_t> value) {
  return {kTlvBootAddress, std::move(value)};
}

TEST_F(Load, BootAddressTlvOverridesTheVectorTable) {
  const std::string key = test_data_text("test-rsa2048.pem");
  const Bytes elf = vector_table_at_0x100();
  // Without the TLV the core boots from da 0, which holds zeros: it faults.
  ASSERT_EQ(load(sign({elf}, key)), TEE_SUCCESS);
  ASSERT_EQ(invoke(kRprocStartFw), TEE_SUCCESS);
  EXPECT_TRUE(eventually([&] { return proc().state() == platform::CoreState::kCrashed; }));
  EXPECT_EQ(state(), FirmwareState::kStarted);
  ASSERT_EQ(invoke(kRprocStopFw), TEE_SUCCESS);
  ASSERT_EQ(invoke(kRprocReleaseFw), TEE_SUCCESS);

  // With TLV 0x10001 = 0x100 it runs.
  ASSERT_EQ(load(sign({elf}, key, {boot_tlv({0x00, 0x01, 0x00, 0x00})})), TEE_SUCCESS);
  EXPECT_TRUE(log_contains("boot at 0x00000100"));
  ASSERT_EQ(invoke(kRprocStartFw), TEE_SUCCESS);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(proc().state(), platform::CoreState::kRunning);
  ASSERT_EQ(invoke(kRprocStopFw), TEE_SUCCESS);
  EXPECT_EQ(proc().core().registers().pc, 0x108u);
  EXPECT_EQ(proc().core().registers().sp, 0x10001000u);
  ASSERT_EQ(invoke(kRprocReleaseFw), TEE_SUCCESS);
}

TEST_F(Load, MalformedBootAddressTlvIsBadFormat) {
  const std::string key = test_data_text("test-rsa2048.pem");
  const Bytes elf = vector_table_at_0x100();
  EXPECT_EQ(load(sign({elf}, key, {boot_tlv({0x00, 0x01})})), TEE_ERROR_BAD_FORMAT);
  EXPECT_EQ(load(sign({elf}, key, {boot_tlv({0x00, 0x00, 0x00, 0x20})})), TEE_ERROR_BAD_FORMAT);
  expect_refused_and_clean();
}

TEST_F(Load, UnsupportedHashTypeIsRefused) {
  // HASHTYPE is signed, so re-sign a container whose HASHTYPE says 2.
  const Bytes good = sign({test_image("sample-m4.elf")}, test_data_text("test-rsa2048.pem"));
  auto c = fwimage::parse_container(good);
  ASSERT_TRUE(c.ok());
  const fwimage::Tlv *t = c->find(fwimage::kTlvHashType);
  ASSERT_NE(t, nullptr);
  Bytes image = good;
  image[t->offset + 8] = 2;
  // Re-sign the modified header || TLVs with the same key.
  auto key = fwt::private_key(test_data_text("test-rsa2048.pem"));
  auto digest = fwimage::sha256(std::span<const uint8_t>(image.data(), c->signed_bytes.size()));
  auto sig = fwimage::sign_digest(digest, key);
  ASSERT_TRUE(sig.ok());
  std::memcpy(image.data() + c->signature_offset, sig->data(), sig->size());
  EXPECT_EQ(load(image), TEE_ERROR_NOT_SUPPORTED);
  expect_refused_and_clean();
}

}  // namespace
}  // namespace captee::ta::testing
