// TA persistent time as a TA sees it (issue 14): TEE_GetTAPersistentTime /
// TEE_SetTAPersistentTime through capteed, which keeps each TA's time in its
// --state-dir. Each test runs its own capteed on a state directory that
// outlives it, so the time is checked across capteed restarts; the hostile
// cases damage that directory between runs, and load the same TA image as
// a user (another authority) to show it gets a time of its own.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>
#include <vector>

#include "CAppLoader.h"
#include "IAppController.h"
#include "IAppLoader.h"
#include "IGPAppClient.h"
#include "IGPSession.h"
#include "gp_props_ta.h"
#include "tee_client_api.h"
#include "../support/load_image.hpp"
#include "tee_harness.hpp"

namespace captee::test {
namespace {

constexpr TEEC_UUID kV131 = GP_PROPS_TA_V131_UUID;
constexpr TEEC_UUID kGp11 = GP_PROPS_TA_GP11_UUID;
constexpr char kV131Name[] = "7e57c0de-0013-4000-8000-000000000013";
// The TA's results these tests read (tee_api_defines.h; the Client API has
// no names for them).
constexpr uint32_t kTimeNotSet = 0xFFFF5000;      // TEE_ERROR_TIME_NOT_SET
constexpr uint32_t kTimeNeedsReset = 0xFFFF5001;  // TEE_ERROR_TIME_NEEDS_RESET
constexpr uint32_t kOverflow = 0xFFFF300F;        // TEE_ERROR_OVERFLOW

struct Reading {
  TEEC_Result call = TEEC_ERROR_GENERIC;
  uint32_t result = 0;
  uint32_t seconds = 0;
  uint32_t millis = 0;
  uint64_t total_ms() const { return uint64_t(seconds) * 1000 + millis; }
};

class GpTime : public ::testing::Test {
 protected:
  void SetUp() override { start(); }
  void TearDown() override { stop(); }

  void start() {
    daemon_ = std::make_unique<CapteedProcess>(
        "", std::vector<std::string>{"--ta-dir", CAPTEE_TA_DIR, "--state-dir", state_dir()});
    ASSERT_TRUE(daemon_->ready());
    ::setenv("CAPTEE_SOCKET", daemon_->socket().c_str(), 1);
  }
  void stop() {
    if (daemon_) {
      EXPECT_EQ(daemon_->stop(), 0) << "capteed must stop cleanly, whatever its state held";
      daemon_.reset();
    }
  }
  void restart() {
    stop();
    start();
  }

  std::string state_dir() const { return state_.path + "/state"; }
  // The record capteed keeps for a GP TA of its --ta-dir.
  std::string record_of(const char *uuid) const { return state_dir() + "/ta-time/ta-dir." + uuid; }

  // One session to `uuid` for one command.
  static TEEC_Result run(const TEEC_UUID &uuid, uint32_t cmd, TEEC_Operation *op) {
    TEEC_Context ctx{};
    TEEC_Session s{};
    TEEC_Result r = TEEC_InitializeContext(nullptr, &ctx);
    if (r != TEEC_SUCCESS) {
      return r;
    }
    r = TEEC_OpenSession(&ctx, &s, &uuid, TEEC_LOGIN_PUBLIC, nullptr, nullptr, nullptr);
    if (r == TEEC_SUCCESS) {
      r = TEEC_InvokeCommand(&s, cmd, op, nullptr);
      TEEC_CloseSession(&s);
    }
    TEEC_FinalizeContext(&ctx);
    return r;
  }

  static Reading get_time(const TEEC_UUID &uuid) {
    TEEC_Operation op{};
    op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_OUTPUT, TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE);
    Reading r;
    r.call = run(uuid, GP_PROPS_CMD_TIME_GET, &op);
    r.result = op.params[0].value.a;
    r.seconds = op.params[0].value.b;
    r.millis = op.params[1].value.a;
    return r;
  }

  static uint32_t set_time(const TEEC_UUID &uuid, uint32_t seconds, uint32_t millis) {
    TEEC_Operation op{};
    op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE);
    op.params[0].value = {seconds, millis};
    EXPECT_EQ(run(uuid, GP_PROPS_CMD_TIME_SET, &op), TEEC_SUCCESS);
    return op.params[1].value.a;
  }

