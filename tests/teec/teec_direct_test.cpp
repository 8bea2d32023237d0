// Direct GP sessions (issue 19): TEEC_InvokeCommand goes from the client to
// the TA's process without capteed, and what a client holds that way is
// only its own session, with the identity capteed bound to it.
#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <future>
#include <set>
#include <string>

#include "IGPAppClientCaptee.h"
#include "IGPSession.h"
#include "IGPSessionCaptee.h"
#include "IGPSessionTa.h"
#include "../chaos/processes.hpp"
#include "tee_api_defines.h"
#include "teec_fixture.hpp"

namespace captee::test {
namespace {

bool direct_turned_off() {
  const char *knob = std::getenv("CAPTEE_TEEC_DIRECT");
  return knob != nullptr && std::strcmp(knob, "0") == 0;
}

// One TEEC_TEST_CMD_VALUES call: {a, b} in, {a + b, a * b} out.
TEEC_Result add_and_multiply(TEEC_Session *s, uint32_t a, uint32_t b, uint32_t *sum,
                             uint32_t *origin) {
  TEEC_Operation op{};
  op.paramTypes =
      TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_VALUE_OUTPUT, TEEC_VALUE_INOUT, TEEC_NONE);
  op.params[0].value.a = a;
  op.params[0].value.b = b;
  TEEC_Result r = TEEC_InvokeCommand(s, TEEC_TEST_CMD_VALUES, &op, origin);
  *sum = op.params[1].value.a;
  return r;
}

class TeecDirect : public Teec {
 protected:
  void SetUp() override {
    if (direct_turned_off()) {
      GTEST_SKIP() << "CAPTEE_TEEC_DIRECT=0: every call goes through capteed";
    }
    Teec::SetUp();
  }

