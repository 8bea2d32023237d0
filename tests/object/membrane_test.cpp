// Membranes: revocation reaches everything that crossed, identity is kept for
// objects going back home, and policies attenuate.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "captee/membrane.hpp"
#include "test_objects.hpp"

namespace captee::testing {
namespace {

class MembraneTest : public ::testing::Test {
 protected:
  void SetUp() override { baseline_ = g_live_objects.load(); }
  void TearDown() override { EXPECT_EQ(g_live_objects.load(), baseline_) << "objects leaked"; }
  int baseline_ = 0;
};

uint32_t add(const Ref &r, uint32_t a, uint32_t b, int32_t *err = nullptr) {
  uint32_t sum = 0;
  int32_t rv = r.invoke(kAdd, in(AddIn{a, b}), out(sum));
  if (err != nullptr) {
    *err = rv;
  }
  return sum;
}

TEST_F(MembraneTest, ForwardsCallsUntilRevoked) {
  Ref carol = make_object<Calculator>();
  Membrane m = make_membrane(carol);
  ASSERT_TRUE(m.wrapped);
  EXPECT_FALSE(m.wrapped == carol);
  EXPECT_TRUE(is_membrane_wrapper(m.wrapped.get()));
  EXPECT_EQ(add(m.wrapped, 2, 3), 5u);

  ASSERT_EQ(m.revoker.revoke(), Object_OK);
  int32_t err = 0;
  add(m.wrapped, 2, 3, &err);
  EXPECT_EQ(err, Object_ERROR_DEFUNCT);
  EXPECT_EQ(m.revoker.revoke(), Object_OK) << "revoke is idempotent";
}

TEST_F(MembraneTest, RevocationDropsTheTargetAtOnce) {
  Ref carol = make_object<Calculator>();
  Membrane m = make_membrane(carol);
  EXPECT_EQ(LocalObject::from(carol.get())->ref_count(), 2u);
  m.revoker.revoke();
  // The wrapper still exists (Bob holds it) but no longer holds Carol.
  EXPECT_EQ(LocalObject::from(carol.get())->ref_count(), 1u);
  EXPECT_TRUE(m.wrapped);
}

TEST_F(MembraneTest, ObjectsReturnedThroughTheMembraneAreRevokedToo) {
  Ref carol = make_object<Calculator>();
  Membrane m = make_membrane(carol);
  Ref child;
  ASSERT_EQ(m.wrapped.invoke(kMakeChild, out(child)), Object_OK);
  ASSERT_TRUE(child);
  EXPECT_TRUE(is_membrane_wrapper(child.get())) << "an output crossing out must be wrapped";
  EXPECT_EQ(add(child, 1, 1), 2u);

  m.revoker.revoke();
  int32_t err = 0;
  add(child, 1, 1, &err);
  EXPECT_EQ(err, Object_ERROR_DEFUNCT);
  // The child Calculator itself was released by the revocation: only Carol is left.
  EXPECT_EQ(g_live_objects.load(), baseline_ + 1);
}

TEST_F(MembraneTest, ObjectsPassedInAreRevokedForTheInside) {
  Ref carol = make_object<Calculator>();
  Ref bobs_callback = make_object<Calculator>();
  Membrane m = make_membrane(carol);
  // Bob hands Carol a callback through the membrane; Carol keeps it.
  ASSERT_EQ(m.wrapped.invoke(kStore, in(bobs_callback)), Object_OK);
  uint32_t sum = 0;
  ASSERT_EQ(m.wrapped.invoke(kCallStored, out(sum)), Object_OK);
  EXPECT_EQ(sum, 42u);

  // Carol holds a wrapper, not Bob's object.
  Ref seen_by_carol;
  ASSERT_EQ(carol.invoke(kLoad, out(seen_by_carol)), Object_OK);
  EXPECT_TRUE(is_membrane_wrapper(seen_by_carol.get()));
  EXPECT_FALSE(seen_by_carol == bobs_callback);

  m.revoker.revoke();
  int32_t err = 0;
  add(seen_by_carol, 1, 2, &err);
  EXPECT_EQ(err, Object_ERROR_DEFUNCT) << "Carol must lose Bob's object too";
  EXPECT_EQ(LocalObject::from(bobs_callback.get())->ref_count(), 1u);
}

TEST_F(MembraneTest, AnObjectPassedInAndBackOutComesBackUnwrapped) {
  Ref carol = make_object<Calculator>();
  Ref bobs = make_object<Calculator>();
  Membrane m = make_membrane(carol);
  Ref echoed;
  ASSERT_EQ(m.wrapped.invoke(kEcho, in(bobs), out(echoed)), Object_OK);
  EXPECT_TRUE(echoed == bobs) << "Bob's own object must come home as itself";

  // The same holds for an object stored first and loaded later.
  ASSERT_EQ(m.wrapped.invoke(kStore, in(bobs)), Object_OK);
  Ref loaded;
  ASSERT_EQ(m.wrapped.invoke(kLoad, out(loaded)), Object_OK);
  EXPECT_TRUE(loaded == bobs);
}

TEST_F(MembraneTest, AnInsideObjectSentBackInIsUnwrappedForTheInside) {
  Ref carol = make_object<Calculator>();
  Membrane m = make_membrane(carol);
  Ref child;
  ASSERT_EQ(m.wrapped.invoke(kMakeChild, out(child)), Object_OK);
  // Bob gives Carol's child back to Carol: she must see her own object.
  ASSERT_EQ(m.wrapped.invoke(kStore, in(child)), Object_OK);
  Ref stored;
  ASSERT_EQ(carol.invoke(kLoad, out(stored)), Object_OK);
  EXPECT_FALSE(is_membrane_wrapper(stored.get()));
  EXPECT_NE(LocalObject::from_as<Calculator>(stored.get()), nullptr);
}

TEST_F(MembraneTest, PolicyDeniesMethodsInward) {
  Ref carol = make_object<Calculator>();
  Membrane m = make_membrane(carol, MembranePolicy::only_inward({kAdd}));
  EXPECT_EQ(add(m.wrapped, 1, 1), 2u);
  Ref child;
  EXPECT_EQ(m.wrapped.invoke(kMakeChild, out(child)), Object_ERROR_INVALID);
  EXPECT_TRUE(child.is_null());
}

TEST_F(MembraneTest, PolicyAppliesToObjectsThatCrossedAndToCallbacks) {
  Ref carol = make_object<Calculator>();
  Ref bobs = make_object<Calculator>();
  // Inward: only kMakeChild and kStore and kCallStored. Outward: nothing but kAdd.
  Membrane m =
      make_membrane(carol, MembranePolicy::custom([](Direction d, uint32_t method) {
                      if (d == Direction::kInward) {
                        return method == kMakeChild || method == kStore || method == kCallStored;
                      }
                      return method == kAdd;
                    }));
  Ref child;
  ASSERT_EQ(m.wrapped.invoke(kMakeChild, out(child)), Object_OK);
  int32_t err = 0;
  add(child, 1, 1, &err);
  EXPECT_EQ(err, Object_ERROR_INVALID) << "the child is behind the same policy";

  ASSERT_EQ(m.wrapped.invoke(kStore, in(bobs)), Object_OK);
  uint32_t sum = 0;
  EXPECT_EQ(m.wrapped.invoke(kCallStored, out(sum)), Object_OK) << "kAdd may go outward";
  Ref seen_by_carol;
  ASSERT_EQ(carol.invoke(kLoad, out(seen_by_carol)), Object_OK);
  Ref grandchild;
  EXPECT_EQ(seen_by_carol.invoke(kMakeChild, out(grandchild)), Object_ERROR_INVALID);
}

TEST_F(MembraneTest, ErrorsPassThroughAndProduceNoOutputs) {
  Ref carol = make_object<Calculator>();
  Membrane m = make_membrane(carol);
  Ref dest;
  EXPECT_EQ(m.wrapped.invoke(kFail, out(dest)), Object_ERROR_USERBASE);
  EXPECT_TRUE(dest.is_null());
}

TEST_F(MembraneTest, TheRevokerIsAnObjectWithOpRevoke) {
  Ref carol = make_object<Calculator>();
  Membrane m = make_membrane(carol);
  const Ref &handle = m.revoker.handle();
  EXPECT_EQ(handle.invoke(7), Object_ERROR_INVALID);
  EXPECT_EQ(handle.invoke_raw(Revoker::kOpRevoke, nullptr, ObjectCounts_pack(0, 1, 0, 0)),
            Object_ERROR_INVALID);
  EXPECT_EQ(handle.invoke(Revoker::kOpRevoke), Object_OK);
  int32_t err = 0;
  add(m.wrapped, 1, 1, &err);
  EXPECT_EQ(err, Object_ERROR_DEFUNCT);
}

TEST_F(MembraneTest, WrappersOutliveNothingAfterTheLastReference) {
  Ref carol = make_object<Calculator>();
  {
    Membrane m = make_membrane(carol);
    Ref child;
    ASSERT_EQ(m.wrapped.invoke(kMakeChild, out(child)), Object_OK);
  }
  // Wrapper, child and revoker are gone; only Carol is left, with one reference.
  EXPECT_EQ(LocalObject::from(carol.get())->ref_count(), 1u);
  EXPECT_EQ(g_live_objects.load(), baseline_ + 1);
}

TEST_F(MembraneTest, NullTargetGivesNullWrapper) {
  Membrane m = make_membrane(Ref());
  EXPECT_TRUE(m.wrapped.is_null());
  EXPECT_EQ(m.revoker.revoke(), Object_OK);
}

TEST_F(MembraneTest, RevokingWhileOtherThreadsCallIsSafe) {
  Ref carol = make_object<Calculator>();
  Membrane m = make_membrane(carol);
  std::atomic<int> ok{0}, defunct{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        Ref child;
        int32_t rv = m.wrapped.invoke(kMakeChild, out(child));
        if (rv == Object_OK) {
          int32_t err = 0;
          add(child, 1, 2, &err);
          (err == Object_OK || err == Object_ERROR_DEFUNCT ? ok : other)++;
        } else {
          (rv == Object_ERROR_DEFUNCT ? defunct : other)++;
        }
      }
    });
  }
  std::this_thread::yield();
  m.revoker.revoke();
  for (auto &t : threads) {
    t.join();
  }
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(ok.load() + defunct.load(), 8000);
  int32_t err = 0;
  add(m.wrapped, 1, 1, &err);
  EXPECT_EQ(err, Object_ERROR_DEFUNCT);
}

}  // namespace
}  // namespace captee::testing