  // The time reads `want_ms` plus what elapsed since, up to `slack_ms`.
  static void expect_time_near(const TEEC_UUID &uuid, uint64_t want_ms, uint64_t slack_ms) {
    Reading r = get_time(uuid);
    ASSERT_EQ(r.call, TEEC_SUCCESS);
    ASSERT_EQ(r.result, TEEC_SUCCESS);
    EXPECT_GE(r.total_ms(), want_ms);
    EXPECT_LT(r.total_ms(), want_ms + slack_ms);
    EXPECT_LT(r.millis, 1000u);
  }

  TempDir state_;
  std::unique_ptr<CapteedProcess> daemon_;
};

TEST_F(GpTime, NeverSetIsTimeNotSetAndReadsZero) {
  Reading r = get_time(kV131);
  ASSERT_EQ(r.call, TEEC_SUCCESS);
  EXPECT_EQ(r.result, kTimeNotSet);
  EXPECT_EQ(r.seconds, 0u);
  EXPECT_EQ(r.millis, 0u);
}

TEST_F(GpTime, SetTimeRunsOn) {
  ASSERT_EQ(set_time(kV131, 1000, 500), TEEC_SUCCESS);
  expect_time_near(kV131, 1000500, 5000);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  expect_time_near(kV131, 1000800, 5000);
  // Setting again moves it, backwards too.
  ASSERT_EQ(set_time(kV131, 7, 0), TEEC_SUCCESS);
  expect_time_near(kV131, 7000, 5000);
}

TEST_F(GpTime, TimeSurvivesCapteedRestarts) {
  ASSERT_EQ(set_time(kV131, 5000, 250), TEEC_SUCCESS);
  restart();
  expect_time_near(kV131, 5000250, 10000);
  restart();
  expect_time_near(kV131, 5000250, 10000);
  EXPECT_EQ(get_time(kGp11).result, kTimeNotSet);
}

TEST_F(GpTime, EachTaHasItsOwnTime) {
  ASSERT_EQ(set_time(kV131, 100, 0), TEEC_SUCCESS);
  EXPECT_EQ(get_time(kGp11).result, kTimeNotSet);
  ASSERT_EQ(set_time(kGp11, 200000, 0), TEEC_SUCCESS);
  expect_time_near(kV131, 100000, 5000);
  expect_time_near(kGp11, 200000000, 5000);
}

// More seconds than 32 bits hold: OVERFLOW, the seconds modulo 2^32.
TEST_F(GpTime, OverflowGivesSecondsModulo2To32) {
  ASSERT_EQ(set_time(kV131, 0xFFFFFFFFu, 999), TEEC_SUCCESS);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  Reading r = get_time(kV131);
  ASSERT_EQ(r.call, TEEC_SUCCESS);
  EXPECT_EQ(r.result, kOverflow);
  EXPECT_LT(r.seconds, 10u) << "2^32 + a few seconds, modulo 2^32";
  EXPECT_LT(r.millis, 1000u);
  // The largest time there is reads back while it still fits.
  ASSERT_EQ(set_time(kV131, 0xFFFFFFF0u, 0), TEEC_SUCCESS);
  r = get_time(kV131);
  EXPECT_EQ(r.result, TEEC_SUCCESS);
  EXPECT_GE(r.seconds, 0xFFFFFFF0u);
}

TEST_F(GpTime, MillisOf1000PanicsAndLeavesTheTimeAlone) {
  TEEC_Operation op{};
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
  op.params[0].value.a = GP_PROPS_PANIC_TIME_MILLIS_1000;
  EXPECT_EQ(run(kGp11, GP_PROPS_CMD_PANIC, &op), TEEC_ERROR_TARGET_DEAD);
  EXPECT_EQ(get_time(kGp11).result, kTimeNotSet);
}

TEST_F(GpTime, DeviceIdIsStableAcrossRestarts) {
  std::string first;
  std::ifstream(state_dir() + "/device-id") >> first;
  EXPECT_EQ(first.size(), 36u);
  restart();
  std::string again;
  std::ifstream(state_dir() + "/device-id") >> again;
  EXPECT_EQ(first, again);
}

