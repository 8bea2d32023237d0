// Every ObjectStore member of the durable store, its success and error
// cases, in both namespaces; the quota; isolation between owners.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "storage_fixture.hpp"

namespace captee::tee::storage::testing {
namespace {

class Members : public ::testing::TestWithParam<Namespace> {
 protected:
  void SetUp() override {
    opts_ = options_in(dir_.path());
    store_ = open_store(opts_);
    ASSERT_TRUE(store_);
  }
  void reopen() {
    store_.reset();
    store_ = open_store(opts_);
    ASSERT_TRUE(store_);
  }
  Bytes read_all(const Owner &o, ByteView id) {
    Bytes out;
    EXPECT_EQ(store_->read(o, ns(), id, 0, 1 << 24, &out), StoreStatus::kOk);
    return out;
  }
  Namespace ns() const { return GetParam(); }

  ScratchDir dir_;
  DurableStoreOptions opts_;
  std::unique_ptr<ObjectStore> store_;
  Owner a_ = ta_owner(1);
  Owner b_ = ta_owner(2);
  ObjectMeta meta_{0xa0000000, 0, 0, 0xffffffff, 0x7};
};

TEST_P(Members, CreateHeadReadSurviveReopen) {
  const Bytes id = bytes_of("key");
  const Bytes attrs = bytes_of("serialised attributes");
  const Bytes data = pattern(10000, 3);
  ASSERT_EQ(store_->create(a_, ns(), id, meta_, attrs, data, false), StoreStatus::kOk);
  reopen();
  ObjectHead head;
  ASSERT_EQ(store_->head(a_, ns(), id, &head), StoreStatus::kOk);
  EXPECT_EQ(head.meta.object_type, meta_.object_type);
  EXPECT_EQ(head.meta.data_flags, meta_.data_flags);
  EXPECT_EQ(head.attributes, attrs);
  EXPECT_EQ(head.data_size, data.size());
  EXPECT_EQ(read_all(a_, id), data);
  Bytes part;
  ASSERT_EQ(store_->read(a_, ns(), id, 4090, 20, &part), StoreStatus::kOk);
  EXPECT_EQ(part, Bytes(data.begin() + 4090, data.begin() + 4110));
  ASSERT_EQ(store_->read(a_, ns(), id, 9990, 100, &part), StoreStatus::kOk);
  EXPECT_EQ(part.size(), 10u);
  ASSERT_EQ(store_->read(a_, ns(), id, 10000, 100, &part), StoreStatus::kOk);
  EXPECT_TRUE(part.empty());
  ASSERT_EQ(store_->read(a_, ns(), id, 1ull << 40, 100, &part), StoreStatus::kOk);
  EXPECT_TRUE(part.empty());
}

TEST_P(Members, CreateExistsAndOverwrite) {
  const Bytes id = bytes_of("x");
  ASSERT_EQ(store_->create(a_, ns(), id, meta_, {}, pattern(5000, 1), false), StoreStatus::kOk);
  EXPECT_EQ(store_->create(a_, ns(), id, meta_, {}, pattern(10, 2), false), StoreStatus::kExists);
  EXPECT_EQ(read_all(a_, id), pattern(5000, 1));
  ASSERT_EQ(store_->create(a_, ns(), id, meta_, {}, pattern(10, 2), true), StoreStatus::kOk);
  reopen();
  EXPECT_EQ(read_all(a_, id), pattern(10, 2));
}

TEST_P(Members, WriteExtendsWithZerosAndOverwritesInPlace) {
  const Bytes id = bytes_of("w");
  ASSERT_EQ(store_->create(a_, ns(), id, meta_, {}, pattern(100, 1), false), StoreStatus::kOk);
  Bytes expect = pattern(100, 1);
  const Bytes w1 = pattern(300, 9);
  ASSERT_EQ(store_->write(a_, ns(), id, 50, w1), StoreStatus::kOk);
  expect.resize(350);
  std::copy(w1.begin(), w1.end(), expect.begin() + 50);
  const Bytes w2 = pattern(20, 5);
  ASSERT_EQ(store_->write(a_, ns(), id, 9000, w2), StoreStatus::kOk);  // a gap of zeros
  expect.resize(9020, 0);
  std::copy(w2.begin(), w2.end(), expect.begin() + 9000);
  reopen();
  EXPECT_EQ(read_all(a_, id), expect);
  ObjectHead head;
  ASSERT_EQ(store_->head(a_, ns(), id, &head), StoreStatus::kOk);
  EXPECT_EQ(head.data_size, 9020u);
}

TEST_P(Members, TruncateCutsAndExtendsWithZeros) {
  const Bytes id = bytes_of("t");
  ASSERT_EQ(store_->create(a_, ns(), id, meta_, {}, pattern(9000, 4), false), StoreStatus::kOk);
  ASSERT_EQ(store_->truncate(a_, ns(), id, 5000), StoreStatus::kOk);
  ASSERT_EQ(store_->truncate(a_, ns(), id, 12000), StoreStatus::kOk);
  Bytes expect = pattern(9000, 4);
  expect.resize(5000);
  expect.resize(12000, 0);  // the cut bytes never come back
  reopen();
  EXPECT_EQ(read_all(a_, id), expect);
  ASSERT_EQ(store_->truncate(a_, ns(), id, 0), StoreStatus::kOk);
  EXPECT_TRUE(read_all(a_, id).empty());
}

TEST_P(Members, SetUsageRenameRemoveList) {
  ASSERT_EQ(store_->create(a_, ns(), bytes_of("one"), meta_, {}, pattern(10, 1), false),
            StoreStatus::kOk);
  ASSERT_EQ(store_->create(a_, ns(), bytes_of("two"), meta_, {}, pattern(10, 2), false),
            StoreStatus::kOk);
  ASSERT_EQ(store_->set_usage(a_, ns(), bytes_of("one"), 0x3), StoreStatus::kOk);
  ObjectHead head;
  ASSERT_EQ(store_->head(a_, ns(), bytes_of("one"), &head), StoreStatus::kOk);
  EXPECT_EQ(head.meta.object_usage, 0x3u);
  EXPECT_EQ(store_->rename(a_, ns(), bytes_of("one"), bytes_of("two")), StoreStatus::kExists);
  EXPECT_EQ(store_->rename(a_, ns(), bytes_of("one"), bytes_of("one")), StoreStatus::kExists);
  EXPECT_EQ(store_->rename(a_, ns(), bytes_of("none"), bytes_of("three")), StoreStatus::kNotFound);
  ASSERT_EQ(store_->rename(a_, ns(), bytes_of("one"), bytes_of("three")), StoreStatus::kOk);
  EXPECT_EQ(store_->head(a_, ns(), bytes_of("one"), &head), StoreStatus::kNotFound);
  reopen();
  EXPECT_EQ(read_all(a_, bytes_of("three")), pattern(10, 1));
  std::vector<Bytes> ids;
  ASSERT_EQ(store_->list(a_, ns(), &ids), StoreStatus::kOk);
  EXPECT_EQ(ids, (std::vector<Bytes>{bytes_of("three"), bytes_of("two")}));
  ASSERT_EQ(store_->remove(a_, ns(), bytes_of("two")), StoreStatus::kOk);
  EXPECT_EQ(store_->remove(a_, ns(), bytes_of("two")), StoreStatus::kNotFound);
  reopen();
  ASSERT_EQ(store_->list(a_, ns(), &ids), StoreStatus::kOk);
  EXPECT_EQ(ids, (std::vector<Bytes>{bytes_of("three")}));
  // The other namespace is another space.
  const Namespace other = ns() == Namespace::kRee ? Namespace::kRpmb : Namespace::kRee;
  ASSERT_EQ(store_->list(a_, other, &ids), StoreStatus::kOk);
  EXPECT_TRUE(ids.empty());
}

TEST_P(Members, MissingObjectsAndInvalidArguments) {
  const Bytes id = bytes_of("nope");
  ObjectHead head;
  Bytes out;
  EXPECT_EQ(store_->head(a_, ns(), id, &head), StoreStatus::kNotFound);
  EXPECT_EQ(store_->read(a_, ns(), id, 0, 1, &out), StoreStatus::kNotFound);
  EXPECT_EQ(store_->write(a_, ns(), id, 0, pattern(1, 1)), StoreStatus::kNotFound);
  EXPECT_EQ(store_->truncate(a_, ns(), id, 1), StoreStatus::kNotFound);
  EXPECT_EQ(store_->set_usage(a_, ns(), id, 0), StoreStatus::kNotFound);
  EXPECT_EQ(store_->remove(a_, ns(), id), StoreStatus::kNotFound);
  const Bytes long_id(kMaxObjectIdLength + 1, 'x');
  EXPECT_EQ(store_->create(a_, ns(), long_id, meta_, {}, {}, false), StoreStatus::kInvalid);
  EXPECT_EQ(store_->head(a_, ns(), long_id, &head), StoreStatus::kInvalid);
  const Bytes max_id(kMaxObjectIdLength, 'x');
  ASSERT_EQ(store_->create(a_, ns(), max_id, meta_, {}, {}, false), StoreStatus::kOk);
  EXPECT_EQ(store_->write(a_, ns(), max_id, kMaxDataPosition, pattern(1, 1)),
            StoreStatus::kInvalid);
  EXPECT_EQ(store_->write(a_, ns(), max_id, ~0ull, pattern(1, 1)), StoreStatus::kInvalid);
  EXPECT_EQ(store_->truncate(a_, ns(), max_id, kMaxDataPosition + 1), StoreStatus::kInvalid);
  // The empty id is an id.
  ASSERT_EQ(store_->create(a_, ns(), {}, meta_, {}, pattern(3, 3), false), StoreStatus::kOk);
  EXPECT_EQ(read_all(a_, {}), pattern(3, 3));
}

TEST_P(Members, OwnersWithEqualIdsAreIsolated) {
  const Bytes id = bytes_of("same");
  ASSERT_EQ(store_->create(a_, ns(), id, meta_, {}, pattern(100, 1), false), StoreStatus::kOk);
  ObjectHead head;
  EXPECT_EQ(store_->head(b_, ns(), id, &head), StoreStatus::kNotFound);
  EXPECT_EQ(store_->remove(b_, ns(), id), StoreStatus::kNotFound);
  std::vector<Bytes> ids;
  ASSERT_EQ(store_->list(b_, ns(), &ids), StoreStatus::kOk);
  EXPECT_TRUE(ids.empty());
  ASSERT_EQ(store_->create(b_, ns(), id, meta_, {}, pattern(50, 2), false), StoreStatus::kOk);
  // The same UUID under another authority is another owner too.
  Owner user = a_;
  user.authority = apps::TaAuthority::user(1000);
  EXPECT_EQ(store_->head(user, ns(), id, &head), StoreStatus::kNotFound);
  reopen();
  EXPECT_EQ(read_all(a_, id), pattern(100, 1));
  EXPECT_EQ(read_all(b_, id), pattern(50, 2));
  std::vector<OwnerUsage> usage;
  ASSERT_EQ(store_->usage(&usage), StoreStatus::kOk);
  ASSERT_EQ(usage.size(), 2u);
  uint64_t total = 0;
  for (const auto &u : usage) {
    EXPECT_EQ(u.objects, 1u);
    total += u.bytes;
  }
  EXPECT_EQ(total, 2 * id.size() + 150);
}

INSTANTIATE_TEST_SUITE_P(BothNamespaces, Members,
                         ::testing::Values(Namespace::kRee, Namespace::kRpmb),
                         [](const auto &info) {
                           return info.param == Namespace::kRee ? "Ree" : "Rpmb";
                         });

// Large writes into an object, at every alignment (partial chunks at both
// ends, whole chunks sealed straight from the caller's bytes between): what
// is read back, and after a reopen, is what was written.
TEST(DurableStore, LargeWritesAtAnyAlignmentReadBackExactly) {
  ScratchDir dir;
  DurableStoreOptions o = options_in(dir.path());
  o.quota_bytes = 64u << 20;
  auto store = open_store(o);
  const Owner a = ta_owner(1);
  const Bytes id = bytes_of("large");
  Bytes model = pattern(600000, 3);
  ASSERT_EQ(store->create(a, Namespace::kRee, id, {}, {}, model, false), StoreStatus::kOk);
  uint8_t seed = 10;
  for (uint64_t offset : {0u, 1u, 4095u, 4096u, 5000u, 590000u}) {
    for (size_t length : {31u * 4096, 32u * 4096, 33u * 4096 + 7, 300000u}) {
      const Bytes data = pattern(length, seed++);
      ASSERT_EQ(store->write(a, Namespace::kRee, id, offset, data), StoreStatus::kOk)
          << offset << "+" << length;
      if (model.size() < offset + length)
        model.resize(offset + length, 0);
      std::copy(data.begin(), data.end(), model.begin() + long(offset));
      Bytes got;
      ASSERT_EQ(store->read(a, Namespace::kRee, id, 0, model.size() + 1, &got), StoreStatus::kOk);
      ASSERT_TRUE(got == model) << offset << "+" << length;
    }
  }
  store.reset();
  store = open_store(o);
  Bytes got;
  ASSERT_EQ(store->read(a, Namespace::kRee, id, 0, model.size() + 1, &got), StoreStatus::kOk);
  EXPECT_TRUE(got == model);
}

TEST(DurableStore, QuotaPerOwnerGivesNoSpace) {
  ScratchDir dir;
  DurableStoreOptions o = options_in(dir.path());
  o.quota_bytes = 20000;
  auto store = open_store(o);
  const Owner a = ta_owner(1);
  const Owner b = ta_owner(2);
  ASSERT_EQ(store->create(a, Namespace::kRee, bytes_of("a"), {}, bytes_of("at"), pattern(19000, 1),
                          false),
            StoreStatus::kOk);
  EXPECT_EQ(store->create(a, Namespace::kRee, bytes_of("b"), {}, {}, pattern(2000, 1), false),
            StoreStatus::kNoSpace);
  EXPECT_EQ(store->write(a, Namespace::kRee, bytes_of("a"), 19000, pattern(2000, 1)),
            StoreStatus::kNoSpace);
  EXPECT_EQ(store->truncate(a, Namespace::kRee, bytes_of("a"), 30000), StoreStatus::kNoSpace);
  EXPECT_EQ(store->create(a, Namespace::kRpmb, bytes_of("r"), {}, {}, pattern(2000, 1), false),
            StoreStatus::kNoSpace);
  // Writing inside the object, shrinking, and other owners are not limited.
  EXPECT_EQ(store->write(a, Namespace::kRee, bytes_of("a"), 0, pattern(2000, 2)), StoreStatus::kOk);
  EXPECT_EQ(store->create(b, Namespace::kRee, bytes_of("a"), {}, {}, pattern(19000, 1), false),
            StoreStatus::kOk);
  ASSERT_EQ(store->truncate(a, Namespace::kRee, bytes_of("a"), 1000), StoreStatus::kOk);
  EXPECT_EQ(store->create(a, Namespace::kRee, bytes_of("b"), {}, {}, pattern(2000, 1), false),
            StoreStatus::kOk);
}

TEST(DurableStore, RpmbCapacityGivesNoSpace) {
  ScratchDir dir;
  DurableStoreOptions o = options_in(dir.path());
  o.rpmb_blocks = 16;  // 15 blocks of objects: 3840 bytes
  auto store = open_store(o);
  const Owner a = ta_owner(1);
  EXPECT_EQ(store->create(a, Namespace::kRpmb, bytes_of("big"), {}, {}, pattern(4000, 1), false),
            StoreStatus::kNoSpace);
  ASSERT_EQ(store->create(a, Namespace::kRpmb, bytes_of("small"), {}, {}, pattern(1000, 1), false),
            StoreStatus::kOk);
  EXPECT_EQ(store->write(a, Namespace::kRpmb, bytes_of("small"), 1000, pattern(3000, 1)),
            StoreStatus::kNoSpace);
  Bytes out;
  ASSERT_EQ(store->read(a, Namespace::kRpmb, bytes_of("small"), 0, 5000, &out), StoreStatus::kOk);
  EXPECT_EQ(out, pattern(1000, 1));
}

TEST(DurableStore, DeviceSecretIsCreatedPrivateAndReused) {
  ScratchDir dir;
  DurableStoreOptions o = options_in(dir.path());
  open_store(o)->create(ta_owner(1), Namespace::kRee, bytes_of("k"), {}, {}, pattern(10, 1), false);
  struct stat st {};
  ASSERT_EQ(stat((o.state_dir + "/device-secret").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, 32);
  // A secret others may read is refused, not used.
  chmod((o.state_dir + "/device-secret").c_str(), 0644);
  std::string why;
  EXPECT_FALSE(open_durable_object_store(o, &why));
  EXPECT_NE(why.find("group or others"), std::string::npos) << why;
  chmod((o.state_dir + "/device-secret").c_str(), 0600);
  // An administrator's secret path that does not exist is not created.
  DurableStoreOptions given = o;
  given.secret_path = dir.path() + "/absent";
  EXPECT_FALSE(open_durable_object_store(given, &why));
  // Another secret cannot drive this RPMB (its key was programmed once).
  DurableStoreOptions other = options_in(dir.path());
  other.state_dir = dir.path() + "/other";
  EXPECT_FALSE(open_durable_object_store(other, &why));
  EXPECT_NE(why.find("key"), std::string::npos) << why;
}

TEST(DurableStore, ObjectIdsNeverAppearInTheFiles) {
  ScratchDir dir;
  DurableStoreOptions o = options_in(dir.path());
  const std::string id = "a-very-recognisable-object-id";
  const std::string secret_data = "a-very-recognisable-plaintext";
  {
    auto store = open_store(o);
    ASSERT_EQ(store->create(ta_owner(1), Namespace::kRee, bytes_of(id), {}, bytes_of(secret_data),
                            bytes_of(secret_data), false),
              StoreStatus::kOk);
    ASSERT_EQ(store->create(ta_owner(1), Namespace::kRpmb, bytes_of(id), {}, {},
                            bytes_of(secret_data), false),
              StoreStatus::kOk);
  }
  for (const auto &entry : std::filesystem::recursive_directory_iterator(dir.path())) {
    if (!entry.is_regular_file())
      continue;
    EXPECT_EQ(entry.path().string().find(id), std::string::npos);
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string content((std::istreambuf_iterator<char>(in)), {});
    EXPECT_EQ(content.find(id), std::string::npos) << entry.path();
    EXPECT_EQ(content.find(secret_data), std::string::npos) << entry.path();
  }
}

}  // namespace
}  // namespace captee::tee::storage::testing
