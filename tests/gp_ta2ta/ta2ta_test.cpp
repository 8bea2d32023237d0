// GP TA-to-TA through a real capteed: the relay TA (ta/ta2ta_relay.h) opens
// sessions to other TAs and passes its client's calls on; the callees are
// the GP test TAs of tests/teec (teec_test_ta.h) and other relays.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>
#include <utility>
#include <vector>

#include "ta2ta_relay.h"
#include "teec_fixture.hpp"
#include "teec_test_ta.h"

namespace captee::test {
namespace {

using Clock = std::chrono::steady_clock;

constexpr TEEC_UUID kRelay = TA2TA_RELAY_UUID;
constexpr TEEC_UUID kRelaySingle = TA2TA_RELAY_SINGLE_UUID;
constexpr TEEC_UUID kRelaySingle2 = TA2TA_RELAY_SINGLE2_UUID;
constexpr TEEC_UUID kRelayGp11 = TA2TA_RELAY_GP11_UUID;
constexpr TEEC_UUID kTestTa = TEEC_TEST_TA_UUID;
constexpr uint32_t kInfinite = 0xFFFFFFFFu;
constexpr uint32_t kLoginTrustedApp = 0xF0000000u;  // TEE_LOGIN_TRUSTED_APP
constexpr uint32_t kOriginTee = TEEC_ORIGIN_TEE;
constexpr uint32_t kOriginTa = TEEC_ORIGIN_TRUSTED_APP;

long ms_since(Clock::time_point t) {
  return static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count());
}

class Ta2Ta : public Teec {
 protected:
  void open_ta(const TEEC_UUID &uuid, TEEC_Session *s) {
    uint32_t origin = 0;
    ASSERT_EQ(TEEC_OpenSession(&ctx_, s, &uuid, TEEC_LOGIN_PUBLIC, nullptr, nullptr, &origin),
              TEEC_SUCCESS)
        << "origin " << origin;
  }

  // The relay `caller` runs its own-buffer checks against the test TA.
  void own_buffers_through(const TEEC_UUID &caller);

  // The relay opens `target`; {result, origin} of its TEE_OpenTASession.
  // `target_value`: if not 0, the target open's params[0] (a VALUE_INPUT).
  // With `cmd` TA2TA_CMD_RELAY, the relay's own target (another relay) is
  // the one that opens.
  std::pair<uint32_t, uint32_t> relay_open(TEEC_Session *relay, const TEEC_UUID &target,
                                           uint32_t timeout = kInfinite, uint32_t target_value = 0,
                                           TEEC_Operation *op_out = nullptr,
                                           uint32_t cmd = TA2TA_CMD_OPEN) {
    TEEC_UUID uuid = target;
    TEEC_Operation local{};
    TEEC_Operation &op = op_out != nullptr ? *op_out : local;
    op.paramTypes = TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_VALUE_INPUT, TEEC_VALUE_OUTPUT,
                                     target_value != 0 ? TEEC_VALUE_INPUT : TEEC_NONE);
    op.params[0].tmpref = {&uuid, sizeof uuid};
    op.params[1].value.a = timeout;
    op.params[3].value.a = target_value;
    uint32_t origin = 0;
    EXPECT_EQ(TEEC_InvokeCommand(relay, cmd, &op, &origin), TEEC_SUCCESS) << "origin " << origin;
    return {op.params[2].value.a, op.params[2].value.b};
  }

  void relay_target(TEEC_Session *relay, uint32_t cmd, uint32_t timeout = kInfinite) {
    TEEC_Operation op{};
    op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
    op.params[0].value.a = cmd;
    op.params[0].value.b = timeout;
    ASSERT_EQ(TEEC_InvokeCommand(relay, TA2TA_CMD_TARGET, &op, nullptr), TEEC_SUCCESS);
  }

