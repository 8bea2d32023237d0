// libteec against a real capteed (temporary socket, --ta-dir with the GP test
// TA and OP-TEE's hello_world TA): the behaviours of spec
// gp-tee-client-api.md "Behaviour worth matching".
#include <gtest/gtest.h>
#include <openssl/sha.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <memory>
#include <thread>
#include <vector>

#include "CAppLoader.h"
#include "CGPAppClient.h"
#include "IAppController.h"
#include "IAppLoader.h"
#include "IClientEnv.h"
#include "IGPAppClient.h"
#include "IGPSession.h"
#include "MinkCom.h"
#include "hello_world_ta.h"
#include "tee_client_api.h"
#include "tee_harness.hpp"
#include "teec_test_ta.h"

extern "C" int teec_header_values_checked(void);

namespace {

using captee::test::CapteedProcess;

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

  TEEC_Result open(TEEC_Session *s, uint32_t *origin = nullptr, TEEC_Operation *op = nullptr) {
    TEEC_UUID uuid = TEEC_TEST_TA_UUID;
    uint32_t o = 0;
    TEEC_Result r = TEEC_OpenSession(&ctx_, s, &uuid, TEEC_LOGIN_PUBLIC, nullptr, op, &o);
    if (origin != nullptr) {
      *origin = o;
    }
    return r;
  }

  static CapteedProcess *daemon_;
  TEEC_Context ctx_{};
};

CapteedProcess *Teec::daemon_ = nullptr;

TEST(TeecHeader, ValuesMatchOpTee) {
  EXPECT_EQ(teec_header_values_checked(), 1);
}

TEST_F(Teec, NullCloseAndFinalizeAreNoOps) {
  TEEC_FinalizeContext(nullptr);
  TEEC_CloseSession(nullptr);
  TEEC_ReleaseSharedMemory(nullptr);
  TEEC_RequestCancellation(nullptr);
  EXPECT_EQ(TEEC_InitializeContext(nullptr, nullptr), TEEC_ERROR_BAD_PARAMETERS);
}

TEST_F(Teec, WrongTeeNameIsItemNotFound) {
  TEEC_Context c{};
  EXPECT_EQ(TEEC_InitializeContext("optee", &c), TEEC_ERROR_ITEM_NOT_FOUND);
  ASSERT_EQ(TEEC_InitializeContext("captee", &c), TEEC_SUCCESS);
  TEEC_FinalizeContext(&c);
}

TEST_F(Teec, NoDaemonIsCommunicationError) {
  std::string saved = ::getenv("CAPTEE_SOCKET");
  ::setenv("CAPTEE_SOCKET", "/nonexistent/captee.sock", 1);
  TEEC_Context c{};
  EXPECT_EQ(TEEC_InitializeContext(nullptr, &c), TEEC_ERROR_COMMUNICATION);
  ::setenv("CAPTEE_SOCKET", saved.c_str(), 1);
}

TEST_F(Teec, HelloWorldIncrementsAndDecrements) {
  TEEC_UUID uuid = TA_HELLO_WORLD_UUID;
  TEEC_Session s{};
  uint32_t origin = 0;
  ASSERT_EQ(TEEC_OpenSession(&ctx_, &s, &uuid, TEEC_LOGIN_PUBLIC, nullptr, nullptr, &origin),
            TEEC_SUCCESS);
  TEEC_Operation op{};
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INOUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
  op.params[0].value.a = 42;
  ASSERT_EQ(TEEC_InvokeCommand(&s, TA_HELLO_WORLD_CMD_INC_VALUE, &op, &origin), TEEC_SUCCESS);
  EXPECT_EQ(op.params[0].value.a, 43u);
  ASSERT_EQ(TEEC_InvokeCommand(&s, TA_HELLO_WORLD_CMD_DEC_VALUE, &op, &origin), TEEC_SUCCESS);
  EXPECT_EQ(op.params[0].value.a, 42u);
  // The TA checks its parameter types itself.
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
  EXPECT_EQ(TEEC_InvokeCommand(&s, TA_HELLO_WORLD_CMD_INC_VALUE, &op, &origin),
            TEEC_ERROR_BAD_PARAMETERS);
  EXPECT_EQ(origin, TEEC_ORIGIN_TRUSTED_APP);
  TEEC_CloseSession(&s);
}

TEST_F(Teec, HelloWorldExampleRunsUnchanged) {
  EXPECT_EQ(captee::test::run({CAPTEE_HELLO_WORLD}, {"CAPTEE_SOCKET=" + daemon_->socket()}), 0);
}

