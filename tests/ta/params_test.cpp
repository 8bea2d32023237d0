// Parameter checking: unknown commands, wrong parameter types, unknown
// rproc_ids and sessions all give BAD_PARAMETERS and change nothing.
#include <gtest/gtest.h>

#include <cstring>

#include "ta_test_support.hpp"

namespace captee::ta::testing {
namespace {

constexpr uint32_t kVI = TEE_PARAM_TYPE_VALUE_INPUT;
constexpr uint32_t kVO = TEE_PARAM_TYPE_VALUE_OUTPUT;
constexpr uint32_t kVIO = TEE_PARAM_TYPE_VALUE_INOUT;
constexpr uint32_t kMI = TEE_PARAM_TYPE_MEMREF_INPUT;
constexpr uint32_t kMO = TEE_PARAM_TYPE_MEMREF_OUTPUT;
constexpr uint32_t kMIO = TEE_PARAM_TYPE_MEMREF_INOUT;

TEST(RemoteprocTaUuid, IsOpteesUuid) {
  EXPECT_EQ(kRemoteprocTaUuid.timeLow, 0x80a4c275u);
  EXPECT_EQ(kRemoteprocTaUuid.timeMid, 0x0a47u);
  EXPECT_EQ(kRemoteprocTaUuid.timeHiAndVersion, 0x4905u);
  const uint8_t node[8] = {0x82, 0x85, 0x14, 0x86, 0xa9, 0x77, 0x1a, 0x08};
  EXPECT_EQ(std::memcmp(kRemoteprocTaUuid.clockSeqAndNode, node, 8), 0);
}

}  // namespace
}  // namespace captee::ta::testing

extern "C" int tee_api_constants_checked(void);

