// The durable store over the storage listener's VFS (listener_vfs.hpp), from
// the side of a hostile supplicant: garbage replies, short reads, reads that
// claim more than was asked, flipped bytes, files swapped for older or
// another store's copies, and a supplicant that dies mid-call. The store
// must never crash, never overflow, and never hand back wrong data.
#include "captee/tee/storage/listener_vfs.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <random>

#include "captee/detail/little_endian.hpp"
#include "captee/storage_listener_protocol.h"
#include "storage_fixture.hpp"

namespace captee::tee::storage::testing {
namespace {

using detail::load_le32;
using detail::load_le64;
using detail::store_le32;
using detail::store_le64;

using Files = std::array<Bytes, CAPTEE_STORAGE_FILE_COUNT>;

// A supplicant in memory: honest unless told otherwise.
class FakeSupplicant final : public FileListener {
 public:
  enum class Mode { kHonest, kGarbage, kShortReads, kLongClaims, kFlipRead, kDead };

  Files files;
  Mode mode = Mode::kHonest;
  int calls_left = -1;  // >= 0: dies (kDead) after that many more calls
  std::mt19937 rng{1};
  size_t calls = 0;

  bool call(ByteView request, std::span<uint8_t> reply) override {
    ++calls;
    if (calls_left == 0) {
      mode = Mode::kDead;
    }
    if (calls_left > 0) {
      --calls_left;
    }
    if (mode == Mode::kDead) {
      return false;
    }
    EXPECT_GE(request.size(), CAPTEE_STORAGE_HEADER_SIZE);
    EXPECT_GE(reply.size(), CAPTEE_STORAGE_HEADER_SIZE);
    if (mode == Mode::kGarbage) {
      for (auto &b : reply) {
        b = static_cast<uint8_t>(rng());
      }
      // Now and then a plausible header, so garbage also reaches past the
      // result check.
      if (rng() % 2 == 0) {
        store_le32(reply.data() + CAPTEE_STORAGE_OFF_RESULT, CAPTEE_STORAGE_RESULT_OK);
        store_le64(reply.data() + CAPTEE_STORAGE_OFF_VALUE, rng() % 8192);
      }
      return true;
    }
    const uint32_t op = load_le32(request.data() + CAPTEE_STORAGE_OFF_OP);
    const uint32_t file = load_le32(request.data() + CAPTEE_STORAGE_OFF_FILE);
    const uint64_t offset = load_le64(request.data() + CAPTEE_STORAGE_OFF_OFFSET);
    const uint32_t length = load_le32(request.data() + CAPTEE_STORAGE_OFF_LENGTH);
    const uint64_t value = load_le64(request.data() + CAPTEE_STORAGE_OFF_VALUE);
    EXPECT_LT(file, CAPTEE_STORAGE_FILE_COUNT);
    EXPECT_LE(length, CAPTEE_STORAGE_MAX_DATA);
    std::memcpy(reply.data(), request.data(), CAPTEE_STORAGE_HEADER_SIZE);
    uint64_t answer = 0;
    Bytes &f = files[file % CAPTEE_STORAGE_FILE_COUNT];
    switch (op) {
      case CAPTEE_STORAGE_OP_READ: {
        EXPECT_EQ(reply.size(), CAPTEE_STORAGE_HEADER_SIZE + length);
        const uint64_t n = offset >= f.size() ? 0 : std::min<uint64_t>(length, f.size() - offset);
        if (n > 0) {
          std::memcpy(reply.data() + CAPTEE_STORAGE_HEADER_SIZE, f.data() + offset, n);
        }
        answer = n;
        if (mode == Mode::kShortReads && n > 1) {
          answer = n / 2;
        }
        if (mode == Mode::kLongClaims) {
          answer = uint64_t(length) + 1 + rng() % 100000;
        }
        if (mode == Mode::kFlipRead && n > 0) {
          reply[CAPTEE_STORAGE_HEADER_SIZE + rng() % n] ^= static_cast<uint8_t>(1u << (rng() % 8));
        }
        break;
      }
      case CAPTEE_STORAGE_OP_WRITE:
        EXPECT_EQ(request.size(), CAPTEE_STORAGE_HEADER_SIZE + length);
        if (f.size() < offset + length) {
          f.resize(offset + length);
        }
        std::memcpy(f.data() + offset, request.data() + CAPTEE_STORAGE_HEADER_SIZE, length);
        break;
      case CAPTEE_STORAGE_OP_TRUNCATE:
        f.resize(value);
        break;
      case CAPTEE_STORAGE_OP_SIZE:
        answer = f.size();
        break;
      case CAPTEE_STORAGE_OP_DELETE:
        f.clear();
        exists_[file] = false;
        break;
      case CAPTEE_STORAGE_OP_ACCESS:
        answer = exists_[file] || !f.empty() ? 1 : 0;
        break;
      default:
        break;
    }
    if (op == CAPTEE_STORAGE_OP_WRITE || op == CAPTEE_STORAGE_OP_TRUNCATE) {
      exists_[file] = true;
    }
    store_le32(reply.data() + CAPTEE_STORAGE_OFF_RESULT, CAPTEE_STORAGE_RESULT_OK);
    store_le64(reply.data() + CAPTEE_STORAGE_OFF_VALUE, answer);
    return true;
  }