  // {result, origin} of the relay's last TEE_InvokeTACommand.
  std::pair<uint32_t, uint32_t> relay_last(TEEC_Session *relay) {
    TEEC_Operation op{};
    op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
    EXPECT_EQ(TEEC_InvokeCommand(relay, TA2TA_CMD_LAST, &op, nullptr), TEEC_SUCCESS);
    return {op.params[0].value.a, op.params[0].value.b};
  }

  // The relay asks its target for gpd.client.identity; {login, uuid}.
  std::pair<uint32_t, TEEC_UUID> identity_seen_by_target(TEEC_Session *relay, uint32_t cmd) {
    relay_target(relay, cmd);
    TEEC_UUID seen{};
    TEEC_Operation op{};
    op.paramTypes =
        TEEC_PARAM_TYPES(TEEC_VALUE_OUTPUT, TEEC_MEMREF_TEMP_OUTPUT, TEEC_NONE, TEEC_NONE);
    op.params[1].tmpref = {&seen, sizeof seen};
    uint32_t origin = 0;
    EXPECT_EQ(TEEC_InvokeCommand(relay, TA2TA_CMD_RELAY, &op, &origin), TEEC_SUCCESS)
        << "origin " << origin;
    EXPECT_EQ(op.params[1].tmpref.size, sizeof seen);
    return {op.params[0].value.a, seen};
  }

  // Runs `call` on another thread and requests cancellation of `op` every
  // 20 ms from `after_ms` until the call returns; the call's result and how
  // long it took.
  template <class F>
  std::pair<TEEC_Result, long> cancelled_call(TEEC_Operation *op, long after_ms, F call) {
    std::atomic<bool> done{false};
    TEEC_Result r = TEEC_ERROR_GENERIC;
    const Clock::time_point start = Clock::now();
    op->started = 0;
    std::thread caller([&] {
      r = call();
      done = true;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(after_ms));
    while (!done) {
      TEEC_RequestCancellation(op);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    caller.join();
    return {r, ms_since(start)};
  }
};

// The relay opens, invokes and closes with values and memrefs of its own
// memory: inline and above 4 KiB (call memory objects), in/out, SHORT_BUFFER
// with the size needed, null memrefs, an open refused by the target, a TA
// nobody installed, two sessions at once; built in the default mode and in
// the GP v1.1 mode (its __GP11_ functions, 32-bit sizes).
TEST_F(Ta2Ta, OpenInvokeCloseWithTheCallersOwnBuffers) {
  for (const TEEC_UUID &caller : {kRelay, kRelayGp11}) {
    SCOPED_TRACE(caller.timeMid);
    own_buffers_through(caller);
  }
}

// The same TA built in the GP v1.1 mode: its __GP11_ calls (32-bit sizes)
// pass the client's parameters on too.
TEST_F(Ta2Ta, AGp11TaPassesTheClientsParamsOn) {
  TEEC_Session relay{};
  open_ta(kRelayGp11, &relay);
  ASSERT_EQ(relay_open(&relay, kTestTa).first, TEEC_SUCCESS);
  relay_target(&relay, TEEC_TEST_CMD_COPY);
  std::vector<uint8_t> in(5000, 0x3C), out(5000, 0);
  TEEC_Operation copy{};
  copy.paramTypes =
      TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_OUTPUT, TEEC_NONE, TEEC_NONE);
  copy.params[0].tmpref = {in.data(), in.size()};
  copy.params[1].tmpref = {out.data(), out.size()};
  ASSERT_EQ(TEEC_InvokeCommand(&relay, TA2TA_CMD_RELAY, &copy, nullptr), TEEC_SUCCESS);
  EXPECT_EQ(in, out);
  copy.params[1].tmpref = {out.data(), 7};
  EXPECT_EQ(TEEC_InvokeCommand(&relay, TA2TA_CMD_RELAY, &copy, nullptr), TEEC_ERROR_SHORT_BUFFER);
  EXPECT_EQ(copy.params[1].tmpref.size, in.size());
  TEEC_CloseSession(&relay);
}

void Ta2Ta::own_buffers_through(const TEEC_UUID &caller) {
  TEEC_Session relay{};
  open_ta(caller, &relay);
  auto [r, origin] = relay_open(&relay, kTestTa);
  ASSERT_EQ(r, TEEC_SUCCESS) << "origin " << origin;
  EXPECT_EQ(origin, kOriginTa);
  TEEC_Operation op{};
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
  ASSERT_EQ(TEEC_InvokeCommand(&relay, TA2TA_CMD_OWN_BUFFERS, &op, nullptr), TEEC_SUCCESS);
  EXPECT_EQ(op.params[0].value.b, 11u);
  EXPECT_EQ(op.params[0].value.a, 0u) << "failed checks (bit n = check n)";
  TEEC_Operation close{};
  EXPECT_EQ(TEEC_InvokeCommand(&relay, TA2TA_CMD_CLOSE, &close, nullptr), TEEC_SUCCESS);
  TEEC_CloseSession(&relay);
}

// A client's parameters passed on by the relay as they are: values, its
// temporary memrefs (inline, and 1 MiB), SHORT_BUFFER's size reaching the
// client, and its allocated shared memory rewritten in place by the callee.
TEST_F(Ta2Ta, TheClientsParamsPassOnThroughTheRelay) {
  TEEC_Session relay{};
  open_ta(kRelay, &relay);
  ASSERT_EQ(relay_open(&relay, kTestTa).first, TEEC_SUCCESS);

  relay_target(&relay, TEEC_TEST_CMD_VALUES);
  TEEC_Operation op{};
  op.paramTypes =
      TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_VALUE_OUTPUT, TEEC_VALUE_INOUT, TEEC_NONE);
  op.params[0].value = {5, 6};
  op.params[2].value = {100, 200};
  uint32_t origin = 0;
  ASSERT_EQ(TEEC_InvokeCommand(&relay, TA2TA_CMD_RELAY, &op, &origin), TEEC_SUCCESS);
  EXPECT_EQ(op.params[1].value.a, 11u);
  EXPECT_EQ(op.params[1].value.b, 30u);
  EXPECT_EQ(op.params[2].value.a, 101u);
  EXPECT_EQ(op.params[2].value.b, 199u);

