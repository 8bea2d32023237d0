// OP-TEE's signed TA format: what the dev kit signs verifies, an image signed
// outside captee (Python's struct and hashlib with the openssl command line,
// following the published layout) verifies, and every altered, truncated or
// foreign file is refused for its reason.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "captee/detail/little_endian.hpp"
#include "captee/fwimage/tools/sign_ta.hpp"
#include "captee/testing/test_keys.hpp"

namespace captee::fwimage {
namespace {

const std::array<uint8_t, 16> kUuid = {0xfd, 0xc0, 0xb0, 0x1c, 0x40, 0xf7, 0x46, 0xe5,
                                       0xae, 0xcb, 0x89, 0xd2, 0x65, 0x76, 0x12, 0x53};

std::span<const uint8_t> bytes_of(const std::string &s) {
  return {reinterpret_cast<const uint8_t *>(s.data()), s.size()};
}

PrivateKey private_key(int bits) {
  return PrivateKey::from_pem(bytes_of(testing::rsa_private_pem(bits)), "").value();
}

PublicKey public_key(int bits) {
  return private_key(bits).public_key().value();
}

std::vector<uint8_t> fake_elf(size_t n) {
  std::vector<uint8_t> elf(n);
  for (size_t i = 0; i < n; ++i) {
    elf[i] = static_cast<uint8_t>(i * 13 + 1);
  }
  elf[0] = 0x7f;
  elf[1] = 'E';
  elf[2] = 'L';
  elf[3] = 'F';
  return elf;
}

Result<size_t> verify(const std::vector<uint8_t> &file,
                      std::initializer_list<const PublicKey *> k) {
  auto ta = parse_signed_ta(file);
  if (!ta) {
    return ta.error();
  }
  std::vector<const PublicKey *> keys(k);
  return verify_signed_ta(ta.value(), keys);
}

TEST(SignedTa, SignedByTheDevKitVerifiesAndSaysWhichKey) {
  const auto elf = fake_elf(5000);
  for (uint32_t algo : {kTaAlgRsaPkcs1Sha256, kTaAlgRsaPssSha256}) {
    auto file = sign_ta(elf, kUuid, 7, algo, private_key(2048));
    ASSERT_TRUE(file) << file.error().message;
    auto ta = parse_signed_ta(file.value());
    ASSERT_TRUE(ta) << ta.error().message;
    EXPECT_EQ(ta->img_type, kShdrBootstrapTa);
    EXPECT_TRUE(ta->has_uuid);
    EXPECT_EQ(ta->uuid, kUuid);
    EXPECT_EQ(ta->ta_version, 7u);
    EXPECT_TRUE(std::equal(ta->image.begin(), ta->image.end(), elf.begin(), elf.end()));
    const PublicKey other = public_key(3072);
    const PublicKey signer = public_key(2048);
    auto index = verify(file.value(), {&other, &signer});
    ASSERT_TRUE(index) << index.error().message;
    EXPECT_EQ(index.value(), 1u) << "the second trusted key signed it";
  }
}

TEST(SignedTa, AnUntrustedKeyIsRefused) {
  auto file = sign_ta(fake_elf(100), kUuid, 0, kTaAlgRsaPkcs1Sha256, private_key(3072));
  ASSERT_TRUE(file);
  const PublicKey trusted = public_key(2048);
  auto r = verify(file.value(), {&trusted});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, TeeResult::kSignatureInvalid) << r.error().message;
  auto none = verify(file.value(), {});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, TeeResult::kNotSupported) << "no RSA key at all";
}

TEST(SignedTa, EveryFlippedByteIsCaught) {
  const auto good = sign_ta(fake_elf(300), kUuid, 1, kTaAlgRsaPssSha256, private_key(2048));
  ASSERT_TRUE(good);
  const PublicKey key = public_key(2048);
  // Header, hash, signature, bootstrap header and image: each one byte.
  for (size_t at : {size_t{4}, size_t{8}, size_t{12}, size_t{16}, size_t{20}, size_t{40},
                    size_t{60}, size_t{300}, size_t{20 + 32 + 256}, size_t{20 + 32 + 256 + 16},
                    size_t{20 + 32 + 256 + 20}, good->size() - 1}) {
    SCOPED_TRACE(at);
    auto file = good.value();
    file[at] ^= 0x01;
    auto r = verify(file, {&key});
    EXPECT_FALSE(r);
  }
}

TEST(SignedTa, MalformedFramingIsRefusedForItsReason) {
  const auto good = sign_ta(fake_elf(64), kUuid, 0, kTaAlgRsaPkcs1Sha256, private_key(2048));
  ASSERT_TRUE(good);
  auto code_of = [](std::vector<uint8_t> f) { return parse_signed_ta(f).error().code; };
  for (size_t n : {size_t{0}, size_t{3}, size_t{19}, size_t{20}, size_t{52}, good->size() - 1}) {
    SCOPED_TRACE(n);
    EXPECT_EQ(code_of({good->begin(), good->begin() + static_cast<long>(n)}),
              TeeResult::kBadFormat);
  }
  auto trailing = good.value();
  trailing.push_back(0);
  EXPECT_EQ(code_of(trailing), TeeResult::kBadFormat);
  auto huge = good.value();
  detail::store_le32(huge.data() + 8, 0xFFFFFFFF);
  EXPECT_EQ(code_of(huge), TeeResult::kBadFormat);
  auto sizes = good.value();
  detail::store_le16(sizes.data() + 16, 20);  // not SHA-256
  EXPECT_EQ(code_of(sizes), TeeResult::kBadFormat);
  auto encrypted = good.value();
  detail::store_le32(encrypted.data() + 4, kShdrEncryptedTa);
  EXPECT_EQ(code_of(encrypted), TeeResult::kNotSupported);
  auto subkey = good.value();
  detail::store_le32(subkey.data() + 4, kShdrSubkey);
  EXPECT_EQ(code_of(subkey), TeeResult::kNotSupported);
  auto algo = good.value();
  detail::store_le32(algo.data() + 12, 0x70006830);  // ECDSA: not OP-TEE's TA format
  EXPECT_EQ(code_of(algo), TeeResult::kNotSupported);
  EXPECT_FALSE(looks_like_signed_ta(fake_elf(64)));
  EXPECT_TRUE(looks_like_signed_ta(good.value()));
}

