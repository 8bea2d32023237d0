// captee-supplicant's storage listener (src/supplicant/storage_listener.cpp)
// from the side of whoever calls it: requests naming files it does not keep,
// lengths past its region, offsets that overflow, unknown operations, and a
// symbolic link planted where a store file belongs. It answers
// CAPTEE_STORAGE_RESULT_BAD or an I/O error, and touches nothing outside
// its directory.
#include "storage_listener.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "IListenerCBO.hpp"
#include "captee/detail/little_endian.hpp"
#include "captee/memory.hpp"
#include "captee/storage_listener_protocol.h"
#include "tee_harness.hpp"

namespace captee::supplicant {
namespace {

using detail::load_le32;
using detail::load_le64;
using detail::store_le32;
using detail::store_le64;

class StorageListenerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    dir_ = StorageDir::open(tmp_.path + "/files", &why);
    ASSERT_TRUE(dir_) << why;
    region_ = MemoryObject::create(CAPTEE_STORAGE_REGION_SIZE);
    bytes_ = LocalObject::from_as<MemoryObject>(region_.get())->bytes();
    listener_ = make_storage_listener(dir_, region_, nullptr, nullptr);
    ASSERT_FALSE(listener_.is_null());
  }
  uint8_t *at(size_t off) { return reinterpret_cast<uint8_t *>(bytes_.data()) + off; }
  // One request; returns the result and sets *value.
  uint32_t call(uint32_t op, uint32_t file, uint64_t offset, uint32_t length, uint64_t value = 0,
                uint64_t *out = nullptr) {
    store_le32(at(CAPTEE_STORAGE_OFF_OP), op);
    store_le32(at(CAPTEE_STORAGE_OFF_FILE), file);
    store_le64(at(CAPTEE_STORAGE_OFF_OFFSET), offset);
    store_le32(at(CAPTEE_STORAGE_OFF_LENGTH), length);
    store_le64(at(CAPTEE_STORAGE_OFF_VALUE), value);
    store_le32(at(CAPTEE_STORAGE_OFF_RESULT), 0xdead);
    uint32_t offsets[4] = {};
    size_t n = 0;
    uint32_t is64 = 0;
    Ref a, b, c, d;
    EXPECT_EQ(iface::IListenerCBO(listener_).request(offsets, n, is64, a, b, c, d), Object_OK);
    if (out != nullptr) {
      *out = load_le64(at(CAPTEE_STORAGE_OFF_VALUE));
    }
    return load_le32(at(CAPTEE_STORAGE_OFF_RESULT));
  }

  test::TempDir tmp_;
  std::shared_ptr<StorageDir> dir_;
  Ref region_;
  std::span<std::byte> bytes_;
  Ref listener_;
};

TEST_F(StorageListenerTest, KeepsBytesInItsThreeFiles) {
  std::memcpy(at(CAPTEE_STORAGE_HEADER_SIZE), "sealed page", 11);
  ASSERT_EQ(call(CAPTEE_STORAGE_OP_WRITE, CAPTEE_STORAGE_FILE_WAL, 4096, 11),
            CAPTEE_STORAGE_RESULT_OK);
  ASSERT_EQ(call(CAPTEE_STORAGE_OP_SYNC, CAPTEE_STORAGE_FILE_WAL, 0, 0), CAPTEE_STORAGE_RESULT_OK);
  uint64_t v = 0;
  ASSERT_EQ(call(CAPTEE_STORAGE_OP_SIZE, CAPTEE_STORAGE_FILE_WAL, 0, 0, 0, &v),
            CAPTEE_STORAGE_RESULT_OK);
  EXPECT_EQ(v, 4107u);
  std::memset(at(CAPTEE_STORAGE_HEADER_SIZE), 0, 64);
  ASSERT_EQ(call(CAPTEE_STORAGE_OP_READ, CAPTEE_STORAGE_FILE_WAL, 4096, 64, 0, &v),
            CAPTEE_STORAGE_RESULT_OK);
  EXPECT_EQ(v, 11u);  // the file ends: fewer bytes, said so
  EXPECT_EQ(std::memcmp(at(CAPTEE_STORAGE_HEADER_SIZE), "sealed page", 11), 0);
  EXPECT_TRUE(std::filesystem::exists(tmp_.path + "/files/store.db-wal"));
  ASSERT_EQ(call(CAPTEE_STORAGE_OP_ACCESS, CAPTEE_STORAGE_FILE_WAL, 0, 0, 0, &v),
            CAPTEE_STORAGE_RESULT_OK);
  EXPECT_EQ(v, 1u);
  ASSERT_EQ(call(CAPTEE_STORAGE_OP_DELETE, CAPTEE_STORAGE_FILE_WAL, 0, 0),
            CAPTEE_STORAGE_RESULT_OK);
  ASSERT_EQ(call(CAPTEE_STORAGE_OP_ACCESS, CAPTEE_STORAGE_FILE_WAL, 0, 0, 0, &v),
            CAPTEE_STORAGE_RESULT_OK);
  EXPECT_EQ(v, 0u);
  // A file never written reads as empty.
  ASSERT_EQ(call(CAPTEE_STORAGE_OP_READ, CAPTEE_STORAGE_FILE_DB, 0, 100, 0, &v),
            CAPTEE_STORAGE_RESULT_OK);
  EXPECT_EQ(v, 0u);
}