TEST_F(Teec, ValueParamsTravelByValue) {
  TEEC_Session s{};
  ASSERT_EQ(open(&s), TEEC_SUCCESS);
  TEEC_Operation op{};
  op.paramTypes =
      TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_VALUE_OUTPUT, TEEC_VALUE_INOUT, TEEC_NONE);
  op.params[0].value = {7, 6};
  op.params[1].value = {0xFFFF, 0xFFFF};
  op.params[2].value = {10, 20};
  uint32_t origin = 0;
  ASSERT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_VALUES, &op, &origin), TEEC_SUCCESS);
  EXPECT_EQ(origin, TEEC_ORIGIN_TRUSTED_APP);
  EXPECT_EQ(op.params[0].value.a, 7u);
  EXPECT_EQ(op.params[1].value.a, 13u);
  EXPECT_EQ(op.params[1].value.b, 42u);
  EXPECT_EQ(op.params[2].value.a, 11u);
  EXPECT_EQ(op.params[2].value.b, 19u);
  // No operation at all is fine; an unknown command is the TA's answer.
  EXPECT_EQ(TEEC_InvokeCommand(&s, 99, nullptr, &origin), TEEC_ERROR_NOT_SUPPORTED);
  EXPECT_EQ(origin, TEEC_ORIGIN_TRUSTED_APP);
  TEEC_CloseSession(&s);
}

TEST_F(Teec, TempMemrefCopiesAndReportsShortBuffer) {
  TEEC_Session s{};
  ASSERT_EQ(open(&s), TEEC_SUCCESS);
  char in[] = "hello, trusted world";
  char out[64] = {};
  TEEC_Operation op{};
  op.paramTypes =
      TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_OUTPUT, TEEC_NONE, TEEC_NONE);
  op.params[0].tmpref = {in, sizeof in};
  op.params[1].tmpref = {out, sizeof out};
  uint32_t origin = 0;
  ASSERT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_COPY, &op, &origin), TEEC_SUCCESS);
  EXPECT_EQ(op.params[1].tmpref.size, sizeof in);
  EXPECT_STREQ(out, in);
  EXPECT_EQ(op.params[0].tmpref.size, sizeof in);  // inputs keep their size

  char small[4] = {'x', 'x', 'x', 'x'};
  op.params[1].tmpref = {small, sizeof small};
  EXPECT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_COPY, &op, &origin), TEEC_ERROR_SHORT_BUFFER);
  EXPECT_EQ(origin, TEEC_ORIGIN_TRUSTED_APP);
  EXPECT_EQ(op.params[1].tmpref.size, sizeof in);  // the required size
  EXPECT_EQ(small[0], 'x');

  // A NULL temporary memref of size 0 is allowed.
  op.params[0].tmpref = {nullptr, 0};
  op.params[1].tmpref = {out, sizeof out};
  ASSERT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_COPY, &op, &origin), TEEC_SUCCESS);
  EXPECT_EQ(op.params[1].tmpref.size, 0u);
  TEEC_CloseSession(&s);
}

TEST_F(Teec, AllocatedSharedMemoryWholeAndPartial) {
  TEEC_Session s{};
  ASSERT_EQ(open(&s), TEEC_SUCCESS);
  TEEC_SharedMemory shm{};
  shm.size = 32 * 1024;
  shm.flags = TEEC_MEM_INPUT | TEEC_MEM_OUTPUT;
  ASSERT_EQ(TEEC_AllocateSharedMemory(&ctx_, &shm), TEEC_SUCCESS);
  ASSERT_NE(shm.buffer, nullptr);
  auto *b = static_cast<uint8_t *>(shm.buffer);
  uint32_t sum = 0;
  for (size_t i = 0; i < shm.size; ++i) {
    b[i] = static_cast<uint8_t>(i * 7);
    sum += b[i];
  }
  TEEC_Operation op{};
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_MEMREF_WHOLE, TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE);
  op.params[0].memref.parent = &shm;
  uint32_t origin = 0;
  ASSERT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_INVERT, &op, &origin), TEEC_SUCCESS);
  EXPECT_EQ(op.params[1].value.a, sum);
  EXPECT_EQ(op.params[1].value.b, 32u * 1024);
  EXPECT_EQ(op.params[0].memref.size, 32u * 1024);
  for (size_t i = 0; i < shm.size; ++i) {
    ASSERT_EQ(b[i], static_cast<uint8_t>(~(i * 7))) << i;
  }
  // A partial window: only bytes [100, 110) change back.
  op.paramTypes =
      TEEC_PARAM_TYPES(TEEC_MEMREF_PARTIAL_INOUT, TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE);
  op.params[0].memref = {&shm, 10, 100};
  ASSERT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_INVERT, &op, &origin), TEEC_SUCCESS);
  EXPECT_EQ(op.params[1].value.b, 10u);
  EXPECT_EQ(b[99], static_cast<uint8_t>(~(99 * 7)));
  EXPECT_EQ(b[100], static_cast<uint8_t>(100 * 7));
  EXPECT_EQ(b[109], static_cast<uint8_t>(109 * 7));
  EXPECT_EQ(b[110], static_cast<uint8_t>(~(110 * 7)));
  TEEC_ReleaseSharedMemory(&shm);
  TEEC_CloseSession(&s);
}

