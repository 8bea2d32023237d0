// Supplicant plugins from the attacker's side: a TA abusing the call, a
// plugin that lies, hangs or writes past its buffer, a second process after
// the supplicant's listener, a TA going around the relay. Each test has a
// capteed and a supplicant of its own.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "CAppLoader.h"
#include "CRegisterListenerCBO.h"
#include "IAppController.hpp"
#include "IAppLoader.hpp"
#include "IClientEnv.hpp"
#include "IListenerCBO.hpp"
#include "IOpener.hpp"
#include "IRegisterListenerCBO.hpp"
#include "ISuppPluginRelay.hpp"
#include "captee/memory.hpp"
#include "captee/supp_plugin_protocol.h"
#include "captee/ta_sdk.h"
#include "supp_test_ta.h"
#include "supplicant_harness.hpp"
#include "tee_api_defines.h"
#include "test_plugins.h"

namespace captee::test {
namespace {

using Clock = std::chrono::steady_clock;

struct Answer {
  TEEC_Result result = 0;
  uint32_t origin = 0;
  uint32_t outlen = 0;
  bool intact = false;
  std::string data;
};

Answer call_plugin(TEEC_Session *s, uint32_t plugin, uint32_t cmd, uint32_t sub_cmd,
                   const std::string &data) {
  Answer a;
  std::string buf = data;
  TEEC_Operation op{};
  op.paramTypes =
      TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_VALUE_INOUT, TEEC_MEMREF_TEMP_INOUT, TEEC_NONE);
  op.params[0].value = {plugin, cmd};
  op.params[1].value = {sub_cmd, 0};
  op.params[2].tmpref = {buf.data(), buf.size()};
  a.result = TEEC_InvokeCommand(s, SUPP_TA_CMD_CALL, &op, &a.origin);
  a.outlen = op.params[1].value.a;
  a.intact = op.params[1].value.b == 1;
  a.data = buf;
  return a;
}

// The echo plugin's count of invoke calls, asked through the TA (the ask
// itself counts one).
uint32_t echo_invokes(TEEC_Session *s) {
  Answer a = call_plugin(s, SUPP_TA_PLUGIN_ECHO, TEST_ECHO_COUNTS, 0, std::string(8, '\0'));
  uint32_t c[2] = {};
  std::memcpy(c, a.data.data(), sizeof c);
  return a.result == TEEC_SUCCESS ? c[1] : 0;
}

class HostileSupp : public ::testing::Test {
 protected:
  // A capteed (TAs' calls bounded at `deadline_ms`) and a supplicant.
  void start(const std::string &policy = "", bool with_supplicant = true) {
    daemon_ = std::make_unique<CapteedProcess>(
        policy, std::vector<std::string>{"--ta-dir", CAPTEE_TA_DIR, "--ta-deadline-ms",
                                         std::to_string(deadline_ms_)});
    ASSERT_TRUE(daemon_->ready());
    ::setenv("CAPTEE_SOCKET", daemon_->socket().c_str(), 1);
    ASSERT_EQ(TEEC_InitializeContext(nullptr, &ctx_), TEEC_SUCCESS);
    have_ctx_ = true;
    if (with_supplicant) {
      supplicant_ = start_supplicant();
      ASSERT_TRUE(supplicant_->serving()) << supplicant_->log();
    }
  }
  std::unique_ptr<SupplicantProcess> start_supplicant(uid_t as = 0) {
    const std::string log = daemon_->dir() + "/supplicant-" + std::to_string(started_++) + ".log";
    std::ofstream(log).flush();
    ::chmod(log.c_str(), 0666);  // a supplicant of another uid appends too
    return std::make_unique<SupplicantProcess>(daemon_->socket(), SUPP_TEST_PLUGIN_DIR, log,
                                               std::vector<std::string>{}, as);
  }
  void TearDown() override {
    if (have_ctx_) {
      TEEC_FinalizeContext(&ctx_);
    }
    supplicant_.reset();
    if (daemon_) {
      EXPECT_EQ(daemon_->stop(), 0) << "capteed must survive every case";
    }
  }
  TEEC_Result open(TEEC_Session *s) {
    TEEC_UUID uuid = SUPP_TEST_TA_UUID;
    return TEEC_OpenSession(&ctx_, s, &uuid, TEEC_LOGIN_PUBLIC, nullptr, nullptr, nullptr);
  }
  // A session's TA answers a plugin call: the whole path works.
  void expect_serving() {
    TEEC_Session s{};
    ASSERT_EQ(open(&s), TEEC_SUCCESS);
    Answer a = call_plugin(&s, SUPP_TA_PLUGIN_ECHO, TEST_ECHO_UPPER, 0, "still here");
    EXPECT_EQ(a.result, TEEC_SUCCESS);
    EXPECT_EQ(a.data, "STILL HERE");
    TEEC_CloseSession(&s);
  }
  TEEC_Result command(TEEC_Session *s, uint32_t cmd, TEEC_Operation *op, uint32_t *origin) {
    return TEEC_InvokeCommand(s, cmd, op, origin);
  }

