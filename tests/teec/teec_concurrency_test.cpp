// libteec used from several threads at once against a real capteed (label
// tsan: scripts/test.sh also runs this suite under ThreadSanitizer): sessions
// and invokes on one context from three threads, one session shared by
// threads, registered memory used in disjoint windows at once, contexts made
// and dropped concurrently, cancellation from a second thread (also racing a
// call that is finishing), and a client write the TA sees during its call
// over allocated memory named whole.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "tee_client_api.h"
#include "teec_fixture.hpp"
#include "teec_test_ta.h"

namespace {

class TeecConcurrency : public captee::test::Teec {};

// Runs `body(t)` on `n` threads and joins them.
template <typename F>
void on_threads(int n, F body) {
  std::vector<std::thread> threads;
  for (int t = 0; t < n; ++t) {
    threads.emplace_back(body, t);
  }
  for (auto &th : threads) {
    th.join();
  }
}

// A memref that names every page of allocated memory hands the TA the memory
// object itself: a client write during the call reaches the TA. (A PARTIAL
// window over fewer pages is a copy; tests/teec/teec_hostile_memory_test.cpp.)
TEST_F(TeecConcurrency, AllocatedSharedMemoryNamedWholeIsZeroCopy) {
  TEEC_Session s{};
  ASSERT_EQ(open(&s), TEEC_SUCCESS);
  struct Case {
    const char *what;
    size_t size;
    uint32_t type;
  };
  for (const Case &c : {Case{"WHOLE over 1 MiB", size_t{1} << 20, TEEC_MEMREF_WHOLE},
                        Case{"PARTIAL [0, 16) of one page", 4096, TEEC_MEMREF_PARTIAL_INOUT}}) {
    SCOPED_TRACE(c.what);
    TEEC_SharedMemory shm{};
    shm.size = c.size;
    shm.flags = TEEC_MEM_INPUT | TEEC_MEM_OUTPUT;
    ASSERT_EQ(TEEC_AllocateSharedMemory(&ctx_, &shm), TEEC_SUCCESS);
    auto *b = static_cast<volatile uint8_t *>(shm.buffer);
    b[0] = 0;
    b[1] = 0;
    TEEC_Operation op{};
    op.paramTypes = TEEC_PARAM_TYPES(c.type, TEEC_NONE, TEEC_NONE, TEEC_NONE);
    op.params[0].memref = {&shm, 16, 0};
    uint32_t origin = 0;
    TEEC_Result r = 0;
    std::thread t([&] { r = TEEC_InvokeCommand(&s, TEEC_TEST_CMD_SEE_LIVE_WRITE, &op, &origin); });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    b[0] = 0x5A;  // the TA sees this while its call runs
    t.join();
    EXPECT_EQ(r, TEEC_SUCCESS);
    EXPECT_EQ(b[1], 0xA5);
    EXPECT_EQ(op.params[0].memref.size, c.type == TEEC_MEMREF_WHOLE ? c.size : 16u);
    TEEC_ReleaseSharedMemory(&shm);
  }
  TEEC_CloseSession(&s);
}

TEST_F(TeecConcurrency, ConcurrentSessionsFromThreeThreads) {
  std::atomic<int> failures{0};
  on_threads(3, [&](int t) {
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
  EXPECT_EQ(failures.load(), 0);
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

TEST_F(TeecConcurrency, CancellationReachesTeeWait) {
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

TEST_F(TeecConcurrency, CancellationReachesAPollingTa) {
  TEEC_Session s{};
  ASSERT_EQ(open(&s), TEEC_SUCCESS);
  TEEC_Operation op{};
  uint32_t origin = 0;
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(invoke_and_cancel(&s, TEEC_TEST_CMD_POLL_CANCEL, &op, &origin), TEEC_ERROR_CANCEL);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  TEEC_CloseSession(&s);
}

// TA_OpenSessionEntryPoint waiting in TEE_Wait is cancelled too: the call
// has no session yet, only its context.
TEST_F(TeecConcurrency, CancellationReachesAnOpeningTa) {
  TEEC_Operation op{};
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
  op.params[0].value.a = 0xCA2C;
  std::atomic<bool> done{false};
  TEEC_Result r = 0;
  uint32_t origin = 0;
  TEEC_Session s{};
  std::thread opener([&] {
    r = open(&s, &origin, &op);
    done = true;
  });
  for (int i = 0; i < 500 && !done; ++i) {
    TEEC_RequestCancellation(&op);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  opener.join();
  EXPECT_EQ(r, TEEC_ERROR_CANCEL);
  EXPECT_EQ(origin, TEEC_ORIGIN_TRUSTED_APP);
  TEEC_CloseSession(&s);  // a session that failed to open: a no-op
}

TEST_F(TeecConcurrency, ThreadsShareOneSession) {
  TEEC_Session s{};
  ASSERT_EQ(open(&s), TEEC_SUCCESS);
  std::atomic<int> failures{0};
  on_threads(3, [&](int t) {
    for (uint32_t i = 0; i < 20; ++i) {
      TEEC_Operation op{};
      op.paramTypes =
          TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_VALUE_OUTPUT, TEEC_VALUE_INOUT, TEEC_NONE);
      op.params[0].value = {static_cast<uint32_t>(t), i};
      op.params[2].value = {i, i};
      uint32_t origin = 0;
      if (TEEC_InvokeCommand(&s, TEEC_TEST_CMD_VALUES, &op, &origin) != TEEC_SUCCESS ||
          op.params[1].value.a != t + i || op.params[2].value.b != i - 1) {
        ++failures;
      }
    }
  });
  EXPECT_EQ(failures.load(), 0);
  TEEC_CloseSession(&s);
}

// Large temporary memrefs from three threads on one session: the session's
// recycled call objects are handed to one call at a time.
TEST_F(TeecConcurrency, ThreadsShareOneSessionsCallObjects) {
  TEEC_Session s{};
  ASSERT_EQ(open(&s), TEEC_SUCCESS);
  std::atomic<int> failures{0};
  on_threads(3, [&](int t) {
    std::vector<uint8_t> buf(8 * 1024 + 100 * t, static_cast<uint8_t>(t + 1));
    for (int i = 0; i < 10; ++i) {
      TEEC_Operation op{};
      op.paramTypes =
          TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INOUT, TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE);
      op.params[0].tmpref = {buf.data(), buf.size()};
      uint32_t origin = 0;
      uint8_t before = (i % 2 == 0) ? static_cast<uint8_t>(t + 1) : static_cast<uint8_t>(~(t + 1));
      if (TEEC_InvokeCommand(&s, TEEC_TEST_CMD_INVERT, &op, &origin) != TEEC_SUCCESS ||
          op.params[1].value.a != before * buf.size() || buf[buf.size() - 1] != uint8_t(~before)) {
        ++failures;
      }
    }
  });
  EXPECT_EQ(failures.load(), 0);
  TEEC_CloseSession(&s);
}

// One registered buffer, three threads inverting their own window of it
// through their own sessions: the copies of disjoint windows never
// interfere.
TEST_F(TeecConcurrency, ThreadsUseDisjointWindowsOfRegisteredMemory) {
  constexpr size_t kWindow = 8 * 1024;
  std::vector<uint8_t> user(3 * kWindow);
  for (size_t i = 0; i < user.size(); ++i) {
    user[i] = static_cast<uint8_t>(i / kWindow + 1);
  }
  TEEC_SharedMemory shm{};
  shm.buffer = user.data();
  shm.size = user.size();
  shm.flags = TEEC_MEM_INPUT | TEEC_MEM_OUTPUT;
  ASSERT_EQ(TEEC_RegisterSharedMemory(&ctx_, &shm), TEEC_SUCCESS);
  std::atomic<int> failures{0};
  on_threads(3, [&](int t) {
    TEEC_Session s{};
    if (open(&s) != TEEC_SUCCESS) {
      ++failures;
      return;
    }
    for (int i = 0; i < 10; ++i) {
      TEEC_Operation op{};
      op.paramTypes =
          TEEC_PARAM_TYPES(TEEC_MEMREF_PARTIAL_INOUT, TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE);
      op.params[0].memref = {&shm, kWindow, t * kWindow};
      uint32_t origin = 0;
      uint8_t before = (i % 2 == 0) ? static_cast<uint8_t>(t + 1) : static_cast<uint8_t>(~(t + 1));
      if (TEEC_InvokeCommand(&s, TEEC_TEST_CMD_INVERT, &op, &origin) != TEEC_SUCCESS ||
          op.params[1].value.a != before * kWindow) {
        ++failures;
      }
    }
    TEEC_CloseSession(&s);
  });
  EXPECT_EQ(failures.load(), 0);
  for (size_t i = 0; i < user.size(); ++i) {
    ASSERT_EQ(user[i], static_cast<uint8_t>(i / kWindow + 1))
        << i;  // inverted an even number of times
  }
  TEEC_ReleaseSharedMemory(&shm);
}

TEST_F(TeecConcurrency, ContextsAndSessionsComeAndGoConcurrently) {
  std::atomic<int> failures{0};
  on_threads(3, [&](int) {
    for (int i = 0; i < 5; ++i) {
      TEEC_Context c{};
      TEEC_Session s{};
      TEEC_UUID uuid = TEEC_TEST_TA_UUID;
      uint32_t origin = 0;
      if (TEEC_InitializeContext(nullptr, &c) != TEEC_SUCCESS) {
        ++failures;
        continue;
      }
      if (TEEC_OpenSession(&c, &s, &uuid, TEEC_LOGIN_PUBLIC, nullptr, nullptr, &origin) !=
              TEEC_SUCCESS ||
          TEEC_InvokeCommand(&s, 99, nullptr, &origin) != TEEC_ERROR_NOT_SUPPORTED) {
        ++failures;
      }
      TEEC_CloseSession(&s);
      TEEC_FinalizeContext(&c);
    }
  });
  EXPECT_EQ(failures.load(), 0);
}

// A cancellation that races a call finishing on its own: the call ends
// either way, with SUCCESS or CANCEL, and the operation can be reused.
TEST_F(TeecConcurrency, CancellationRacingCompletionIsHarmless) {
  TEEC_Session s{};
  ASSERT_EQ(open(&s), TEEC_SUCCESS);
  for (int i = 0; i < 10; ++i) {
    TEEC_Operation op{};
    op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
    op.params[0].value.a = 2;  // ms
    std::atomic<bool> done{false};
    TEEC_Result r = 0;
    std::thread caller([&] {
      uint32_t origin = 0;
      r = TEEC_InvokeCommand(&s, TEEC_TEST_CMD_WAIT, &op, &origin);
      done = true;
    });
    while (!done) {
      TEEC_RequestCancellation(&op);
      std::this_thread::yield();
    }
    caller.join();
    EXPECT_TRUE(r == TEEC_SUCCESS || r == TEEC_ERROR_CANCEL) << std::hex << r;
  }
  TEEC_CloseSession(&s);
}

}  // namespace
