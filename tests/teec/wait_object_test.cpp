// libteec's IWait (the context's wait object, src/teec/wait_object.hpp) as
// the TEE side sees it: capteed and a TA call it, so what a misshapen call
// gets is the generated IWait skeleton's answer, Object_ERROR_INVALID, and
// the object keeps working. A wait that times out leaves `result` as the
// caller sent it (libminkteec's CWait, spec mink-interfaces §5.7).
#include <gtest/gtest.h>

#include "../../src/teec/wait_object.hpp"
#include "IWait.h"

namespace {

using captee::Ref;

TEST(TeecWaitObject, MisshapenCallsAreInvalidAndTheObjectWorksOn) {
  Ref w = captee::teec::make_wait_object();
  uint32_t in[4] = {0, 7, IWait_EVENT_CANCEL, 0};
  uint32_t out[2] = {};
  ObjectArg a[3] = {};
  a[0].bi = {in + 1, 8};  // signal(code 7, CANCEL)
  EXPECT_EQ(w.invoke_raw(IWait_OP_signal, a, ObjectCounts_pack(1, 0, 0, 0)), Object_OK);
  a[0].bi = {in + 1, 12};
  EXPECT_EQ(w.invoke_raw(IWait_OP_signal, a, ObjectCounts_pack(1, 0, 0, 0)), Object_ERROR_INVALID);
  a[0].bi = {in + 1, 8};
  a[1].b = {out, 4};
  EXPECT_EQ(w.invoke_raw(IWait_OP_signal, a, ObjectCounts_pack(1, 1, 0, 0)), Object_ERROR_INVALID);
  in[0] = 1000;  // wait(1000 ms, code 7, CANCEL): the queued signal
  a[0].bi = {in, 8};
  EXPECT_EQ(w.invoke_raw(IWait_OP_wait, a, ObjectCounts_pack(1, 1, 0, 0)), Object_ERROR_INVALID);
  a[0].bi = {in, 12};
  a[1].b = {out, 8};
  EXPECT_EQ(w.invoke_raw(IWait_OP_wait, a, ObjectCounts_pack(1, 1, 0, 0)), Object_ERROR_INVALID);
  a[1].b = {out, 4};
  EXPECT_EQ(w.invoke_raw(IWait_OP_wait, a, ObjectCounts_pack(1, 0, 0, 0)), Object_ERROR_INVALID);
  EXPECT_EQ(w.invoke_raw(IWait_OP_wait, a, ObjectCounts_pack(1, 1, 1, 0)), Object_ERROR_INVALID);
  EXPECT_EQ(w.invoke_raw(2, a, ObjectCounts_pack(1, 1, 0, 0)), Object_ERROR_INVALID);
  // None of that consumed the signal.
  EXPECT_EQ(w.invoke_raw(IWait_OP_wait, a, ObjectCounts_pack(1, 1, 0, 0)), Object_OK);
  EXPECT_EQ(out[0], IWait_EVENT_CANCEL);
  // Nothing queued now: the wait times out and leaves the result unwritten.
  in[0] = 1;
  out[0] = 0xAB;
  EXPECT_EQ(w.invoke_raw(IWait_OP_wait, a, ObjectCounts_pack(1, 1, 0, 0)), Object_OK);
  EXPECT_EQ(out[0], 0xABu);
  uint32_t version = 0;
  EXPECT_EQ(IWait_api_version(w.get(), &version), Object_OK);
  EXPECT_EQ(version, 1u << IWait_MAJOR_SHIFT);
}

}  // namespace