  relay_target(&relay, TEEC_TEST_CMD_COPY);
  for (size_t size : {size_t{300}, size_t{1} << 20}) {
    std::vector<uint8_t> in(size), out(size, 0xEE);
    for (size_t i = 0; i < size; ++i) {
      in[i] = static_cast<uint8_t>(i * 13 + 5);
    }
    TEEC_Operation copy{};
    copy.paramTypes =
        TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_OUTPUT, TEEC_NONE, TEEC_NONE);
    copy.params[0].tmpref = {in.data(), in.size()};
    copy.params[1].tmpref = {out.data(), out.size()};
    ASSERT_EQ(TEEC_InvokeCommand(&relay, TA2TA_CMD_RELAY, &copy, &origin), TEEC_SUCCESS) << size;
    EXPECT_EQ(copy.params[1].tmpref.size, size);
    EXPECT_EQ(in, out) << size;

    // Too small: the callee's SHORT_BUFFER and the size it needs reach the
    // client through the relay; the client's buffer is left alone.
    std::fill(out.begin(), out.end(), 0xEE);
    copy.params[1].tmpref = {out.data(), 16};
    EXPECT_EQ(TEEC_InvokeCommand(&relay, TA2TA_CMD_RELAY, &copy, &origin), TEEC_ERROR_SHORT_BUFFER);
    EXPECT_EQ(origin, kOriginTa);
    EXPECT_EQ(copy.params[1].tmpref.size, size);
    EXPECT_EQ(std::count(out.begin(), out.end(), 0xEE), static_cast<long>(size));
    EXPECT_EQ(relay_last(&relay), std::make_pair(uint32_t{TEEC_ERROR_SHORT_BUFFER}, kOriginTa));
  }

  // Shared memory the client allocated, named whole: the relay maps the
  // client's pages and the callee's in-place rewrite lands in them.
  TEEC_SharedMemory shm{};
  shm.size = 64 * 1024;
  shm.flags = TEEC_MEM_INPUT | TEEC_MEM_OUTPUT;
  ASSERT_EQ(TEEC_AllocateSharedMemory(&ctx_, &shm), TEEC_SUCCESS);
  auto *bytes = static_cast<uint8_t *>(shm.buffer);
  uint32_t sum = 0;
  for (size_t i = 0; i < shm.size; ++i) {
    bytes[i] = static_cast<uint8_t>(i);
    sum += bytes[i];
  }
  relay_target(&relay, TEEC_TEST_CMD_INVERT);
  TEEC_Operation inv{};
  inv.paramTypes = TEEC_PARAM_TYPES(TEEC_MEMREF_WHOLE, TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE);
  inv.params[0].memref.parent = &shm;
  ASSERT_EQ(TEEC_InvokeCommand(&relay, TA2TA_CMD_RELAY, &inv, &origin), TEEC_SUCCESS);
  EXPECT_EQ(inv.params[1].value.a, sum);
  EXPECT_EQ(inv.params[1].value.b, shm.size);
  for (size_t i = 0; i < shm.size; ++i) {
    ASSERT_EQ(bytes[i], static_cast<uint8_t>(i ^ 0xFF)) << i;
  }
  TEEC_ReleaseSharedMemory(&shm);
  TEEC_CloseSession(&relay);
}