  std::set<pid_t> ta_hosts() const {
    std::vector<pid_t> v = children_of(daemon_->pid(), "captee-tahost");
    return {v.begin(), v.end()};
  }
};

TEST_F(TeecDirect, CallsReachTheTaWhileCapteedIsStopped) {
  TEEC_Session s{};
  ASSERT_EQ(open(&s), TEEC_SUCCESS);
  ASSERT_FALSE(Object_isNull(s.imp.direct)) << "no direct session";
  uint32_t sum = 0, origin = 0;
  ASSERT_EQ(add_and_multiply(&s, 20, 22, &sum, &origin), TEEC_SUCCESS);
  ASSERT_EQ(sum, 42u);

  // With capteed stopped, only a call that does not pass through it ends.
  ASSERT_EQ(::kill(daemon_->pid(), SIGSTOP), 0);
  auto call = std::async(std::launch::async, [&] {
    uint32_t got = 0, o = 0;
    TEEC_Result r = TEEC_SUCCESS;
    for (uint32_t i = 0; i < 100 && r == TEEC_SUCCESS; ++i) {
      r = add_and_multiply(&s, i, 1000, &got, &o);
      if (r == TEEC_SUCCESS && got != i + 1000) {
        r = TEEC_ERROR_GENERIC;
      }
    }
    return r;
  });
  const bool ended = call.wait_for(std::chrono::seconds(20)) == std::future_status::ready;
  ::kill(daemon_->pid(), SIGCONT);
  ASSERT_TRUE(ended) << "the calls waited for capteed";
  EXPECT_EQ(call.get(), TEEC_SUCCESS);
  TEEC_CloseSession(&s);
}

// Cancellation takes the direct path too (the client's IWait given to the
// TA's process with IGPSessionTa.useWait): a TA waiting in TEE_Wait is
// cancelled while capteed is stopped. Through capteed's IWait proxy, the
// TA's question would wait for capteed and the call would not end.
TEST_F(TeecDirect, CancellationReachesTheTaWhileCapteedIsStopped) {
  TEEC_Session s{};
  ASSERT_EQ(open(&s), TEEC_SUCCESS);
  ASSERT_FALSE(Object_isNull(s.imp.direct)) << "no direct session";
  TEEC_Operation op{};
  op.started = 0;
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
  op.params[0].value.a = 0;  // TEE_Wait for ever, cancellable
  ASSERT_EQ(::kill(daemon_->pid(), SIGSTOP), 0);
  auto call = std::async(std::launch::async, [&] {
    uint32_t origin = 0;
    return TEEC_InvokeCommand(&s, TEEC_TEST_CMD_WAIT, &op, &origin);
  });
  // A request before the call started is ignored (as in libminkteec), so
  // ask until the call ends, for at most 20 s.
  bool ended = false;
  for (int i = 0; i < 1000 && !ended; ++i) {
    TEEC_RequestCancellation(&op);
    ended = call.wait_for(std::chrono::milliseconds(20)) == std::future_status::ready;
  }
  ::kill(daemon_->pid(), SIGCONT);
  ASSERT_TRUE(ended) << "the cancellation waited for capteed";
  EXPECT_EQ(call.get(), TEEC_ERROR_CANCEL);
  // The session goes on serving calls.
  uint32_t sum = 0, origin = 0;
  EXPECT_EQ(add_and_multiply(&s, 20, 22, &sum, &origin), TEEC_SUCCESS);
  EXPECT_EQ(sum, 42u);
  TEEC_CloseSession(&s);
}

// Hostile: the client's IWait given to the TA's process serves only that
// client's own session; a null one is refused, and a second client's
// session still answers and cancels as before.
TEST_F(TeecDirect, UseWaitServesOnlyTheCallersOwnSession) {
  TEEC_Session mine{}, theirs{};
  ASSERT_EQ(open(&mine), TEEC_SUCCESS);
  ASSERT_EQ(open(&theirs), TEEC_SUCCESS);
  ASSERT_FALSE(Object_isNull(mine.imp.direct));
  EXPECT_EQ(IGPSessionTa_useWait(mine.imp.direct, Object_NULL), Object_ERROR_INVALID);
  TEEC_Operation op{};
  op.started = 0;
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
  op.params[0].value.a = 20;  // a short wait nobody cancels completes
  uint32_t origin = 0;
  EXPECT_EQ(TEEC_InvokeCommand(&theirs, TEEC_TEST_CMD_WAIT, &op, &origin), TEEC_SUCCESS);
  EXPECT_EQ(TEEC_InvokeCommand(&mine, TEEC_TEST_CMD_WAIT, &op, &origin), TEEC_SUCCESS);
  TEEC_CloseSession(&theirs);
  TEEC_CloseSession(&mine);
}

TEST_F(TeecDirect, ATaKilledUnderADirectSessionIsTargetDeadOnEveryLaterCall) {
  const std::set<pid_t> before = ta_hosts();
  TEEC_Session s{};
  ASSERT_EQ(open(&s), TEEC_SUCCESS);  // multi-instance: a process of its own
  ASSERT_FALSE(Object_isNull(s.imp.direct));
  pid_t mine = 0;
  for (pid_t p : ta_hosts()) {
    if (before.count(p) == 0) {
      mine = p;
    }
  }
  ASSERT_GT(mine, 0);
  ASSERT_EQ(::kill(mine, SIGKILL), 0);
  for (int i = 0; i < 3; ++i) {
    uint32_t sum = 0, origin = 0;
    EXPECT_EQ(add_and_multiply(&s, 1, 2, &sum, &origin), TEEC_ERROR_TARGET_DEAD);
    EXPECT_EQ(origin, TEEC_ORIGIN_TEE);
  }
  TEEC_CloseSession(&s);
  // The TA opens again, in a new process.
  ASSERT_EQ(open(&s), TEEC_SUCCESS);
  uint32_t sum = 0, origin = 0;
  EXPECT_EQ(add_and_multiply(&s, 1, 2, &sum, &origin), TEEC_SUCCESS);
  EXPECT_EQ(sum, 3u);
  TEEC_CloseSession(&s);
}

// From the attacker's side: a client holding the TA's own session object
// tries to open sessions through it, with an identity of its choosing, and
// to get further objects out of it.
TEST_F(TeecDirect, TheDirectSessionOpensNothingAndKeepsItsIdentity) {
  TEEC_Session s{};
  TEEC_UUID uuid = TEEC_TEST_TA_UUID;
  uint32_t origin = 0;
  ASSERT_EQ(TEEC_OpenSession(&ctx_, &s, &uuid, TEEC_LOGIN_USER, nullptr, nullptr, &origin),
            TEEC_SUCCESS);
  ASSERT_FALSE(Object_isNull(s.imp.direct));
  const Object direct = s.imp.direct;

  // openSessionAs (IGPAppClientCaptee op 2), claiming a trusted TA's
  // identity: the direct object is a session, not an app object.
  IGPAppClientCaptee_Uuid claimed{};
  std::memset(claimed.bytes, 0x7e, sizeof claimed.bytes);
  Object other = Object_NULL;
  uint32_t sz[4] = {}, ret = 0, ret_origin = 0;
  size_t got[4] = {};
  uint8_t out[4][8] = {};
  int32_t err = IGPAppClientCaptee_openSessionAs(
      direct, &uuid, sizeof uuid, Object_NULL, 0, 0xFFFFFFFFu, TEEC_LOGIN_PUBLIC, 0, 0, 0,
      TEE_LOGIN_TRUSTED_APP, &claimed, nullptr, 0, nullptr, 0, nullptr, 0, nullptr, 0, out[0],
      sizeof out[0], &got[0], out[1], sizeof out[1], &got[1], out[2], sizeof out[2], &got[2],
      out[3], sizeof out[3], &got[3], Object_NULL, Object_NULL, Object_NULL, Object_NULL, &sz[0],
      &sz[1], &sz[2], &sz[3], &other, &ret, &ret_origin);
  EXPECT_NE(err, Object_OK);
  EXPECT_TRUE(Object_isNull(other));
  Object_ASSIGN_NULL(other);

  // IGPAppClient.openSession / openSessionV2 (ops 0 and 1) have other
  // shapes than the session's close and invoke: refused, nothing closed.
  err = IGPAppClient_openSession(
      direct, &uuid, sizeof uuid, Object_NULL, 0, TEEC_LOGIN_PUBLIC, 0, 0, 0, nullptr, 0, nullptr,
      0, nullptr, 0, nullptr, 0, out[0], sizeof out[0], &got[0], out[1], sizeof out[1], &got[1],
      out[2], sizeof out[2], &got[2], out[3], sizeof out[3], &got[3], Object_NULL, Object_NULL,
      Object_NULL, Object_NULL, &sz[0], &sz[1], &sz[2], &sz[3], &other, &ret, &ret_origin);
  EXPECT_NE(err, Object_OK);
  EXPECT_TRUE(Object_isNull(other));
  Object_ASSIGN_NULL(other);

  // No direct form of the direct form, and no op past the session's.
  EXPECT_NE(IGPSessionCaptee_direct(direct, &other), Object_OK);
  EXPECT_TRUE(Object_isNull(other));
  Object_ASSIGN_NULL(other);
  for (ObjectOp op = 3; op < 40; ++op) {
    EXPECT_NE(Object_invoke(direct, op, nullptr, 0), Object_OK) << "op " << op;
  }

  // The TA still sees the login capteed computed, and the session works.
  TEEC_Operation op{};
  op.paramTypes =
      TEEC_PARAM_TYPES(TEEC_VALUE_OUTPUT, TEEC_MEMREF_TEMP_OUTPUT, TEEC_NONE, TEEC_NONE);
  TEEC_UUID seen{};
  op.params[1].tmpref.buffer = &seen;
  op.params[1].tmpref.size = sizeof seen;
  ASSERT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_IDENTITY, &op, &origin), TEEC_SUCCESS);
  EXPECT_EQ(op.params[0].value.a, uint32_t(TEEC_LOGIN_USER));
  TEEC_CloseSession(&s);
}

// A session of a single-session TA closed by TEEC_CloseSession is free for
// the next client at once, direct channel or not.
TEST_F(TeecDirect, ClosingFreesASingleSessionTaAtOnce) {
  TEEC_UUID busy = {0x7e57c0de, 0x0003, 0x4000, {0x80, 0, 0, 0, 0, 0, 0, 0x03}};  // single-session
  for (int i = 0; i < 20; ++i) {
    TEEC_Session s{};
    uint32_t origin = 0;
    ASSERT_EQ(TEEC_OpenSession(&ctx_, &s, &busy, TEEC_LOGIN_PUBLIC, nullptr, nullptr, &origin),
              TEEC_SUCCESS)
        << "round " << i;
    uint32_t sum = 0;
    EXPECT_EQ(add_and_multiply(&s, 2, 3, &sum, &origin), TEEC_SUCCESS);
    TEEC_CloseSession(&s);
  }
}

}  // namespace
}  // namespace captee::test
