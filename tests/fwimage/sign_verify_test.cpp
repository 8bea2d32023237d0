#include <gtest/gtest.h>

#include "captee/fwimage/tools/sign.hpp"
#include "captee/fwimage/signed_image.hpp"
#include "captee/fwimage/verify.hpp"
#include "test_support.hpp"

namespace captee::fwimage {
namespace {

using testing::as_bytes;
using testing::ec_private_pem;
using testing::encrypted_pem;
using testing::private_key;
using testing::public_key;
using testing::public_pem_of;
using testing::read_bytes;
using testing::rproc_data;
using testing::rsa_private_pem;
using testing::small_firmware;

SignRequest request_for(const std::vector<std::span<const uint8_t>> &images, uint8_t sign_type) {
  SignRequest r;
  r.images = images;
  r.sign_type = sign_type;
  return r;
}

class RsaSizes : public ::testing::TestWithParam<int> {};

TEST_P(RsaSizes, SignThenVerify) {
  const std::string &pem = rsa_private_pem(GetParam());
  const auto elf = small_firmware();
  auto signed_image = sign_images(request_for({elf}, kSignTypeRsaPkcs1Sha256), private_key(pem));
  ASSERT_TRUE(signed_image.ok()) << signed_image.error().message;
  auto parsed = parse_signed_image(signed_image.value());
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->container.header.sign_len, static_cast<uint32_t>(GetParam() / 8));
  auto v = verify_signed_image(signed_image.value(), public_key(public_pem_of(pem)));
  EXPECT_TRUE(v.ok()) << v.error().message;
  // A flipped signature bit is refused.
  auto bad = signed_image.value();
  bad[parsed->container.signature_offset + 17] ^= 0x10;
  auto other = verify_signed_image(bad, public_key(public_pem_of(pem)));
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, TeeResult::kSignatureInvalid);
  EXPECT_EQ(other.error().message, "signature: verification failed");
  if (GetParam() == 2048) {
    // Another key of the same size (OP-TEE's test key) is refused too.
    auto foreign = verify_signed_image(
        signed_image.value(),
        PublicKey::from_pem(read_bytes(rproc_data("test-rsa2048.pub.pem"))).value());
    ASSERT_FALSE(foreign.ok());
    EXPECT_EQ(foreign.error().code, TeeResult::kSignatureInvalid);
  }
}

INSTANTIATE_TEST_SUITE_P(Fwimage, RsaSizes, ::testing::Values(2048, 3072, 4096));

TEST(SignVerify, OddRsaModulusPadsTheSignature) {
  // A 1032-bit modulus makes 129-byte signatures: 7 bytes of padding follow.
  const std::string &pem = rsa_private_pem(1032);
  const auto elf = small_firmware();
  auto out = sign_images(request_for({elf}, kSignTypeRsaPkcs1Sha256), private_key(pem));
  ASSERT_TRUE(out.ok()) << out.error().message;
  auto v = verify_signed_image(out.value(), public_key(public_pem_of(pem)));
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(v->container.header.sign_len, 129u);
  const size_t pad_start = v->container.signature_offset + 129;
  EXPECT_EQ(v->container.image_area_offset, pad_start + 7);
  EXPECT_EQ(v->container.image_area_offset % 8, 4u);
  for (size_t i = pad_start; i < pad_start + 7; ++i) {
    EXPECT_EQ(out.value()[i], 0);
  }
}

TEST(SignVerify, EcdsaP256) {
  const auto elf = small_firmware();
  const std::string &pem = ec_private_pem();
  auto signed_image = sign_images(request_for({elf}, kSignTypeEcdsaP256Sha256), private_key(pem));
  ASSERT_TRUE(signed_image.ok()) << signed_image.error().message;
  auto parsed = parse_signed_image(signed_image.value());
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->container.header.sign_len, 64u);
  EXPECT_EQ(parsed->sign_type, kSignTypeEcdsaP256Sha256);
  auto v = verify_signed_image(signed_image.value(), public_key(public_pem_of(pem)));
  EXPECT_TRUE(v.ok()) << v.error().message;
  // The RSA key cannot verify an ECDSA image.
  auto wrong =
      verify_signed_image(signed_image.value(), public_key(public_pem_of(rsa_private_pem(2048))));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().message, "signature: SIGNTYPE is ECDSA P-256 but the key is RSA");
}