TEST_F(Teec, AllocatedSharedMemoryIsZeroCopy) {
  TEEC_Session s{};
  ASSERT_EQ(open(&s), TEEC_SUCCESS);
  TEEC_SharedMemory shm{};
  shm.size = 1 << 20;
  shm.flags = TEEC_MEM_INPUT | TEEC_MEM_OUTPUT;
  ASSERT_EQ(TEEC_AllocateSharedMemory(&ctx_, &shm), TEEC_SUCCESS);
  auto *b = static_cast<volatile uint8_t *>(shm.buffer);
  b[0] = 0;
  b[1] = 0;
  TEEC_Operation op{};
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_MEMREF_PARTIAL_INOUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
  op.params[0].memref = {&shm, 16, 0};
  uint32_t origin = 0;
  TEEC_Result r = 0;
  std::thread t([&] { r = TEEC_InvokeCommand(&s, TEEC_TEST_CMD_SEE_LIVE_WRITE, &op, &origin); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  b[0] = 0x5A;  // the TA sees this while its call runs
  t.join();
  EXPECT_EQ(r, TEEC_SUCCESS);
  EXPECT_EQ(b[1], 0xA5);
  EXPECT_EQ(op.params[0].memref.size, 16u);
  TEEC_ReleaseSharedMemory(&shm);
  TEEC_CloseSession(&s);
}

TEST_F(Teec, RegisteredSharedMemory) {
  TEEC_Session s{};
  ASSERT_EQ(open(&s), TEEC_SUCCESS);
  std::vector<uint8_t> user(32 * 1024, 0x0F);
  TEEC_SharedMemory shm{};
  shm.buffer = user.data();
  shm.size = user.size();
  shm.flags = TEEC_MEM_INPUT | TEEC_MEM_OUTPUT;
  ASSERT_EQ(TEEC_RegisterSharedMemory(&ctx_, &shm), TEEC_SUCCESS);
  TEEC_Operation op{};
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_MEMREF_WHOLE, TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE);
  op.params[0].memref.parent = &shm;
  uint32_t origin = 0;
  ASSERT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_INVERT, &op, &origin), TEEC_SUCCESS);
  EXPECT_EQ(op.params[1].value.a, 0x0Fu * 32 * 1024);
  EXPECT_EQ(user.front(), 0xF0);
  EXPECT_EQ(user.back(), 0xF0);
  TEEC_ReleaseSharedMemory(&shm);

  // Input-only memory: a PARTIAL_INPUT copy works, PARTIAL_OUTPUT does not.
  char text[] = "registered";
  TEEC_SharedMemory in{};
  in.buffer = text;
  in.size = sizeof text;
  in.flags = TEEC_MEM_INPUT;
  ASSERT_EQ(TEEC_RegisterSharedMemory(&ctx_, &in), TEEC_SUCCESS);
  char out[32] = {};
  op.paramTypes =
      TEEC_PARAM_TYPES(TEEC_MEMREF_PARTIAL_INPUT, TEEC_MEMREF_TEMP_OUTPUT, TEEC_NONE, TEEC_NONE);
  op.params[0].memref = {&in, sizeof text, 0};
  op.params[1].tmpref = {out, sizeof out};
  ASSERT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_COPY, &op, &origin), TEEC_SUCCESS);
  EXPECT_STREQ(out, text);
  op.paramTypes =
      TEEC_PARAM_TYPES(TEEC_MEMREF_PARTIAL_INPUT, TEEC_MEMREF_PARTIAL_OUTPUT, TEEC_NONE, TEEC_NONE);
  op.params[1].memref = {&in, sizeof text, 0};
  EXPECT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_COPY, &op, &origin), TEEC_ERROR_BAD_PARAMETERS);
  EXPECT_EQ(origin, TEEC_ORIGIN_API);
  TEEC_ReleaseSharedMemory(&in);
  TEEC_CloseSession(&s);
}

