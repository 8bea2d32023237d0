// The rollback root's two flushes (decision 0029), from the side of an
// attacker who can kill capteed and put back an older copy of the state
// directory, and of a crash between the two flushes in either order. The
// test reads the RPMB's root with the key the store derives, to see what
// landed; where it writes a root (an older format), it plays the store's
// own past, never something an attacker without the key could do.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "captee/detail/little_endian.hpp"
#include "captee/tee/storage/device_secret.hpp"
#include "captee/tee/storage/rpmb.hpp"
#include "captee/tee/storage/storage_crypto.hpp"
#include "storage_fixture.hpp"

namespace captee::tee::storage::testing {
namespace {

namespace fs = std::filesystem;

// Block 0 as durable_store.hpp lays it out.
struct Root {
  std::string magic;
  uint64_t intent = 0;
  uint64_t confirmed = 0;
};

class RootDevice {
 public:
  explicit RootDevice(const DurableStoreOptions &o) {
    SecretBytes secret;
    std::string why;
    Key32 key;
    if (!load_or_create_device_secret(o.state_dir + "/device-secret", false, &secret, &why) ||
        !derive_key(secret.view(), "rpmb-key", {}, &key))
      return;
    device_ = EmulatedRpmb::open(o.rpmb_path, o.rpmb_blocks, &why);
    if (device_)
      driver_ = std::make_unique<RpmbDriver>(device_.get(), key);
  }
  bool read(Root *out) {
    Bytes block;
    if (!driver_ || driver_->read(0, 1, &block) != RpmbStatus::kOk || block.size() < 40)
      return false;
    out->magic.assign(block.begin(), block.begin() + 8);
    out->intent = captee::detail::load_le64(block.data() + 24);
    out->confirmed = captee::detail::load_le64(block.data() + 32);
    return true;
  }
  // The root as a store of the first format (one generation) left it.
  bool write_v1(uint64_t generation) {
    Bytes block;
    if (!driver_ || driver_->read(0, 1, &block) != RpmbStatus::kOk)
      return false;
    std::memcpy(block.data(), "CPTROOT1", 8);
    captee::detail::store_le64(block.data() + 24, generation);
    std::memset(block.data() + 32, 0, 8);
    return driver_->write(0, block) == RpmbStatus::kOk;
  }

 private:
  std::unique_ptr<EmulatedRpmb> device_;
  std::unique_ptr<RpmbDriver> driver_;
};

Bytes contents(const std::string &path) {
  std::ifstream f(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(f), {});
}

void replace(const std::string &path, const Bytes &b) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char *>(b.data()), static_cast<std::streamsize>(b.size()));
}

Root root_of(const DurableStoreOptions &o) {
  Root r;
  EXPECT_TRUE(RootDevice(o).read(&r));
  return r;
}

class Anchor : public ::testing::Test {
 protected:
  void SetUp() override {
    opts_ = options_in(dir_.path());
    opts_.rpmb_blocks = 16;
    // No idle confirmation during a test unless it asks for one: the
    // window stays open until the close (or a kill, played by copying).
    opts_.anchor_idle_ms = 60'000;
    auto store = open_store(opts_);
    ASSERT_TRUE(store);
    ASSERT_EQ(store->create(owner_, Namespace::kRee, id_, {}, {}, pattern(9000, 1), false),
              StoreStatus::kOk);
  }
  // One change: the object's first bytes become `seed`'s pattern.
  void change(ObjectStore &store, uint8_t seed) {
    ASSERT_EQ(store.write(owner_, Namespace::kRee, id_, 0, pattern(100, seed)), StoreStatus::kOk);
  }
  std::string save_dir(const std::string &name) {
    const std::string to = dir_.path() + "/" + name;
    fs::copy(opts_.state_dir, to, fs::copy_options::recursive);
    return to;
  }
  Bytes save_rpmb() { return contents(opts_.rpmb_path); }
  // What a kill -9 and a restore leave: this directory and this device.
  void put_back(const std::string &dir, const Bytes &rpmb) {
    fs::remove_all(opts_.state_dir);
    fs::copy(dir, opts_.state_dir, fs::copy_options::recursive);
    replace(opts_.rpmb_path, rpmb);
  }
  // Opens the store and returns the first 100 bytes of the object, or the
  // status that stopped it.
  StoreStatus first_bytes(Bytes *out, std::string *why) {
    auto store = open_durable_object_store(opts_, why);
    if (!store)
      return StoreStatus::kIoError;
    return store->read(owner_, Namespace::kRee, id_, 0, 100, out);
  }

