// tee_invoke_supp_plugin end to end: a client (libteec) → capteed → the GP
// test TA → capteed's relay → captee-supplicant → the test plugins, with one
// capteed and one supplicant for the suite.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <cctype>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "supp_test_ta.h"
#include "supplicant_harness.hpp"
#include "tee_client_api.h"
#include "test_plugins.h"

namespace captee::test {
namespace {

// What one SUPP_TA_CMD_CALL gave back.
struct Answer {
  TEEC_Result result = 0;
  uint32_t origin = 0;
  uint32_t outlen = 0;
  bool intact = false;  // the bytes after the TA's buffer
  std::string data;
};

// Calls `cmd` of `plugin` through the TA with `data` (nullptr: no buffer).
Answer call_plugin(TEEC_Session *s, uint32_t plugin, uint32_t cmd, uint32_t sub_cmd,
                   const std::string *data) {
  Answer a;
  std::string buf = data != nullptr ? *data : std::string();
  TEEC_Operation op{};
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_VALUE_INOUT,
                                   data != nullptr ? TEEC_MEMREF_TEMP_INOUT : TEEC_NONE, TEEC_NONE);
  op.params[0].value = {plugin, cmd};
  op.params[1].value = {sub_cmd, 0};
  if (data != nullptr) {
    op.params[2].tmpref = {buf.data(), buf.size()};
  }
  a.result = TEEC_InvokeCommand(s, SUPP_TA_CMD_CALL, &op, &a.origin);
  a.outlen = op.params[1].value.a;
  a.intact = op.params[1].value.b == 1;
  a.data = buf;
  return a;
}

class SuppPlugins : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    daemon_ = new CapteedProcess("", {"--ta-dir", CAPTEE_TA_DIR});
    ASSERT_TRUE(daemon_->ready());
    ::setenv("CAPTEE_SOCKET", daemon_->socket().c_str(), 1);
    log_file_ = daemon_->dir() + "/log-plugin.txt";
    supplicant_ = new SupplicantProcess(daemon_->socket(), SUPP_TEST_PLUGIN_DIR,
                                        daemon_->dir() + "/supplicant.log",
                                        {"CAPTEE_TEST_LOG_PLUGIN_FILE=" + log_file_});
    ASSERT_TRUE(supplicant_->serving()) << supplicant_->log();
  }
  static void TearDownTestSuite() {
    EXPECT_EQ(supplicant_->stop(SIGTERM), 0) << supplicant_->log();
    delete supplicant_;
    supplicant_ = nullptr;
    EXPECT_EQ(daemon_->stop(), 0);
    delete daemon_;
    daemon_ = nullptr;
  }

  void SetUp() override {
    ASSERT_EQ(TEEC_InitializeContext(nullptr, &ctx_), TEEC_SUCCESS);
    open(&session_);
  }
  void TearDown() override {
    TEEC_CloseSession(&session_);
    TEEC_FinalizeContext(&ctx_);
  }
  void open(TEEC_Session *s) {
    TEEC_UUID uuid = SUPP_TEST_TA_UUID;
    ASSERT_EQ(TEEC_OpenSession(&ctx_, s, &uuid, TEEC_LOGIN_PUBLIC, nullptr, nullptr, nullptr),
              TEEC_SUCCESS);
  }

  static inline CapteedProcess *daemon_ = nullptr;
  static inline SupplicantProcess *supplicant_ = nullptr;
  static inline std::string log_file_;
  TEEC_Context ctx_{};
  TEEC_Session session_{};
};

TEST_F(SuppPlugins, ThePluginWorksOnTheTasBufferInPlace) {
  const std::string text = "hello, plugin";
  Answer a = call_plugin(&session_, SUPP_TA_PLUGIN_ECHO, TEST_ECHO_UPPER, 0, &text);
  EXPECT_EQ(a.result, TEEC_SUCCESS);
  EXPECT_EQ(a.origin, TEEC_ORIGIN_TRUSTED_APP);
  EXPECT_EQ(a.data, "HELLO, PLUGIN");
  EXPECT_EQ(a.outlen, text.size());
  EXPECT_TRUE(a.intact);
}