  uint32_t deadline_ms_ = 20000;
  std::unique_ptr<CapteedProcess> daemon_;
  std::unique_ptr<SupplicantProcess> supplicant_;
  int started_ = 0;
  TEEC_Context ctx_{};
  bool have_ctx_ = false;
};

// The TA names memory it may not hand on: the call panics the TA (as OP-TEE's
// kernel refuses it and its library panics), and nothing reaches the
// supplicant.
TEST_F(HostileSupp, ATaNamingMemoryItMayNotHandOnPanicsAndSendsNothing) {
  start();
  TEEC_Session probe{};
  ASSERT_EQ(open(&probe), TEEC_SUCCESS);
  const uint32_t before = echo_invokes(&probe);
  for (uint32_t cmd : {SUPP_TA_CMD_PAST_MAPPING, SUPP_TA_CMD_OUTLEN_READ_ONLY}) {
    TEEC_Session s{};
    ASSERT_EQ(open(&s), TEEC_SUCCESS);
    TEEC_Operation op{};
    uint32_t origin = 0;
    EXPECT_EQ(command(&s, cmd, &op, &origin), TEEC_ERROR_TARGET_DEAD) << cmd;
    EXPECT_EQ(origin, TEEC_ORIGIN_TEE);
    TEEC_CloseSession(&s);
  }
  {
    // The client's input memref handed on as the plugin's writable buffer.
    TEEC_Session s{};
    ASSERT_EQ(open(&s), TEEC_SUCCESS);
    char input[] = "read only";
    TEEC_Operation op{};
    op.paramTypes = TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
    op.params[0].tmpref = {input, sizeof input - 1};
    EXPECT_EQ(command(&s, SUPP_TA_CMD_INPUT_MEMREF, &op, nullptr), TEEC_ERROR_TARGET_DEAD);
    EXPECT_STREQ(input, "read only");
    TEEC_CloseSession(&s);
  }
  EXPECT_EQ(echo_invokes(&probe), before + 1) << "only the count's own call reached the plugin";
  TEEC_CloseSession(&probe);
  expect_serving();
}

TEST_F(HostileSupp, BadArgumentsAndOversizedRequestsAreRefusedBeforeTheSupplicant) {
  start();
  TEEC_Session s{};
  ASSERT_EQ(open(&s), TEEC_SUCCESS);
  const uint32_t before = echo_invokes(&s);
  TEEC_Operation op{};
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
  op.params[0].value.a = 99;
  ASSERT_EQ(command(&s, SUPP_TA_CMD_BAD_ARGS, &op, nullptr), TEEC_SUCCESS);
  EXPECT_EQ(op.params[0].value.a, 0u) << "the first argument check that failed";
  EXPECT_EQ(echo_invokes(&s), before + 1);
  TEEC_CloseSession(&s);
}

// A plugin answering more bytes than the buffer holds: the TA sees the claim
// (as on OP-TEE) but gets its own buffer's bytes only; nothing past it moves.
TEST_F(HostileSupp, APluginClaimingMoreThanTheBufferNeverWritesPastIt) {
  start();
  TEEC_Session s{};
  ASSERT_EQ(open(&s), TEEC_SUCCESS);
  Answer a =
      call_plugin(&s, SUPP_TA_PLUGIN_HOSTILE, TEST_HOSTILE_CLAIM_MORE, 100, std::string(16, 'a'));
  EXPECT_EQ(a.result, TEEC_SUCCESS);
  EXPECT_EQ(a.outlen, 116u);
  EXPECT_EQ(a.data, std::string(16, 'H'));
  EXPECT_TRUE(a.intact);
  a = call_plugin(&s, SUPP_TA_PLUGIN_HOSTILE, TEST_HOSTILE_CLAIM_HUGE, 0, "abcd");
  EXPECT_EQ(a.result, TEEC_SUCCESS);
  EXPECT_EQ(a.outlen, 0xFFFFFFFFu) << "a size_t claim is saturated, never wrapped small";
  EXPECT_EQ(a.data, "abcd");
  EXPECT_TRUE(a.intact);
  TEEC_CloseSession(&s);
  EXPECT_NE(supplicant_->log().find("claims 116 bytes of answer in a buffer of 16"),
            std::string::npos)
      << supplicant_->log();
}

// A plugin writing past its buffer hits the guard page: the supplicant dies,
// the TA gets TEE_ERROR_COMMUNICATION, capteed carries on, and a new
// supplicant takes the listener over.
TEST_F(HostileSupp, APluginWritingPastItsBufferKillsOnlyTheSupplicant) {
  start();
  TEEC_Session s{};
  ASSERT_EQ(open(&s), TEEC_SUCCESS);
  Answer a =
      call_plugin(&s, SUPP_TA_PLUGIN_HOSTILE, TEST_HOSTILE_WRITE_PAST, 0, std::string(4096, 'w'));
  EXPECT_EQ(a.result, TEE_ERROR_COMMUNICATION);
  EXPECT_EQ(a.outlen, 0u);
  EXPECT_EQ(a.data, std::string(4096, 'w'));
  EXPECT_TRUE(a.intact);
  // Killed by SIGSEGV (a sanitizer build reports it, then exits or aborts).
  const int died = supplicant_->wait_exit(5000);
  EXPECT_GT(died, 0) << supplicant_->log();
  a = call_plugin(&s, SUPP_TA_PLUGIN_ECHO, TEST_ECHO_UPPER, 0, "x");
  EXPECT_EQ(a.result, TEE_ERROR_COMMUNICATION) << "no supplicant now";
  supplicant_ = start_supplicant();
  ASSERT_TRUE(supplicant_->serving()) << supplicant_->log();
  a = call_plugin(&s, SUPP_TA_PLUGIN_ECHO, TEST_ECHO_UPPER, 0, "x");
  EXPECT_EQ(a.result, TEEC_SUCCESS);
  EXPECT_EQ(a.data, "X");
  TEEC_CloseSession(&s);
}

// A plugin that never returns: the TA's call ends at its deadline (the TA is
// killed), another TA's call waiting behind it too; once that supplicant is
// gone, a new one serves.
TEST_F(HostileSupp, AHangingPluginIsBoundedByTheTasDeadline) {
  deadline_ms_ = 2500;  // room for a slow (sanitizer) build's ordinary calls
  start();
  TEEC_Session hung{};
  TEEC_Session behind{};
  ASSERT_EQ(open(&hung), TEEC_SUCCESS);
  ASSERT_EQ(open(&behind), TEEC_SUCCESS);
  const auto t0 = Clock::now();
  Answer second;
  std::thread waiting([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    second = call_plugin(&behind, SUPP_TA_PLUGIN_ECHO, TEST_ECHO_UPPER, 0, "behind");
  });
  Answer a = call_plugin(&hung, SUPP_TA_PLUGIN_HOSTILE, TEST_HOSTILE_HANG, 0, "zzz");
  const auto took = Clock::now() - t0;
  waiting.join();
  EXPECT_EQ(a.result, TEEC_ERROR_TARGET_DEAD);
  EXPECT_GE(took, std::chrono::milliseconds(2400));
  EXPECT_LT(took, std::chrono::seconds(15));
  EXPECT_EQ(second.result, TEEC_ERROR_TARGET_DEAD) << "waited behind the hung call, bounded too";
  TEEC_CloseSession(&hung);
  TEEC_CloseSession(&behind);
  supplicant_->stop(SIGKILL);
  supplicant_ = start_supplicant();
  ASSERT_TRUE(supplicant_->serving()) << supplicant_->log();
  expect_serving();
}

// With no supplicant, OP-TEE's answer: TEE_ERROR_COMMUNICATION. A supplicant
// that starts later serves; one that dies leaves COMMUNICATION again.
TEST_F(HostileSupp, WithoutASupplicantTheTaGetsCommunication) {
  start("", false);
  TEEC_Session s{};
  ASSERT_EQ(open(&s), TEEC_SUCCESS);
  Answer a = call_plugin(&s, SUPP_TA_PLUGIN_ECHO, TEST_ECHO_UPPER, 0, "abc");
  EXPECT_EQ(a.result, TEE_ERROR_COMMUNICATION);
  EXPECT_EQ(a.origin, TEEC_ORIGIN_TRUSTED_APP);
  EXPECT_EQ(a.outlen, 0u);
  EXPECT_EQ(a.data, "abc");
  supplicant_ = start_supplicant();
  ASSERT_TRUE(supplicant_->serving()) << supplicant_->log();
  a = call_plugin(&s, SUPP_TA_PLUGIN_ECHO, TEST_ECHO_UPPER, 0, "abc");
  EXPECT_EQ(a.result, TEEC_SUCCESS);
  supplicant_->stop(SIGKILL);
  a = call_plugin(&s, SUPP_TA_PLUGIN_ECHO, TEST_ECHO_UPPER, 0, "abc");
  EXPECT_EQ(a.result, TEE_ERROR_COMMUNICATION);
  TEEC_CloseSession(&s);
}

// The listener id is first come, first served: while a supplicant lives no
// other process gets it (another captee-supplicant, or a client registering
// it by hand), and the first keeps serving.
TEST_F(HostileSupp, ASecondProcessCannotTakeTheListenerFromALiveSupplicant) {
  start();
  auto second = start_supplicant();
  EXPECT_EQ(second->wait_exit(5000), 1);
  EXPECT_NE(second->log().find("another supplicant is registered with capteed (listener 12 is in "
                               "use); not starting"),
            std::string::npos)
      << second->log();

  Ref registrar = daemon_->open(CRegisterListenerCBO_UID);
  ASSERT_FALSE(registrar.is_null());
  class Impostor final : public iface::IListenerCBOSkeleton {
   public:
    int32_t request(std::span<uint32_t>, size_t &n, uint32_t &, Ref &, Ref &, Ref &,
                    Ref &) override {
      n = 0;
      return Object_OK;
    }
    int32_t wait() override { return Object_OK; }
  };
  Ref impostor = make_object<Impostor>();
  Ref region = MemoryObject::create(CAPTEE_SUPP_PLUGIN_REGION_SIZE);
  EXPECT_EQ(iface::IRegisterListenerCBO(registrar).register_(CAPTEE_SUPP_PLUGIN_LISTENER_ID,
                                                             impostor, region),
            IRegisterListenerCBO_ERROR_ID_IN_USE);
  expect_serving();
}

// Who may register at all is the policy's register-listener rule (uid 87):
// restricted to root, a supplicant of another uid is refused with one
// sentence and root's serves.
TEST_F(HostileSupp, ThePolicyDecidesWhoMayRegisterTheSupplicant) {
  if (::geteuid() != 0) {
    GTEST_SKIP() << "needs root to run a supplicant as another uid";
  }
  start(R"({"version": 1, "default": "deny", "services": [
      {"uid": "0x10001", "name": "memory", "allow": "everyone"},
      {"uid": 143, "name": "diagnostics", "allow": "everyone"},
      {"uid": "0x199", "name": "gp-app-client", "allow": "everyone"},
      {"uid": 87, "name": "register-listener", "allow": {"uids": [0]}}]})",
        false);
  auto refused = start_supplicant(4242);
  EXPECT_EQ(refused->wait_exit(5000), 1) << refused->log();
  EXPECT_NE(refused->log().find("capteed does not let this user register listeners (service "
                                "register-listener, uid 87"),
            std::string::npos)
      << refused->log();
  supplicant_ = start_supplicant();
  ASSERT_TRUE(supplicant_->serving()) << supplicant_->log();
  expect_serving();
}

