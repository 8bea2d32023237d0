// MemoryObjectStore: the ObjectStore interface's promises, kept in memory,
// quota included.
#include "captee/tee/storage/memory_object_store.hpp"

#include <gtest/gtest.h>

#include <string>

namespace captee::tee::storage {
namespace {

ByteView bytes(const std::string &s) {
  return {reinterpret_cast<const uint8_t *>(s.data()), s.size()};
}

std::string text(const Bytes &b) {
  return std::string(b.begin(), b.end());
}

const Owner kAlice{apps::TaAuthority::ta_dir(), {1}};
const Owner kBob{apps::TaAuthority::ta_dir(), {2}};
const Owner kAliceAsUser{apps::TaAuthority::user(1000), {1}};

TEST(MemoryObjectStore, CreateReadWriteTruncate) {
  MemoryObjectStore s;
  ObjectMeta meta;
  meta.object_type = 0xA00000BF;
  meta.data_flags = 7;
  ASSERT_EQ(
      s.create(kAlice, Namespace::kRee, bytes("id"), meta, bytes("attrs"), bytes("hello"), false),
      StoreStatus::kOk);
  ObjectHead h;
  ASSERT_EQ(s.head(kAlice, Namespace::kRee, bytes("id"), &h), StoreStatus::kOk);
  EXPECT_EQ(h.data_size, 5u);
  EXPECT_EQ(h.meta.data_flags, 7u);
  EXPECT_EQ(text(h.attributes), "attrs");
  Bytes out;
  ASSERT_EQ(s.read(kAlice, Namespace::kRee, bytes("id"), 1, 3, &out), StoreStatus::kOk);
  EXPECT_EQ(text(out), "ell");
  ASSERT_EQ(s.read(kAlice, Namespace::kRee, bytes("id"), 3, 100, &out), StoreStatus::kOk);
  EXPECT_EQ(text(out), "lo");
  ASSERT_EQ(s.read(kAlice, Namespace::kRee, bytes("id"), 9, 100, &out), StoreStatus::kOk);
  EXPECT_TRUE(out.empty());
  // A gap reads as zeros.
  ASSERT_EQ(s.write(kAlice, Namespace::kRee, bytes("id"), 7, bytes("X")), StoreStatus::kOk);
  ASSERT_EQ(s.read(kAlice, Namespace::kRee, bytes("id"), 0, 100, &out), StoreStatus::kOk);
  EXPECT_EQ(out, (Bytes{'h', 'e', 'l', 'l', 'o', 0, 0, 'X'}));
  ASSERT_EQ(s.truncate(kAlice, Namespace::kRee, bytes("id"), 2), StoreStatus::kOk);
  ASSERT_EQ(s.truncate(kAlice, Namespace::kRee, bytes("id"), 4), StoreStatus::kOk);
  ASSERT_EQ(s.read(kAlice, Namespace::kRee, bytes("id"), 0, 100, &out), StoreStatus::kOk);
  EXPECT_EQ(out, (Bytes{'h', 'e', 0, 0}));
  ASSERT_EQ(s.set_usage(kAlice, Namespace::kRee, bytes("id"), 3), StoreStatus::kOk);
  ASSERT_EQ(s.head(kAlice, Namespace::kRee, bytes("id"), &h), StoreStatus::kOk);
  EXPECT_EQ(h.meta.object_usage, 3u);
}

TEST(MemoryObjectStore, ExistsRenameRemoveList) {
  MemoryObjectStore s;
  ASSERT_EQ(s.create(kAlice, Namespace::kRee, bytes("a"), {}, {}, bytes("1"), false),
            StoreStatus::kOk);
  EXPECT_EQ(s.create(kAlice, Namespace::kRee, bytes("a"), {}, {}, bytes("2"), false),
            StoreStatus::kExists);
  ASSERT_EQ(s.create(kAlice, Namespace::kRee, bytes("a"), {}, {}, bytes("3"), true),
            StoreStatus::kOk);
  ASSERT_EQ(s.create(kAlice, Namespace::kRee, bytes("b"), {}, {}, {}, false), StoreStatus::kOk);
  EXPECT_EQ(s.rename(kAlice, Namespace::kRee, bytes("a"), bytes("b")), StoreStatus::kExists);
  EXPECT_EQ(s.rename(kAlice, Namespace::kRee, bytes("zz"), bytes("c")), StoreStatus::kNotFound);
  ASSERT_EQ(s.rename(kAlice, Namespace::kRee, bytes("a"), bytes("c")), StoreStatus::kOk);
  Bytes out;
  ASSERT_EQ(s.read(kAlice, Namespace::kRee, bytes("c"), 0, 10, &out), StoreStatus::kOk);
  EXPECT_EQ(text(out), "3");
  std::vector<Bytes> ids;
  ASSERT_EQ(s.list(kAlice, Namespace::kRee, &ids), StoreStatus::kOk);
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_EQ(text(ids[0]), "b");
  EXPECT_EQ(text(ids[1]), "c");
  ASSERT_EQ(s.list(kAlice, Namespace::kRpmb, &ids), StoreStatus::kOk);
  EXPECT_TRUE(ids.empty());
  ASSERT_EQ(s.remove(kAlice, Namespace::kRee, bytes("b")), StoreStatus::kOk);
  EXPECT_EQ(s.remove(kAlice, Namespace::kRee, bytes("b")), StoreStatus::kNotFound);
}

TEST(MemoryObjectStore, OwnersAndNamespacesAreApart) {
  MemoryObjectStore s;
  ASSERT_EQ(s.create(kAlice, Namespace::kRee, bytes("id"), {}, {}, bytes("alice"), false),
            StoreStatus::kOk);
  ASSERT_EQ(s.create(kBob, Namespace::kRee, bytes("id"), {}, {}, bytes("bob"), false),
            StoreStatus::kOk);
  ASSERT_EQ(s.create(kAliceAsUser, Namespace::kRee, bytes("id"), {}, {}, bytes("user"), false),
            StoreStatus::kOk);
  ASSERT_EQ(s.create(kAlice, Namespace::kRpmb, bytes("id"), {}, {}, bytes("rpmb"), false),
            StoreStatus::kOk);
  Bytes out;
  ASSERT_EQ(s.read(kBob, Namespace::kRee, bytes("id"), 0, 10, &out), StoreStatus::kOk);
  EXPECT_EQ(text(out), "bob");
  ASSERT_EQ(s.read(kAliceAsUser, Namespace::kRee, bytes("id"), 0, 10, &out), StoreStatus::kOk);
  EXPECT_EQ(text(out), "user");
  ASSERT_EQ(s.read(kAlice, Namespace::kRpmb, bytes("id"), 0, 10, &out), StoreStatus::kOk);
  EXPECT_EQ(text(out), "rpmb");
  ASSERT_EQ(s.remove(kBob, Namespace::kRee, bytes("id")), StoreStatus::kOk);
  ASSERT_EQ(s.read(kAlice, Namespace::kRee, bytes("id"), 0, 10, &out), StoreStatus::kOk);
  EXPECT_EQ(text(out), "alice");
  std::vector<OwnerUsage> usage;
  ASSERT_EQ(s.usage(&usage), StoreStatus::kOk);
  EXPECT_EQ(usage.size(), 2u);  // Alice (two objects) and Alice-as-user
}

TEST(MemoryObjectStore, QuotaCountsIdsAttributesAndData) {
  MemoryObjectStore s(20);
  // 2 + 3 + 10 = 15 bytes.
  ASSERT_EQ(
      s.create(kAlice, Namespace::kRee, bytes("id"), {}, bytes("att"), bytes("0123456789"), false),
      StoreStatus::kOk);
  EXPECT_EQ(s.write(kAlice, Namespace::kRee, bytes("id"), 10, bytes("123456")),
            StoreStatus::kNoSpace);
  EXPECT_EQ(s.write(kAlice, Namespace::kRee, bytes("id"), 10, bytes("12345")), StoreStatus::kOk);
  EXPECT_EQ(s.truncate(kAlice, Namespace::kRee, bytes("id"), 16), StoreStatus::kNoSpace);
  EXPECT_EQ(s.write(kAlice, Namespace::kRee, bytes("id"), 1u << 30, bytes("x")),
            StoreStatus::kNoSpace)
      << "a far write must not allocate the gap";
  // Overwriting frees the old object's bytes first.
  EXPECT_EQ(s.create(kAlice, Namespace::kRee, bytes("id"), {}, {}, bytes("0123456789abcdef"), true),
            StoreStatus::kOk);
  // Another owner has a quota of its own.
  EXPECT_EQ(s.create(kBob, Namespace::kRee, bytes("id"), {}, {}, bytes("0123456789abcdef"), false),
            StoreStatus::kOk);
  std::vector<OwnerUsage> usage;
  ASSERT_EQ(s.usage(&usage), StoreStatus::kOk);
  for (const auto &u : usage) {
    EXPECT_EQ(u.bytes, 18u);
  }
}

TEST(MemoryObjectStore, RefusesWhatGpDoesNotAllow) {
  MemoryObjectStore s;
  const std::string long_id(kMaxObjectIdLength + 1, 'x');
  EXPECT_EQ(s.create(kAlice, Namespace::kRee, bytes(long_id), {}, {}, {}, false),
            StoreStatus::kInvalid);
  ASSERT_EQ(s.create(kAlice, Namespace::kRee, bytes("id"), {}, {}, {}, false), StoreStatus::kOk);
  EXPECT_EQ(s.write(kAlice, Namespace::kRee, bytes("id"), kMaxDataPosition, bytes("x")),
            StoreStatus::kInvalid);
  EXPECT_EQ(s.truncate(kAlice, Namespace::kRee, bytes("id"), kMaxDataPosition + 1),
            StoreStatus::kInvalid);
  EXPECT_EQ(s.rename(kAlice, Namespace::kRee, bytes("id"), bytes(long_id)), StoreStatus::kInvalid);
}

}  // namespace
}  // namespace captee::tee::storage
