// gpd.tee.deviceID as capteed keeps it (include/captee/tee/device_id.hpp):
// made once, read back the same, and a damaged file refused rather than
// silently replaced (TAs would see another device).
#include "captee/tee/device_id.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace captee::tee {
namespace {

class DeviceIdTest : public ::testing::Test {
 protected:
  DeviceIdTest() {
    char tmpl[] = "/tmp/captee-device-id-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
  }
  ~DeviceIdTest() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(DeviceIdTest, MadeOnceThenReadBack) {
  std::string why;
  auto first = load_or_create_device_id(dir_, &why);
  ASSERT_TRUE(first) << why;
  EXPECT_EQ((*first)[6] >> 4, 4) << "version 4";
  EXPECT_EQ((*first)[8] & 0xC0, 0x80) << "RFC 4122 variant";
  auto again = load_or_create_device_id(dir_, &why);
  ASSERT_TRUE(again) << why;
  EXPECT_EQ(*first, *again);
  std::string text;
  std::getline(std::ifstream(dir_ + "/device-id"), text);
  EXPECT_EQ(text.size(), 36u);
  // Nothing else was left in the directory.
  size_t files = 0;
  for (const auto &e : std::filesystem::directory_iterator(dir_)) {
    (void)e;
    ++files;
  }
  EXPECT_EQ(files, 1u);
}

TEST_F(DeviceIdTest, NoStateDirectoryGivesAFreshIdEachTime) {
  std::string why;
  auto a = load_or_create_device_id("", &why);
  auto b = load_or_create_device_id("", &why);
  ASSERT_TRUE(a && b);
  EXPECT_NE(*a, *b);
}

TEST_F(DeviceIdTest, DamagedFilesAreRefusedNotReplaced) {
  for (const std::string &content :
       {std::string(""), std::string("not a uuid\n"),
        std::string("01234567-89ab-4def-8123-456789abcdef"),    // no newline
        std::string("01234567-89AB-4DEF-8123-456789ABCDEF\n"),  // not as written
        std::string("01234567-89ab-4def-8123-456789abcdef\nx"), std::string(4096, 'a')}) {
    std::ofstream(dir_ + "/device-id", std::ios::trunc) << content;
    std::string why;
    EXPECT_FALSE(load_or_create_device_id(dir_, &why)) << content;
    EXPECT_NE(why.find("device-id"), std::string::npos) << why;
    std::string still;
    std::ifstream in(dir_ + "/device-id");
    still.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    EXPECT_EQ(still, content) << "left as it was";
  }
  std::filesystem::remove(dir_ + "/device-id");
  std::filesystem::create_directory(dir_ + "/device-id");
  std::string why;
  EXPECT_FALSE(load_or_create_device_id(dir_, &why));
}

}  // namespace
}  // namespace captee::tee
