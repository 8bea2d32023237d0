// Acceptance: Acceptance.idl uses every construct of the Mink IDL grammar. Its
// generated C header compiles (this file and tests/idl/compile-check include
// it), and its stubs send the ObjectCounts and packed sizes Mink's rules give.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstring>

#include "Acceptance.h"
#include "Acceptance_invoke.h"
#include "recording_object.h"

namespace captee::idl::test {
namespace {

TEST(Acceptance, ConstsOfEveryTypeKeepTheirValues) {
  EXPECT_EQ(ACC_U8, 255);
  EXPECT_EQ(ACC_U16, 0xFFFF);
  EXPECT_EQ(ACC_U32, 4294967295u);
  EXPECT_EQ(ACC_U64, 0xFFFFFFFFFFFFFFFFull);
  EXPECT_EQ(ACC_I8, -128);
  EXPECT_EQ(ACC_I16, -32768);
  EXPECT_EQ(ACC_I32, INT32_MIN);
  EXPECT_EQ(ACC_I64, INT64_MIN);
  EXPECT_EQ(ACC_I64_MAX, INT64_MAX);
  EXPECT_EQ(ACC_F32, 3.25f);
  EXPECT_EQ(ACC_F64, -0.125);
  EXPECT_EQ(ACC_LEADING_ZERO, 10u);
  EXPECT_EQ(IAcceptance_TOP, 0x8000000000000000ull);
  EXPECT_EQ(IAcceptance_SCALE, 0.5f);
  EXPECT_EQ(IAcceptance_MID, 7u);         // from IAccBase
  EXPECT_EQ(IAcceptance_BASE_CONST, -5);  // from IRoundTripBase, two levels up
}

TEST(Acceptance, StructsHaveTheIdlLayout) {
  EXPECT_EQ(sizeof(Acc_Inner), 4u);
  EXPECT_EQ(sizeof(Acc_WithObjects), 48u);  // objects count 16 bytes each
  EXPECT_EQ(offsetof(Acc_WithObjects, typed), 16u);
  EXPECT_EQ(offsetof(Acc_WithObjects, inners), 32u);
}

TEST(Acceptance, NumbersFollowTheInheritanceChain) {
  EXPECT_EQ(IRoundTripBase_OP_ping, 0);
  EXPECT_EQ(IAccBase_OP_mix, 1);
  EXPECT_EQ(IAcceptance_OP_configTaRegion, 2);
  EXPECT_EQ(IAcceptance_OP_structsInOut, 8);
  EXPECT_EQ(IAcceptance_ERROR_BASE, 10);
  EXPECT_EQ(IAcceptance_ERROR_MID, 11);
  EXPECT_EQ(IAcceptance_ERROR_TOP, 12);
  EXPECT_EQ(IAccBase_ERROR_MID, 11);
  EXPECT_EQ(IAcceptance_VERSION_MAJOR, 2);  // highest #[version] in the chain
  EXPECT_EQ(IAcceptance_VERSION_MINOR, 0);
}

class AcceptanceWire : public ::testing::Test {
 protected:
  void expect_call(uint32_t op, uint32_t counts, std::vector<size_t> sizes) {
    ASSERT_EQ(rec.calls.size(), 1u);
    EXPECT_EQ(rec.calls[0].op, op);
    EXPECT_EQ(rec.calls[0].counts, counts) << std::hex << rec.calls[0].counts;
    EXPECT_EQ(rec.calls[0].buffer_sizes, sizes);
    EXPECT_TRUE(rec.calls[0].outputs_were_null);
    last = rec.calls[0];
    rec.calls.clear();
  }
  template <class T>
  T at(size_t bi, size_t off) const {
    T v{};
    std::memcpy(&v, last.input_bytes.at(bi).data() + off, sizeof v);
    return v;
  }
  Recorder rec;
  Object self = rec.object();
  RecordedCall last;
};

TEST_F(AcceptanceWire, EveryMethod) {
  uint32_t u32 = 0;
  uint8_t e = 0;
  uint64_t f = 0;
  IAcceptance_ping(self, 1, &u32);
  expect_call(0, 0x0011, {4, 4});

  // Spec §7.7: BI bundle 15 B {c u64@0, d u32@8, b u16@12, a u8@14}, BO 9 B {f, e}.
  IAcceptance_mix(self, 0xA1, 0xB2B2, 0xC3C3C3C3C3C3C3C3ull, 0xD4D4D4D4u, &e, &f);
  expect_call(1, 0x0011, {15, 9});
  EXPECT_EQ(at<uint64_t>(0, 0), 0xC3C3C3C3C3C3C3C3ull);
  EXPECT_EQ(at<uint32_t>(0, 8), 0xD4D4D4D4u);
  EXPECT_EQ(at<uint16_t>(0, 12), 0xB2B2);
  EXPECT_EQ(at<uint8_t>(0, 14), 0xA1);
  IAccBase_mix(self, 1, 2, 3, 4, &e, &f);  // the base's own stub: same wire
  expect_call(1, 0x0011, {15, 9});

  IAcceptance_configTaRegion(self, 1, 2);
  expect_call(2, 0x0001, {12});

  const uint64_t big[2] = {1, 2};
  const Acc_Inner inners[3] = {};
  int8_t bytes[5];
  Acc_Inner outs[6];
  size_t n1 = 0, n2 = 0;
  IAcceptance_typedArrays(self, big, 2, inners, 3, bytes, 5, &n1, outs, 6, &n2);
  expect_call(3, 0x0022, {16, 12, 5, 24});

  const IAccBase ins[2] = {Recorder::fake(0x1), Recorder::fake(0x2)};
  Object single = Object_NULL;
  IAcceptance_objArray(self, &ins, &single);
  expect_call(4, 0x1200, {});
  EXPECT_EQ(last.input_objects.size(), 2u);
  EXPECT_EQ(last.input_objects[1], reinterpret_cast<void *>(0x2));

  IRoundTripBase three[3];
  IAcceptance_objArrayOut(self, Recorder::fake(0x3), &three);
  expect_call(5, 0x3100, {});

  const char b[7] = "buffer";
  IAcceptance_v11(self, b, 6);
  expect_call(6, 0x0001, {6});

  float f32 = 0;
  double f64 = 0;
  IAcceptance_v20(self, &f32, &f64);
  expect_call(7, 0x0010, {12});  // {d f64@0, f f32@8}

  Acc_Inner in{1, 2}, out{};
  IAcceptance_structsInOut(self, &in, &out);
  expect_call(8, 0x0011, {4, 4});

  IAcceptance_api_version(self, &u32);
  expect_call(0x7FFF, 0x0010, {4});
}

}  // namespace
}  // namespace captee::idl::test
