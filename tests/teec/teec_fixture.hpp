// The fixture every libteec suite shares: one real capteed per suite on a
// temporary socket, with --ta-dir holding the GP test TAs and the tally example,
// and a fresh TEEC_Context per test.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include "tee_client_api.h"
#include "tee_harness.hpp"
#include "teec_test_ta.h"

namespace captee::test {

class Teec : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    daemon_ = new CapteedProcess("", {"--ta-dir", CAPTEE_TA_DIR});
    ASSERT_TRUE(daemon_->ready());
    ::setenv("CAPTEE_SOCKET", daemon_->socket().c_str(), 1);
  }
  static void TearDownTestSuite() {
    EXPECT_EQ(daemon_->stop(), 0);
    delete daemon_;
    daemon_ = nullptr;
  }

  void SetUp() override { ASSERT_EQ(TEEC_InitializeContext(nullptr, &ctx_), TEEC_SUCCESS); }
  void TearDown() override { TEEC_FinalizeContext(&ctx_); }

  // Opens a session to the multi-instance test TA with a PUBLIC login.
  TEEC_Result open(TEEC_Session *s, uint32_t *origin = nullptr, TEEC_Operation *op = nullptr) {
    TEEC_UUID uuid = TEEC_TEST_TA_UUID;
    uint32_t o = 0;
    TEEC_Result r = TEEC_OpenSession(&ctx_, s, &uuid, TEEC_LOGIN_PUBLIC, nullptr, op, &o);
    if (origin != nullptr) {
      *origin = o;
    }
    return r;
  }

  static inline CapteedProcess *daemon_ = nullptr;
  TEEC_Context ctx_{};
};

}  // namespace captee::test