// The called TA sees login TEE_LOGIN_TRUSTED_APP and the calling TA's UUID,
// whichever TA calls; the relay's own client is a PUBLIC one.
TEST_F(Ta2Ta, TheCalleeSeesTheCallingTasIdentity) {
  for (const TEEC_UUID &caller : {kRelay, kRelaySingle}) {
    TEEC_Session relay{};
    open_ta(caller, &relay);
    ASSERT_EQ(relay_open(&relay, kTestTa).first, TEEC_SUCCESS);
    auto [login, uuid] = identity_seen_by_target(&relay, TEEC_TEST_CMD_IDENTITY);
    EXPECT_EQ(login, kLoginTrustedApp);
    EXPECT_EQ(std::memcmp(&uuid, &caller, sizeof uuid), 0);
    TEEC_CloseSession(&relay);
  }
}

// A callee that panics: the caller gets TEE_ERROR_TARGET_DEAD, origin TEE,
// on that call and the next; the caller lives on and opens the TA again.
TEST_F(Ta2Ta, APanickingCalleeGivesTargetDeadAndTheCallerLivesOn) {
  TEEC_Session relay{};
  open_ta(kRelay, &relay);
  ASSERT_EQ(relay_open(&relay, kTestTa).first, TEEC_SUCCESS);
  relay_target(&relay, TEEC_TEST_CMD_PANIC);
  TEEC_Operation op{};
  uint32_t origin = 0;
  EXPECT_EQ(TEEC_InvokeCommand(&relay, TA2TA_CMD_RELAY, &op, &origin), TEEC_ERROR_TARGET_DEAD);
  EXPECT_EQ(origin, kOriginTa);  // the relay's own answer: what its callee gave it
  EXPECT_EQ(relay_last(&relay), std::make_pair(uint32_t{TEEC_ERROR_TARGET_DEAD}, kOriginTee));
  relay_target(&relay, TEEC_TEST_CMD_VALUES);
  op.paramTypes =
      TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_VALUE_OUTPUT, TEEC_VALUE_INOUT, TEEC_NONE);
  EXPECT_EQ(TEEC_InvokeCommand(&relay, TA2TA_CMD_RELAY, &op, &origin), TEEC_ERROR_TARGET_DEAD);
  EXPECT_EQ(relay_last(&relay), std::make_pair(uint32_t{TEEC_ERROR_TARGET_DEAD}, kOriginTee));

  ASSERT_EQ(relay_open(&relay, kTestTa).first, TEEC_SUCCESS);
  op.params[0].value = {1, 2};
  EXPECT_EQ(TEEC_InvokeCommand(&relay, TA2TA_CMD_RELAY, &op, &origin), TEEC_SUCCESS);
  EXPECT_EQ(op.params[1].value.a, 3u);
  TEEC_CloseSession(&relay);
}