TEST_F(SuppPlugins, CmdAndSubCmdReachThePlugin) {
  const std::string four(4, '\0');
  Answer a = call_plugin(&session_, SUPP_TA_PLUGIN_ECHO, TEST_ECHO_SUB_CMD, 0xabcdef01u, &four);
  ASSERT_EQ(a.result, TEEC_SUCCESS);
  uint32_t got = 0;
  std::memcpy(&got, a.data.data(), 4);
  EXPECT_EQ(got, 0xabcdef01u);
  EXPECT_EQ(a.outlen, 4u);
}

TEST_F(SuppPlugins, InitRanOnceAtLoadAndEveryCallReachesThePlugin) {
  const std::string eight(8, '\0');
  Answer first = call_plugin(&session_, SUPP_TA_PLUGIN_ECHO, TEST_ECHO_COUNTS, 0, &eight);
  Answer second = call_plugin(&session_, SUPP_TA_PLUGIN_ECHO, TEST_ECHO_COUNTS, 0, &eight);
  ASSERT_EQ(first.result, TEEC_SUCCESS);
  ASSERT_EQ(second.result, TEEC_SUCCESS);
  uint32_t c1[2], c2[2];
  std::memcpy(c1, first.data.data(), 8);
  std::memcpy(c2, second.data.data(), 8);
  EXPECT_EQ(c1[0], 1u);
  EXPECT_EQ(c2[0], 1u);
  EXPECT_EQ(c2[1], c1[1] + 1);
}

TEST_F(SuppPlugins, APluginsErrorIsWhatTheTaGets) {
  const std::string text = "abc";
  for (uint32_t code : {uint32_t(TEEC_ERROR_ACCESS_DENIED), 0x12345678u}) {
    Answer a = call_plugin(&session_, SUPP_TA_PLUGIN_ECHO, TEST_ECHO_FAIL, code, &text);
    EXPECT_EQ(a.result, code);
    EXPECT_EQ(a.origin, TEEC_ORIGIN_TRUSTED_APP);
    EXPECT_EQ(a.outlen, 0u);
    EXPECT_EQ(a.data, "abc");
  }
  // SHORT_BUFFER with the size the plugin needs, as a plugin may answer.
  Answer a = call_plugin(&session_, SUPP_TA_PLUGIN_ECHO, TEST_ECHO_SHORT, 999, &text);
  EXPECT_EQ(a.result, TEEC_ERROR_SHORT_BUFFER);
  EXPECT_EQ(a.outlen, 999u);
  EXPECT_TRUE(a.intact);
  a = call_plugin(&session_, SUPP_TA_PLUGIN_ECHO, 0x7777, 0, &text);
  EXPECT_EQ(a.result, TEEC_ERROR_NOT_SUPPORTED);
}

TEST_F(SuppPlugins, AnUnknownPluginIsItemNotFound) {
  const std::string text = "abc";
  Answer a = call_plugin(&session_, SUPP_TA_PLUGIN_ABSENT, 0, 0, &text);
  EXPECT_EQ(a.result, TEEC_ERROR_ITEM_NOT_FOUND);
  EXPECT_EQ(a.outlen, 0u);
  EXPECT_EQ(a.data, "abc");
}

TEST_F(SuppPlugins, NothingComesBackWhenThePluginSaysItWroteNothing) {
  const std::string text = "abc";
  Answer a = call_plugin(&session_, SUPP_TA_PLUGIN_ECHO, TEST_ECHO_NO_OUTPUT, 0, &text);
  EXPECT_EQ(a.result, TEEC_SUCCESS);
  EXPECT_EQ(a.outlen, 0u);
  EXPECT_EQ(a.data, "abc");
}

TEST_F(SuppPlugins, ACallWithoutABufferWorks) {
  Answer a = call_plugin(&session_, SUPP_TA_PLUGIN_ECHO, TEST_ECHO_UPPER, 0, nullptr);
  EXPECT_EQ(a.result, TEEC_SUCCESS);
  EXPECT_EQ(a.outlen, 0u);
}

