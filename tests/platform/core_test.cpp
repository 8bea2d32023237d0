// The emulated Cortex-M core really runs firmware: boot, mailbox, WFI, faults.
#include <gtest/gtest.h>

#include <atomic>
#include <string>

#include "captee/platform/remote_processor.hpp"
#include "test_support.hpp"

namespace captee::platform::testing {
namespace {

class CoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    proc_ = RemoteProcessor::create(test_processor(), &error);
    ASSERT_TRUE(proc_) << error;
  }
  void boot(const std::string &program) {
    auto code = read_program(program);
    ASSERT_FALSE(code.empty());
    ASSERT_TRUE(load(*proc_, 0, code).ok());
    Status s = proc_->start(0);
    ASSERT_TRUE(s.ok()) << s.message;
  }
  std::string banner() {
    auto b = proc_->translate(0x10000000, 64);
    return std::string(reinterpret_cast<const char *>(b.data()));
  }
  std::unique_ptr<RemoteProcessor> proc_;
};

TEST_F(CoreTest, BootsFromTheVectorTableAndRuns) {
  boot("heartbeat");
  EXPECT_EQ(proc_->state(), CoreState::kRunning);
  ASSERT_TRUE(eventually([&] { return banner() == "heartbeat: up"; })) << banner();
  const uint32_t first = read_word(*proc_, 0x10000100);
  ASSERT_TRUE(eventually([&] { return read_word(*proc_, 0x10000100) > first + 1000; }));
  EXPECT_TRUE(eventually([&] { return proc_->core().instructions_retired() > 0; }));
  ASSERT_TRUE(proc_->stop().ok());
  EXPECT_EQ(proc_->state(), CoreState::kOffline);
  const uint32_t after_stop = read_word(*proc_, 0x10000100);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(read_word(*proc_, 0x10000100), after_stop) << "a stopped core must not run";
  // The initial SP came from the vector table; the heartbeat loop never pushes.
  EXPECT_EQ(proc_->core().registers().sp, 0x10008000u);
}

TEST_F(CoreTest, HostAndFirmwareKickEachOtherThroughTheMailbox) {
  std::atomic<uint32_t> kicks_from_firmware{0};
  proc_->mailbox().on_firmware_kick([&](uint32_t channels) {
    if (channels & 1) {
      kicks_from_firmware++;
    }
    return false;  // leave them pending, as a polling host sees them
  });
  boot("heartbeat");
  for (uint32_t i = 1; i <= 3; ++i) {
    proc_->mailbox().kick(1u << i);
    ASSERT_TRUE(eventually([&] { return read_word(*proc_, 0x10000104) == i; }));
    ASSERT_TRUE(eventually([&] { return kicks_from_firmware.load() == i; }));
    EXPECT_TRUE(eventually([&] { return proc_->mailbox().firmware_pending() == 0; }))
        << "the firmware clears what it handled";
  }
  EXPECT_EQ(proc_->mailbox().host_pending(), 1u);
  proc_->mailbox().ack(1);
  EXPECT_EQ(proc_->mailbox().host_pending(), 0u);
}

TEST_F(CoreTest, WfiSleepsUntilTheHostKicks) {
  std::atomic<uint32_t> answered{0};
  proc_->mailbox().on_firmware_kick([&](uint32_t channels) {
    answered |= channels;
    return false;
  });
  boot("sleeper");
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  EXPECT_EQ(read_word(*proc_, 0x10000104), 0u);
  EXPECT_EQ(proc_->state(), CoreState::kRunning);
  proc_->mailbox().kick(1);
  ASSERT_TRUE(eventually([&] { return read_word(*proc_, 0x10000104) == 1u; }));
  EXPECT_TRUE(eventually([&] { return answered.load() == 2u; }));
  proc_->mailbox().kick(1);
  ASSERT_TRUE(eventually([&] { return read_word(*proc_, 0x10000104) == 2u; }));
  // Stopping a sleeping core is immediate.
  ASSERT_TRUE(proc_->stop().ok());
  EXPECT_EQ(proc_->state(), CoreState::kOffline);
}

// The faults program has no handlers: every fault escalates to HardFault,
// whose vector is not a handler either, and the core locks up.
#define kNoHardFaultHandler "no HardFault handler (its vector is 0x00000000, not a Thumb address)"

struct FaultCase {
  uint32_t selector;
  const char *reason;
  uint32_t fault_address;
};

class CoreFaults : public CoreTest, public ::testing::WithParamInterface<FaultCase> {};

