// Issue 20 finding 7, from the attacker's side: TEEC_ReleaseSharedMemory on
// one thread while another is in TEEC_InvokeCommand with that memory. Every
// round must end in a completed call or a clean API error, never a crash, and
// once the release has returned nothing may write the client's buffer again.
// Labelled tsan: the same rounds run under ThreadSanitizer.
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

class TeecHostileRelease : public captee::test::Teec {};

// How a round shares memory with the TA.
enum class Kind {
  kRegisteredLarge,  // 8 KiB window: a call memory object, copied back
  kRegisteredSmall,  // 64 bytes: inline, the reply written into the buffer
  kAllocatedWindow,  // a PARTIAL window of allocated memory
  kAllocatedWhole,   // the memory object itself (zero-copy)
};
constexpr Kind kKinds[] = {Kind::kRegisteredLarge, Kind::kRegisteredSmall, Kind::kAllocatedWindow,
                           Kind::kAllocatedWhole};

TEST_F(TeecHostileRelease, ReleaseRacingAnInvokeEndsCleanAndNeverWritesAfterwards) {
  TEEC_Session s{};
  ASSERT_EQ(open(&s), TEEC_SUCCESS);
  constexpr int kRounds = 1000;
  constexpr size_t kBuffer = 16 * 1024;
  std::vector<uint8_t> user(kBuffer);
  int completed = 0;
  int refused = 0;
  for (int round = 0; round < kRounds; ++round) {
    const Kind kind = kKinds[round % 4];
    const bool registered = kind == Kind::kRegisteredLarge || kind == Kind::kRegisteredSmall;
    TEEC_SharedMemory shm{};
    shm.size = kBuffer;
    shm.flags = TEEC_MEM_INPUT | TEEC_MEM_OUTPUT;
    if (registered) {
      std::memset(user.data(), 0x01, kBuffer);
      shm.buffer = user.data();
      ASSERT_EQ(TEEC_RegisterSharedMemory(&ctx_, &shm), TEEC_SUCCESS);
    } else {
      ASSERT_EQ(TEEC_AllocateSharedMemory(&ctx_, &shm), TEEC_SUCCESS);
      std::memset(shm.buffer, 0x01, kBuffer);
    }
    TEEC_Operation op{};
    op.paramTypes =
        TEEC_PARAM_TYPES(TEEC_MEMREF_PARTIAL_INOUT, TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE);
    switch (kind) {
      case Kind::kRegisteredLarge:
        op.params[0].memref = {&shm, 8192, 4096};
        break;
      case Kind::kRegisteredSmall:
        op.params[0].memref = {&shm, 64, 100};
        break;
      case Kind::kAllocatedWindow:
        op.params[0].memref = {&shm, 8192, 4096};
        break;
      case Kind::kAllocatedWhole:
        op.paramTypes =
            TEEC_PARAM_TYPES(TEEC_MEMREF_WHOLE, TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE);
        op.params[0].memref = {&shm, 0, 0};
        break;
    }
    std::atomic<bool> started{false};
    TEEC_Result result = 0;
    std::thread caller([&] {
      uint32_t origin = 0;
      started.store(true);
      result = TEEC_InvokeCommand(&s, TEEC_TEST_CMD_INVERT, &op, &origin);
    });
    // Every fourth round of each kind races the caller's start (marshalling);
    // the others release at a different moment of the call (0-250 µs in).
    while ((round / 4) % 4 != 0 && !started.load()) {
      std::this_thread::yield();
    }
    const auto until =
        std::chrono::steady_clock::now() + std::chrono::microseconds((round * 37) % 251);
    while (std::chrono::steady_clock::now() < until) {
    }
    TEEC_ReleaseSharedMemory(&shm);
    // The buffer is the client's alone again: nothing may write it now.
    if (registered) {
      std::memset(user.data(), 0x77, kBuffer);
    }
    caller.join();
    ASSERT_TRUE(result == TEEC_SUCCESS || result == TEEC_ERROR_BAD_PARAMETERS)
        << "round " << round << ": 0x" << std::hex << result;
    (result == TEEC_SUCCESS ? completed : refused)++;
    if (registered) {
      for (size_t i = 0; i < kBuffer; ++i) {
        ASSERT_EQ(user[i], 0x77) << "round " << round << ": byte " << i
                                 << " written after TEEC_ReleaseSharedMemory returned";
      }
    }
  }
  RecordProperty("completed", completed);
  RecordProperty("refused", refused);
  EXPECT_EQ(completed + refused, kRounds);
  EXPECT_GT(completed, 0) << "no call ever ran: the race was never exercised";
  TEEC_CloseSession(&s);
}

}  // namespace