TEST(SignVerify, OpteeSignedImagesVerify) {
  const auto rsa_pub = read_bytes(rproc_data("test-rsa2048.pub.pem"));
  const auto ec_pub = read_bytes(rproc_data("test-p256.pub.pem"));
  auto rsa = verify_signed_image(read_bytes(rproc_data("sample-m4.rsa2048.sig")),
                                 PublicKey::from_pem(rsa_pub).value());
  EXPECT_TRUE(rsa.ok()) << rsa.error().message;
  // Same with the head copied apart from the images, as the TA does.
  const auto rsa_file = read_bytes(rproc_data("sample-m4.rsa2048.sig"));
  const std::vector<uint8_t> head(rsa_file.begin(), rsa_file.begin() + 492);
  auto split = verify_signed_image(head, std::span<const uint8_t>(rsa_file).subspan(492),
                                   PublicKey::from_pem(rsa_pub).value());
  EXPECT_TRUE(split.ok()) << split.error().message;
  auto ec = verify_signed_image(read_bytes(rproc_data("sample-m4.p256.sig")),
                                PublicKey::from_pem(ec_pub).value());
  EXPECT_TRUE(ec.ok()) << ec.error().message;
  // Swapped keys are refused.
  auto swapped = verify_signed_image(read_bytes(rproc_data("sample-m4.p256.sig")),
                                     PublicKey::from_pem(rsa_pub).value());
  EXPECT_FALSE(swapped.ok());
}

TEST(SignVerify, ByteIdenticalToTheOpteeScript) {
  const auto elf = read_bytes(rproc_data("sample-m4.elf"));
  const auto pem = read_bytes(rproc_data("test-rsa2048.pem"));
  auto key = PrivateKey::from_pem(pem, {});
  ASSERT_TRUE(key.ok()) << key.error().message;
  auto out = sign_images(request_for({elf}, kSignTypeRsaPkcs1Sha256), key.value());
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out.value(), read_bytes(rproc_data("sample-m4.rsa2048.sig")));
}

TEST(SignVerify, OpteeEcdsaImageHasTheSameTlvsAsOurs) {
  // ECDSA is randomised, but everything before the signature is deterministic.
  const auto elf = read_bytes(rproc_data("sample-m4.elf"));
  const auto theirs = read_bytes(rproc_data("sample-m4.p256.sig"));
  auto ours =
      sign_images(request_for({elf}, kSignTypeEcdsaP256Sha256),
                  PrivateKey::from_pem(read_bytes(rproc_data("test-p256.pem")), {}).value());
  ASSERT_TRUE(ours.ok());
  ASSERT_EQ(ours->size(), theirs.size());
  const size_t signature_offset = 20 + 216;
  EXPECT_TRUE(std::equal(theirs.begin(), theirs.begin() + signature_offset, ours->begin()));
  EXPECT_TRUE(std::equal(theirs.begin() + signature_offset + 64, theirs.end(),
                         ours->begin() + signature_offset + 64));
}