TEST_F(Teec, SharedMemoryVariantsZeroLengthAndHuge) {
  for (uint32_t flags : {TEEC_MEM_INPUT, TEEC_MEM_OUTPUT, TEEC_MEM_INPUT | TEEC_MEM_OUTPUT}) {
    for (size_t size : {size_t{0}, size_t{32 * 1024}}) {
      TEEC_SharedMemory a{};
      a.size = size;
      a.flags = flags;
      ASSERT_EQ(TEEC_AllocateSharedMemory(&ctx_, &a), TEEC_SUCCESS) << flags << " " << size;
      EXPECT_NE(a.buffer, nullptr);
      TEEC_ReleaseSharedMemory(&a);
      std::vector<uint8_t> user(size + 1);
      TEEC_SharedMemory r{};
      r.buffer = user.data();
      r.size = size;
      r.flags = flags;
      ASSERT_EQ(TEEC_RegisterSharedMemory(&ctx_, &r), TEEC_SUCCESS) << flags << " " << size;
      TEEC_ReleaseSharedMemory(&r);
    }
  }
  TEEC_SharedMemory huge{};
  huge.size = SIZE_MAX / 2;
  huge.flags = TEEC_MEM_INPUT;
  EXPECT_EQ(TEEC_AllocateSharedMemory(&ctx_, &huge), TEEC_ERROR_OUT_OF_MEMORY);
  TEEC_SharedMemory bad{};
  bad.size = 16;
  bad.flags = 0;
  EXPECT_EQ(TEEC_AllocateSharedMemory(&ctx_, &bad), TEEC_ERROR_BAD_PARAMETERS);
  bad.flags = 0x100;
  EXPECT_EQ(TEEC_AllocateSharedMemory(&ctx_, &bad), TEEC_ERROR_BAD_PARAMETERS);
  bad.flags = TEEC_MEM_INPUT;
  bad.buffer = nullptr;
  EXPECT_EQ(TEEC_RegisterSharedMemory(&ctx_, &bad), TEEC_ERROR_BAD_PARAMETERS);
}

TEST_F(Teec, BadMemrefBoundsAndTypesAreApiErrors) {
  TEEC_Session s{};
  ASSERT_EQ(open(&s), TEEC_SUCCESS);
  TEEC_SharedMemory shm{};
  shm.size = 64;
  shm.flags = TEEC_MEM_INPUT | TEEC_MEM_OUTPUT;
  ASSERT_EQ(TEEC_AllocateSharedMemory(&ctx_, &shm), TEEC_SUCCESS);
  TEEC_Operation op{};
  op.paramTypes =
      TEEC_PARAM_TYPES(TEEC_MEMREF_PARTIAL_INOUT, TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE);
  uint32_t origin = 0;
  op.params[0].memref = {&shm, 60, 8};  // 8 + 60 > 64
  EXPECT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_INVERT, &op, &origin), TEEC_ERROR_BAD_PARAMETERS);
  EXPECT_EQ(origin, TEEC_ORIGIN_API);
  op.params[0].memref = {&shm, SIZE_MAX, 2};  // overflow
  EXPECT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_INVERT, &op, &origin), TEEC_ERROR_BAD_PARAMETERS);
  op.params[0].memref = {nullptr, 4, 0};  // no parent
  EXPECT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_INVERT, &op, &origin), TEEC_ERROR_BAD_PARAMETERS);
  op.paramTypes = 0x4;  // not a parameter type
  EXPECT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_INVERT, &op, &origin), TEEC_ERROR_BAD_PARAMETERS);
  op.paramTypes = 0x10000;  // upper bits
  EXPECT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_INVERT, &op, &origin), TEEC_ERROR_BAD_PARAMETERS);
  EXPECT_EQ(origin, TEEC_ORIGIN_API);
  // Login data rules.
  TEEC_UUID uuid = TEEC_TEST_TA_UUID;
  TEEC_Session s2{};
  uint32_t group = 0;
  EXPECT_EQ(TEEC_OpenSession(&ctx_, &s2, &uuid, TEEC_LOGIN_PUBLIC, &group, nullptr, &origin),
            TEEC_ERROR_BAD_PARAMETERS);
  EXPECT_EQ(origin, TEEC_ORIGIN_API);
  EXPECT_EQ(TEEC_OpenSession(&ctx_, &s2, &uuid, TEEC_LOGIN_GROUP, nullptr, nullptr, &origin),
            TEEC_ERROR_BAD_PARAMETERS);
  EXPECT_EQ(TEEC_OpenSession(&ctx_, nullptr, &uuid, TEEC_LOGIN_PUBLIC, nullptr, nullptr, &origin),
            TEEC_ERROR_BAD_PARAMETERS);
  TEEC_ReleaseSharedMemory(&shm);
  TEEC_CloseSession(&s);
}

TEST_F(Teec, UnknownTaIsItemNotFoundFromTee) {
  TEEC_UUID uuid = {0x12345678, 0x9abc, 0xdef0, {1, 2, 3, 4, 5, 6, 7, 8}};
  TEEC_Session s{};
  uint32_t origin = 0;
  EXPECT_EQ(TEEC_OpenSession(&ctx_, &s, &uuid, TEEC_LOGIN_PUBLIC, nullptr, nullptr, &origin),
            TEEC_ERROR_ITEM_NOT_FOUND);
  EXPECT_EQ(origin, TEEC_ORIGIN_TEE);
}