// A client's TEEC_RequestCancellation of its call to the relay reaches the
// callee's TEE_GetCancellationFlag, through one relay and through two.
TEST_F(Ta2Ta, CancellationReachesTheCalleeThroughTheChain) {
  TEEC_Session relay{};
  open_ta(kRelay, &relay);
  ASSERT_EQ(relay_open(&relay, kTestTa).first, TEEC_SUCCESS);
  relay_target(&relay, TEEC_TEST_CMD_POLL_CANCEL);
  TEEC_Operation op{};
  auto [r, ms] = cancelled_call(&op, 100, [&] {
    uint32_t origin = 0;
    return TEEC_InvokeCommand(&relay, TA2TA_CMD_RELAY, &op, &origin);
  });
  EXPECT_EQ(r, TEEC_ERROR_CANCEL);
  EXPECT_LT(ms, 5000);
  EXPECT_EQ(relay_last(&relay), std::make_pair(uint32_t{TEEC_ERROR_CANCEL}, kOriginTa));

  // client -> relay -> single-instance relay -> test TA.
  TEEC_Session outer{};
  open_ta(kRelay, &outer);
  ASSERT_EQ(relay_open(&outer, kRelaySingle).first, TEEC_SUCCESS);
  relay_target(&outer, TA2TA_CMD_OPEN);
  TEEC_Operation open_inner{};
  ASSERT_EQ(relay_open(&outer, kTestTa, kInfinite, 0, &open_inner, TA2TA_CMD_RELAY).first,
            TEEC_SUCCESS);
  relay_target(&outer, TA2TA_CMD_TARGET);
  TEEC_Operation set{};
  set.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
  set.params[0].value = {TEEC_TEST_CMD_POLL_CANCEL, kInfinite};
  ASSERT_EQ(TEEC_InvokeCommand(&outer, TA2TA_CMD_RELAY, &set, nullptr), TEEC_SUCCESS);
  relay_target(&outer, TA2TA_CMD_RELAY);
  TEEC_Operation chain{};
  auto [r2, ms2] = cancelled_call(&chain, 100, [&] {
    uint32_t origin = 0;
    return TEEC_InvokeCommand(&outer, TA2TA_CMD_RELAY, &chain, &origin);
  });
  EXPECT_EQ(r2, TEEC_ERROR_CANCEL);
  EXPECT_LT(ms2, 5000);
  TEEC_CloseSession(&outer);
  TEEC_CloseSession(&relay);
}

// Opening: the cancellation reaches a TA_OpenSessionEntryPoint that waits
// for it (the test TA's 0xCA2C open).
TEST_F(Ta2Ta, CancellationReachesAnOpeningCallee) {
  TEEC_Session relay{};
  open_ta(kRelay, &relay);
  TEEC_Operation op{};
  std::pair<uint32_t, uint32_t> opened;
  auto [r, ms] = cancelled_call(&op, 100, [&] {
    opened = relay_open(&relay, kTestTa, kInfinite, 0xCA2C, &op);
    return TEEC_SUCCESS;
  });
  EXPECT_EQ(r, TEEC_SUCCESS);
  EXPECT_EQ(opened, std::make_pair(uint32_t{TEEC_ERROR_CANCEL}, kOriginTa));
  EXPECT_LT(ms, 5000);
  TEEC_CloseSession(&relay);
}

// cancellationRequestTimeout: once it passes, the callee is cancelled as if
// the client had asked.
TEST_F(Ta2Ta, CancellationRequestTimeoutCancelsTheCallee) {
  TEEC_Session relay{};
  open_ta(kRelay, &relay);
  ASSERT_EQ(relay_open(&relay, kTestTa).first, TEEC_SUCCESS);
  relay_target(&relay, TEEC_TEST_CMD_POLL_CANCEL, 300);
  TEEC_Operation op{};
  const Clock::time_point start = Clock::now();
  EXPECT_EQ(TEEC_InvokeCommand(&relay, TA2TA_CMD_RELAY, &op, nullptr), TEEC_ERROR_CANCEL);
  const long ms = ms_since(start);
  EXPECT_GE(ms, 250);
  EXPECT_LT(ms, 5000);
  TEEC_CloseSession(&relay);
}

