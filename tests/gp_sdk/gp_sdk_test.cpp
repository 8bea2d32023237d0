// The TA SDK as a TA built with it sees it: the header check's objects report
// the mode each was compiled in, and the SDK test TA, built from one
// OP-TEE-style source in the GP v1.1 compatibility mode and in the default
// v1.3.1 mode with logging compiled out, runs against a real capteed.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "gp_sdk_ta.h"
#include "teec_fixture.hpp"

extern "C" {
uint32_t gp_header_check_mode_v131(void);
uint32_t gp_header_check_mode_gp11(void);
uint32_t gp_header_check_mode_log0(void);
}

namespace captee::test {
namespace {

// sizeof(TEE_Param.memref.size) * 100 + __OPTEE_CORE_API_COMPAT_1_1 * 10 +
// TRACE_LEVEL, as header_check.c computes it.
TEST(HeaderCheck, CompiledInEveryApiMode) {
  EXPECT_EQ(gp_header_check_mode_v131(), sizeof(size_t) * 100 + 0 * 10 + 2);
  EXPECT_EQ(gp_header_check_mode_gp11(), 4 * 100 + 1 * 10 + 2);
  EXPECT_EQ(gp_header_check_mode_log0(), sizeof(size_t) * 100 + 0 * 10 + 0);
}

class GpSdk : public Teec {
 protected:
  void open_ta(const TEEC_UUID &uuid, TEEC_Session *s) {
    uint32_t origin = 0;
    ASSERT_EQ(TEEC_OpenSession(&ctx_, s, &uuid, TEEC_LOGIN_PUBLIC, nullptr, nullptr, &origin),
              TEEC_SUCCESS)
        << "origin " << origin;
  }

  static TEEC_UUID gp11() { return GP_SDK_TA_GP11_UUID; }
  static TEEC_UUID v131() { return GP_SDK_TA_V131_UUID; }

  // Runs a command with one VALUE_OUTPUT; returns its result and a in *a.
  TEEC_Result value_out_command(TEEC_Session *s, uint32_t cmd, uint32_t *a) {
    TEEC_Operation op{};
    op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
    uint32_t origin = 0;
    TEEC_Result r = TEEC_InvokeCommand(s, cmd, &op, &origin);
    *a = op.params[0].value.a;
    return r;
  }
};

TEST_F(GpSdk, Gp11TaIsCompiledWith32BitSizes) {
  TEEC_Session s{};
  open_ta(gp11(), &s);
  TEEC_Operation op{};
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_OUTPUT, TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE);
  ASSERT_EQ(TEEC_InvokeCommand(&s, GP_SDK_CMD_MODE, &op, nullptr), TEEC_SUCCESS);
  EXPECT_EQ(op.params[0].value.a, 4u);  // sizeof(TEE_Param.memref.size)
  EXPECT_EQ(op.params[0].value.b, 1u);  // __OPTEE_CORE_API_COMPAT_1_1
  EXPECT_EQ(op.params[1].value.a, 2u);  // captee's default log level
  TEEC_CloseSession(&s);
}

TEST_F(GpSdk, DefaultTaIsCompiledWithSizeTSizesAndNoLogging) {
  TEEC_Session s{};
  open_ta(v131(), &s);
  TEEC_Operation op{};
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_OUTPUT, TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE);
  ASSERT_EQ(TEEC_InvokeCommand(&s, GP_SDK_CMD_MODE, &op, nullptr), TEEC_SUCCESS);
  EXPECT_EQ(op.params[0].value.a, sizeof(size_t));
  EXPECT_EQ(op.params[0].value.b, 0u);
  EXPECT_EQ(op.params[1].value.a, 0u);  // CFG_TEE_TA_LOG_LEVEL=0
  TEEC_CloseSession(&s);
}