TEST_F(Teec, OpenSessionRefusedByTa) {
  TEEC_Operation op{};
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
  op.params[0].value.a = 0xBAD;
  TEEC_Session s{};
  uint32_t origin = 0;
  EXPECT_EQ(open(&s, &origin, &op), TEEC_ERROR_ACCESS_DENIED);
  EXPECT_EQ(origin, TEEC_ORIGIN_TRUSTED_APP);
  op.params[0].value.a = 1;
  ASSERT_EQ(open(&s, &origin, &op), TEEC_SUCCESS);
  TEEC_CloseSession(&s);
}

TEST_F(Teec, PanicIsTargetDeadThenTargetDeadAgain) {
  TEEC_Session s{};
  ASSERT_EQ(open(&s), TEEC_SUCCESS);
  uint32_t origin = 0;
  EXPECT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_PANIC, nullptr, &origin), TEEC_ERROR_TARGET_DEAD);
  EXPECT_EQ(origin, TEEC_ORIGIN_TEE);
  TEEC_Operation op{};
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
  EXPECT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_COUNTERS, &op, &origin), TEEC_ERROR_TARGET_DEAD);
  EXPECT_EQ(origin, TEEC_ORIGIN_TEE);
  TEEC_CloseSession(&s);
  // A new session gets a fresh instance.
  ASSERT_EQ(open(&s), TEEC_SUCCESS);
  EXPECT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_COUNTERS, &op, &origin), TEEC_SUCCESS);
  TEEC_CloseSession(&s);
}

TEST_F(Teec, InternalApiSubsetWorksInsideTheTa) {
  TEEC_Session s{};
  ASSERT_EQ(open(&s), TEEC_SUCCESS);
  TEEC_Operation op{};
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
  uint32_t origin = 0;
  ASSERT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_INTERNAL_API, &op, &origin), TEEC_SUCCESS);
  EXPECT_EQ(op.params[0].value.a, 1u);
  uint32_t now = static_cast<uint32_t>(::time(nullptr));
  EXPECT_LE(op.params[0].value.b, now);
  EXPECT_GE(op.params[0].value.b + 5, now);
  // The instance was created once and opened once (a multi-instance TA).
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
  ASSERT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_COUNTERS, &op, &origin), TEEC_SUCCESS);
  EXPECT_EQ(op.params[0].value.a, 1u);
  EXPECT_EQ(op.params[0].value.b, 1u);
  TEEC_CloseSession(&s);
}

TEST_F(Teec, ConcurrentSessionsFromThreeThreads) {
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&, t] {
      TEEC_Session s{};
      if (open(&s) != TEEC_SUCCESS) {
        ++failures;
        return;
      }
      for (uint32_t i = 0; i < 20; ++i) {
        TEEC_Operation op{};
        op.paramTypes =
            TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_VALUE_OUTPUT, TEEC_VALUE_INOUT, TEEC_NONE);
        op.params[0].value = {static_cast<uint32_t>(t), i};
        op.params[2].value = {i, i};
        uint32_t origin = 0;
        if (TEEC_InvokeCommand(&s, TEEC_TEST_CMD_VALUES, &op, &origin) != TEEC_SUCCESS ||
            op.params[1].value.a != t + i || op.params[2].value.a != i + 1) {
          ++failures;
        }
      }
      TEEC_CloseSession(&s);
    });
  }
  for (auto &th : threads) {
    th.join();
  }
  EXPECT_EQ(failures.load(), 0);
}

TEEC_Result counters(TEEC_Session *s, uint32_t *opens, uint32_t *creates) {
  TEEC_Operation op{};
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
  uint32_t origin = 0;
  TEEC_Result r = TEEC_InvokeCommand(s, TEEC_TEST_CMD_COUNTERS, &op, &origin);
  *opens = op.params[0].value.a;
  *creates = op.params[0].value.b;
  return r;
}

TEST_F(Teec, MultiInstanceTaGetsOneInstancePerSession) {
  TEEC_Session a{}, b{};
  ASSERT_EQ(open(&a), TEEC_SUCCESS);
  ASSERT_EQ(open(&b), TEEC_SUCCESS);
  uint32_t opens = 0, creates = 0;
  ASSERT_EQ(counters(&b, &opens, &creates), TEEC_SUCCESS);
  EXPECT_EQ(opens, 1u);
  EXPECT_EQ(creates, 1u);
  TEEC_CloseSession(&a);
  TEEC_CloseSession(&b);
}