TEST_F(StorageListenerTest, RefusesWhatTheProtocolDoesNotAllow) {
  const uint64_t huge = uint64_t(INT64_MAX);
  EXPECT_EQ(call(CAPTEE_STORAGE_OP_READ, CAPTEE_STORAGE_FILE_COUNT, 0, 10),
            CAPTEE_STORAGE_RESULT_BAD);
  EXPECT_EQ(call(CAPTEE_STORAGE_OP_READ, 0xffffffffu, 0, 10), CAPTEE_STORAGE_RESULT_BAD);
  EXPECT_EQ(call(CAPTEE_STORAGE_OP_WRITE, CAPTEE_STORAGE_FILE_DB, 0, CAPTEE_STORAGE_MAX_DATA + 1),
            CAPTEE_STORAGE_RESULT_BAD);
  EXPECT_EQ(call(CAPTEE_STORAGE_OP_READ, CAPTEE_STORAGE_FILE_DB, 0, 0xffffffffu),
            CAPTEE_STORAGE_RESULT_BAD);
  EXPECT_EQ(call(CAPTEE_STORAGE_OP_WRITE, CAPTEE_STORAGE_FILE_DB, UINT64_MAX - 3, 10),
            CAPTEE_STORAGE_RESULT_BAD);
  EXPECT_EQ(call(CAPTEE_STORAGE_OP_WRITE, CAPTEE_STORAGE_FILE_DB, huge, 1),
            CAPTEE_STORAGE_RESULT_BAD);
  EXPECT_EQ(call(CAPTEE_STORAGE_OP_TRUNCATE, CAPTEE_STORAGE_FILE_DB, 0, 0, huge + 1),
            CAPTEE_STORAGE_RESULT_BAD);
  EXPECT_EQ(call(0, CAPTEE_STORAGE_FILE_DB, 0, 0), CAPTEE_STORAGE_RESULT_BAD);
  EXPECT_EQ(call(99, CAPTEE_STORAGE_FILE_DB, 0, 0), CAPTEE_STORAGE_RESULT_BAD);
  // None of it made a file.
  EXPECT_TRUE(std::filesystem::is_empty(tmp_.path + "/files"));
}

TEST_F(StorageListenerTest, NeverFollowsALinkPlantedForAStoreFile) {
  const std::string victim = tmp_.path + "/victim";
  std::ofstream(victim) << "not the store's";
  ASSERT_EQ(::symlink(victim.c_str(), (tmp_.path + "/files/store.db").c_str()), 0);
  std::memcpy(at(CAPTEE_STORAGE_HEADER_SIZE), "overwrite", 9);
  EXPECT_EQ(call(CAPTEE_STORAGE_OP_WRITE, CAPTEE_STORAGE_FILE_DB, 0, 9), CAPTEE_STORAGE_RESULT_IO);
  EXPECT_EQ(call(CAPTEE_STORAGE_OP_TRUNCATE, CAPTEE_STORAGE_FILE_DB, 0, 0, 0),
            CAPTEE_STORAGE_RESULT_IO);
  uint64_t v = 7;
  EXPECT_EQ(call(CAPTEE_STORAGE_OP_ACCESS, CAPTEE_STORAGE_FILE_DB, 0, 0, 0, &v),
            CAPTEE_STORAGE_RESULT_OK);
  EXPECT_EQ(v, 0u);  // a link is not a store file
  std::ifstream in(victim);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(content, "not the store's");
}

TEST_F(StorageListenerTest, OneSupplicantPerDirectory) {
  std::string why;
  EXPECT_FALSE(StorageDir::open(tmp_.path + "/files", &why));
  EXPECT_NE(why.find("in use by another supplicant"), std::string::npos) << why;
}

}  // namespace
}  // namespace captee::supplicant