TEST_F(HostileSupp, TheSupplicantEndsWithCapteedAndOnSigterm) {
  start();
  EXPECT_EQ(supplicant_->stop(SIGTERM), 0) << supplicant_->log();
  supplicant_ = start_supplicant();
  ASSERT_TRUE(supplicant_->serving()) << supplicant_->log();
  EXPECT_EQ(daemon_->stop(), 0);
  EXPECT_EQ(supplicant_->wait_exit(5000), 1) << supplicant_->log();
  EXPECT_NE(supplicant_->log().find("capteed let go of the listener"), std::string::npos)
      << supplicant_->log();
  daemon_.reset();
}

// What a hostile TA holds, its host environment, used directly: the
// supplicant's listener and region are not there, only the relay, which
// refuses oversized requests and never answers more than was asked.
TEST_F(HostileSupp, ATaGoingAroundTheRuntimeFindsOnlyTheRelay) {
  start();
  Ref loader = daemon_->open(CAppLoader_UID);
  ASSERT_FALSE(loader.is_null());
  std::ifstream f(CAPTEE_SUPP_ENV_TA, std::ios::binary);
  std::vector<char> raw((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  Ref controller, env;
  ASSERT_EQ(iface::IAppLoader(loader).loadFromBuffer(std::as_bytes(std::span(raw)), controller),
            Object_OK);
  ASSERT_EQ(iface::IAppController(controller).getAppObject(env), Object_OK);

  Ref got;
  EXPECT_EQ(iface::IOpener(env).open(CAPTEE_TA_LISTENER_CBO(CAPTEE_SUPP_PLUGIN_LISTENER_ID), got),
            IOpener_ERROR_NOT_FOUND);
  EXPECT_EQ(
      iface::IOpener(env).open(CAPTEE_TA_LISTENER_REGION(CAPTEE_SUPP_PLUGIN_LISTENER_ID), got),
      IOpener_ERROR_NOT_FOUND);
  Ref relay;
  ASSERT_EQ(iface::IOpener(env).open(CAPTEE_TA_SUPP_PLUGINS, relay), Object_OK);
  iface::ISuppPluginRelay r(relay);
  const ISuppPluginRelay_Uuid echo = {
      {0x7e, 0x57, 0xc0, 0xde, 0x5e, 0x00, 0x40, 0x00, 0x80, 0, 0, 0, 0, 0, 0, 0x01}};

  std::vector<std::byte> answer(64);
  size_t answer_len = 7;
  uint32_t out_len = 7, result = 0;
  std::vector<std::byte> huge(CAPTEE_SUPP_PLUGIN_MAX_DATA + 1, std::byte{'a'});
  ASSERT_EQ(r.invokePlugin(echo, TEST_ECHO_UPPER, 0, huge, answer, answer_len, out_len, result),
            Object_OK);
  EXPECT_EQ(result, TEE_ERROR_OUT_OF_MEMORY);
  EXPECT_EQ(answer_len, 0u);
  EXPECT_EQ(out_len, 0u);

  // An answer buffer smaller than the request: the answer is cut to it.
  const std::string sixteen = "abcdefghijklmnop";
  std::vector<std::byte> four(4);
  ASSERT_EQ(r.invokePlugin(echo, TEST_ECHO_UPPER, 0, std::as_bytes(std::span(sixteen)), four,
                           answer_len, out_len, result),
            Object_OK);
  EXPECT_EQ(result, TEEC_SUCCESS);
  EXPECT_EQ(answer_len, 4u);
  EXPECT_EQ(out_len, 16u);
  EXPECT_EQ(std::string(reinterpret_cast<const char *>(four.data()), 4), "ABCD");

  // A malformed call (wrong counts) is refused by the relay's skeleton.
  ObjectArg args[1] = {};
  args[0].bi = {sixteen.data(), sixteen.size()};
  EXPECT_EQ(relay.invoke_raw(ISuppPluginRelay_OP_invokePlugin, args, ObjectCounts_pack(1, 0, 0, 0)),
            Object_ERROR_INVALID);
  expect_serving();
}

}  // namespace
}  // namespace captee::test