// A device-id file that does not hold one is not replaced (TAs would see
// another device): capteed says why and does not start.
TEST_F(GpTime, ADamagedDeviceIdStopsCapteedWithTheReason) {
  stop();
  const std::string good = [&] {
    std::string s;
    std::ifstream(state_dir() + "/device-id") >> s;
    return s;
  }();
  std::ofstream(state_dir() + "/device-id", std::ios::trunc) << "garbage\n";
  const std::string log = state_.path + "/capteed.log";
  {
    CapteedProcess refused("", {"--ta-dir", CAPTEE_TA_DIR, "--state-dir", state_dir()}, 0, log);
    EXPECT_FALSE(refused.ready());
  }
  std::ifstream in(log);
  const std::string said((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(said.find("device-id does not hold a device ID"), std::string::npos) << said;
  std::ofstream(state_dir() + "/device-id", std::ios::trunc) << good << "\n";
  start();
}

// Hostile: whatever is found where a TA's record should be (damage, or
// someone else's writes), capteed keeps serving, and the TA is told its time
// needs a reset, until it sets it again.
TEST_F(GpTime, DamagedRecordsNeedAResetAndHurtNothingElse) {
  struct Damage {
    const char *what;
    void (*apply)(const std::string &path);
    // What the TA's next set answers: a file in the way is replaced; a
    // directory stays in the way, and the set fails as storage.
    uint32_t set_after;
  };
  const Damage damages[] = {
      {"a flipped byte",
       [](const std::string &p) {
         std::fstream f(p, std::ios::in | std::ios::out | std::ios::binary);
         f.seekp(20);
         f.put('\x55');
       },
       TEEC_SUCCESS},
      {"truncated", [](const std::string &p) { std::filesystem::resize_file(p, 10); },
       TEEC_SUCCESS},
      {"empty", [](const std::string &p) { std::filesystem::resize_file(p, 0); }, TEEC_SUCCESS},
      {"one byte more",
       [](const std::string &p) { std::ofstream(p, std::ios::app | std::ios::binary) << 'x'; },
       TEEC_SUCCESS},
      {"a megabyte of garbage",
       [](const std::string &p) {
         std::ofstream(p, std::ios::trunc | std::ios::binary) << std::string(1 << 20, '\xA5');
       },
       TEEC_SUCCESS},
      {"a directory",
       [](const std::string &p) {
         std::filesystem::remove(p);
         std::filesystem::create_directory(p);
       },
       TEEC_ERROR_STORAGE_NO_SPACE},
      {"a FIFO",
       [](const std::string &p) {
         std::filesystem::remove(p);
         ASSERT_EQ(::mkfifo(p.c_str(), 0600), 0);
       },
       TEEC_SUCCESS},
      {"a symlink to a readable file",
       [](const std::string &p) {
         std::filesystem::remove(p);
         std::filesystem::create_symlink("/proc/self/status", p);
       },
       TEEC_SUCCESS},
  };
  for (const Damage &d : damages) {
    SCOPED_TRACE(d.what);
    ASSERT_EQ(set_time(kV131, 42, 0), TEEC_SUCCESS);
    ASSERT_TRUE(std::filesystem::exists(record_of(kV131Name)));
    stop();
    d.apply(record_of(kV131Name));
    start();
    Reading r = get_time(kV131);
    ASSERT_EQ(r.call, TEEC_SUCCESS);
    EXPECT_EQ(r.result, kTimeNeedsReset);
    EXPECT_EQ(r.seconds, 0u);
    // The other TA, and capteed, carry on.
    EXPECT_EQ(get_time(kGp11).result, kTimeNotSet);
    // Still so on the next read, until the TA sets its time again.
    EXPECT_EQ(get_time(kV131).result, kTimeNeedsReset);
    EXPECT_EQ(set_time(kV131, 42, 0), d.set_after);
    if (d.set_after == TEEC_SUCCESS) {
      expect_time_near(kV131, 42000, 5000);
    } else {
      EXPECT_EQ(get_time(kV131).result, kTimeNeedsReset);
      std::filesystem::remove_all(record_of(kV131Name));
    }
  }
}

// A record capteed cannot write (here its temporary file's name is taken
// by a directory, which stops root too): STORAGE_NO_SPACE, and the old time
// stays.
TEST_F(GpTime, AnUnwritableRecordIsStorageNoSpaceAndKeepsTheOldTime) {
  ASSERT_EQ(set_time(kV131, 10, 0), TEEC_SUCCESS);
  const std::string tmp = state_dir() + "/ta-time/.ta-dir." + kV131Name + ".tmp";
  ASSERT_TRUE(std::filesystem::create_directory(tmp));
  EXPECT_EQ(set_time(kV131, 20, 0), TEEC_ERROR_STORAGE_NO_SPACE);
  expect_time_near(kV131, 10000, 5000);
  std::filesystem::remove(tmp);
  EXPECT_EQ(set_time(kV131, 20, 0), TEEC_SUCCESS);
  expect_time_near(kV131, 20000, 5000);
}

// Hostile: a user who loads a TA image bearing the GP TA's UUID (here the
// very same image) through the app loader runs it under their own authority:
// it neither reads nor sets the GP TA's time, and keeps its own.
TEST_F(GpTime, AnotherAuthoritysTaWithTheSameUuidHasItsOwnTime) {
  ASSERT_EQ(set_time(kV131, 100, 0), TEEC_SUCCESS);

  std::ifstream f(std::string(CAPTEE_TA_DIR) + "/" + kV131Name + ".ta", std::ios::binary);
  std::vector<char> image((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(image.empty());
  Ref loader = daemon_->open(CAppLoader_UID);
  ASSERT_TRUE(loader);
  Ref controller;
  ASSERT_EQ(load_image(loader, std::as_bytes(std::span(image)), controller), Object_OK);
  Object ctrl = controller.detach(), app = Object_NULL, sess = Object_NULL;
  ASSERT_EQ(IAppController_getAppObject(ctrl, &app), Object_OK);
  uint32_t sz[4] = {}, ret = 1, origin = 0;
  size_t olen[4] = {};
  ASSERT_EQ(IGPAppClient_openSession(
                app, &kV131, sizeof kV131, Object_NULL, 0, TEEC_LOGIN_PUBLIC, 0, 0, 0, nullptr, 0,
                nullptr, 0, nullptr, 0, nullptr, 0, nullptr, 0, &olen[0], nullptr, 0, &olen[1],
                nullptr, 0, &olen[2], nullptr, 0, &olen[3], Object_NULL, Object_NULL, Object_NULL,
                Object_NULL, &sz[0], &sz[1], &sz[2], &sz[3], &sess, &ret, &origin),
            Object_OK);
  ASSERT_EQ(ret, TEEC_SUCCESS);
  // Values of two VALUE params: {a, b} each, 8 bytes.
  auto invoke = [&](uint32_t cmd, uint32_t pt, const uint32_t in0[2], uint32_t out0[2],
                    uint32_t out1[2]) {
    uint32_t r = 1;
    EXPECT_EQ(IGPSession_invokeCommand(sess, cmd, 0, 0xFFFFFFFFu, pt, 0, in0, in0 ? 8 : 0, nullptr,
                                       0, nullptr, 0, nullptr, 0, out0, out0 ? 8 : 0, &olen[0],
                                       out1, 8, &olen[1], nullptr, 0, &olen[2], nullptr, 0,
                                       &olen[3], Object_NULL, Object_NULL, Object_NULL, Object_NULL,
                                       &sz[0], &sz[1], &sz[2], &sz[3], &r, &origin),
              Object_OK);
    return r;
  };
  const uint32_t get_pt = TEEC_PARAM_TYPES(TEEC_VALUE_OUTPUT, TEEC_VALUE_OUTPUT, 0, 0);
  const uint32_t set_pt = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_VALUE_OUTPUT, 0, 0);
  uint32_t a[2] = {}, b[2] = {};
  ASSERT_EQ(invoke(GP_PROPS_CMD_TIME_GET, get_pt, nullptr, a, b), TEEC_SUCCESS);
  EXPECT_EQ(a[0], kTimeNotSet) << "the GP TA's time is not this TA's";
  const uint32_t mine[2] = {900000, 0};
  ASSERT_EQ(invoke(GP_PROPS_CMD_TIME_SET, set_pt, mine, nullptr, b), TEEC_SUCCESS);
  EXPECT_EQ(b[0], TEEC_SUCCESS);
  ASSERT_EQ(invoke(GP_PROPS_CMD_TIME_GET, get_pt, nullptr, a, b), TEEC_SUCCESS);
  EXPECT_EQ(a[0], TEEC_SUCCESS);
  EXPECT_GE(a[1], 900000u);
  Object_ASSIGN_NULL(sess);
  Object_ASSIGN_NULL(app);
  Object_ASSIGN_NULL(ctrl);

  // The GP TA's own time is untouched, before and after a restart.
  expect_time_near(kV131, 100000, 5000);
  restart();
  expect_time_near(kV131, 100000, 10000);
  const std::string user_record =
      state_dir() + "/ta-time/uid-" + std::to_string(::geteuid()) + "." + kV131Name;
  EXPECT_TRUE(std::filesystem::exists(user_record)) << "kept apart, under the user's authority";
}

}  // namespace
}  // namespace captee::test