TEST_F(SuppPlugins, OneMebibyteIsTheLargestRequest) {
  std::string big(1u << 20, 'q');
  Answer a = call_plugin(&session_, SUPP_TA_PLUGIN_ECHO, TEST_ECHO_UPPER, 0, &big);
  ASSERT_EQ(a.result, TEEC_SUCCESS);
  EXPECT_EQ(a.outlen, big.size());
  EXPECT_EQ(a.data, std::string(big.size(), 'Q'));
  EXPECT_TRUE(a.intact);
}

// OP-TEE's plugins example, as a flow: the TA formats a line and hands it to
// a plugin with the syslog plugin's interface (priority as sub_cmd, no
// outlen); the line arrives in the normal world.
TEST_F(SuppPlugins, TheOpteePluginsExampleFlowLogsEachPing) {
  std::remove(log_file_.c_str());
  TEEC_Session s{};
  open(&s);
  for (int i = 0; i < 5; ++i) {
    TEEC_Operation op{};
    op.paramTypes = TEEC_PARAM_TYPES(TEEC_NONE, TEEC_NONE, TEEC_NONE, TEEC_NONE);
    uint32_t origin = 0;
    EXPECT_EQ(TEEC_InvokeCommand(&s, SUPP_TA_CMD_PING, &op, &origin), TEEC_SUCCESS) << i;
  }
  TEEC_CloseSession(&s);
  std::ifstream f(log_file_);
  std::stringstream got;
  got << f.rdbuf();
  EXPECT_EQ(got.str(),
            "6 Hello, plugin! value = 0x0\n6 Hello, plugin! value = 0x1\n"
            "6 Hello, plugin! value = 0x2\n6 Hello, plugin! value = 0x3\n"
            "6 Hello, plugin! value = 0x4\n");
}

// TAs in processes of their own call at once: each gets its own bytes back,
// never another TA's (the relay takes one request at a time through the
// supplicant's single region).
TEST_F(SuppPlugins, ConcurrentTasEachGetTheirOwnAnswer) {
  constexpr int kThreads = 4;
  constexpr int kCalls = 40;
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      TEEC_Session s{};
      TEEC_UUID uuid = SUPP_TEST_TA_UUID;
      if (TEEC_OpenSession(&ctx_, &s, &uuid, TEEC_LOGIN_PUBLIC, nullptr, nullptr, nullptr) !=
          TEEC_SUCCESS) {
        wrong += kCalls;
        return;
      }
      for (int i = 0; i < kCalls; ++i) {
        const std::string mine = "thread " + std::to_string(t) + " call " + std::to_string(i) +
                                 std::string(static_cast<size_t>(t * 100 + i), 'x');
        Answer a = call_plugin(&s, SUPP_TA_PLUGIN_ECHO, TEST_ECHO_UPPER, 0, &mine);
        std::string want = mine;
        for (char &c : want) {
          c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        }
        if (a.result != TEEC_SUCCESS || a.data != want || a.outlen != mine.size() || !a.intact) {
          ++wrong;
        }
      }
      TEEC_CloseSession(&s);
    });
  }
  for (auto &t : threads) {
    t.join();
  }
  EXPECT_EQ(wrong.load(), 0);
}

TEST_F(SuppPlugins, TheSupplicantLogsEachPluginItLoadedAndEachFileItSkipped) {
  const std::string log = supplicant_->log();
  for (const char *line :
       {"loaded echo (7e57c0de-5e00-4000-8000-000000000001) from echo.plugin",
        "loaded hostile (7e57c0de-5e00-4000-8000-000000000002) from hostile.plugin",
        "loaded log (7e57c0de-5e00-4000-8000-00000000000a) from log.plugin",
        "skipped bad_init.plugin: its init failed with 0xffff0007",
        "skipped bad_no_method.plugin: it has no plugin_method",
        "skipped bad_no_invoke.so: its plugin_method has no name or no invoke",
        "skipped bad_undefined.plugin: cannot load it",
        "serving 3 plugins from " SUPP_TEST_PLUGIN_DIR " as listener 12"}) {
    EXPECT_NE(log.find(std::string("captee-supplicant: ") + line), std::string::npos)
        << line << "\n"
        << log;
  }
}

}  // namespace
}  // namespace captee::test