TEST_F(Teec, SingleInstanceTaIsSharedBySessions) {
  TEEC_UUID uuid = {0x7e57c0de, 0x0002, 0x4000, {0x80, 0, 0, 0, 0, 0, 0, 0x02}};
  TEEC_Session a{}, b{};
  uint32_t origin = 0;
  ASSERT_EQ(TEEC_OpenSession(&ctx_, &a, &uuid, TEEC_LOGIN_PUBLIC, nullptr, nullptr, &origin),
            TEEC_SUCCESS);
  ASSERT_EQ(TEEC_OpenSession(&ctx_, &b, &uuid, TEEC_LOGIN_PUBLIC, nullptr, nullptr, &origin),
            TEEC_SUCCESS);
  uint32_t opens = 0, creates = 0;
  ASSERT_EQ(counters(&b, &opens, &creates), TEEC_SUCCESS);
  EXPECT_EQ(opens, 2u);
  EXPECT_EQ(creates, 1u);
  TEEC_CloseSession(&a);
  TEEC_CloseSession(&b);
}

TEST_F(Teec, SingleSessionTaIsBusyWhileASessionIsOpen) {
  TEEC_UUID uuid = {0x7e57c0de, 0x0003, 0x4000, {0x80, 0, 0, 0, 0, 0, 0, 0x03}};
  TEEC_Session a{}, b{};
  uint32_t origin = 0;
  ASSERT_EQ(TEEC_OpenSession(&ctx_, &a, &uuid, TEEC_LOGIN_PUBLIC, nullptr, nullptr, &origin),
            TEEC_SUCCESS);
  EXPECT_EQ(TEEC_OpenSession(&ctx_, &b, &uuid, TEEC_LOGIN_PUBLIC, nullptr, nullptr, &origin),
            TEEC_ERROR_BUSY);
  EXPECT_EQ(origin, TEEC_ORIGIN_TEE);
  TEEC_CloseSession(&a);
  ASSERT_EQ(TEEC_OpenSession(&ctx_, &b, &uuid, TEEC_LOGIN_PUBLIC, nullptr, nullptr, &origin),
            TEEC_SUCCESS);
  TEEC_CloseSession(&b);
}

// A client that loads a GP TA's image through the app loader gets its own
// process: it never shares (or can lie to) the instance the GP service runs.
TEST_F(Teec, AppLoaderClientsDoNotShareGpInstances) {
  TEEC_UUID uuid = {0x7e57c0de, 0x0002, 0x4000, {0x80, 0, 0, 0, 0, 0, 0, 0x02}};
  TEEC_Session a{}, b{};
  uint32_t origin = 0;
  ASSERT_EQ(TEEC_OpenSession(&ctx_, &a, &uuid, TEEC_LOGIN_PUBLIC, nullptr, nullptr, &origin),
            TEEC_SUCCESS);
  captee::Ref loader = daemon_->open(CAppLoader_UID);
  ASSERT_TRUE(loader);
  const char name[] = "7e57c0de-0002-4000-8000-000000000002";
  Object ctrl = Object_NULL, app = Object_NULL, sess = Object_NULL;
  ASSERT_EQ(IAppLoader_loadEmbedded(loader.get(), name, sizeof name - 1, &ctrl), Object_OK);
  ASSERT_EQ(IAppController_getAppObject(ctrl, &app), Object_OK);
  uint32_t sz[4] = {}, ret = 1;
  size_t olen[4] = {};
  ASSERT_EQ(IGPAppClient_openSession(
                app, &uuid, sizeof uuid, Object_NULL, 0, TEEC_LOGIN_PUBLIC, 0, 0, 0, nullptr, 0,
                nullptr, 0, nullptr, 0, nullptr, 0, nullptr, 0, &olen[0], nullptr, 0, &olen[1],
                nullptr, 0, &olen[2], nullptr, 0, &olen[3], Object_NULL, Object_NULL, Object_NULL,
                Object_NULL, &sz[0], &sz[1], &sz[2], &sz[3], &sess, &ret, &origin),
            Object_OK);
  ASSERT_EQ(ret, TEEC_SUCCESS);
  ASSERT_EQ(TEEC_OpenSession(&ctx_, &b, &uuid, TEEC_LOGIN_PUBLIC, nullptr, nullptr, &origin),
            TEEC_SUCCESS);
  uint32_t opens = 0, creates = 0;
  ASSERT_EQ(counters(&b, &opens, &creates), TEEC_SUCCESS);
  EXPECT_EQ(opens, 2u);  // a and b; not the loader client's session
  Object_ASSIGN_NULL(sess);
  Object_ASSIGN_NULL(app);
  Object_ASSIGN_NULL(ctrl);
  TEEC_CloseSession(&a);
  TEEC_CloseSession(&b);
}