// A relay that keeps cancellation masked is not cancelled, nor is its
// callee on its behalf: only the call's own timeout ends the wait.
TEST_F(Ta2Ta, AMaskedCallerDoesNotPassCancellationOn) {
  TEEC_Session relay{};
  open_ta(kRelay, &relay);
  ASSERT_EQ(relay_open(&relay, kTestTa).first, TEEC_SUCCESS);
  relay_target(&relay, TEEC_TEST_CMD_POLL_CANCEL, 1500);
  TEEC_Operation op{};
  auto [r, ms] = cancelled_call(&op, 50, [&] {
    uint32_t origin = 0;
    return TEEC_InvokeCommand(&relay, TA2TA_CMD_RELAY_MASKED, &op, &origin);
  });
  EXPECT_EQ(r, TEEC_ERROR_CANCEL);  // by the timeout
  EXPECT_GE(ms, 1400);
  TEEC_CloseSession(&relay);
}

// A -> B -> A with A multi-instance: B's session to A is another instance
// of A, which sees B's identity; the answer travels back through both.
TEST_F(Ta2Ta, AChainBackToAMultiInstanceTaWorks) {
  TEEC_Session a{};
  open_ta(kRelay, &a);
  ASSERT_EQ(relay_open(&a, kRelaySingle).first, TEEC_SUCCESS);  // A -> B
  relay_target(&a, TA2TA_CMD_OPEN);                             // B -> A (another instance)
  TEEC_Operation open_back{};
  auto [r, origin] = relay_open(&a, kRelay, kInfinite, 0, &open_back, TA2TA_CMD_RELAY);
  ASSERT_EQ(r, TEEC_SUCCESS) << "B's open of A: origin " << origin;
  relay_target(&a, TA2TA_CMD_TARGET);  // B relays A's IDENTITY
  TEEC_Operation set{};
  set.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
  set.params[0].value = {TA2TA_CMD_IDENTITY, kInfinite};
  ASSERT_EQ(TEEC_InvokeCommand(&a, TA2TA_CMD_RELAY, &set, nullptr), TEEC_SUCCESS);
  auto [login, uuid] = identity_seen_by_target(&a, TA2TA_CMD_RELAY);
  EXPECT_EQ(login, kLoginTrustedApp);
  EXPECT_EQ(std::memcmp(&uuid, &kRelaySingle, sizeof uuid), 0);
  TEEC_CloseSession(&a);
}

// A -> B -> A with A single-instance: A's instance waits for B, so B's open
// of A could never run. capteed refuses it at once (TEE_ERROR_BUSY, origin
// TEE) instead of leaving both waiting for ever.
TEST_F(Ta2Ta, AChainBackToABusySingleInstanceTaIsRefusedNotHung) {
  TEEC_Session a{};
  open_ta(kRelaySingle, &a);
  ASSERT_EQ(relay_open(&a, kRelay).first, TEEC_SUCCESS);
  relay_target(&a, TA2TA_CMD_OPEN);
  TEEC_Operation open_back{};
  const Clock::time_point start = Clock::now();
  EXPECT_EQ(relay_open(&a, kRelaySingle, kInfinite, 0, &open_back, TA2TA_CMD_RELAY),
            std::make_pair(uint32_t{TEEC_ERROR_BUSY}, kOriginTee));
  EXPECT_LT(ms_since(start), 5000);
  // Nor can it open a session to itself.
  EXPECT_EQ(relay_open(&a, kRelaySingle), std::make_pair(uint32_t{TEEC_ERROR_BUSY}, kOriginTee));
  // The single-instance TA is still there for its own client.
  TEEC_Operation op{};
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
  EXPECT_EQ(TEEC_InvokeCommand(&a, TA2TA_CMD_LAST, &op, nullptr), TEEC_SUCCESS);
  TEEC_CloseSession(&a);
}