 private:
  std::array<bool, CAPTEE_STORAGE_FILE_COUNT> exists_{};
};

class ListenerVfsTest : public ::testing::Test {
 protected:
  void SetUp() override { supplicant_ = std::make_shared<FakeSupplicant>(); }
  void TearDown() override { close(); }

  // Opens the store over the fake; the store may come back failed.
  ObjectStore *open(std::string *why = nullptr) {
    close();
    vfs_ = ListenerVfs::create(supplicant_);
    EXPECT_TRUE(vfs_);
    DurableStoreOptions o = options_in(dir_.path());
    o.sqlite_vfs = vfs_->name();
    std::string w;
    store_ = open_durable_object_store(o, &w);
    if (why != nullptr) {
      *why = w;
    }
    return store_.get();
  }
  void close() {
    store_.reset();  // before its VFS
    vfs_.reset();
  }
  // Fills the store with objects the test knows.
  void populate() {
    ASSERT_TRUE(open());
    for (int i = 0; i < 8; ++i) {
      ASSERT_EQ(store_->create(owner_, Namespace::kRee, id(i), meta_, {}, data(i), false),
                StoreStatus::kOk);
    }
    close();
  }
  static Bytes id(int i) { return bytes_of("object-" + std::to_string(i)); }
  static Bytes data(int i) { return pattern(3000 + 2500 * static_cast<size_t>(i), uint8_t(i)); }
  // Every object reads back right or fails; never wrong bytes.
  void expect_never_wrong() {
    for (int i = 0; store_ && i < 8; ++i) {
      Bytes out;
      if (store_->read(owner_, Namespace::kRee, id(i), 0, 1 << 20, &out) == StoreStatus::kOk) {
        EXPECT_EQ(out, data(i)) << "object " << i << " came back wrong";
      }
    }
  }