TEST(SignVerify, MultiImageWithKeyInfoAndPlatformTlvs) {
  const auto a = small_firmware(0x11);
  testing::FakeElf spec;
  spec.segments.push_back({1, 0x20000, std::vector<uint8_t>(37, 0x22), 64});
  spec.segments.push_back({4, 0, std::vector<uint8_t>(5, 0x33), 0});  // PT_NOTE, hashed too
  const auto b = testing::build_elf(spec);
  SignRequest r = request_for({a, b}, kSignTypeRsaPkcs1Sha256);
  r.key_info = std::vector<uint8_t>{'k', 'e', 'y', '-', '1'};
  add_platform_tlv(r.platform_tlvs, parse_platform_tlv("0x10000", "0x1234").value());
  add_platform_tlv(r.platform_tlvs, parse_platform_tlv("65537", "board-rev-b").value());
  const std::string &pem = rsa_private_pem(2048);
  auto out = sign_images(r, private_key(pem));
  ASSERT_TRUE(out.ok()) << out.error().message;
  auto v = verify_signed_image(out.value(), public_key(public_pem_of(pem)));
  ASSERT_TRUE(v.ok()) << v.error().message;
  ASSERT_EQ(v->images.size(), 2u);
  EXPECT_EQ(v->images[0].segments.size(), 2u);
  EXPECT_EQ(v->images[1].segments.size(), 2u);
  EXPECT_EQ(v->images[1].offset % 8, 4u);  // images start at 4 mod 8
  EXPECT_EQ(v->images[1].segments[0].phdr.paddr, 0x20000u);
  EXPECT_EQ(v->container.tlvs.size(), 9u);
  EXPECT_EQ(v->container.tlvs[6].type, kTlvPkeyInfo);
  EXPECT_EQ(std::string(v->key_info.begin(), v->key_info.end()), "key-1");
  ASSERT_EQ(v->platform_tlvs.size(), 2u);
  EXPECT_EQ(v->platform_tlvs[0].type, 0x10000u);
  EXPECT_EQ(
      std::vector<uint8_t>(v->platform_tlvs[0].value.begin(), v->platform_tlvs[0].value.end()),
      (std::vector<uint8_t>{0x34, 0x12, 0, 0}));
  EXPECT_EQ(v->platform_tlvs[1].type, 0x10001u);
  EXPECT_EQ(std::string(v->platform_tlvs[1].value.begin(), v->platform_tlvs[1].value.end()),
            "board-rev-b");
  ASSERT_TRUE(v->resource_table.has_value());
  EXPECT_EQ(v->resource_table->image, 0u);
}

TEST(SignVerify, SegmentHashIsCheckedPerImage) {
  // Two images whose segments share a paddr: upstream matches the first entry
  // with that paddr; captee binds each image to its own entries.
  testing::FakeElf spec;
  spec.segments.push_back({1, 0x3000, std::vector<uint8_t>(16, 0x44), 0});
  const auto first = testing::build_elf(spec);
  spec.segments[0].data.assign(16, 0x55);
  const auto second = testing::build_elf(spec);
  const std::string &pem = rsa_private_pem(2048);
  auto out = sign_images(request_for({first, second}, kSignTypeRsaPkcs1Sha256), private_key(pem));
  ASSERT_TRUE(out.ok()) << out.error().message;
  auto parsed = parse_signed_image(out.value());
  ASSERT_TRUE(parsed.ok());
  // Tamper with the second image's segment byte.
  auto tampered = out.value();
  tampered[parsed->images[1].offset + parsed->images[1].segments[0].phdr.offset] ^= 1;
  auto v = verify_signed_image(tampered, public_key(public_pem_of(pem)));
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, TeeResult::kSecurity);
  EXPECT_EQ(v.error().message, "segment 0 of image 1: hash mismatch");
}

TEST(SignVerify, EncryptedPemKeys) {
  const std::string &pem = rsa_private_pem(2048);
  const auto elf = small_firmware();
  for (bool pkcs8 : {true, false}) {
    const std::string enc = encrypted_pem(pem, "s3cret", pkcs8);
    ASSERT_NE(enc.find("ENCRYPTED"), std::string::npos);
    auto no_pass = PrivateKey::from_pem(as_bytes(enc), {});
    ASSERT_FALSE(no_pass.ok());
    EXPECT_EQ(no_pass.error().message,
              "private key: the PEM is encrypted and no passphrase was given");
    auto wrong = PrivateKey::from_pem(as_bytes(enc), "nope");
    ASSERT_FALSE(wrong.ok());
    EXPECT_EQ(wrong.error().message,
              "private key: cannot decrypt the PEM with the given passphrase");
    auto key = PrivateKey::from_pem(as_bytes(enc), "s3cret");
    ASSERT_TRUE(key.ok()) << key.error().message;
    auto out = sign_images(request_for({elf}, kSignTypeRsaPkcs1Sha256), key.value());
    ASSERT_TRUE(out.ok());
    EXPECT_TRUE(verify_signed_image(out.value(), public_key(public_pem_of(pem))).ok());
  }
}