  ScratchDir dir_;
  DurableStoreOptions opts_;
  Owner owner_ = ta_owner(1);
  Bytes id_ = bytes_of("anchored");
};

TEST_F(Anchor, AChangeReturnsWithItsIntentAnchoredAndTheCloseConfirmsIt) {
  const Root before = root_of(opts_);
  EXPECT_EQ(before.magic, "CPTROOT2");
  EXPECT_EQ(before.intent, before.confirmed);
  {
    auto store = open_store(opts_);
    change(*store, 2);
    const Root during = root_of(opts_);
    EXPECT_EQ(during.intent, before.intent + 1);
    EXPECT_EQ(during.confirmed, before.intent);
  }
  const Root after = root_of(opts_);
  EXPECT_EQ(after.intent, before.intent + 1);
  EXPECT_EQ(after.confirmed, after.intent);
}

// Overlapped order, the RPMB's flush landed and SQLite's did not: the store
// is at the confirmed generation under an intent one above it.
TEST_F(Anchor, TheRootOneIntentAheadOfTheStoreIsACrashAndIsConfirmedAtOpen) {
  const Root g = root_of(opts_);
  const std::string dir_g = save_dir("g");
  Bytes rpmb_intent;
  {
    auto store = open_store(opts_);
    change(*store, 2);
    rpmb_intent = save_rpmb();
  }
  put_back(dir_g, rpmb_intent);
  std::string why;
  Bytes out;
  ASSERT_EQ(first_bytes(&out, &why), StoreStatus::kOk) << why;
  EXPECT_TRUE(why.empty()) << why;
  EXPECT_EQ(out, pattern(100, 1));
  const Root rewritten = root_of(opts_);
  EXPECT_EQ(rewritten.intent, g.intent);
  EXPECT_EQ(rewritten.confirmed, g.intent);
}

// Overlapped order, SQLite's flush landed and the RPMB's did not: the store
// is one above the intent.
TEST_F(Anchor, TheStoreOneAboveAnUnconfirmedIntentIsACrashAndIsConfirmedAtOpen) {
  Bytes rpmb_intent;
  {
    auto store = open_store(opts_);
    change(*store, 2);
    rpmb_intent = save_rpmb();  // intent g+1 over g
    change(*store, 3);          // the store at g+2
  }
  const Root g2 = root_of(opts_);
  put_back(save_dir("g2"), rpmb_intent);
  std::string why;
  Bytes out;
  ASSERT_EQ(first_bytes(&out, &why), StoreStatus::kOk) << why;
  EXPECT_EQ(out, pattern(100, 3));
  const Root rewritten = root_of(opts_);
  EXPECT_EQ(rewritten.intent, g2.intent);
  EXPECT_EQ(rewritten.confirmed, g2.intent);
}

TEST_F(Anchor, AStoreBelowTheConfirmedGenerationUnderAnIntentIsRollback) {
  const std::string dir_before = save_dir("g-1");
  Bytes rpmb_intent;
  {
    auto store = open_store(opts_);
    change(*store, 2);
    change(*store, 3);
    rpmb_intent = save_rpmb();  // intent g+2 over confirmed g+1; the copy is at g
  }
  put_back(dir_before, rpmb_intent);
  std::string why;
  Bytes out;
  EXPECT_EQ(first_bytes(&out, &why), StoreStatus::kRollback);
  EXPECT_NE(why.find("older"), std::string::npos) << why;
}