namespace captee::ta::testing {
namespace {

TEST(TeeApiHeaders, CompileTimeChecksWereBuilt) {
  EXPECT_EQ(tee_api_constants_checked(), 1);
}

TEST_F(TaFixture, UnknownCommandsAreBadParameters) {
  for (uint32_t cmd : {0u, 7u, 8u, 0x100u, 0xFFFFFFFFu}) {
    TEE_Param p[4] = {};
    EXPECT_EQ(ta_->invoke_command(session_, cmd, kParamsId, p), TEE_ERROR_BAD_PARAMETERS) << cmd;
  }
}

TEST_F(TaFixture, WrongParamTypesAreBadParametersForEveryCommand) {
  struct Case {
    uint32_t cmd;
    uint32_t good;
  };
  const Case cases[] = {
      {kRprocLoadFw, TEE_PARAM_TYPES(kVI, kMI, 0, 0)},
      {kRprocStartFw, TEE_PARAM_TYPES(kVI, 0, 0, 0)},
      {kRprocStopFw, TEE_PARAM_TYPES(kVI, 0, 0, 0)},
      {kRprocGetRscTable, TEE_PARAM_TYPES(kVI, kVO, kVO, 0)},
      {kRprocGetCoredump, TEE_PARAM_TYPES(kVI, kMO, 0, 0)},
      {kRprocReleaseFw, TEE_PARAM_TYPES(kVI, 0, 0, 0)},
  };
  const uint32_t wrong[] = {
      0,
      TEE_PARAM_TYPES(kVIO, 0, 0, 0),
      TEE_PARAM_TYPES(kVO, 0, 0, 0),
      TEE_PARAM_TYPES(kVI, kMIO, 0, 0),
      TEE_PARAM_TYPES(kVI, kMO, 0, 0),
      TEE_PARAM_TYPES(kVI, kMI, 0, 0),
      TEE_PARAM_TYPES(kVI, kVO, kVO, 0),
      TEE_PARAM_TYPES(kVI, 0, 0, 0),
      TEE_PARAM_TYPES(kVI, 0, 0, kVI),
      TEE_PARAM_TYPES(kVI, kVO, kVO, kVO),
      TEE_PARAM_TYPES(kVI, kMI, kMI, 0),
      0xFFFFu,
      0x10001u,  // junk above the four nibbles
  };
  for (const Case &c : cases) {
    for (uint32_t types : wrong) {
      if (types == c.good) {
        continue;
      }
      TEE_Param p[4] = {};
      EXPECT_EQ(ta_->invoke_command(session_, c.cmd, types, p), TEE_ERROR_BAD_PARAMETERS)
          << "cmd " << c.cmd << " types 0x" << std::hex << types;
    }
  }
  EXPECT_EQ(state(), FirmwareState::kOff);
  EXPECT_EQ(proc().state(), platform::CoreState::kOffline);
}

TEST_F(TaFixture, UnknownRprocIdIsBadParameters) {
  for (uint32_t cmd : {kRprocStartFw, kRprocStopFw, kRprocReleaseFw}) {
    EXPECT_EQ(invoke(cmd, 1), TEE_ERROR_BAD_PARAMETERS);
  }
  uint64_t da, size;
  EXPECT_EQ(rsc_table(&da, &size, 7), TEE_ERROR_BAD_PARAMETERS);
  Bytes dump;
  EXPECT_EQ(coredump(&dump, 0xFFFFFFFF), TEE_ERROR_BAD_PARAMETERS);
  EXPECT_EQ(
      load(fwimage::testing::read_bytes(fwimage::testing::rproc_data("sample-m4.rsa2048.sig")), 2),
      TEE_ERROR_BAD_PARAMETERS);
  EXPECT_TRUE(log_contains("no remote processor 2"));
}

TEST_F(TaFixture, OpenSessionChecksItsParameters) {
  void *s = nullptr;
  TEE_Param p[4] = {};
  p[0].value.a = 0;
  EXPECT_EQ(ta_->open_session(kParamsId, p, &s), TEE_SUCCESS);
  ta_->close_session(s);
  p[0].value.a = 3;
  EXPECT_EQ(ta_->open_session(kParamsId, p, &s), TEE_ERROR_BAD_PARAMETERS);
  EXPECT_EQ(ta_->open_session(TEE_PARAM_TYPES(kMI, 0, 0, 0), p, &s), TEE_ERROR_BAD_PARAMETERS);
  EXPECT_EQ(ta_->open_session(TEE_PARAM_TYPES(kVI, kVI, 0, 0), p, &s), TEE_ERROR_BAD_PARAMETERS);
  EXPECT_EQ(ta_->open_session(kParamsId, nullptr, &s), TEE_ERROR_BAD_PARAMETERS);
  EXPECT_EQ(ta_->open_session(kParamsNone, nullptr, nullptr), TEE_ERROR_BAD_PARAMETERS);
}

TEST_F(TaFixture, UnknownOrClosedSessionIsBadParameters) {
  TEE_Param p[4] = {};
  int not_a_session = 0;
  EXPECT_EQ(ta_->invoke_command(&not_a_session, kRprocStopFw, kParamsId, p),
            TEE_ERROR_BAD_PARAMETERS);
  EXPECT_EQ(ta_->invoke_command(nullptr, kRprocStopFw, kParamsId, p), TEE_ERROR_BAD_PARAMETERS);
  EXPECT_EQ(ta_->invoke_command(session_, kRprocStopFw, kParamsId, nullptr),
            TEE_ERROR_BAD_PARAMETERS);
  void *s = nullptr;
  ASSERT_EQ(ta_->open_session(kParamsNone, nullptr, &s), TEE_SUCCESS);
  ta_->close_session(s);
  EXPECT_EQ(ta_->invoke_command(s, kRprocStopFw, kParamsId, p), TEE_ERROR_BAD_PARAMETERS);
}

TEST_F(TaFixture, EmptyImageIsBadParameters) {
  TEE_Param p[4] = {};
  EXPECT_EQ(ta_->invoke_command(session_, kRprocLoadFw, TEE_PARAM_TYPES(kVI, kMI, 0, 0), p),
            TEE_ERROR_BAD_PARAMETERS);
  EXPECT_EQ(state(), FirmwareState::kOff);
}

}  // namespace
}  // namespace captee::ta::testing
