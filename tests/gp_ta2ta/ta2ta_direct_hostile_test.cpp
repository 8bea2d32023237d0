// Direct TA-to-TA sessions (decision 0028) from the attacker's side. The
// calls that carry a call chain are reachable by whoever holds the objects:
// a TA's own session object (IGPSessionTa.invokeInChain, which a client's
// direct session is too), capteed's session for a TA's session
// (IGPSessionCapteeTa) and the GP service capteed binds to a TA
// (IGPAppClientTa). An attacker names the callee in its chain, sends
// chains that are no chains, calls into a busy callee, and opens more
// sessions than the callee has direct slots. Each call decides only about
// itself, and capteed and the TAs carry on.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "CAppLoader.h"
#include "IAppController.hpp"
#include "IAppLoader.hpp"
#include "IGPAppClientTa.h"
#include "IGPSessionCapteeTa.h"
#include "IGPSessionTa.h"
#include "ITestTa.hpp"
#include "raw_gp.hpp"
#include "ta2ta_relay.h"
#include "teec_fixture.hpp"
#include "teec_test_ta.h"

namespace captee::test {
namespace {

constexpr TEEC_UUID kTestTa = TEEC_TEST_TA_UUID;
constexpr TEEC_UUID kRelay = TA2TA_RELAY_UUID;
constexpr TEEC_UUID kRelaySingle = TA2TA_RELAY_SINGLE_UUID;
constexpr uint32_t kInfinite = 0xFFFFFFFFu;
constexpr uint32_t kLoginTrustedApp = 0xF0000000u;  // TEE_LOGIN_TRUSTED_APP
constexpr uint32_t kBusy = 0xFFFF000Du;             // TEE_ERROR_BUSY
// Ids capteed's registry gives TA instances start at 1 and grow by one per
// load; a test run loads far fewer than this.
constexpr uint64_t kIdsToTry = 4096;

// One of the shapes below as chain bytes: `ids` ids from `first` on.
std::vector<uint64_t> ids_from(uint64_t first, size_t ids) {
  std::vector<uint64_t> chain(ids);
  for (size_t i = 0; i < ids; ++i) {
    chain[i] = first + i;
  }
  return chain;
}

// The GP test TA's VALUES command, {20, 22} in, as the call `invoke` makes
// with the wire arguments; c.ret / c.origin and the outputs in `c`.
RawCall values_call() {
  RawCall c;
  c.types = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_VALUE_OUTPUT, TEEC_VALUE_INOUT, TEEC_NONE);
  c.p[0].a = 20;
  c.p[0].b = 22;
  return c;
}

// `invoke` (IGPSessionTa_invokeInChain or IGPSessionCapteeTa_invokeInChain,
// which take the same arguments) on `session` with `chain` as raw bytes.
template <class Invoke>
int32_t call_in_chain(Invoke invoke, Object session, const void *chain, size_t chain_len,
                      uint32_t cmd, RawCall &c) {
  int32_t err =
      invoke(session, chain, chain_len, cmd, 0, kInfinite, c.types, 0, c.in(0), c.in_len(0),
             c.in(1), c.in_len(1), c.in(2), c.in_len(2), c.in(3), c.in_len(3), c.out(0),
             c.out_cap(0), &c.p[0].out_len, c.out(1), c.out_cap(1), &c.p[1].out_len, c.out(2),
             c.out_cap(2), &c.p[2].out_len, c.out(3), c.out_cap(3), &c.p[3].out_len, Object_NULL,
             Object_NULL, Object_NULL, Object_NULL, &c.p[0].out_size, &c.p[1].out_size,
             &c.p[2].out_size, &c.p[3].out_size, &c.ret, &c.origin);
  c.finish();
  return err;
}

// IGPSessionTa.invokeInChain on `session` (a TA's own session object).
int32_t invoke_in_chain(Object session, const void *chain, size_t chain_len, uint32_t cmd,
                        RawCall &c) {
  return call_in_chain(IGPSessionTa_invokeInChain, session, chain, chain_len, cmd, c);
}

// The same on capteed's session for a TA's session (IGPSessionCapteeTa).
int32_t capteed_invoke_in_chain(Object session, const void *chain, size_t chain_len, uint32_t cmd,
                                RawCall &c) {
  return call_in_chain(IGPSessionCapteeTa_invokeInChain, session, chain, chain_len, cmd, c);
}

// IGPAppClientTa.openSessionInChain on `gp` (the GP service capteed binds to
// a TA), no parameters.
int32_t open_in_chain(Object gp, const void *chain, size_t chain_len, const TEEC_UUID &uuid,
                      RawCall &c, Ref *session) {
  Object s = Object_NULL;
  int32_t err = IGPAppClientTa_openSessionInChain(
      gp, chain, chain_len, &uuid, sizeof uuid, Object_NULL, 0, kInfinite, kLoginTrustedApp, 0,
      c.types, 0, c.in(0), c.in_len(0), c.in(1), c.in_len(1), c.in(2), c.in_len(2), c.in(3),
      c.in_len(3), c.out(0), c.out_cap(0), &c.p[0].out_len, c.out(1), c.out_cap(1), &c.p[1].out_len,
      c.out(2), c.out_cap(2), &c.p[2].out_len, c.out(3), c.out_cap(3), &c.p[3].out_len, Object_NULL,
      Object_NULL, Object_NULL, Object_NULL, &c.p[0].out_size, &c.p[1].out_size, &c.p[2].out_size,
      &c.p[3].out_size, &s, &c.ret, &c.origin);
  *session = Ref::adopt(s);
  c.finish();
  return err;
}

bool values_answered(const RawCall &c) {
  return c.ret == TEEC_SUCCESS && c.origin == TEEC_ORIGIN_TRUSTED_APP && c.p[1].a == 42 &&
         c.p[1].b == 440 && c.p[2].a == 1;
}

// Nothing ran: capteed or the callee's host answered BUSY, origin TEE, and
// produced no output.
bool refused_busy(const RawCall &c) {
  return c.ret == kBusy && c.origin == TEEC_ORIGIN_TEE && c.p[1].out_len == 0 &&
         c.p[2].out_len == 0;
}

class Ta2TaDirectHostile : public Teec {
 protected:
  // A client session to `uuid` and its direct form (the TA's own session
  // object, an IGPSessionTa); skips the test when libteec takes no direct
  // sessions (the .forwarded run).
  void open_direct(const TEEC_UUID &uuid, TEEC_Session *s) {
    uint32_t origin = 0;
    ASSERT_EQ(TEEC_OpenSession(&ctx_, s, &uuid, TEEC_LOGIN_PUBLIC, nullptr, nullptr, &origin),
              TEEC_SUCCESS)
        << "origin " << origin;
    if (Object_isNull(s->imp.direct)) {
      TEEC_CloseSession(s);
      GTEST_SKIP() << "no direct session (CAPTEE_TEEC_DIRECT=0)";
    }
  }

