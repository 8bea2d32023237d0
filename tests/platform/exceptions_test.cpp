// The exception model of the emulated Cortex-M core, each part with a small
// C firmware of its own (programs/*.c): SysTick against the core's clock,
// priorities and pre-emption, tail-chaining, BASEPRI, faults delivered to the
// firmware's handlers with their status bits, FP context across interrupts,
// SYSRESETREQ, and two threads switched through SVC and PendSV on the process
// stack, as an RTOS does.
#include <gtest/gtest.h>

#include <string>

#include "captee/platform/remote_processor.hpp"
#include "test_support.hpp"

namespace captee::platform::testing {
namespace {

// The test platform with a 10 MHz core clock: its crash rules (0.1 s of the
// clock in a fault handler, 1 s out of thread mode) come quickly.
ProcessorDescription ten_mhz_processor() {
  ProcessorDescription p = test_processor();
  p.clock_hz = 10'000'000;
  return p;
}

class Exceptions : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    proc_ = RemoteProcessor::create(ten_mhz_processor(), &error);
    ASSERT_TRUE(proc_) << error;
  }
  void TearDown() override {
    if (proc_) {
      (void)proc_->stop();
    }
  }
  // Loads `program`, stores the scenario number the program reads, boots.
  void boot(const std::string &program, uint32_t scenario = 0) {
    auto code = read_program(program);
    ASSERT_FALSE(code.empty());
    ASSERT_TRUE(load(*proc_, 0, code).ok());
    write_word(*proc_, 0x10000200, scenario);
    Status s = proc_->start(0);
    ASSERT_TRUE(s.ok()) << s.message;
  }
  uint32_t result(uint32_t i) { return read_word(*proc_, 0x10000100 + 4 * i); }
  std::string crash_reason() {
    auto c = proc_->core().last_crash();
    return c ? c->reason : "(no crash)";
  }

  std::unique_ptr<RemoteProcessor> proc_;
};

TEST_F(Exceptions, SysTickTicksEveryReloadPlusOneCyclesOfTheInstructionClock) {
  boot("systick");
  ASSERT_TRUE(eventually([&] { return result(0) >= 200; })) << result(0);
  ASSERT_TRUE(proc_->stop().ok());
  // The handler runs within a few instructions of each zero crossing (the
  // core takes interrupts between basic blocks, here the main loop's four
  // instructions), so it reads the counter just below its reload value, and
  // the main loop makes the same number of passes between ticks, give or
  // take one.
  for (uint32_t t = 1; t < 16; ++t) {
    EXPECT_LE(result(18 + t), 999u) << "tick " << t;
    EXPECT_GE(result(18 + t), 990u) << "tick " << t;
    if (t >= 2) {
      const uint32_t passes = result(2 + t) - result(1 + t);
      EXPECT_GE(passes + 1, result(3) - result(2)) << "tick " << t;
      EXPECT_LE(passes, result(3) - result(2) + 1) << "tick " << t;
    }
  }
  EXPECT_GT(result(3) - result(2), 200u) << "the main loop runs between ticks";
  const uint64_t cycles = proc_->core().cycles();
  const uint64_t ticks = result(0);
  EXPECT_LE(ticks * 1000, cycles);
  EXPECT_GT((ticks + 1) * 1000, cycles) << "one tick per 1000 cycles";
  EXPECT_EQ(cycles, proc_->core().instructions_retired()) << "a busy core's clock is its count";
  // CALIB: no reference clock; TENMS is 10 ms of the 10 MHz clock.
  EXPECT_EQ(result(34), 0x80000000u | 99999u);
}

TEST_F(Exceptions, SysTickRunsTheSameOnEveryRun) {
  boot("systick");
  ASSERT_TRUE(eventually([&] { return result(0) >= 16; }));
  ASSERT_TRUE(proc_->stop().ok());
  std::vector<uint32_t> first;
  for (uint32_t i = 2; i < 34; ++i) {
    first.push_back(result(i));
  }
  for (uint32_t i = 0; i < 64; ++i) {
    write_word(*proc_, 0x10000100 + 4 * i, 0);
  }
  ASSERT_TRUE(proc_->start(0).ok());
  ASSERT_TRUE(eventually([&] { return result(0) >= 16; }));
  ASSERT_TRUE(proc_->stop().ok());
  for (uint32_t i = 2; i < 34; ++i) {
    EXPECT_EQ(result(i), first[i - 2]) << "word " << i;
  }
}

TEST_F(Exceptions, SysTickWakesACoreSleepingInWfi) {
  boot("systick", 1);
  // 10000 cycles of a 10 MHz clock: a tick per millisecond of real time.
  ASSERT_TRUE(eventually([&] { return result(0) >= 20; })) << result(0);
  EXPECT_EQ(proc_->state(), CoreState::kRunning);
  EXPECT_GE(result(1) + 1, result(0)) << "each tick ended a WFI";
  EXPECT_LT(proc_->core().instructions_retired(), proc_->core().cycles() / 10)
      << "the core slept through most of its clock";
}

TEST_F(Exceptions, SysTickCountflagWithoutTheInterrupt) {
  boot("systick", 2);
  ASSERT_TRUE(eventually([&] { return result(35) == 1; }));
  EXPECT_EQ(result(0), 0u) << "TICKINT off: no exception";
  EXPECT_EQ(result(36) & 0x10007u, 0x5u) << "ENABLE, CLKSOURCE; COUNTFLAG cleared by its read";
}

}  // namespace
}  // namespace captee::platform::testing