// A client written against the Mink interfaces (MinkCom + the IGPAppClient /
// IGPSession C stubs, as libminkteec's users do) reaches the same TA.
TEST_F(Teec, MinkInterfaceClientInteroperates) {
  Object root = Object_NULL, env = Object_NULL, app = Object_NULL, sess = Object_NULL;
  ASSERT_EQ(MinkCom_getRootEnvObject(&root), Object_OK);
  ASSERT_EQ(MinkCom_getClientEnvObject(root, &env), Object_OK);
  ASSERT_EQ(IClientEnv_open(env, CGPAppClient_UID, &app), Object_OK);
  TEEC_UUID uuid = TA_HELLO_WORLD_UUID;
  uint32_t sz[4] = {}, ret = 1, origin = 0;
  size_t olen[4] = {};
  ASSERT_EQ(IGPAppClient_openSession(
                app, &uuid, sizeof uuid, Object_NULL, 0, TEEC_LOGIN_PUBLIC, 0, 0, 0, nullptr, 0,
                nullptr, 0, nullptr, 0, nullptr, 0, nullptr, 0, &olen[0], nullptr, 0, &olen[1],
                nullptr, 0, &olen[2], nullptr, 0, &olen[3], Object_NULL, Object_NULL, Object_NULL,
                Object_NULL, &sz[0], &sz[1], &sz[2], &sz[3], &sess, &ret, &origin),
            Object_OK);
  ASSERT_EQ(ret, TEEC_SUCCESS);
  ASSERT_FALSE(Object_isNull(sess));
  uint32_t value[2] = {41, 0};
  uint32_t out[2] = {};
  ASSERT_EQ(IGPSession_invokeCommand(
                sess, TA_HELLO_WORLD_CMD_INC_VALUE, 0, 0xFFFFFFFFu,
                TEEC_PARAM_TYPES(TEEC_VALUE_INOUT, 0, 0, 0), 0, value, sizeof value, nullptr, 0,
                nullptr, 0, nullptr, 0, out, sizeof out, &olen[0], nullptr, 0, &olen[1], nullptr, 0,
                &olen[2], nullptr, 0, &olen[3], Object_NULL, Object_NULL, Object_NULL, Object_NULL,
                &sz[0], &sz[1], &sz[2], &sz[3], &ret, &origin),
            Object_OK);
  EXPECT_EQ(ret, TEEC_SUCCESS);
  EXPECT_EQ(olen[0], 8u);
  EXPECT_EQ(out[0], 42u);
  Object_ASSIGN_NULL(sess);
  Object_ASSIGN_NULL(app);
  Object_ASSIGN_NULL(env);
  Object_ASSIGN_NULL(root);
}

// The expected client UUID: UUIDv5 in the Linux TEE client namespace.
TEEC_UUID uuid_v5(const std::string &name) {
  static const uint8_t ns[16] = {0x58, 0xac, 0x9c, 0xa0, 0x20, 0x86, 0x46, 0x83,
                                 0xa1, 0xb8, 0xec, 0x4b, 0xc0, 0x8e, 0x01, 0xb6};
  std::vector<uint8_t> in(ns, ns + 16);
  in.insert(in.end(), name.begin(), name.end());
  uint8_t md[SHA_DIGEST_LENGTH];
  SHA1(in.data(), in.size(), md);
  md[6] = static_cast<uint8_t>((md[6] & 0x0F) | 0x50);
  md[8] = static_cast<uint8_t>((md[8] & 0x3F) | 0x80);
  TEEC_UUID u{};
  u.timeLow = (uint32_t{md[0]} << 24) | (uint32_t{md[1]} << 16) | (uint32_t{md[2]} << 8) | md[3];
  u.timeMid = static_cast<uint16_t>((md[4] << 8) | md[5]);
  u.timeHiAndVersion = static_cast<uint16_t>((md[6] << 8) | md[7]);
  std::memcpy(u.clockSeqAndNode, md + 8, 8);
  return u;
}

std::string hex(const char *prefix, unsigned long v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s=%lx", prefix, v);
  return buf;
}

std::string sha256_of_self() {
  std::ifstream f("/proc/self/exe", std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  uint8_t md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size(), md);
  std::string out;
  for (uint8_t b : md) {
    char two[3];
    std::snprintf(two, sizeof two, "%02x", b);
    out += two;
  }
  return out;
}

// Opens with `login` and asks the TA for gpd.client.identity.
TEEC_Result identity_seen_by_ta(TEEC_Context *ctx, uint32_t login, const void *data,
                                uint32_t *seen_login, TEEC_UUID *seen, uint32_t *origin) {
  TEEC_UUID uuid = TEEC_TEST_TA_UUID;
  TEEC_Session s{};
  TEEC_Result r = TEEC_OpenSession(ctx, &s, &uuid, login, data, nullptr, origin);
  if (r != TEEC_SUCCESS) {
    return r;
  }
  TEEC_Operation op{};
  op.paramTypes =
      TEEC_PARAM_TYPES(TEEC_VALUE_OUTPUT, TEEC_MEMREF_TEMP_OUTPUT, TEEC_NONE, TEEC_NONE);
  op.params[1].tmpref = {seen, sizeof *seen};
  r = TEEC_InvokeCommand(&s, TEEC_TEST_CMD_IDENTITY, &op, origin);
  *seen_login = op.params[0].value.a;
  TEEC_CloseSession(&s);
  return r;
}

