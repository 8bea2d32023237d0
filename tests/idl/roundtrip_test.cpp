// Round trips through generated code: C stubs into the C skeleton, C stubs
// into a C++ skeleton, C++ proxies into both, for every parameter kind; and
// the skeletons' argument validation.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <functional>

#include "RoundTrip.hpp"
#include "captee/object.hpp"
#include "roundtrip_c.h"

namespace captee::idl::test {
namespace {

// A plain counted object to pass around as an input/output object.
class Token : public LocalObject {
 protected:
  int32_t on_invoke(uint32_t, ObjectOp, ObjectArg *, ObjectCounts) override {
    return Object_ERROR_INVALID;
  }
};

// IRoundTrip in C++, with the same behaviour as the C implementation.
class CppRoundTrip : public iface::IRoundTripSkeleton {
 public:
  unsigned calls = 0;
  bool overfill = false;  // buffers() reports more bytes than the capacity

  int32_t ping(uint32_t x, uint32_t &y) override {
    ++calls;
    y = x + 100;
    return Object_OK;
  }
  int32_t prims(uint8_t a, uint16_t b, uint32_t c, uint64_t d, int8_t e, int16_t f, int32_t g,
                int64_t h, float i, double j, uint8_t &oa, uint16_t &ob, uint32_t &oc, uint64_t &od,
                int8_t &oe, int16_t &of, int32_t &og, int64_t &oh, float &oi, double &oj) override {
    ++calls;
    oa = static_cast<uint8_t>(a + 1);
    ob = static_cast<uint16_t>(b + 1);
    oc = c + 1;
    od = d + 1;
    oe = static_cast<int8_t>(e - 1);
    of = static_cast<int16_t>(f - 1);
    og = g - 1;
    oh = h - 1;
    oi = i * 2;
    oj = j * 2;
    return Object_OK;
  }
  int32_t single(uint16_t a, uint64_t &b) override {
    ++calls;
    b = uint64_t{a} * 0x10001u;
    return Object_OK;
  }
  int32_t structs(const ::RT_Small &s, const ::RT_Pair &p, const ::RT_Big &big, ::RT_Small &os,
                  ::RT_Big &obig, ::RT_Nested &on) override {
    ++calls;
    os = {s.a + 1, static_cast<uint16_t>(s.b + 1), static_cast<uint8_t>(s.c + 1),
          static_cast<uint8_t>(s.d + 1)};
    obig = {{big.v[0] + p.x, big.v[1] + p.y, big.v[2]}, big.f * 2, 0};
    on.s = s;
    on.arr[0] = static_cast<uint32_t>(p.x);
    on.arr[1] = static_cast<uint32_t>(p.y);
    return Object_OK;
  }
  int32_t loneStruct(const ::RT_Nested &n, ::RT_Pair &p) override {
    ++calls;
    p = {uint64_t{n.s.a} + n.arr[0], n.arr[1]};
    return Object_OK;
  }
  int32_t arrays(std::span<const uint32_t> u, std::span<const ::RT_Small> ss,
                 std::span<uint16_t> ou, size_t &ou_len, std::span<::RT_Big> ob,
                 size_t &ob_len) override {
    ++calls;
    ou_len = std::min(u.size(), ou.size());
    for (size_t k = 0; k < ou_len; ++k) {
      ou[k] = static_cast<uint16_t>(u[k] + 1);
    }
    ob_len = std::min(ss.size(), ob.size());
    for (size_t k = 0; k < ob_len; ++k) {
      ob[k] = {{ss[k].a, ss[k].b, ss[k].c}, static_cast<float>(ss[k].d), 0};
    }
    return Object_OK;
  }
  int32_t buffers(std::span<const std::byte> ib, std::span<std::byte> ob, size_t &ob_len) override {
    ++calls;
    if (ib.size() > ob.size()) {
      return Object_ERROR_SIZE_OUT;
    }
    std::reverse_copy(ib.begin(), ib.end(), ob.begin());
    ob_len = overfill ? ob.size() + 1 : ib.size();
    return Object_OK;
  }
  int32_t objects(Object gi, Object ti, Ref &go, Ref &to) override {
    ++calls;
    go = Ref::share(gi);
    to = Ref::share(ti);
    return Object_OK;
  }
  int32_t objectArrays(std::span<const Object, 3> ins, std::span<Ref, 2> outs) override {
    ++calls;
    outs[0] = Ref::share(ins[2]);
    outs[1] = Ref::share(ins[0]);
    return Object_OK;
  }
  int32_t nothing() override {
    ++calls;
    return Object_OK;
  }
  int32_t fail(int32_t code, Ref &) override {
    ++calls;
    return code;
  }
  int32_t later(uint32_t x, uint32_t &y) override {
    ++calls;
    y = x * 3;
    return Object_OK;
  }
};

class RoundTrip : public ::testing::Test {
 protected:
  Ref gi = make_object<Token>();
  Ref ti = make_object<Token>();
  uint32_t gi_refs() const { return LocalObject::from(gi.get())->ref_count(); }
  uint32_t ti_refs() const { return LocalObject::from(ti.get())->ref_count(); }
};

TEST_F(RoundTrip, CStubsIntoCSkeleton) {
  Ref rt = Ref::adopt(rt_c_object_new());
  EXPECT_EQ(rt_c_client(rt.get(), gi.get(), ti.get()), 0);
  EXPECT_EQ(gi_refs(), 1u);  // every output reference was released again
  EXPECT_EQ(ti_refs(), 1u);
  rt.reset();
  EXPECT_EQ(rt_c_live_objects(), 0);
}

TEST_F(RoundTrip, CStubsIntoCppSkeleton) {
  Ref rt = make_object<CppRoundTrip>();
  EXPECT_EQ(rt_c_client(rt.get(), gi.get(), ti.get()), 0);
  EXPECT_EQ(gi_refs(), 1u);
  EXPECT_EQ(ti_refs(), 1u);
  EXPECT_GT(LocalObject::from_as<CppRoundTrip>(rt.get())->calls, 10u);
}

void drive_with_proxy(Ref target, const Ref &gi, const Ref &ti) {
  iface::IRoundTrip rt(std::move(target));
  uint32_t y = 0;
  ASSERT_EQ(rt.ping(1, y), Object_OK);  // inherited from the IRoundTripBase proxy
  EXPECT_EQ(y, 101u);

  uint8_t oa = 0;
  uint16_t ob = 0;
  uint32_t oc = 0;
  uint64_t od = 0;
  int8_t oe = 0;
  int16_t of = 0;
  int32_t og = 0;
  int64_t oh = 0;
  float oi = 0;
  double oj = 0;
  ASSERT_EQ(rt.prims(1, 2, 3, 4, 5, 6, 7, 8, 0.5f, 0.25, oa, ob, oc, od, oe, of, og, oh, oi, oj),
            Object_OK);
  EXPECT_EQ(oa, 2);
  EXPECT_EQ(ob, 3);
  EXPECT_EQ(oc, 4u);
  EXPECT_EQ(od, 5u);
  EXPECT_EQ(oe, 4);
  EXPECT_EQ(of, 5);
  EXPECT_EQ(og, 6);
  EXPECT_EQ(oh, 7);
  EXPECT_EQ(oi, 1.0f);
  EXPECT_EQ(oj, 0.5);

  ::RT_Small s{1, 2, 3, 4}, os{};
  ::RT_Pair p{10, 20};
  ::RT_Big big{{1, 1, 1}, 2.0f, 0}, obig{};
  ::RT_Nested on{};
  ASSERT_EQ(rt.structs(s, p, big, os, obig, on), Object_OK);
  EXPECT_EQ(os.d, 5);
  EXPECT_EQ(obig.v[1], 21u);
  EXPECT_EQ(obig.f, 4.0f);
  EXPECT_EQ(on.arr[1], 20u);

  const uint32_t u[2] = {1, 2};
  const ::RT_Small ss[1] = {{9, 8, 7, 6}};
  uint16_t ou[4] = {};
  ::RT_Big obs[1] = {};
  size_t ou_len = 0, ob_len = 0;
  ASSERT_EQ(rt.arrays(u, ss, ou, ou_len, obs, ob_len), Object_OK);
  EXPECT_EQ(ou_len, 2u);
  EXPECT_EQ(ou[1], 3);
  EXPECT_EQ(ob_len, 1u);
  EXPECT_EQ(obs[0].v[0], 9u);

  const std::byte in[3] = {std::byte{1}, std::byte{2}, std::byte{3}};
  std::byte back[3] = {};
  size_t back_len = 0;
  ASSERT_EQ(rt.buffers(in, back, back_len), Object_OK);
  EXPECT_EQ(back_len, 3u);
  EXPECT_EQ(back[0], std::byte{3});

  Ref go, to;
  ASSERT_EQ(rt.objects(gi, ti, go, to), Object_OK);
  EXPECT_TRUE(go == gi);
  EXPECT_TRUE(to == ti);

  const Ref ins[3] = {gi, Ref(), ti};
  Ref outs[2];
  ASSERT_EQ(rt.objectArrays(ins, outs), Object_OK);
  EXPECT_TRUE(outs[0] == ti);
  EXPECT_TRUE(outs[1] == gi);

  Ref untouched = gi;
  EXPECT_EQ(rt.fail(IRoundTrip_ERROR_ONE, untouched), IRoundTrip_ERROR_ONE);
  EXPECT_TRUE(untouched == gi);  // outputs are not stored on error
  EXPECT_EQ(rt.nothing(), Object_OK);
  ASSERT_EQ(rt.later(2, y), Object_OK);
  EXPECT_EQ(y, 6u);

  iface::IRoundTrip empty;
  EXPECT_EQ(empty.nothing(), Object_ERROR_BADOBJ);
}

TEST_F(RoundTrip, CppProxyIntoCSkeleton) {
  drive_with_proxy(Ref::adopt(rt_c_object_new()), gi, ti);
  EXPECT_EQ(gi_refs(), 1u);
  EXPECT_EQ(ti_refs(), 1u);
  EXPECT_EQ(rt_c_live_objects(), 0);
}

TEST_F(RoundTrip, CppProxyIntoCppSkeleton) {
  drive_with_proxy(make_object<CppRoundTrip>(), gi, ti);
  EXPECT_EQ(gi_refs(), 1u);
  EXPECT_EQ(ti_refs(), 1u);
}

// Invokes `rt` directly with a hand-built argument array.
int32_t raw(const Ref &rt, ObjectOp op, ObjectArg *a, ObjectCounts k) {
  return rt.invoke_raw(op, a, k);
}

void expect_validation(const Ref &rt, const std::function<unsigned()> &calls) {
  const unsigned before = calls();
  uint8_t bundle[64] = {};
  uint64_t wide = 0;
  ObjectArg a[4];
  // ping: exact counts (1,1,0,0) and sizes 4 / 4.
  a[0].bi = {bundle, 4};
  a[1].b = {bundle + 8, 4};
  EXPECT_EQ(raw(rt, IRoundTripBase_OP_ping, a, ObjectCounts_pack(1, 1, 0, 0)), Object_OK);
  EXPECT_EQ(calls(), before + 1);
  EXPECT_EQ(raw(rt, IRoundTripBase_OP_ping, a, ObjectCounts_pack(1, 1, 0, 1)),
            Object_ERROR_INVALID);
  EXPECT_EQ(raw(rt, IRoundTripBase_OP_ping, a, ObjectCounts_pack(2, 0, 0, 0)),
            Object_ERROR_INVALID);
  a[0].bi = {bundle, 3};
  EXPECT_EQ(raw(rt, IRoundTripBase_OP_ping, a, ObjectCounts_pack(1, 1, 0, 0)),
            Object_ERROR_INVALID);
  a[0].bi = {bundle, 4};
  a[1].b = {bundle + 8, 8};
  EXPECT_EQ(raw(rt, IRoundTripBase_OP_ping, a, ObjectCounts_pack(1, 1, 0, 0)),
            Object_ERROR_INVALID);
  // prims: both bundles are exactly 42 bytes (unpadded sums).
  a[0].bi = {bundle, 42};
  a[1].b = {bundle, 42};
  EXPECT_EQ(raw(rt, IRoundTrip_OP_prims, a, ObjectCounts_pack(1, 1, 0, 0)), Object_OK);
  a[1].b = {bundle, 48};
  EXPECT_EQ(raw(rt, IRoundTrip_OP_prims, a, ObjectCounts_pack(1, 1, 0, 0)), Object_ERROR_INVALID);
  // structs: BI bundle 24 + RT_Big 32, BO bundle 24 + RT_Big 32.
  alignas(8) uint8_t big_in[32] = {}, big_out[32] = {};
  a[0].bi = {bundle, 24};
  a[1].bi = {big_in, 32};
  a[2].b = {bundle + 24, 24};
  a[3].b = {big_out, 32};
  EXPECT_EQ(raw(rt, IRoundTrip_OP_structs, a, ObjectCounts_pack(2, 2, 0, 0)), Object_OK);
  a[1].bi = {big_in, 31};
  EXPECT_EQ(raw(rt, IRoundTrip_OP_structs, a, ObjectCounts_pack(2, 2, 0, 0)), Object_ERROR_INVALID);
  a[1].bi = {big_in + 4, 32};  // a struct used in place must be aligned
  EXPECT_EQ(raw(rt, IRoundTrip_OP_structs, a, ObjectCounts_pack(2, 2, 0, 0)), Object_ERROR_INVALID);
  // Data buffers are not size-checked; zero-length is fine.
  a[0].bi = {nullptr, 0};
  a[1].b = {nullptr, 0};
  EXPECT_EQ(raw(rt, IRoundTrip_OP_buffers, a, ObjectCounts_pack(1, 1, 0, 0)), Object_OK);
  // Unknown ops, reserved ops with arguments, and the version op.
  EXPECT_EQ(raw(rt, 12, nullptr, 0), Object_ERROR_INVALID);
  EXPECT_EQ(raw(rt, 0x3FFF, nullptr, 0), Object_ERROR_INVALID);
  EXPECT_EQ(raw(rt, Object_OP_retain, a, ObjectCounts_pack(1, 0, 0, 0)), Object_ERROR_INVALID);
  EXPECT_EQ(raw(rt, Object_OP_release, a, ObjectCounts_pack(0, 0, 1, 0)), Object_ERROR_INVALID);
  a[0].b = {&wide, 8};
  EXPECT_EQ(raw(rt, Object_OP_version, a, ObjectCounts_pack(0, 1, 0, 0)), Object_ERROR_INVALID);
  uint32_t version = 0;
  a[0].b = {&version, 4};
  EXPECT_EQ(raw(rt, Object_OP_version, a, ObjectCounts_pack(0, 1, 0, 0)), Object_OK);
  EXPECT_EQ(version, (1u << 22) | (2u << 12));
  // Transport modifier bits do not change the method.
  a[0].bi = {bundle, 4};
  a[1].b = {bundle + 8, 4};
  EXPECT_EQ(
      raw(rt, IRoundTripBase_OP_ping | ObjectOp_REMOTE_BUFS, a, ObjectCounts_pack(1, 1, 0, 0)),
      Object_OK);
  EXPECT_EQ(calls(), before + 5);
}

TEST_F(RoundTrip, CSkeletonValidatesCountsAndSizes) {
  Ref rt = Ref::adopt(rt_c_object_new());
  expect_validation(rt, [&] { return rt_c_calls(rt.get()); });
}

TEST_F(RoundTrip, CppSkeletonValidatesCountsAndSizes) {
  Ref rt = make_object<CppRoundTrip>();
  auto *impl = LocalObject::from_as<CppRoundTrip>(rt.get());
  expect_validation(rt, [&] { return impl->calls; });
}

TEST_F(RoundTrip, SkeletonRejectsAnOutputLengthBeyondCapacity) {
  Ref rt = make_object<CppRoundTrip>();
  LocalObject::from_as<CppRoundTrip>(rt.get())->overfill = true;
  const char in[2] = {'a', 'b'};
  char out[4];
  size_t out_len = 0;
  EXPECT_EQ(IRoundTrip_buffers(rt.get(), in, 2, out, 4, &out_len), Object_ERROR_SIZE_OUT);
}

TEST_F(RoundTrip, GeneratedConstantsAndNumbers) {
  EXPECT_EQ(RT_BASE_MAGIC, 0xFEEDC0DEFACE0001ull);
  EXPECT_EQ(IRoundTripBase_BASE_CONST, -5);
  EXPECT_EQ(IRoundTrip_BASE_CONST, -5);  // inherited consts are re-prefixed
  EXPECT_EQ(IRoundTrip_SMALL, 200);
  EXPECT_EQ(IRoundTrip_RATIO, 1.5);
  EXPECT_EQ(IRoundTrip_ERROR_BASE, 10);  // base errors first
  EXPECT_EQ(IRoundTrip_ERROR_ONE, 11);
  EXPECT_EQ(IRoundTrip_ERROR_TWO, 12);
  EXPECT_EQ(IRoundTripBase_OP_ping, 0);
  EXPECT_EQ(IRoundTrip_OP_prims, 1);
  EXPECT_EQ(IRoundTrip_OP_later, 11);
  EXPECT_EQ(IRoundTrip_VERSION_MAJOR, 1);
  EXPECT_EQ(IRoundTrip_VERSION_MINOR, 2);
  EXPECT_EQ(IRoundTripBase_VERSION_MAJOR, 1);
  EXPECT_EQ(IRoundTripBase_VERSION_MINOR, 0);
  EXPECT_EQ(sizeof(::RT_Big), 32u);
  EXPECT_EQ(sizeof(::RT_Nested), 16u);
}

}  // namespace
}  // namespace captee::idl::test
