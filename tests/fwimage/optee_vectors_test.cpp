// Multi-image bundles with key info and platform TLVs, as OP-TEE's own script
// signs them (tests/fwimage/data/optee/README.md says how they were made).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "captee/fwimage/tools/sign.hpp"
#include "captee/fwimage/verify.hpp"
#include "test_support.hpp"

namespace captee::fwimage {
namespace {

using testing::read_bytes;
using testing::rproc_data;

std::string vector_path(const std::string &name) {
  return std::string(CAPTEE_FWIMAGE_VECTORS) + "/" + name;
}

// The request that matches the script's command line in the README.
SignRequest multi_request(const std::vector<uint8_t> &a, const std::vector<uint8_t> &b,
                          const std::vector<uint8_t> &key_info, uint8_t sign_type) {
  SignRequest r;
  r.images = {a, b};
  r.sign_type = sign_type;
  r.key_info = key_info;
  const std::pair<const char *, const char *> tlvs[] = {
      {"0x10001", "0x0"}, {"0x10002", "stm32mp15"}, {"0x10003", "0x1"}, {"0x10003", "0x2"}};
  for (const auto &[id, value] : tlvs) {
    auto tlv = parse_platform_tlv(id, value);
    EXPECT_TRUE(tlv.ok());
    add_platform_tlv(r.platform_tlvs, tlv.value());
  }
  return r;
}

class OpteeVectors : public ::testing::Test {
 protected:
  std::vector<uint8_t> sample_ = read_bytes(rproc_data("sample-m4.elf"));
  std::vector<uint8_t> companion_ = read_bytes(vector_path("companion.elf"));
  std::vector<uint8_t> key_info_ = read_bytes(vector_path("key-info.bin"));
};

TEST_F(OpteeVectors, BothSignaturesVerifyAndDecodeAsTheScriptWroteThem) {
  const std::pair<const char *, const char *> cases[] = {
      {"multi.rsa2048.sig", "test-rsa2048.pub.pem"}, {"multi.p256.sig", "test-p256.pub.pem"}};
  for (const auto &[file, pub] : cases) {
    SCOPED_TRACE(file);
    const auto signed_file = read_bytes(vector_path(file));
    auto key = PublicKey::from_pem(read_bytes(rproc_data(pub)));
    ASSERT_TRUE(key.ok());
    auto parsed = verify_signed_image(signed_file, key.value());
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    ASSERT_EQ(parsed->images.size(), 2u);
    EXPECT_EQ(std::vector<uint8_t>(parsed->key_info.begin(), parsed->key_info.end()), key_info_);
    ASSERT_EQ(parsed->platform_tlvs.size(), 3u) << "a repeated ID collapses into one record";
    EXPECT_EQ(parsed->platform_tlvs[0].type, 0x10001u);
    EXPECT_EQ(parsed->platform_tlvs[1].type, 0x10002u);
    EXPECT_EQ(
        std::string(parsed->platform_tlvs[1].value.begin(), parsed->platform_tlvs[1].value.end()),
        "stm32mp15");
    EXPECT_EQ(parsed->platform_tlvs[2].type, 0x10003u) << "first position, last value";
    EXPECT_EQ(std::vector<uint8_t>(parsed->platform_tlvs[2].value.begin(),
                                   parsed->platform_tlvs[2].value.end()),
              (std::vector<uint8_t>{2, 0, 0, 0}));
    ASSERT_TRUE(parsed->resource_table.has_value());
    // Each image keeps its own segment hashes: swapping the images' bytes breaks them.
    EXPECT_TRUE(verify_segment_hashes(parsed.value()).ok());
  }
}

TEST_F(OpteeVectors, RsaSigningIsByteIdenticalToTheScript) {
  auto key = PrivateKey::from_pem(read_bytes(rproc_data("test-rsa2048.pem")), {});
  ASSERT_TRUE(key.ok()) << key.error().message;
  auto ours = sign_images(multi_request(sample_, companion_, key_info_, kSignTypeRsaPkcs1Sha256),
                          key.value());
  ASSERT_TRUE(ours.ok()) << ours.error().message;
  EXPECT_EQ(ours.value(), read_bytes(vector_path("multi.rsa2048.sig")));
}

TEST_F(OpteeVectors, EcdsaSigningMatchesTheScriptOutsideTheRandomisedSignature) {
  auto key = PrivateKey::from_pem(read_bytes(rproc_data("test-p256.pem")), {});
  ASSERT_TRUE(key.ok());
  auto ours = sign_images(multi_request(sample_, companion_, key_info_, kSignTypeEcdsaP256Sha256),
                          key.value());
  ASSERT_TRUE(ours.ok()) << ours.error().message;
  const auto theirs = read_bytes(vector_path("multi.p256.sig"));
  ASSERT_EQ(ours->size(), theirs.size());
  auto container = parse_container(theirs);
  ASSERT_TRUE(container.ok());
  const size_t signature_at = 20 + container->header.tlv_len;
  EXPECT_TRUE(std::equal(theirs.begin(), theirs.begin() + signature_at, ours->begin()));
  EXPECT_TRUE(std::equal(theirs.begin() + signature_at + 64, theirs.end(),
                         ours->begin() + signature_at + 64));
  EXPECT_FALSE(std::equal(theirs.begin() + signature_at, theirs.begin() + signature_at + 64,
                          ours->begin() + signature_at))
      << "ECDSA signatures are randomised";
}

TEST_F(OpteeVectors, TheCliIsADropInForTheScript) {
  const std::string out = ::testing::TempDir() + "/captee-multi.sig";
  const std::string cmd = std::string(CAPTEE_SIGN_BIN) + " --in " + rproc_data("sample-m4.elf") +
                          " --in " + vector_path("companion.elf") + " --out " + out + " --key " +
                          rproc_data("test-rsa2048.pem") + " --key_type RSA --key_info " +
                          vector_path("key-info.bin") +
                          " --plat-tlv 0x10001 0x0 --plat-tlv 0x10002 stm32mp15"
                          " --plat-tlv 0x10003 0x1 --plat-tlv 0x10003 0x2";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  EXPECT_EQ(read_bytes(out), read_bytes(vector_path("multi.rsa2048.sig")));
  std::remove(out.c_str());
}

TEST_F(OpteeVectors, TamperingWithAnyPartIsRejected) {
  auto key = PublicKey::from_pem(read_bytes(rproc_data("test-rsa2048.pub.pem")));
  ASSERT_TRUE(key.ok());
  const auto original = read_bytes(vector_path("multi.rsa2048.sig"));
  auto container = parse_container(original);
  ASSERT_TRUE(container.ok());
  const size_t tlv_at = 20, sig_at = 20 + container->header.tlv_len;
  const size_t images_at = sig_at + container->header.sign_len;
  // The platform TLV value, the key info, the signature, and a byte of image 1's code.
  const size_t companion_code = images_at + ((sample_.size() + 7) & ~size_t{7}) + 0x1000 + 8;
  for (size_t offset : {tlv_at + 8, sig_at - 8, sig_at + 10, companion_code}) {
    SCOPED_TRACE(offset);
    auto bad = original;
    bad[offset] ^= 0x40;
    EXPECT_FALSE(verify_signed_image(bad, key.value()).ok());
  }
}

}  // namespace
}  // namespace captee::fwimage
