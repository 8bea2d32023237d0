// Ownership rules of captee::Ref and the typed invoke helper.
#include <gtest/gtest.h>

#include <array>
#include <cstring>

#include "captee/object.hpp"
#include "test_objects.hpp"

namespace captee::testing {
namespace {

class RefTest : public ::testing::Test {
 protected:
  void SetUp() override { baseline_ = g_live_objects.load(); }
  void TearDown() override { EXPECT_EQ(g_live_objects.load(), baseline_) << "objects leaked"; }
  int baseline_ = 0;
};

uint32_t refs_of(const Ref &r) {
  return LocalObject::from(r.get())->ref_count();
}

TEST_F(RefTest, NewObjectHasOneReference) {
  Ref calc = make_object<Calculator>();
  ASSERT_TRUE(calc);
  EXPECT_EQ(refs_of(calc), 1u);
  EXPECT_EQ(g_live_objects.load(), baseline_ + 1);
}

TEST_F(RefTest, CopyRetainsAndDestructionReleases) {
  Ref calc = make_object<Calculator>();
  {
    Ref copy = calc;
    EXPECT_EQ(refs_of(calc), 2u);
    EXPECT_TRUE(copy == calc);
    Ref assigned;
    assigned = copy;
    EXPECT_EQ(refs_of(calc), 3u);
  }
  EXPECT_EQ(refs_of(calc), 1u);
}

TEST_F(RefTest, MoveTransfersWithoutCounting) {
  Ref calc = make_object<Calculator>();
  Ref moved = std::move(calc);
  EXPECT_TRUE(
      calc.is_null());  // NOLINT(bugprone-use-after-move): the moved-from state is specified
  EXPECT_EQ(refs_of(moved), 1u);
  Ref target = make_object<Calculator>();
  target = std::move(moved);  // releases target's old object
  EXPECT_EQ(g_live_objects.load(), baseline_ + 1);
}

TEST_F(RefTest, SelfAssignmentKeepsTheObject) {
  Ref calc = make_object<Calculator>();
  Ref &alias = calc;
  calc = alias;
  EXPECT_EQ(refs_of(calc), 1u);
}

TEST_F(RefTest, DetachHandsOverOwnership) {
  Ref calc = make_object<Calculator>();
  Object raw = calc.detach();
  EXPECT_TRUE(calc.is_null());
  EXPECT_EQ(g_live_objects.load(), baseline_ + 1);
  Ref back = Ref::adopt(raw);
  EXPECT_EQ(refs_of(back), 1u);
}

TEST_F(RefTest, ShareRetains) {
  Ref calc = make_object<Calculator>();
  Ref shared = Ref::share(calc.get());
  EXPECT_EQ(refs_of(calc), 2u);
}

TEST_F(RefTest, InvokingNullIsBadObjNotACrash) {
  Ref none;
  uint32_t sum = 0;
  EXPECT_EQ(none.invoke(kAdd, in(AddIn{1, 2}), out(sum)), Object_ERROR_BADOBJ);
}

TEST_F(RefTest, TypedInvokeComputesCountsAndFillsOutputs) {
  Ref calc = make_object<Calculator>();
  uint32_t sum = 0;
  ASSERT_EQ(calc.invoke(kAdd, in(AddIn{40, 2}), out(sum)), Object_OK);
  EXPECT_EQ(sum, 42u);
}

TEST_F(RefTest, ArgumentsAreOrderedByKindWhateverTheCallOrder) {
  // An object that records the raw argument layout it receives.
  struct Recorder : LocalObject {
    ObjectCounts seen = 0;
    std::array<size_t, 4> sizes{};
    int32_t on_invoke(uint32_t, ObjectOp, ObjectArg *a, ObjectCounts k) override {
      seen = k;
      sizes = {a[0].b.size, a[1].b.size, a[2].b.size, 0};
      a[ObjectCounts_indexOO(k)].o = Object_NULL;
      a[ObjectCounts_indexBO(k)].b.size = 1;
      return Object_OK;
    }
  };
  auto *rec = new Recorder;
  Ref r = Ref::adopt(rec->as_object());
  Ref child;
  Ref calc = make_object<Calculator>();
  char outbuf[7];
  size_t used = 0;
  uint16_t small = 5;
  // OO, OI, BO, BI, BI given out of order.
  ASSERT_EQ(
      r.invoke(1, out(child), in(calc), out(outbuf, sizeof outbuf, &used), in(small), in("abc", 3)),
      Object_OK);
  EXPECT_EQ(rec->seen, ObjectCounts_pack(2, 1, 1, 1));
  EXPECT_EQ(rec->sizes[0], sizeof small);   // BI 0: the first BI given
  EXPECT_EQ(rec->sizes[1], 3u);             // BI 1
  EXPECT_EQ(rec->sizes[2], sizeof outbuf);  // BO 0: capacity
  EXPECT_EQ(used, 1u);
  EXPECT_TRUE(child.is_null());
}

TEST_F(RefTest, OutputObjectIsANewReferenceOwnedByTheCaller) {
  Ref calc = make_object<Calculator>();
  Ref child;
  ASSERT_EQ(calc.invoke(kMakeChild, out(child)), Object_OK);
  ASSERT_TRUE(child);
  EXPECT_EQ(refs_of(child), 1u);
  EXPECT_EQ(g_live_objects.load(), baseline_ + 2);
  child.reset();
  EXPECT_EQ(g_live_objects.load(), baseline_ + 1);
}

TEST_F(RefTest, InputObjectsAreBorrowed) {
  Ref keeper = make_object<Calculator>();
  Ref value = make_object<Calculator>();
  // kEcho does not keep its input: the count is back to 1 after the call,
  // plus the new reference it hands out.
  Ref echoed;
  ASSERT_EQ(keeper.invoke(kEcho, in(value), out(echoed)), Object_OK);
  EXPECT_TRUE(echoed == value);
  EXPECT_EQ(refs_of(value), 2u);
  echoed.reset();
  EXPECT_EQ(refs_of(value), 1u);
  // kStore keeps it, so it must retain.
  ASSERT_EQ(keeper.invoke(kStore, in(value)), Object_OK);
  EXPECT_EQ(refs_of(value), 2u);
  keeper.reset();  // the keeper releases what it stored
  EXPECT_EQ(refs_of(value), 1u);
}

TEST_F(RefTest, OnErrorNoOutputsAreWritten) {
  Ref calc = make_object<Calculator>();
  Ref previous = make_object<Calculator>();
  Ref dest = previous;
  uint32_t value = 7;
  size_t used = 99;
  char buf[4];
  EXPECT_EQ(calc.invoke(kFail, out(dest), out(value), out(buf, sizeof buf, &used)),
            Object_ERROR_USERBASE);
  EXPECT_TRUE(dest == previous);
  EXPECT_EQ(value, 7u);
  EXPECT_EQ(used, 99u);
}

TEST_F(RefTest, VariableOutputReportsTheUsedSize) {
  Ref calc = make_object<Calculator>();
  char buf[16] = {};
  size_t used = 0;
  ASSERT_EQ(calc.invoke(kCopy, in("hello", 5), out(buf, sizeof buf, &used)), Object_OK);
  EXPECT_EQ(used, 5u);
  EXPECT_EQ(std::memcmp(buf, "hello", 5), 0);
}

TEST_F(RefTest, ShortFixedOutputIsSizeOut) {
  Ref calc = make_object<Calculator>();
  uint64_t wide = 0;  // kCopy writes 3 bytes into an 8-byte fixed output
  EXPECT_EQ(calc.invoke(kCopy, in("abc", 3), out(wide)), Object_ERROR_SIZE_OUT);
}

TEST_F(RefTest, CalleeClaimingMoreThanCapacityIsRejectedAndItsObjectsDropped) {
  struct Liar : LocalObject {
    int32_t on_invoke(uint32_t, ObjectOp, ObjectArg *a, ObjectCounts k) override {
      a[ObjectCounts_indexBO(k)].b.size = 1000;
      a[ObjectCounts_indexOO(k)].o = make_object<Calculator>().detach();
      return Object_OK;
    }
  };
  auto *liar = new Liar;
  Ref r = Ref::adopt(liar->as_object());
  char buf[4];
  size_t used = 0;
  Ref got;
  EXPECT_EQ(r.invoke(0, out(buf, sizeof buf, &used), out(got)), Object_ERROR_SIZE_OUT);
  EXPECT_TRUE(got.is_null());
  // TearDown proves the Calculator the liar returned was released.
}

TEST_F(RefTest, FifteenOfEachKindIsTheLimit) {
  struct CountOnly : LocalObject {
    ObjectCounts seen = 0;
    int32_t on_invoke(uint32_t, ObjectOp, ObjectArg *a, ObjectCounts k) override {
      seen = k;
      FOR_ARGS(i, k, OO) {
        a[i].o = Object_NULL;
      }
      return Object_OK;
    }
  };
  auto *obj = new CountOnly;
  Ref r = Ref::adopt(obj->as_object());
  uint8_t b[15] = {};
  Ref outs[15];
  Ref calc = make_object<Calculator>();
  uint8_t o[15];
  ASSERT_EQ(
      r.invoke(3, in(b[0]), in(b[1]), in(b[2]), in(b[3]), in(b[4]), in(b[5]), in(b[6]), in(b[7]),
               in(b[8]), in(b[9]), in(b[10]), in(b[11]), in(b[12]), in(b[13]), in(b[14]), out(o[0]),
               out(o[1]), out(o[2]), out(o[3]), out(o[4]), out(o[5]), out(o[6]), out(o[7]),
               out(o[8]), out(o[9]), out(o[10]), out(o[11]), out(o[12]), out(o[13]), out(o[14]),
               in(calc), in(calc), in(calc), in(calc), in(calc), in(calc), in(calc), in(calc),
               in(calc), in(calc), in(calc), in(calc), in(calc), in(calc), in(calc), out(outs[0]),
               out(outs[1]), out(outs[2]), out(outs[3]), out(outs[4]), out(outs[5]), out(outs[6]),
               out(outs[7]), out(outs[8]), out(outs[9]), out(outs[10]), out(outs[11]),
               out(outs[12]), out(outs[13]), out(outs[14])),
      Object_OK);
  EXPECT_EQ(obj->seen, 0xFFFFu);
  EXPECT_EQ(ObjectCounts_total(obj->seen), 60u);
}

}  // namespace
}  // namespace captee::testing
