// A real captee interface end to end: IWait implemented in C++ with the
// generated skeleton (as libminkteec's CWait is in C), called through the
// generated C stubs, with the skeleton checks spec §5.7 lists.
#include <gtest/gtest.h>

#include "IWait.h"
#include "IWait.hpp"
#include "cwait_c.h"

namespace captee::idl::test {
namespace {

class Waiter : public iface::IWaitSkeleton {
 public:
  uint32_t pending = 0;
  int32_t wait(uint32_t msec, uint32_t, uint32_t events, uint32_t &result) override {
    if (events == 0 || msec == 0) {
      result = 0;
      return Object_OK;
    }
    result = pending & events;
    pending &= ~events;
    return Object_OK;
  }
  int32_t signal(uint32_t, uint32_t events) override {
    pending |= events;
    return Object_OK;
  }
};

TEST(Wait, CStubsReachTheCppSkeleton) {
  Ref w = make_object<Waiter>();
  ASSERT_EQ(IWait_signal(w.get(), 0, IWait_EVENT_CANCEL | 0x10000), Object_OK);
  uint32_t result = 99;
  ASSERT_EQ(IWait_wait(w.get(), IWait_WAIT_INFINITE, 7, IWait_EVENT_CANCEL, &result), Object_OK);
  EXPECT_EQ(result, IWait_EVENT_CANCEL);
  ASSERT_EQ(IWait_wait(w.get(), 0, 7, 0x10000, &result), Object_OK);
  EXPECT_EQ(result, 0u);
  uint32_t version = 0;
  ASSERT_EQ(IWait_api_version(w.get(), &version), Object_OK);
  EXPECT_EQ(version, 1u << IWait_MAJOR_SHIFT);
}

TEST(Wait, SkeletonChecksExactSizes) {
  Ref w = make_object<Waiter>();
  uint32_t in[3] = {1, 2, 3};
  uint32_t out = 0;
  ObjectArg a[2];
  a[0].bi = {in, 12};
  a[1].b = {&out, 4};
  EXPECT_EQ(w.invoke_raw(IWait_OP_wait, a, ObjectCounts_pack(1, 1, 0, 0)), Object_OK);
  a[0].bi = {in, 8};
  EXPECT_EQ(w.invoke_raw(IWait_OP_wait, a, ObjectCounts_pack(1, 1, 0, 0)), Object_ERROR_INVALID);
  a[0].bi = {in, 12};
  a[1].b = {&out, 8};
  EXPECT_EQ(w.invoke_raw(IWait_OP_wait, a, ObjectCounts_pack(1, 1, 0, 0)), Object_ERROR_INVALID);
  a[0].bi = {in, 8};
  EXPECT_EQ(w.invoke_raw(IWait_OP_signal, a, ObjectCounts_pack(1, 0, 0, 0)), Object_OK);
  a[0].bi = {in, 12};
  EXPECT_EQ(w.invoke_raw(IWait_OP_signal, a, ObjectCounts_pack(1, 0, 0, 0)), Object_ERROR_INVALID);
  EXPECT_EQ(w.invoke_raw(2, nullptr, 0), Object_ERROR_INVALID);
}

TEST(Wait, ProxyOverCppSkeleton) {
  iface::IWait w(make_object<Waiter>());
  ASSERT_EQ(w.signal(0, 4), Object_OK);
  uint32_t result = 0;
  ASSERT_EQ(w.wait(1, 0, 6, result), Object_OK);
  EXPECT_EQ(result, 4u);
}

TEST(Wait, MinkStyleCImplementationThroughTheCppProxy) {
  Object raw = Object_NULL;
  ASSERT_EQ(CWait_open(&raw), Object_OK);
  {
    iface::IWait w(Ref::adopt(raw));
    ASSERT_EQ(w.signal(3, IWait_EVENT_CANCEL), Object_OK);
    uint32_t result = 0;
    ASSERT_EQ(w.wait(IWait_WAIT_INFINITE, 3, IWait_EVENT_CANCEL, result), Object_OK);
    EXPECT_EQ(result, IWait_EVENT_CANCEL);
    EXPECT_EQ(IWait_retain(w.ref().get()), Object_OK);
    EXPECT_EQ(IWait_release(w.ref().get()), Object_OK);
    ObjectArg a[1];
    uint32_t v = 0;
    a[0].b = {&v, 4};
    EXPECT_EQ(w.ref().invoke_raw(Object_OP_release, a, ObjectCounts_pack(0, 1, 0, 0)),
              Object_ERROR_INVALID);  // release with arguments is refused
    EXPECT_EQ(cwait_live(), 1);
  }
  EXPECT_EQ(cwait_live(), 0);
}

}  // namespace
}  // namespace captee::idl::test
