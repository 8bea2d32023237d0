// Reserved-op handling and dispatch of captee::LocalObject, and the counts
// helpers of object.h.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "captee/object.hpp"
#include "test_objects.hpp"

namespace captee::testing {
namespace {

struct OpRecorder : LocalObject {
  uint32_t last_method = 0xFFFFFFFF;
  ObjectOp last_op = 0;
  int32_t on_invoke(uint32_t method, ObjectOp op, ObjectArg *, ObjectCounts) override {
    last_method = method;
    last_op = op;
    return Object_OK;
  }
};

class LocalObjectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    rec_ = new OpRecorder;
    ref_ = Ref::adopt(rec_->as_object());
  }
  OpRecorder *rec_ = nullptr;
  Ref ref_;
};

TEST_F(LocalObjectTest, RetainAndReleaseWithArgumentsAreInvalid) {
  ObjectArg a[1] = {};
  a[0].bi = {"x", 1};
  EXPECT_EQ(Object_invoke(ref_.get(), Object_OP_retain, a, ObjectCounts_pack(1, 0, 0, 0)),
            Object_ERROR_INVALID);
  EXPECT_EQ(Object_invoke(ref_.get(), Object_OP_release, a, ObjectCounts_pack(1, 0, 0, 0)),
            Object_ERROR_INVALID);
  EXPECT_EQ(rec_->ref_count(), 1u);
}

TEST_F(LocalObjectTest, UnknownReservedOpsAreInvalidAndNeverReachTheImplementation) {
  for (uint32_t op : {0x4000u, 0x7FFEu, 0xC000u, 0xFFFDu /* unwrapFd */}) {
    EXPECT_EQ(ref_.invoke_raw(op, nullptr, 0), Object_ERROR_INVALID) << std::hex << op;
  }
  EXPECT_EQ(rec_->last_method, 0xFFFFFFFFu);
}

TEST_F(LocalObjectTest, UserMethodsReachTheImplementationByMethodId) {
  const ObjectOp with_modifier = 0x3FFF | ObjectOp_REMOTE_BUFS;
  EXPECT_EQ(ref_.invoke_raw(with_modifier, nullptr, 0), Object_OK);
  EXPECT_EQ(rec_->last_method, 0x3FFFu);
  EXPECT_EQ(rec_->last_op, with_modifier);
  EXPECT_EQ(ref_.invoke_raw(ObjectOp_LOCAL | 7, nullptr, 0), Object_OK);
  EXPECT_EQ(rec_->last_method, 0x8007u);
  EXPECT_EQ(ref_.invoke_raw(Object_OP_version, nullptr, 0), Object_OK);
  EXPECT_EQ(rec_->last_method, 0x7FFFu);
}

TEST_F(LocalObjectTest, FromRecognisesOnlyCapteeObjects) {
  EXPECT_EQ(LocalObject::from(ref_.get()), rec_);
  EXPECT_EQ(LocalObject::from_as<OpRecorder>(ref_.get()), rec_);
  EXPECT_EQ(LocalObject::from_as<Calculator>(ref_.get()), nullptr);
  Object foreign{[](ObjectCxt, ObjectOp, ObjectArg *, ObjectCounts) -> int32_t { return 0; },
                 nullptr};
  EXPECT_EQ(LocalObject::from(foreign), nullptr);
  EXPECT_EQ(LocalObject::from(Object_NULL), nullptr);
}

TEST_F(LocalObjectTest, ConcurrentRetainReleaseKeepsTheCount) {
  constexpr int kThreads = 4, kRounds = 10000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kRounds; ++i) {
        Ref copy = ref_;
      }
    });
  }
  for (auto &t : threads) {
    t.join();
  }
  EXPECT_EQ(rec_->ref_count(), 1u);
}

TEST(CountsTest, PackingAtTheLimitOfFifteenPerType) {
  const ObjectCounts k = ObjectCounts_pack(15, 15, 15, 15);
  EXPECT_EQ(k, 0xFFFFu);
  EXPECT_EQ(ObjectCounts_numBI(k), 15u);
  EXPECT_EQ(ObjectCounts_numBO(k), 15u);
  EXPECT_EQ(ObjectCounts_numOI(k), 15u);
  EXPECT_EQ(ObjectCounts_numOO(k), 15u);
  EXPECT_EQ(ObjectCounts_indexBO(k), 15u);
  EXPECT_EQ(ObjectCounts_indexOI(k), 30u);
  EXPECT_EQ(ObjectCounts_indexOO(k), 45u);
  EXPECT_EQ(ObjectCounts_total(k), 60u);
  EXPECT_EQ(ObjectCounts_numBuffers(k), 30u);
  EXPECT_EQ(ObjectCounts_numObjects(k), 30u);
}

TEST(CountsTest, EachFieldIsIndependent) {
  for (uint32_t bi = 0; bi <= 15; ++bi) {
    for (uint32_t oo = 0; oo <= 15; oo += 5) {
      const ObjectCounts k = ObjectCounts_pack(bi, 3u, 0u, oo);
      EXPECT_EQ(ObjectCounts_numBI(k), bi);
      EXPECT_EQ(ObjectCounts_numBO(k), 3u);
      EXPECT_EQ(ObjectCounts_numOI(k), 0u);
      EXPECT_EQ(ObjectCounts_numOO(k), oo);
      EXPECT_EQ(ObjectCounts_indexOO(k), bi + 3);
    }
  }
  // Only the low 16 bits carry counts.
  EXPECT_EQ(ObjectCounts_numOO(0xFFFF0000u | ObjectCounts_pack(0, 0, 0, 2)), 2u);
}

TEST(CountsTest, ForArgsVisitsExactlyOneSection) {
  const ObjectCounts k = ObjectCounts_pack(2, 3, 4, 5);
  std::vector<size_t> seen;
  FOR_ARGS(i, k, OI) {
    seen.push_back(i);
  }
  EXPECT_EQ(seen, (std::vector<size_t>{5, 6, 7, 8}));
  seen.clear();
  FOR_ARGS(i, k, Buffers) {
    seen.push_back(i);
  }
  EXPECT_EQ(seen.size(), 5u);
}

}  // namespace
}  // namespace captee::testing