TEST_F(Teec, LoginIdentitiesAreComputedByCapteed) {
  uint32_t login = 99, origin = 0;
  TEEC_UUID seen{};
  ASSERT_EQ(identity_seen_by_ta(&ctx_, TEEC_LOGIN_PUBLIC, nullptr, &login, &seen, &origin),
            TEEC_SUCCESS);
  EXPECT_EQ(login, TEEC_LOGIN_PUBLIC);
  TEEC_UUID nil{};
  EXPECT_EQ(std::memcmp(&seen, &nil, sizeof nil), 0);

  ASSERT_EQ(identity_seen_by_ta(&ctx_, TEEC_LOGIN_USER, nullptr, &login, &seen, &origin),
            TEEC_SUCCESS);
  EXPECT_EQ(login, TEEC_LOGIN_USER);
  TEEC_UUID want = uuid_v5(hex("uid", ::geteuid()));
  EXPECT_EQ(std::memcmp(&seen, &want, sizeof want), 0);

  uint32_t gid = ::getegid();
  ASSERT_EQ(identity_seen_by_ta(&ctx_, TEEC_LOGIN_GROUP, &gid, &login, &seen, &origin),
            TEEC_SUCCESS);
  EXPECT_EQ(login, TEEC_LOGIN_GROUP);
  want = uuid_v5(hex("gid", gid));
  EXPECT_EQ(std::memcmp(&seen, &want, sizeof want), 0);

  ASSERT_EQ(identity_seen_by_ta(&ctx_, TEEC_LOGIN_APPLICATION, nullptr, &login, &seen, &origin),
            TEEC_SUCCESS);
  EXPECT_EQ(login, TEEC_LOGIN_APPLICATION);
  want = uuid_v5("app=" + sha256_of_self());
  EXPECT_EQ(std::memcmp(&seen, &want, sizeof want), 0);
}

TEST_F(Teec, LoginsTheCallerIsNotEntitledToAreRefused) {
  uint32_t login = 0, origin = 0;
  TEEC_UUID seen{};
  uint32_t foreign_gid = 4242421;  // a group this process is not in
  EXPECT_EQ(identity_seen_by_ta(&ctx_, TEEC_LOGIN_GROUP, &foreign_gid, &login, &seen, &origin),
            TEEC_ERROR_ACCESS_DENIED);
  EXPECT_EQ(origin, TEEC_ORIGIN_TEE);
  EXPECT_EQ(
      identity_seen_by_ta(&ctx_, TEEC_LOGIN_USER_APPLICATION, nullptr, &login, &seen, &origin),
      TEEC_ERROR_NOT_SUPPORTED);
  EXPECT_EQ(origin, TEEC_ORIGIN_TEE);
}

// Runs `cmd` with `op` on a second thread and cancels it from this one (as
// many times as needed: a request that comes before the call started is
// ignored, as in libminkteec).
TEEC_Result invoke_and_cancel(TEEC_Session *s, uint32_t cmd, TEEC_Operation *op, uint32_t *origin) {
  std::atomic<bool> done{false};
  TEEC_Result r = 0;
  std::thread t([&] {
    r = TEEC_InvokeCommand(s, cmd, op, origin);
    done = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  for (int i = 0; i < 500 && !done; ++i) {
    TEEC_RequestCancellation(op);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  t.join();
  return r;
}

TEST_F(Teec, CancellationReachesTeeWait) {
  TEEC_Session s{};
  ASSERT_EQ(open(&s), TEEC_SUCCESS);
  TEEC_Operation op{};
  op.started = 0;
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
  op.params[0].value.a = 0;  // infinite
  uint32_t origin = 0;
  EXPECT_EQ(invoke_and_cancel(&s, TEEC_TEST_CMD_WAIT, &op, &origin), TEEC_ERROR_CANCEL);
  // A short wait nobody cancels completes.
  op.params[0].value.a = 20;
  EXPECT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_WAIT, &op, &origin), TEEC_SUCCESS);
  TEEC_CloseSession(&s);
}

TEST_F(Teec, CancellationReachesAPollingTa) {
  TEEC_Session s{};
  ASSERT_EQ(open(&s), TEEC_SUCCESS);
  TEEC_Operation op{};
  uint32_t origin = 0;
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(invoke_and_cancel(&s, TEEC_TEST_CMD_POLL_CANCEL, &op, &origin), TEEC_ERROR_CANCEL);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  TEEC_CloseSession(&s);
}

}  // namespace