// Two single-instance TAs holding sessions to each other: S1 -> S2 -> S1
// would wait for ever. S2's invoke is refused by the TEE with BUSY, which
// the specification lets TEE_InvokeTACommand only panic for: S2 dies, S1
// gets TARGET_DEAD, and the client gets its answer at once.
TEST_F(Ta2Ta, ACycleOfInvokesEndsInsteadOfHanging) {
  TEEC_Session s2{};
  open_ta(kRelaySingle2, &s2);
  ASSERT_EQ(relay_open(&s2, kRelaySingle).first, TEEC_SUCCESS);  // S2 -> S1, S1 idle
  relay_target(&s2, TA2TA_CMD_LAST);
  TEEC_Session s1{};
  open_ta(kRelaySingle, &s1);
  ASSERT_EQ(relay_open(&s1, kRelaySingle2).first, TEEC_SUCCESS);  // S1 -> S2
  relay_target(&s1, TA2TA_CMD_RELAY);                             // S1 -> S2 -> S1.LAST
  TEEC_Operation op{};
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
  const Clock::time_point start = Clock::now();
  uint32_t origin = 0;
  EXPECT_EQ(TEEC_InvokeCommand(&s1, TA2TA_CMD_RELAY, &op, &origin), TEEC_ERROR_TARGET_DEAD);
  EXPECT_LT(ms_since(start), 5000);
  EXPECT_EQ(relay_last(&s1), std::make_pair(uint32_t{TEEC_ERROR_TARGET_DEAD}, kOriginTee));
  TEEC_CloseSession(&s1);
  TEEC_CloseSession(&s2);
}

// Two chains that cross: S2, serving its client Y, holds its entry point
// and then calls S1, while S1, serving its client X, already waits for S2.
// Neither call is in the other's chain (each started at its own client), so
// only a wait-for graph of every TA-to-TA call in flight sees the cycle
// S1 -> S2 -> S1: a check of the call chain alone would leave both waiting
// for ever (decision 0028). Whichever way the two calls interleave, both
// clients get an answer at once (the one refused is S2's or S1's, whichever
// closes the cycle; it panics on BUSY and its client sees TARGET_DEAD).
TEST_F(Ta2Ta, TwoCrossingChainsEndInsteadOfHanging) {
  TEEC_Session s2{};
  open_ta(kRelaySingle2, &s2);
  ASSERT_EQ(relay_open(&s2, kRelaySingle).first, TEEC_SUCCESS);  // S2 -> S1, S1 idle
  relay_target(&s2, TA2TA_CMD_LAST);
  TEEC_Session s1{};
  open_ta(kRelaySingle, &s1);
  ASSERT_EQ(relay_open(&s1, kRelaySingle2).first, TEEC_SUCCESS);  // S1 -> S2, S2 idle
  relay_target(&s1, TA2TA_CMD_LAST);
  const Clock::time_point start = Clock::now();
  TEEC_Result y_result = TEEC_ERROR_GENERIC;
  std::thread y([&] {
    // S2 holds its entry point for 500 ms, then calls S1.
    TEEC_Operation op{};
    op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
    op.params[0].value.a = 500;
    y_result = TEEC_InvokeCommand(&s2, TA2TA_CMD_WAIT_THEN_RELAY, &op, nullptr);
  });
  // Meanwhile S1 calls S2 and waits for S2's entry point.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  TEEC_Operation op{};
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
  const TEEC_Result x_result = TEEC_InvokeCommand(&s1, TA2TA_CMD_RELAY, &op, nullptr);
  y.join();
  EXPECT_LT(ms_since(start), 5000) << "X: " << std::hex << x_result << ", Y: " << y_result;
  TEEC_CloseSession(&s1);
  TEEC_CloseSession(&s2);
}

}  // namespace
}  // namespace captee::test
