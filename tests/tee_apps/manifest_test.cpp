#include "captee/tee/apps/manifest.hpp"

#include <gtest/gtest.h>

#include <random>

#include "captee/ta_sdk.h"
#include "harness.hpp"

namespace captee::tee::apps {
namespace {

TEST(Manifest, ReadsTheBuiltTa) {
  auto elf = testing::read_file(CAPTEE_TEST_TA);
  ASSERT_FALSE(elf.empty());
  std::string why;
  auto m = read_manifest(elf, &why);
  ASSERT_TRUE(m) << why;
  EXPECT_EQ(m->name, "captee_test_ta");
  EXPECT_EQ(m->uuid_string(), "6a1c0de0-7e57-4a11-8001-000000000001");
  EXPECT_EQ(m->flags, CAPTEE_TA_FLAG_MULTI_SESSION);
  EXPECT_EQ(m->deadline_ms, 1000u);
  EXPECT_EQ(m->memory_limit, 32ull << 20);
  EXPECT_FALSE(m->single_instance());
  EXPECT_FALSE(m->keep_alive());
}

TEST(Manifest, RejectsTruncatedImages) {
  auto elf = testing::read_file(CAPTEE_TEST_TA);
  size_t rejected = 0;
  for (size_t len = 0; len < elf.size(); len += 97) {
    std::string why;
    if (!read_manifest(std::span(elf).first(len), &why)) {
      EXPECT_FALSE(why.empty());
      ++rejected;
    }
  }
  EXPECT_GT(rejected, 0u);
  EXPECT_FALSE(read_manifest({}));
}

TEST(Manifest, SurvivesCorruption) {
  auto elf = testing::read_file(CAPTEE_TEST_TA);
  std::mt19937 rng(5);
  for (int round = 0; round < 2000; ++round) {
    auto copy = elf;
    for (int i = 0; i < 4; ++i) {
      // Aim at the ELF and section headers, where the parser looks.
      size_t pos = (round % 2 == 0) ? rng() % 64 : copy.size() - 1 - rng() % 2048;
      copy[pos] = static_cast<std::byte>(rng());
    }
    (void)read_manifest(copy);
  }
}

TEST(Manifest, RejectsBadFieldsInTheSection) {
  auto elf = testing::read_file(CAPTEE_TEST_TA);
  // Find the manifest by its magic and break each field in turn.
  const uint32_t magic = CAPTEE_TA_MANIFEST_MAGIC;
  size_t at = 0;
  for (; at + sizeof magic <= elf.size(); ++at) {
    if (std::memcmp(elf.data() + at, &magic, sizeof magic) == 0) {
      break;
    }
  }
  ASSERT_LT(at + sizeof(captee_ta_manifest), elf.size());
  auto with = [&](size_t off, uint8_t v) {
    auto copy = elf;
    copy[at + off] = static_cast<std::byte>(v);
    return read_manifest(copy);
  };
  EXPECT_FALSE(with(offsetof(captee_ta_manifest, magic), 0));
  EXPECT_FALSE(with(offsetof(captee_ta_manifest, version), 9));
  EXPECT_FALSE(with(offsetof(captee_ta_manifest, name), 0));
  EXPECT_FALSE(with(offsetof(captee_ta_manifest, name) + 1, '/'));
  EXPECT_FALSE(with(offsetof(captee_ta_manifest, flags), 0x80));
  EXPECT_FALSE(with(offsetof(captee_ta_manifest, reserved) + 3, 1));
  EXPECT_TRUE(with(offsetof(captee_ta_manifest, deadline_ms), 7));
}

}  // namespace
}  // namespace captee::tee::apps
