// verify_signed_head: the signed head against a set of trusted keys, as the
// remoteproc TA checks every image, and which key signed it.
#include <gtest/gtest.h>

#include <vector>

#include "captee/fwimage/signed_image.hpp"
#include "captee/fwimage/tools/sign.hpp"
#include "captee/fwimage/verify.hpp"
#include "test_support.hpp"

namespace captee::fwimage {
namespace {

using testing::ec_private_pem;
using testing::private_key;
using testing::public_key;
using testing::public_pem_of;
using testing::read_bytes;
using testing::rproc_data;
using testing::rsa_private_pem;
using testing::small_firmware;

std::vector<uint8_t> signed_with(const std::string &private_pem) {
  const auto elf = small_firmware();
  SignRequest r;
  r.images.emplace_back(elf);
  const PrivateKey key = private_key(private_pem);
  r.sign_type =
      key.algorithm() == KeyAlgorithm::kRsa ? kSignTypeRsaPkcs1Sha256 : kSignTypeEcdsaP256Sha256;
  auto out = sign_images(r, key);
  EXPECT_TRUE(out.ok()) << out.error().message;
  return out.ok() ? std::move(out).value() : std::vector<uint8_t>{};
}

std::vector<PublicKey> trust(const std::vector<std::string> &private_pems) {
  std::vector<PublicKey> keys;
  for (const std::string &pem : private_pems) {
    keys.push_back(public_key(public_pem_of(pem)));
  }
  return keys;
}

Result<size_t> signer_of(const std::vector<uint8_t> &image, const std::vector<PublicKey> &keys) {
  auto c = parse_container(image);
  if (!c) {
    return c.error();
  }
  return verify_signed_head(c.value(), keys);
}

TEST(TrustedKeys, SignedByTheSecondOfTwoKeysReturnsItsIndex) {
  // Same algorithm and size: the first key is tried and fails, the second holds.
  const std::string &first = rsa_private_pem(3072);
  const std::string &second = rsa_private_pem(2048);
  std::vector<PublicKey> keys = trust({first, second});
  keys.insert(keys.begin(),
              PublicKey::from_pem(read_bytes(rproc_data("test-rsa2048.pub.pem"))).value());
  auto by_second = signer_of(signed_with(second), keys);
  ASSERT_TRUE(by_second.ok()) << by_second.error().message;
  EXPECT_EQ(by_second.value(), 2u);
  auto by_first = signer_of(signed_with(first), keys);
  ASSERT_TRUE(by_first.ok()) << by_first.error().message;
  EXPECT_EQ(by_first.value(), 1u);
}

TEST(TrustedKeys, TheSignTypePicksTheKeyAmongMixedAlgorithms) {
  const std::vector<PublicKey> keys = trust({ec_private_pem(), rsa_private_pem(2048)});
  auto rsa = signer_of(signed_with(rsa_private_pem(2048)), keys);
  ASSERT_TRUE(rsa.ok()) << rsa.error().message;
  EXPECT_EQ(rsa.value(), 1u);
  auto ec = signer_of(signed_with(ec_private_pem()), keys);
  ASSERT_TRUE(ec.ok()) << ec.error().message;
  EXPECT_EQ(ec.value(), 0u);
}

TEST(TrustedKeys, AnUntrustedKeyIsRefusedNamingTheTrustedOnes) {
  const std::vector<PublicKey> keys = trust({rsa_private_pem(2048), ec_private_pem()});
  auto untrusted = signer_of(signed_with(rsa_private_pem(3072)), keys);
  ASSERT_FALSE(untrusted.ok());
  EXPECT_EQ(untrusted.error().code, TeeResult::kSignatureInvalid);
  EXPECT_EQ(untrusted.error().message,
            "signature: the image (RSA, 384-byte signature) is not signed by any provisioned "
            "key; provisioned: " +
                keys[0].fingerprint() + ", " + keys[1].fingerprint());
  // A trusted key's image with one signature bit flipped is refused the same way.
  std::vector<uint8_t> tampered = signed_with(rsa_private_pem(2048));
  auto c = parse_container(tampered);
  ASSERT_TRUE(c.ok());
  tampered[c->signature_offset + 9] ^= 0x04;
  auto flipped = signer_of(tampered, keys);
  ASSERT_FALSE(flipped.ok());
  EXPECT_EQ(flipped.error().code, TeeResult::kSignatureInvalid);
}

TEST(TrustedKeys, NoTrustedKeyRefusesEverything) {
  auto none = signer_of(signed_with(ec_private_pem()), {});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, TeeResult::kSignatureInvalid);
  EXPECT_EQ(none.error().message,
            "signature: the image (EC-P256, 64-byte signature) is not signed by any provisioned "
            "key; provisioned: none");
}

TEST(TrustedKeys, AnUnsupportedSignTypeIsRefusedBeforeAnyKeyIsTried) {
  std::vector<uint8_t> image = signed_with(rsa_private_pem(2048));
  auto c = parse_container(image);
  ASSERT_TRUE(c.ok());
  image[c->find(kTlvSignType)->offset + 8] = 3;
  auto refused = signer_of(image, trust({rsa_private_pem(2048)}));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, TeeResult::kNotSupported);
  EXPECT_EQ(refused.error().message, "SIGNTYPE 3 is not supported");
}

TEST(TrustedKeys, FingerprintNamesTheAlgorithmAndTheDerDigest) {
  const PublicKey rsa = public_key(public_pem_of(rsa_private_pem(2048)));
  EXPECT_EQ(rsa.fingerprint().rfind("RSA-2048 sha256:", 0), 0u) << rsa.fingerprint();
  EXPECT_EQ(rsa.fingerprint().size(), 16u + 64u);
  const PublicKey ec = public_key(public_pem_of(ec_private_pem()));
  EXPECT_EQ(ec.fingerprint().rfind("EC-P256 sha256:", 0), 0u) << ec.fingerprint();
  // The public half of a private key is the same key, with the same name.
  EXPECT_EQ(private_key(ec_private_pem()).public_key().value().fingerprint(), ec.fingerprint());
}

}  // namespace
}  // namespace captee::fwimage