// The v1.1 entry point gets each memref's size as 32 bits and its output
// sizes (including the size needed, on SHORT_BUFFER) reach the client.
TEST_F(GpSdk, MemrefsAndValuesCrossTheGp11EntryPoints) {
  for (const TEEC_UUID &uuid : {gp11(), v131()}) {
    TEEC_Session s{};
    open_ta(uuid, &s);
    std::vector<uint8_t> in(300);
    for (size_t i = 0; i < in.size(); ++i) {
      in[i] = static_cast<uint8_t>(i);
    }
    std::vector<uint8_t> out(512, 0xEE);
    TEEC_Operation op{};
    op.paramTypes =
        TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_OUTPUT, TEEC_NONE, TEEC_NONE);
    op.params[0].tmpref = {in.data(), in.size()};
    op.params[1].tmpref = {out.data(), out.size()};
    ASSERT_EQ(TEEC_InvokeCommand(&s, GP_SDK_CMD_REVERSE, &op, nullptr), TEEC_SUCCESS);
    ASSERT_EQ(op.params[1].tmpref.size, in.size());
    for (size_t i = 0; i < in.size(); ++i) {
      ASSERT_EQ(out[i], in[in.size() - 1 - i]) << i;
    }

    op.params[1].tmpref = {out.data(), 10};
    uint32_t origin = 0;
    EXPECT_EQ(TEEC_InvokeCommand(&s, GP_SDK_CMD_REVERSE, &op, &origin), TEEC_ERROR_SHORT_BUFFER);
    EXPECT_EQ(origin, TEEC_ORIGIN_TRUSTED_APP);
    EXPECT_EQ(op.params[1].tmpref.size, in.size());

    TEEC_Operation v{};
    v.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INOUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
    v.params[0].value = {41, 21};
    ASSERT_EQ(TEEC_InvokeCommand(&s, GP_SDK_CMD_VALUES, &v, nullptr), TEEC_SUCCESS);
    EXPECT_EQ(v.params[0].value.a, 42u);
    EXPECT_EQ(v.params[0].value.b, 42u);
    TEEC_CloseSession(&s);
  }
}

// Each family captee does not implement yet answers NOT_IMPLEMENTED (never a
// success), in both modes (the v1.1 one through the __GP11_ conversions).
TEST_F(GpSdk, UnimplementedFunctionsSayNotImplemented) {
  for (const TEEC_UUID &uuid : {gp11(), v131()}) {
    TEEC_Session s{};
    open_ta(uuid, &s);
    uint32_t failed_check = 99;
    EXPECT_EQ(value_out_command(&s, GP_SDK_CMD_NOT_IMPLEMENTED, &failed_check), TEEC_SUCCESS);
    EXPECT_EQ(failed_check, 0u);
    TEEC_CloseSession(&s);
  }
}

// A stand-in that cannot report an error panics the TA.
TEST_F(GpSdk, UnimplementedVoidFunctionPanicsTheTa) {
  TEEC_Session s{};
  open_ta(v131(), &s);
  uint32_t origin = 0;
  TEEC_Operation op{};
  EXPECT_EQ(TEEC_InvokeCommand(&s, GP_SDK_CMD_PANICKING_STUB, &op, &origin),
            TEEC_ERROR_TARGET_DEAD);
  EXPECT_EQ(origin, TEEC_ORIGIN_TEE);
  TEEC_CloseSession(&s);
}

TEST_F(GpSdk, SmallFunctionsWorkInBothModes) {
  for (const TEEC_UUID &uuid : {gp11(), v131()}) {
    TEEC_Session s{};
    open_ta(uuid, &s);
    uint32_t failed_check = 99;
    EXPECT_EQ(value_out_command(&s, GP_SDK_CMD_SMALL_FUNCTIONS, &failed_check), TEEC_SUCCESS);
    EXPECT_EQ(failed_check, 0u);
    // Instance data persists across calls of the instance.
    EXPECT_EQ(value_out_command(&s, GP_SDK_CMD_SMALL_FUNCTIONS, &failed_check), TEEC_SUCCESS);
    EXPECT_EQ(failed_check, 0u);
    TEEC_CloseSession(&s);
  }
}

}  // namespace
}  // namespace captee::test