TEST(SignVerify, KeyErrors) {
  auto pub_as_private = PrivateKey::from_pem(as_bytes(public_pem_of(rsa_private_pem(2048))), {});
  ASSERT_FALSE(pub_as_private.ok());
  EXPECT_EQ(pub_as_private.error().message,
            "private key: the PEM holds a public key, signing needs a private key");
  auto garbage = PublicKey::from_pem(as_bytes("hello"));
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.error().message, "public key: not a PEM RSA or EC key");
  // A private-key PEM also yields its public key.
  EXPECT_TRUE(PublicKey::from_pem(as_bytes(rsa_private_pem(2048))).ok());

  const auto elf = small_firmware();
  auto mismatch =
      sign_images(request_for({elf}, kSignTypeEcdsaP256Sha256), private_key(rsa_private_pem(2048)));
  ASSERT_FALSE(mismatch.ok());
  EXPECT_EQ(mismatch.error().message, "private key: key type ECC was asked for but the key is RSA");
}

TEST(SignVerify, RefusesNonArmAndNonElfInputs) {
  testing::FakeElf spec;
  spec.machine = 62;
  spec.segments.push_back({1, 0, std::vector<uint8_t>(4, 1), 0});
  const auto x86 = testing::build_elf(spec);
  auto out =
      sign_images(request_for({x86}, kSignTypeRsaPkcs1Sha256), private_key(rsa_private_pem(2048)));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().message, "image 0: ELF: e_machine is 62, expected 40 (ARM)");
  auto elf64 = small_firmware();
  elf64[4] = 2;
  out = sign_images(request_for({elf64}, kSignTypeRsaPkcs1Sha256),
                    private_key(rsa_private_pem(2048)));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().message, "image 0: ELF: not ELFCLASS32 (EI_CLASS is 2)");
}

TEST(PlatformTlv, ScriptRules) {
  auto v = parse_platform_tlv("0x10000", "0xdeadbeef");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->type, 0x10000u);
  EXPECT_EQ(v->value, (std::vector<uint8_t>{0xef, 0xbe, 0xad, 0xde}));
  v = parse_platform_tlv("0x1ffff", "0X10");  // only a lowercase 0x marks an integer
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->value, (std::vector<uint8_t>{'0', 'X', '1', '0'}));
  v = parse_platform_tlv("0o200000", "caf\xc3\xa9");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->type, 0x10000u);
  EXPECT_EQ(v->value.size(), 5u);
  v = parse_platform_tlv("0b1_0000_0000_0000_0001", "");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->type, 0x10001u);
  EXPECT_TRUE(v->value.empty());
  EXPECT_FALSE(parse_platform_tlv("0x20000", "x").ok());
  EXPECT_FALSE(parse_platform_tlv("0xffff", "x").ok());
  EXPECT_FALSE(parse_platform_tlv("065536", "x").ok());  // Python rejects leading zeros
  EXPECT_FALSE(parse_platform_tlv("sixty", "x").ok());
  EXPECT_FALSE(parse_platform_tlv("0x10000", "0x").ok());
  EXPECT_FALSE(parse_platform_tlv("0x10000", "0x100000000").ok());
  EXPECT_FALSE(parse_platform_tlv("0x10000", "0xfg").ok());
  EXPECT_EQ(parse_platform_tlv("0x10000", "0xfg").error().message,
            "platform TLV value '0xfg' is not a 32-bit hexadecimal integer");
  EXPECT_EQ(parse_platform_tlv("0x20000", "x").error().message,
            "platform TLV ID 0x20000 is not in the platform range 0x10000..0x1ffff");
}

TEST(PlatformTlv, RepeatedIdKeepsFirstPositionAndLastValue) {
  std::vector<PlatformTlv> list;
  add_platform_tlv(list, parse_platform_tlv("0x10002", "a").value());
  add_platform_tlv(list, parse_platform_tlv("0x10001", "b").value());
  add_platform_tlv(list, parse_platform_tlv("0x10002", "c").value());
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].type, 0x10002u);
  EXPECT_EQ(list[0].value, (std::vector<uint8_t>{'c'}));
  EXPECT_EQ(list[1].type, 0x10001u);
}

}  // namespace
}  // namespace captee::fwimage