// The same layout made without captee's code: Python's struct and hashlib
// build the header and hash, the openssl command line signs the digest.
TEST(SignedTa, AnImageSignedOutsideCapteeVerifies) {
  const std::string dir = ::testing::TempDir() + "signed_ta_outside";
  std::filesystem::create_directories(dir);
  const std::string key = dir + "/key.pem";
  std::ofstream(key) << testing::rsa_private_pem(2048);
  const auto elf = fake_elf(777);
  std::ofstream(dir + "/ta.elf", std::ios::binary)
      .write(reinterpret_cast<const char *>(elf.data()), static_cast<std::streamsize>(elf.size()));
  const std::string script = R"PY(
import hashlib, struct, subprocess, sys, uuid
d = sys.argv[1]
img = open(d + "/ta.elf", "rb").read()
u = uuid.UUID("fdc0b01c-40f7-46e5-aecb-89d265761253").bytes
boot = u + struct.pack("<I", 3)
sig_len = 256
for name, algo, opts in (("pkcs1", 0x70004830, []),
                         ("pss", 0x70414930, ["-pkeyopt", "rsa_padding_mode:pss",
                                              "-pkeyopt", "rsa_pss_saltlen:32"])):
    shdr = struct.pack("<IIIIHH", 0x4f545348, 1, len(img), algo, 32, sig_len)
    h = hashlib.sha256(shdr + boot + img).digest()
    open(d + "/digest", "wb").write(h)
    subprocess.run(["openssl", "pkeyutl", "-sign", "-inkey", d + "/key.pem", "-in", d + "/digest",
                    "-out", d + "/sig", "-pkeyopt", "digest:sha256"] + opts, check=True)
    sig = open(d + "/sig", "rb").read()
    assert len(sig) == sig_len
    open(d + "/ta." + name, "wb").write(shdr + h + sig + boot + img)
)PY";
  std::ofstream(dir + "/sign.py") << script;
  ASSERT_EQ(std::system(("python3 " + dir + "/sign.py " + dir).c_str()), 0);
  auto read = [&](const std::string &name) {
    std::ifstream in(dir + "/ta." + name, std::ios::binary);
    return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)),
                                std::istreambuf_iterator<char>());
  };
  const PublicKey k = public_key(2048);
  for (const char *name : {"pkcs1", "pss"}) {
    SCOPED_TRACE(name);
    const auto file = read(name);
    auto r = verify(file, {&k});
    ASSERT_TRUE(r) << r.error().message;
    auto ta = parse_signed_ta(file);
    EXPECT_EQ(ta->ta_version, 3u);
    EXPECT_EQ(ta->uuid, kUuid);
  }
  // captee's signer writes the same bytes for PKCS#1 v1.5 (deterministic).
  auto ours = sign_ta(elf, kUuid, 3, kTaAlgRsaPkcs1Sha256, private_key(2048));
  ASSERT_TRUE(ours);
  EXPECT_EQ(ours.value(), read("pkcs1"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace captee::fwimage

namespace captee::fwimage {
namespace {

// captee-sign ta / ta-verify, as the dev kit runs them.
TEST(SignedTaCli, SignsAndVerifiesAndRefusesAnotherKey) {
  const std::string dir = ::testing::TempDir() + "signed_ta_cli";
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/key.pem") << testing::rsa_private_pem(2048);
  std::ofstream(dir + "/other.pem") << testing::rsa_private_pem(3072);
  const auto elf = fake_elf(900);
  std::ofstream(dir + "/ta.elf", std::ios::binary)
      .write(reinterpret_cast<const char *>(elf.data()), static_cast<std::streamsize>(elf.size()));
  const std::string sign = std::string(CAPTEE_SIGN_BIN) + " ta --key " + dir +
                           "/key.pem --uuid FDC0B01C-40f7-46e5-aecb-89d265761253 --ta-version 9 "
                           "--algo TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA256 --in " +
                           dir + "/ta.elf --out " + dir + "/ta.signed";
  ASSERT_EQ(std::system(sign.c_str()), 0);
  const std::string verify = std::string(CAPTEE_SIGN_BIN) + " ta-verify --pubkey ";
  EXPECT_EQ(std::system((verify + dir + "/key.pem " + dir + "/ta.signed >/dev/null").c_str()), 0);
  EXPECT_NE(std::system((verify + dir + "/other.pem " + dir + "/ta.signed 2>/dev/null").c_str()),
            0);
  EXPECT_NE(std::system((std::string(CAPTEE_SIGN_BIN) + " ta --key " + dir +
                         "/key.pem --uuid not-a-uuid --in " + dir + "/ta.elf --out " + dir +
                         "/x 2>/dev/null")
                            .c_str()),
            0);
  std::ifstream in(dir + "/ta.signed", std::ios::binary);
  std::vector<uint8_t> file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto ta = parse_signed_ta(file);
  ASSERT_TRUE(ta) << ta.error().message;
  EXPECT_EQ(ta->uuid, kUuid) << "upper-case hex is read as the same UUID";
  EXPECT_EQ(ta->ta_version, 9u);
  EXPECT_EQ(ta->algo, kTaAlgRsaPssSha256);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace captee::fwimage