  ScratchDir dir_;
  std::shared_ptr<FakeSupplicant> supplicant_;
  std::unique_ptr<ListenerVfs> vfs_;
  std::unique_ptr<ObjectStore> store_;
  Owner owner_ = ta_owner(1);
  ObjectMeta meta_{0xa0000000, 0, 0, 0xffffffff, 0x7};
};

TEST_F(ListenerVfsTest, ObjectsLiveInTheSupplicantsFilesSealed) {
  populate();
  EXPECT_FALSE(supplicant_->files[CAPTEE_STORAGE_FILE_DB].empty());
  // The supplicant holds no plaintext: neither an id nor a data run.
  for (const Bytes &f : supplicant_->files) {
    const Bytes needle = id(3);
    EXPECT_EQ(std::search(f.begin(), f.end(), needle.begin(), needle.end()), f.end());
    const Bytes five = data(5);
    const Bytes run(five.begin() + 100, five.begin() + 164);
    EXPECT_EQ(std::search(f.begin(), f.end(), run.begin(), run.end()), f.end());
  }
  // Nothing of the store is in capteed's own directory.
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/state/store.db"));
  std::string why;
  ASSERT_TRUE(open(&why));
  EXPECT_TRUE(why.empty()) << why;
  for (int i = 0; i < 8; ++i) {
    Bytes out;
    ASSERT_EQ(store_->read(owner_, Namespace::kRee, id(i), 0, 1 << 20, &out), StoreStatus::kOk);
    EXPECT_EQ(out, data(i));
  }
  // Larger than one listener call: split and put back together.
  const Bytes big = pattern(300000, 9);
  ASSERT_EQ(store_->create(owner_, Namespace::kRee, id(20), meta_, {}, big, false),
            StoreStatus::kOk);
  Bytes out;
  ASSERT_EQ(store_->read(owner_, Namespace::kRee, id(20), 0, 1 << 20, &out), StoreStatus::kOk);
  EXPECT_EQ(out, big);
}

TEST_F(ListenerVfsTest, NoSupplicantAtAllIsAnIoErrorNotACrash) {
  supplicant_->mode = FakeSupplicant::Mode::kDead;
  std::string why;
  ObjectStore *s = open(&why);
  if (s != nullptr) {
    Bytes out;
    EXPECT_NE(s->read(owner_, Namespace::kRee, id(0), 0, 10, &out), StoreStatus::kOk);
    EXPECT_NE(s->create(owner_, Namespace::kRee, id(0), meta_, {}, data(0), false),
              StoreStatus::kOk);
  }
}

TEST_F(ListenerVfsTest, GarbageRepliesNeverGiveWrongData) {
  populate();
  const Files good = supplicant_->files;
  for (uint32_t seed = 1; seed <= 40; ++seed) {
    supplicant_->files = good;
    supplicant_->rng.seed(seed);
    supplicant_->mode = FakeSupplicant::Mode::kGarbage;
    open();
    expect_never_wrong();
    close();
  }
}

TEST_F(ListenerVfsTest, ShortReadsAndLongClaimsAreRefused) {
  populate();
  const Files good = supplicant_->files;
  for (auto mode : {FakeSupplicant::Mode::kShortReads, FakeSupplicant::Mode::kLongClaims}) {
    supplicant_->files = good;
    supplicant_->mode = mode;
    open();
    expect_never_wrong();
    if (store_) {
      Bytes out;
      EXPECT_NE(store_->read(owner_, Namespace::kRee, id(7), 0, 1 << 20, &out), StoreStatus::kOk);
    }
    close();
  }
}

TEST_F(ListenerVfsTest, FlippedBytesInReadsNeverGiveWrongData) {
  populate();
  const Files good = supplicant_->files;
  for (uint32_t seed = 1; seed <= 40; ++seed) {
    supplicant_->files = good;
    supplicant_->mode = FakeSupplicant::Mode::kHonest;
    open();
    supplicant_->rng.seed(seed);
    supplicant_->mode = FakeSupplicant::Mode::kFlipRead;  // after the open's reads
    expect_never_wrong();
    close();
  }
}

TEST_F(ListenerVfsTest, FlippedBytesInTheFilesAreDetected) {
  populate();
  const Files good = supplicant_->files;
  const Bytes &db = good[CAPTEE_STORAGE_FILE_DB];
  ASSERT_GT(db.size(), 4096u);
  for (size_t at = 100; at < db.size(); at += db.size() / 37 + 1) {
    supplicant_->files = good;
    supplicant_->files[CAPTEE_STORAGE_FILE_DB][at] ^= 0x20;
    open();
    expect_never_wrong();
    close();
  }
}

TEST_F(ListenerVfsTest, OlderOrAnotherStoresFilesAreARollback) {
  populate();
  const Files older = supplicant_->files;
  ASSERT_TRUE(open());
  ASSERT_EQ(store_->write(owner_, Namespace::kRee, id(1), 0, pattern(10, 0xee)), StoreStatus::kOk);
  close();
  // The supplicant puts back what it had before: the RPMB, with capteed,
  // knows better.
  supplicant_->files = older;
  std::string why;
  ASSERT_TRUE(open(&why));
  EXPECT_FALSE(why.empty());
  Bytes out;
  EXPECT_EQ(store_->read(owner_, Namespace::kRee, id(1), 0, 100, &out), StoreStatus::kRollback);
  close();
  // Another store's files (another state directory, another RPMB).
  ScratchDir other;
  {
    auto s2 = std::make_shared<FakeSupplicant>();
    auto v2 = ListenerVfs::create(s2);
    DurableStoreOptions o = options_in(other.path());
    o.sqlite_vfs = v2->name();
    std::string w;
    auto st = open_durable_object_store(o, &w);
    ASSERT_TRUE(st);
    ASSERT_EQ(st->create(owner_, Namespace::kRee, id(1), meta_, {}, pattern(50, 1), false),
              StoreStatus::kOk);
    st.reset();
    supplicant_->files = s2->files;
  }
  ASSERT_TRUE(open(&why));
  EXPECT_FALSE(why.empty());
  EXPECT_NE(store_->read(owner_, Namespace::kRee, id(1), 0, 100, &out), StoreStatus::kOk);
}

TEST_F(ListenerVfsTest, SupplicantDyingMidCallLeavesOldOrNew) {
  populate();
  const Bytes fresh = pattern(9000, 0x5a);
  size_t n = 1;
  for (bool done = false; !done; n += 3) {
    ASSERT_TRUE(open());
    supplicant_->calls_left = static_cast<int>(n);
    const StoreStatus s = store_->write(owner_, Namespace::kRee, id(2), 1000, fresh);
    done = s == StoreStatus::kOk;  // it finished before the death: it must stay
    if (!done) {
      EXPECT_EQ(s, StoreStatus::kIoError) << "death after " << n << " calls";
    }
    close();  // its closing calls also fail
    supplicant_->calls_left = -1;
    supplicant_->mode = FakeSupplicant::Mode::kHonest;  // "restarted" on the same files
    std::string why;
    ASSERT_TRUE(open(&why));
    EXPECT_TRUE(why.empty()) << why << " after a death at call " << n;
    Bytes out;
    ASSERT_EQ(store_->read(owner_, Namespace::kRee, id(2), 0, 1 << 20, &out), StoreStatus::kOk);
    Bytes after = data(2);
    after.resize(std::max(after.size(), 1000 + fresh.size()));
    std::copy(fresh.begin(), fresh.end(), after.begin() + 1000);
    if (done) {
      EXPECT_TRUE(out == after) << "an acknowledged write lost after a death at call " << n;
    } else {
      EXPECT_TRUE(out == data(2) || out == after) << "torn after a death at call " << n;
    }
    // Back to the old value for the next round.
    ASSERT_EQ(store_->create(owner_, Namespace::kRee, id(2), meta_, {}, data(2), true),
              StoreStatus::kOk);
    close();
    ASSERT_LT(n, 400u);
  }
}

TEST(FileReply, ChecksEveryFieldTheSupplicantWrote) {
  auto reply = [](uint32_t result, uint64_t value, size_t data = 0) {
    Bytes r(CAPTEE_STORAGE_HEADER_SIZE + data);
    store_le32(r.data() + CAPTEE_STORAGE_OFF_RESULT, result);
    store_le64(r.data() + CAPTEE_STORAGE_OFF_VALUE, value);
    return r;
  };
  FileReply out;
  EXPECT_FALSE(parse_file_reply(Bytes(CAPTEE_STORAGE_HEADER_SIZE - 1), 1, 0, &out));
  EXPECT_FALSE(parse_file_reply(reply(4, 0), CAPTEE_STORAGE_OP_SYNC, 0, &out));
  EXPECT_FALSE(parse_file_reply(reply(0xffffffff, 0), CAPTEE_STORAGE_OP_SYNC, 0, &out));
  EXPECT_TRUE(parse_file_reply(reply(0, 100, 100), CAPTEE_STORAGE_OP_READ, 100, &out));
  EXPECT_EQ(out.value, 100u);
  EXPECT_FALSE(parse_file_reply(reply(0, 101, 100), CAPTEE_STORAGE_OP_READ, 100, &out));
  EXPECT_FALSE(parse_file_reply(reply(0, 100, 50), CAPTEE_STORAGE_OP_READ, 100, &out));
  EXPECT_FALSE(parse_file_reply(reply(0, UINT64_MAX, 100), CAPTEE_STORAGE_OP_READ, 100, &out));
  EXPECT_TRUE(
      parse_file_reply(reply(0, CAPTEE_STORAGE_MAX_FILE_SIZE), CAPTEE_STORAGE_OP_SIZE, 0, &out));
  EXPECT_FALSE(parse_file_reply(reply(0, CAPTEE_STORAGE_MAX_FILE_SIZE + 1), CAPTEE_STORAGE_OP_SIZE,
                                0, &out));
  EXPECT_FALSE(parse_file_reply(reply(0, 2), CAPTEE_STORAGE_OP_ACCESS, 0, &out));
  EXPECT_TRUE(
      parse_file_reply(reply(CAPTEE_STORAGE_RESULT_NOSPACE, 7), CAPTEE_STORAGE_OP_WRITE, 0, &out));
  EXPECT_EQ(out.result, CAPTEE_STORAGE_RESULT_NOSPACE);
}

}  // namespace
}  // namespace captee::tee::storage::testing