  // The GP service capteed bound to a native test TA (its host environment
  // object 0, which that TA hands out): the attacker is that TA.
  Ref ta_gp_service() {
    int32_t rv = Object_ERROR;
    Ref l = daemon_->open(CAppLoader_UID, &rv);
    EXPECT_EQ(rv, Object_OK);
    const std::string name = "captee_test_ta";
    Ref ctrl, app, gp;
    EXPECT_EQ(iface::IAppLoader(l).loadEmbedded(std::as_bytes(std::span(name)), ctrl), Object_OK);
    EXPECT_EQ(iface::IAppController(ctrl).getAppObject(app), Object_OK);
    EXPECT_EQ(iface::ITestTa(app).listener(0, gp), Object_OK);
    native_ctrl_ = ctrl;
    return gp;
  }

  Ref native_ctrl_;  // keeps the native TA loaded for the test
};

// A chain naming the callee: the callee's host answers BUSY at once on the
// direct path, capteed's graph on the forwarded one, and the call runs
// nothing. The attacker does not know the callee's id: it tries them all,
// fifteen at a time (a direct call's chain leaves the callee room for its
// own), and only the window holding it is refused.
TEST_F(Ta2TaDirectHostile, AChainNamingTheCalleeIsBusyAndRunsNothing) {
  TEEC_Session s{};
  open_direct(kTestTa, &s);
  if (IsSkipped()) {
    return;
  }
  unsigned refused = 0;
  for (uint64_t first = 1; first < kIdsToTry; first += 15) {
    const std::vector<uint64_t> chain = ids_from(first, 15);
    RawCall c = values_call();
    ASSERT_EQ(
        invoke_in_chain(s.imp.direct, chain.data(), chain.size() * 8, TEEC_TEST_CMD_VALUES, c),
        Object_OK)
        << first;
    if (c.ret == kBusy) {
      EXPECT_TRUE(refused_busy(c)) << first;
      ++refused;
    } else {
      EXPECT_TRUE(values_answered(c)) << first << " ret " << std::hex << c.ret;
    }
  }
  EXPECT_EQ(refused, 1u) << "exactly the window holding the callee's own id is refused";
  RawCall c = values_call();
  ASSERT_EQ(raw_invoke(s.imp.direct, TEEC_TEST_CMD_VALUES, c), Object_OK);
  EXPECT_TRUE(values_answered(c));
  TEEC_CloseSession(&s);
}

// The same through capteed, as a TA: the GP service capteed bound to a TA
// opens a session and invokes it with chains naming everyone. Edges go only
// into the liar, so only the callee's window is refused, and the graph is
// empty again afterwards (every later call runs).
TEST_F(Ta2TaDirectHostile, ATaNamingItsCalleeThroughCapteedGetsBusyItself) {
  Ref gp = ta_gp_service();
  ASSERT_FALSE(gp.is_null());
  RawCall open;
  Ref session;
  const uint64_t none_of_them = 0x7e57000000000000ull;
  ASSERT_EQ(open_in_chain(gp.get(), &none_of_them, sizeof none_of_them, kTestTa, open, &session),
            Object_OK);
  ASSERT_EQ(open.ret, TEEC_SUCCESS) << "origin " << open.origin;
  unsigned refused = 0;
  for (uint64_t first = 1; first < kIdsToTry; first += 16) {
    const std::vector<uint64_t> chain = ids_from(first, 16);
    RawCall c = values_call();
    ASSERT_EQ(capteed_invoke_in_chain(session.get(), chain.data(), chain.size() * 8,
                                      TEEC_TEST_CMD_VALUES, c),
              Object_OK)
        << first;
    if (c.ret == kBusy) {
      EXPECT_TRUE(refused_busy(c)) << first;
      ++refused;
      // Opening the same TA with that chain is refused too, nothing opened.
      RawCall again;
      Ref other;
      ASSERT_EQ(open_in_chain(gp.get(), chain.data(), chain.size() * 8, kTestTa, again, &other),
                Object_OK);
      // A multi-instance TA: the open starts another instance, whose id is
      // new, so it is refused only if that id happens to be in the window.
      if (again.ret == kBusy) {
        EXPECT_TRUE(other.is_null());
      }
    } else {
      EXPECT_TRUE(values_answered(c)) << first << " ret " << std::hex << c.ret;
    }
  }
  EXPECT_EQ(refused, 1u);
  RawCall c = values_call();
  ASSERT_EQ(raw_invoke(session.get(), TEEC_TEST_CMD_VALUES, c), Object_OK);
  EXPECT_TRUE(values_answered(c));
  EXPECT_EQ(IGPSession_close(session.get()), Object_OK);
}

// Chains that are no chains (none, 12 bytes, 17 ids, one byte too many) on
// every call that takes one: refused before anything runs or is loaded,
// and the callee, its host and capteed carry on.
TEST_F(Ta2TaDirectHostile, MalformedChainsAreRefusedAndEveryoneLives) {
  const std::vector<uint64_t> seventeen = ids_from(0x7e5700000000ull, 17);
  struct Shape {
    const void *data;
    size_t len;
  };
  const std::vector<Shape> shapes = {
      {nullptr, 0}, {seventeen.data(), 12}, {seventeen.data(), 17 * 8}, {seventeen.data(), 9}};

  // The callee's host, through a direct session (none in the .forwarded run).
  TEEC_Session s{};
  uint32_t origin = 0;
  ASSERT_EQ(TEEC_OpenSession(&ctx_, &s, &kTestTa, TEEC_LOGIN_PUBLIC, nullptr, nullptr, &origin),
            TEEC_SUCCESS);
  if (!Object_isNull(s.imp.direct)) {
    for (const Shape &sh : shapes) {
      RawCall c = values_call();
      EXPECT_EQ(invoke_in_chain(s.imp.direct, sh.data, sh.len, TEEC_TEST_CMD_VALUES, c),
                Object_ERROR_INVALID)
          << sh.len;
    }
    RawCall c = values_call();
    ASSERT_EQ(raw_invoke(s.imp.direct, TEEC_TEST_CMD_VALUES, c), Object_OK);
    EXPECT_TRUE(values_answered(c)) << "the callee's host lives and serves the same channel";
  }
  TEEC_CloseSession(&s);

  // capteed, from a TA: opens, invokes and closes with each shape (an
  // empty chain is the plain call there: skipped).
  Ref gp = ta_gp_service();
  ASSERT_FALSE(gp.is_null());
  RawCall open;
  Ref session;
  const uint64_t none_of_them = 0x7e57000000000000ull;
  ASSERT_EQ(open_in_chain(gp.get(), &none_of_them, sizeof none_of_them, kTestTa, open, &session),
            Object_OK);
  ASSERT_EQ(open.ret, TEEC_SUCCESS);
  for (const Shape &sh : shapes) {
    if (sh.len == 0) {
      continue;
    }
    RawCall c = values_call();
    EXPECT_EQ(capteed_invoke_in_chain(session.get(), sh.data, sh.len, TEEC_TEST_CMD_VALUES, c),
              Object_ERROR_INVALID)
        << sh.len;
    EXPECT_EQ(IGPSessionCapteeTa_closeInChain(session.get(), sh.data, sh.len), Object_ERROR_INVALID)
        << sh.len;
    RawCall o;
    Ref other;
    EXPECT_EQ(open_in_chain(gp.get(), sh.data, sh.len, kTestTa, o, &other), Object_ERROR_INVALID)
        << sh.len;
    EXPECT_TRUE(other.is_null());
  }
  RawCall c = values_call();
  ASSERT_EQ(raw_invoke(session.get(), TEEC_TEST_CMD_VALUES, c), Object_OK);
  EXPECT_TRUE(values_answered(c)) << "the session is still open and capteed lives";
  EXPECT_EQ(IGPSessionCapteeTa_closeInChain(session.get(), &none_of_them, sizeof none_of_them),
            Object_OK);
  // A fresh client still gets served.
  TEEC_Session fresh{};
  ASSERT_EQ(TEEC_OpenSession(&ctx_, &fresh, &kTestTa, TEEC_LOGIN_PUBLIC, nullptr, nullptr, &origin),
            TEEC_SUCCESS);
  TEEC_CloseSession(&fresh);
}

// A direct call never waits for an entry point: while another session of
// the same instance holds it, the callee's host bounces the call
// (ERROR_FORWARD) at once, having run nothing; once free, the same call runs.
TEST_F(Ta2TaDirectHostile, ABusyCalleeBouncesADirectCallInsteadOfWaiting) {
  TEEC_Session holder{};
  TEEC_Session s{};
  open_direct(kRelaySingle, &s);
  if (IsSkipped()) {
    return;
  }
  uint32_t origin = 0;
  ASSERT_EQ(
      TEEC_OpenSession(&ctx_, &holder, &kRelaySingle, TEEC_LOGIN_PUBLIC, nullptr, nullptr, &origin),
      TEEC_SUCCESS);
  // The holder's entry point: open the GP test TA, then hold for 1.5 s.
  TEEC_UUID target = kTestTa;
  TEEC_Operation op{};
  op.paramTypes =
      TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_VALUE_INPUT, TEEC_VALUE_OUTPUT, TEEC_NONE);
  op.params[0].tmpref = {&target, sizeof target};
  op.params[1].value.a = kInfinite;
  ASSERT_EQ(TEEC_InvokeCommand(&holder, TA2TA_CMD_OPEN, &op, nullptr), TEEC_SUCCESS);
  ASSERT_EQ(op.params[2].value.a, TEEC_SUCCESS);
  std::thread hold([&] {
    TEEC_Operation w{};
    w.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
    w.params[0].value.a = 1500;
    (void)TEEC_InvokeCommand(&holder, TA2TA_CMD_WAIT_THEN_RELAY, &w, nullptr);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const uint64_t chain = 0x7e57000000000001ull;
  RawCall c;
  c.types = TEEC_PARAM_TYPES(TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(invoke_in_chain(s.imp.direct, &chain, sizeof chain, TA2TA_CMD_LAST, c),
            IGPSessionTa_ERROR_FORWARD);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(700))
      << "the call waited for the entry point";
  hold.join();
  RawCall after;
  after.types = c.types;
  EXPECT_EQ(invoke_in_chain(s.imp.direct, &chain, sizeof chain, TA2TA_CMD_LAST, after), Object_OK);
  EXPECT_EQ(after.ret, TEEC_SUCCESS);
  EXPECT_EQ(after.origin, TEEC_ORIGIN_TRUSTED_APP);
  TEEC_CloseSession(&holder);
  TEEC_CloseSession(&s);
}

// TAs open more sessions to one callee instance than its host has direct
// slots (4 by default; this client's own direct session takes one too):
// the sessions beyond them fall back to capteed, and every call is
// answered, in any order, again after some close.
TEST_F(Ta2TaDirectHostile, MoreSessionsThanTheCalleesDirectSlotsAreAllAnswered) {
  constexpr int kRelays = 7;
  TEEC_Session callee{};
  uint32_t origin = 0;
  ASSERT_EQ(
      TEEC_OpenSession(&ctx_, &callee, &kRelaySingle, TEEC_LOGIN_PUBLIC, nullptr, nullptr, &origin),
      TEEC_SUCCESS);
  std::vector<TEEC_Session> relays(kRelays);
  for (TEEC_Session &r : relays) {
    ASSERT_EQ(TEEC_OpenSession(&ctx_, &r, &kRelay, TEEC_LOGIN_PUBLIC, nullptr, nullptr, &origin),
              TEEC_SUCCESS);
    TEEC_UUID target = kRelaySingle;
    TEEC_Operation op{};
    op.paramTypes =
        TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_VALUE_INPUT, TEEC_VALUE_OUTPUT, TEEC_NONE);
    op.params[0].tmpref = {&target, sizeof target};
    op.params[1].value.a = kInfinite;
    ASSERT_EQ(TEEC_InvokeCommand(&r, TA2TA_CMD_OPEN, &op, nullptr), TEEC_SUCCESS);
    ASSERT_EQ(op.params[2].value.a, TEEC_SUCCESS);
    TEEC_Operation set{};
    set.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
    set.params[0].value = {TA2TA_CMD_LAST, kInfinite};
    ASSERT_EQ(TEEC_InvokeCommand(&r, TA2TA_CMD_TARGET, &set, nullptr), TEEC_SUCCESS);
  }
  auto relay_answers = [](TEEC_Session *r) {
    TEEC_Operation op{};
    op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
    uint32_t o = 0;
    return TEEC_InvokeCommand(r, TA2TA_CMD_RELAY, &op, &o) == TEEC_SUCCESS &&
           o == TEEC_ORIGIN_TRUSTED_APP;
  };
  for (int round = 0; round < 3; ++round) {
    for (int i = kRelays - 1; i >= 0; --i) {
      EXPECT_TRUE(relay_answers(&relays[i])) << "relay " << i << " round " << round;
    }
  }
  // Some close: their slots come back, the others carry on.
  for (int i = 0; i < kRelays; i += 2) {
    TEEC_CloseSession(&relays[i]);
  }
  for (int i = 1; i < kRelays; i += 2) {
    EXPECT_TRUE(relay_answers(&relays[i])) << "relay " << i;
    TEEC_CloseSession(&relays[i]);
  }
  TEEC_CloseSession(&callee);
}

}  // namespace
}  // namespace captee::test
