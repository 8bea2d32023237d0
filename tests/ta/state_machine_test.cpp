// Every command in every state, with OP-TEE's exact result codes and the state
// that follows (shared/specs/remoteproc.md, "State machine per context").
#include <gtest/gtest.h>

#include "ta_test_support.hpp"

namespace captee::ta::testing {
namespace {

struct Expectation {
  FirmwareState from;
  uint32_t cmd;
  TEE_Result code;
  FirmwareState to;
};

constexpr FirmwareState kOff = FirmwareState::kOff;
constexpr FirmwareState kLoaded = FirmwareState::kLoaded;
constexpr FirmwareState kStarted = FirmwareState::kStarted;

// The spec's table, row by row. GET_COREDUMP is captee's: allowed once
// firmware is in memory and the core is not running.
const Expectation kTable[] = {
    {kOff, kRprocLoadFw, TEE_SUCCESS, kLoaded},
    {kLoaded, kRprocLoadFw, TEE_SUCCESS, kLoaded},
    {kStarted, kRprocLoadFw, TEE_ERROR_BAD_STATE, kStarted},
    {kOff, kRprocStartFw, TEE_ERROR_BAD_STATE, kOff},
    {kLoaded, kRprocStartFw, TEE_SUCCESS, kStarted},
    {kStarted, kRprocStartFw, TEE_SUCCESS, kStarted},
    {kOff, kRprocStopFw, TEE_SUCCESS, kOff},
    {kLoaded, kRprocStopFw, TEE_ERROR_BAD_STATE, kLoaded},
    {kStarted, kRprocStopFw, TEE_SUCCESS, kOff},
    {kOff, kRprocGetRscTable, TEE_ERROR_BAD_STATE, kOff},
    {kLoaded, kRprocGetRscTable, TEE_SUCCESS, kLoaded},
    {kStarted, kRprocGetRscTable, TEE_SUCCESS, kStarted},
    {kOff, kRprocReleaseFw, TEE_SUCCESS, kOff},
    {kLoaded, kRprocReleaseFw, TEE_SUCCESS, kOff},
    {kStarted, kRprocReleaseFw, TEE_ERROR_BAD_STATE, kStarted},
    {kOff, kRprocGetCoredump, TEE_ERROR_BAD_STATE, kOff},
    {kLoaded, kRprocGetCoredump, TEE_SUCCESS, kLoaded},
    {kStarted, kRprocGetCoredump, TEE_ERROR_BAD_STATE, kStarted},
};

class StateMachine : public TaFixture, public ::testing::WithParamInterface<Expectation> {
 protected:
  void SetUp() override {
    TaFixture::SetUp();
    image_ = sign({fwimage::testing::read_bytes(fwimage::testing::rproc_data("sample-m4.elf"))},
                  test_data_text("test-rsa2048.pem"));
  }
  void enter(FirmwareState s) {
    if (s == kOff) {
      return;
    }
    ASSERT_EQ(load(image_), TEE_SUCCESS);
    if (s == kStarted) {
      ASSERT_EQ(invoke(kRprocStartFw), TEE_SUCCESS);
    }
    ASSERT_EQ(state(), s);
  }
  TEE_Result run(uint32_t cmd) {
    uint64_t da, size;
    Bytes dump;
    switch (cmd) {
      case kRprocLoadFw:
        return load(image_);
      case kRprocGetRscTable:
        return rsc_table(&da, &size);
      case kRprocGetCoredump:
        return coredump(&dump);
      default:
        return invoke(cmd);
    }
  }
  Bytes image_;
};

const char *command(uint32_t cmd) {
  static const char *names[] = {"?", "LOAD", "START", "STOP", "RSCTABLE", "COREDUMP", "RELEASE"};
  return cmd < 7 ? names[cmd] : "?";
}

TEST_P(StateMachine, CommandGivesExactCodeAndState) {
  const Expectation &e = GetParam();
  enter(e.from);
  EXPECT_EQ(run(e.cmd), e.code) << command(e.cmd) << " from " << to_string(e.from);
  EXPECT_EQ(state(), e.to);
  if (e.to == kStarted) {
    EXPECT_EQ(proc().state(), platform::CoreState::kRunning);
  } else {
    EXPECT_EQ(proc().state(), platform::CoreState::kOffline);
  }
  (void)invoke(kRprocStopFw);
}

INSTANTIATE_TEST_SUITE_P(EveryCommandEveryState, StateMachine, ::testing::ValuesIn(kTable),
                         [](const ::testing::TestParamInfo<Expectation> &info) {
                           return std::string(command(info.param.cmd)) + "_from_" +
                                  to_string(info.param.from);
                         });

TEST_F(TaFixture, LoadFromLoadedIsANoOpEvenWithAnotherImage) {
  const Bytes rsa =
      fwimage::testing::read_bytes(fwimage::testing::rproc_data("sample-m4.rsa2048.sig"));
  ASSERT_EQ(load(rsa), TEE_SUCCESS);
  // Linux's second LOAD_FW (after parse_fw) passes the same image; any image
  // is ignored, even garbage, as upstream does not look at it.
  const Bytes garbage(100, 0x42);
  EXPECT_EQ(load(garbage), TEE_SUCCESS);
  EXPECT_EQ(state(), FirmwareState::kLoaded);
}

TEST_F(TaFixture, RscTableReportsDeviceAddressAndSize) {
  const Bytes rsa =
      fwimage::testing::read_bytes(fwimage::testing::rproc_data("sample-m4.rsa2048.sig"));
  ASSERT_EQ(load(rsa), TEE_SUCCESS);
  uint64_t da = 1, size = 1;
  ASSERT_EQ(rsc_table(&da, &size), TEE_SUCCESS);
  EXPECT_EQ(da, 0x10000000u);
  EXPECT_GE(size, 16u);
}

TEST_F(TaFixture, RscTableIsZeroWhenTheFirmwareHasNone) {
  fwimage::testing::FakeElf elf;
  elf.segments.push_back({1, 0x0, Bytes(64, 0x11), 0});
  ASSERT_EQ(load(sign({fwimage::testing::build_elf(elf)}, test_data_text("test-rsa2048.pem"))),
            TEE_SUCCESS);
  uint64_t da = 1, size = 1;
  ASSERT_EQ(rsc_table(&da, &size), TEE_SUCCESS);
  EXPECT_EQ(da, 0u);
  EXPECT_EQ(size, 0u);
}

TEST_F(TaFixture, StateIsSharedBySessions) {
  const Bytes rsa =
      fwimage::testing::read_bytes(fwimage::testing::rproc_data("sample-m4.rsa2048.sig"));
  ASSERT_EQ(load(rsa), TEE_SUCCESS);
  void *second = nullptr;
  TEE_Param p[4] = {};
  p[0].value.a = 0;
  ASSERT_EQ(ta_->open_session(kParamsId, p, &second), TEE_SUCCESS);
  ta_->close_session(session_);
  session_ = second;
  EXPECT_EQ(state(), FirmwareState::kLoaded);  // keep-alive: closing a session keeps firmware
  EXPECT_EQ(invoke(kRprocStartFw), TEE_SUCCESS);
  EXPECT_EQ(invoke(kRprocStopFw), TEE_SUCCESS);
  EXPECT_EQ(invoke(kRprocReleaseFw), TEE_SUCCESS);
}

}  // namespace
}  // namespace captee::ta::testing