TEST_F(Anchor, AConfirmedRootWithTheStoreOneBehindIsRollback) {
  const std::string dir_g = save_dir("g");
  {
    auto store = open_store(opts_);
    change(*store, 2);
  }
  const Root confirmed = root_of(opts_);
  EXPECT_EQ(confirmed.confirmed, confirmed.intent);
  put_back(dir_g, save_rpmb());
  std::string why;
  Bytes out;
  EXPECT_EQ(first_bytes(&out, &why), StoreStatus::kRollback);
  EXPECT_NE(why.find("older"), std::string::npos) << why;
}

// The documented window: killed before the confirmation lands, a restore of
// the directory from just before the last change undoes that change, and
// only that one.
TEST_F(Anchor, BeforeItsConfirmationOnlyTheLastChangeCanBeUndone) {
  const std::string dir_g = save_dir("g");
  Bytes rpmb_one, rpmb_two;
  std::string dir_g1;
  {
    auto store = open_store(opts_);
    change(*store, 2);
    rpmb_one = save_rpmb();
    change(*store, 3);
    rpmb_two = save_rpmb();
  }
  put_back(dir_g, rpmb_one);
  std::string why;
  Bytes out;
  ASSERT_EQ(first_bytes(&out, &why), StoreStatus::kOk) << why;
  EXPECT_EQ(out, pattern(100, 1));
  // Two changes in, the first is confirmed by the second's intent.
  put_back(dir_g, rpmb_two);
  EXPECT_EQ(first_bytes(&out, &why), StoreStatus::kRollback);
}

TEST_F(Anchor, AnIdleStoreConfirmsItsLastChangeOffTheCallersPath) {
  opts_.anchor_idle_ms = 5;
  const std::string dir_g = save_dir("g");
  Bytes rpmb_idle;
  {
    auto store = open_store(opts_);
    change(*store, 2);
    Root r;
    for (int i = 0; i < 400 && (RootDevice(opts_).read(&r), r.confirmed != r.intent); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    EXPECT_EQ(r.confirmed, r.intent);
    rpmb_idle = save_rpmb();  // killed after the idle confirmation
  }
  put_back(dir_g, rpmb_idle);
  std::string why;
  Bytes out;
  EXPECT_EQ(first_bytes(&out, &why), StoreStatus::kRollback);
}

TEST_F(Anchor, StrictConfirmsEachChangeBeforeItReturnsSoNoChangeCanBeUndone) {
  opts_.anchor = RollbackAnchor::kStrict;
  const std::string dir_g = save_dir("g");
  const Root g = root_of(opts_);
  Bytes rpmb_after;
  {
    auto store = open_store(opts_);
    change(*store, 2);
    const Root r = root_of(opts_);
    EXPECT_EQ(r.intent, g.intent + 1);
    EXPECT_EQ(r.confirmed, r.intent);
    rpmb_after = save_rpmb();  // killed right after the call returned
  }
  put_back(dir_g, rpmb_after);
  std::string why;
  Bytes out;
  EXPECT_EQ(first_bytes(&out, &why), StoreStatus::kRollback);
}

TEST_F(Anchor, ARootOfTheFirstFormatStillAnchorsItsStore) {
  const Root g = root_of(opts_);
  const std::string dir_g = save_dir("g");
  ASSERT_TRUE(RootDevice(opts_).write_v1(g.intent));
  std::string why;
  Bytes out;
  ASSERT_EQ(first_bytes(&out, &why), StoreStatus::kOk) << why;
  {
    auto store = open_store(opts_);
    change(*store, 2);
  }
  // One generation in the first format is confirmed: one behind is rollback.
  ASSERT_TRUE(RootDevice(opts_).write_v1(g.intent + 1));
  put_back(dir_g, save_rpmb());
  EXPECT_EQ(first_bytes(&out, &why), StoreStatus::kRollback);
}

}  // namespace
}  // namespace captee::tee::storage::testing