TEST_P(CoreFaults, CrashWithAReasonAndNotifyListeners) {
  std::atomic<int> notified{0};
  std::string seen_reason;
  std::mutex mu;
  proc_->core().subscribe([&](const CrashInfo &info) {
    std::lock_guard<std::mutex> lock(mu);
    seen_reason = info.reason;
    notified++;
  });
  auto code = read_program("faults");
  ASSERT_TRUE(load(*proc_, 0, code).ok());
  write_word(*proc_, 0x10000200, GetParam().selector);
  ASSERT_TRUE(proc_->start(0).ok());
  ASSERT_TRUE(eventually([&] { return proc_->state() == CoreState::kCrashed; }));
  EXPECT_EQ(read_word(*proc_, 0x10000100), 0x5Au) << "the firmware ran before it faulted";
  auto crash = proc_->core().last_crash();
  ASSERT_TRUE(crash);
  EXPECT_EQ(crash->reason, GetParam().reason);
  EXPECT_EQ(crash->fault_address, GetParam().fault_address);
  EXPECT_NE(crash->registers.pc, 0u);
  ASSERT_TRUE(eventually([&] { return notified.load() == 1; }));
  {
    std::lock_guard<std::mutex> lock(mu);
    EXPECT_EQ(seen_reason, GetParam().reason);
  }
  // A crashed processor can be stopped, and booted again.
  EXPECT_FALSE(proc_->start(0).ok()) << "start needs an offline processor";
  ASSERT_TRUE(proc_->stop().ok());
  EXPECT_EQ(proc_->state(), CoreState::kOffline);
  write_word(*proc_, 0x10000200, 0);
  ASSERT_TRUE(proc_->start(0).ok());
  EXPECT_TRUE(eventually([&] { return read_word(*proc_, 0x10000100) == 0x5A; }));
  EXPECT_EQ(proc_->state(), CoreState::kRunning);
  EXPECT_FALSE(proc_->core().last_crash()) << "a new boot starts with a clean record";
}

std::string FaultName(const ::testing::TestParamInfo<FaultCase> &info) {
  static const char *const kNames[] = {"", "Undefined", "Unmapped", "ReadOnly", "Svc", "Bkpt"};
  return kNames[info.param.selector];
}

INSTANTIATE_TEST_SUITE_P(
    Faults, CoreFaults,
    ::testing::Values(
        FaultCase{1, "undefined instruction; lock-up: " kNoHardFaultHandler, 0},
        FaultCase{2, "read from unmapped address 0x60000000; lock-up: " kNoHardFaultHandler,
                  0x60000000},
        FaultCase{3, "write to read-only memory at 0x00001000; lock-up: " kNoHardFaultHandler,
                  0x1000},
        FaultCase{4, "SVC #0; lock-up: " kNoHardFaultHandler, 0},
        FaultCase{5, "breakpoint (BKPT); lock-up: " kNoHardFaultHandler, 0}),
    FaultName);

TEST_F(CoreTest, InjectedCrashIsSeenAsCrashed) {
  EXPECT_FALSE(proc_->core().inject_crash("too early")) << "only a running core can crash";
  boot("sleeper");
  std::atomic<int> notified{0};
  uint64_t token = proc_->core().subscribe([&](const CrashInfo &) { notified++; });
  ASSERT_TRUE(proc_->core().inject_crash("watchdog test"));
  ASSERT_TRUE(eventually([&] { return proc_->state() == CoreState::kCrashed; }));
  EXPECT_EQ(proc_->core().last_crash()->reason, "injected crash: watchdog test");
  EXPECT_EQ(notified.load(), 1);
  proc_->core().unsubscribe(token);
  ASSERT_TRUE(proc_->stop().ok());
}

TEST_F(CoreTest, AResetVectorWithoutTheThumbBitFaultsLikeHardware) {
  auto code = read_program("heartbeat");
  code[4] &= 0xFE;  // clear the Thumb bit of the reset vector
  ASSERT_TRUE(load(*proc_, 0, code).ok());
  ASSERT_TRUE(proc_->start(0).ok());
  ASSERT_TRUE(eventually([&] { return proc_->state() == CoreState::kCrashed; }));
  EXPECT_EQ(proc_->core().last_crash()->reason,
            "the reset vector 0x00000008 is not a Thumb address");
}

TEST_F(CoreTest, VectorTableOutsideMemoryIsAnError) {
  Status s = proc_->start(0x30000000);
  EXPECT_EQ(s.code, Error::kBadParameters);
  EXPECT_EQ(s.message, "the vector table at 0x30000000 is not in the processor's memory");
  EXPECT_EQ(proc_->state(), CoreState::kOffline);
}

TEST_F(CoreTest, StartingTwiceIsBadState) {
  boot("sleeper");
  Status s = proc_->start(0);
  EXPECT_EQ(s.code, Error::kBadState);
  EXPECT_EQ(s.message, "the processor is running, not offline");
}

}  // namespace
}  // namespace captee::platform::testing
