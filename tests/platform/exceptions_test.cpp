// The exception model of the emulated Cortex-M core, each part with a small
// C firmware of its own (programs/*.c): SysTick against the core's clock,
// priorities and pre-emption, tail-chaining, BASEPRI, faults delivered to the
// firmware's handlers with their status bits, FP context across interrupts,
// SYSRESETREQ, and two threads switched through SVC and PendSV on the process
// stack, as an RTOS does.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

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

class Exceptions : public ProgramTest {
 protected:
  ProcessorDescription description() override { return ten_mhz_processor(); }
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
  // (A tick that came due as the core stopped is not taken.)
  EXPECT_GT((ticks + 2) * 1000, cycles) << "one tick per 1000 cycles";
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

TEST_F(Exceptions, WfeWakesOnEveryExceptionReturn) {
  boot("systick", 3);
  ASSERT_TRUE(eventually([&] { return result(0) >= 20; })) << result(0);
  EXPECT_GE(result(1) + 2, result(0)) << "each tick ended a WFE";
  EXPECT_LT(proc_->core().instructions_retired(), proc_->core().cycles() / 10);
}

TEST_F(Exceptions, SleepOnExitSleepsInsteadOfReturningToThreadMode) {
  boot("systick", 4);
  ASSERT_TRUE(eventually([&] { return result(0) >= 20; })) << result(0);
  const uint32_t loops = result(1);
  ASSERT_TRUE(eventually([&] { return result(0) >= 40; }));
  EXPECT_EQ(result(1), loops) << "the main loop does not run any more";
  EXPECT_LT(proc_->core().instructions_retired(), proc_->core().cycles() / 2)
      << "the core sleeps between ticks";
}

TEST_F(Exceptions, AHostPulseOnAnInterruptLineWakesAndRunsItsHandler) {
  boot("systick", 5);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(result(37), 0u) << "asleep, nothing pending";
  for (uint32_t i = 1; i <= 3; ++i) {
    ASSERT_TRUE(proc_->core().pulse_irq(2));
    ASSERT_TRUE(eventually([&] { return result(37) == i; })) << result(37);
    EXPECT_TRUE(eventually([&] { return result(1) == i; })) << "WFI returned after the handler";
  }
  EXPECT_FALSE(proc_->core().pulse_irq(150)) << "the test platform's NVIC has 150 lines";
  EXPECT_EQ(proc_->core().exceptions_taken(), 3u);
}

TEST_F(Exceptions, SysTickCountflagWithoutTheInterrupt) {
  boot("systick", 2);
  ASSERT_TRUE(eventually([&] { return result(35) == 1; }));
  EXPECT_EQ(result(0), 0u) << "TICKINT off: no exception";
  EXPECT_EQ(result(36) & 0x10007u, 0x5u) << "ENABLE, CLKSOURCE; COUNTFLAG cleared by its read";
}

class Priorities : public Exceptions {
 protected:
  // The program's log, once it reached its end marker.
  std::vector<uint32_t> log_of(uint32_t scenario) {
    boot("priorities", scenario);
    std::vector<uint32_t> log;
    EXPECT_TRUE(eventually([&] {
      const uint32_t n = result(0);
      return n > 0 && n < 60 && result(n) == 0xFF;
    })) << "the program did not finish";
    for (uint32_t i = 1; i <= result(0) && i < 60; ++i) {
      log.push_back(result(i));
    }
    return log;
  }
  using Log = std::vector<uint32_t>;
};

TEST_F(Priorities, AHigherPriorityPreemptsALowerOneWaits) {
  // IRQ0 (0x80) pends IRQ1 (0x40), which runs at once, nested (IPSR 17,
  // both active); IRQ1 pends IRQ2 (0xC0), which waits for both to return.
  EXPECT_EQ(log_of(0), (Log{0xA0, 0xB0, 17, 0x3, 0xA1, 0xC0, 0xFF}));
  EXPECT_EQ(result(40), 0x50u) << "4 priority bits: the low nibble reads as zero";
}

TEST_F(Priorities, PendingInterruptsTailChainInPriorityOrder) {
  const uint64_t chains = proc_->core().tail_chains();
  EXPECT_EQ(log_of(1), (Log{0xD0, 0xE0, 0xFFFFFFF9, 0xFF}))
      << "IRQ3 (0x40) first; IRQ4 returns to thread mode on the main stack";
  EXPECT_EQ(proc_->core().tail_chains(), chains + 1) << "IRQ4 followed IRQ3 without unstacking";
}

TEST_F(Priorities, PriorityGroupingDecidesPreemption) {
  // PRIGROUP 5: 0x40 and 0x50 share group priority 0x40, so IRQ6 waits.
  EXPECT_EQ(log_of(2), (Log{0x50, 0x51, 0x60, 0xFF}));
  EXPECT_EQ(result(41), 0xFA050500u) << "AIRCR reads back its key and PRIGROUP";
}

TEST_F(Priorities, WithoutSubprioritiesTheHigherPriorityPreempts) {
  EXPECT_EQ(log_of(3), (Log{0x50, 0x60, 0x51, 0xFF}));
}

TEST_F(Priorities, BasepriHoldsBackLowerPrioritiesOnly) {
  // IRQ7 (0xC0) waits behind BASEPRI 0x80 while IRQ1 (0x40) pre-empts; it
  // runs as soon as BASEPRI is cleared.
  EXPECT_EQ(log_of(4), (Log{0xF1, 0xB0, 17, 0x2, 0xF2, 0x70, 0xFF}));
}

// CFSR, HFSR bits (ARMv7-M B3.2.15, B3.2.16).
constexpr uint32_t kUndefinstr = 1u << 16, kInvstate = 1u << 17, kInvpc = 1u << 18,
                   kPreciserr = 1u << 9, kBfarvalid = 1u << 15, kIbuserr = 1u << 8,
                   kForced = 1u << 30;

class FaultHandlers : public Exceptions {
 protected:
  void run(uint32_t scenario) {
    boot("faults_handled", scenario);
    ASSERT_TRUE(eventually([&] { return result(0) == 0xD0E; }))
        << "the program did not go on after the fault: " << crash_reason();
    EXPECT_EQ(proc_->state(), CoreState::kRunning);
  }
};

TEST_F(FaultHandlers, UndefinedInstructionGoesToTheUsageFaultHandler) {
  run(0);
  EXPECT_EQ(result(5), 6u) << "UsageFault";
  EXPECT_EQ(result(1), kUndefinstr);
  EXPECT_EQ(result(2), 0u) << "not escalated";
  EXPECT_EQ(result(7), 0u) << "CFSR bits clear when written with ones";
  EXPECT_EQ(read_word(*proc_, result(4)) & 0xFFFF, 0xDE07u) << "the stacked PC is the UDF";
}

TEST_F(FaultHandlers, AnUnmappedLoadIsAPreciseBusFaultWithItsAddress) {
  run(1);
  EXPECT_EQ(result(5), 5u) << "BusFault";
  EXPECT_EQ(result(1), kPreciserr | kBfarvalid);
  EXPECT_EQ(result(3), 0x60000000u) << "BFAR";
}

TEST_F(FaultHandlers, ADisabledFaultEscalatesToHardFault) {
  run(2);
  EXPECT_EQ(result(5), 3u) << "HardFault";
  EXPECT_EQ(result(1), kUndefinstr) << "the UsageFault's cause is still recorded";
  EXPECT_EQ(result(2), kForced);
}

TEST_F(FaultHandlers, ABranchOutsideMemoryIsAnInstructionBusFault) {
  run(3);
  EXPECT_EQ(result(5), 5u);
  EXPECT_EQ(result(1), kIbuserr) << "no BFAR for an instruction fetch";
  EXPECT_EQ(result(4), 0x60000000u) << "the stacked PC is where the fetch failed";
  EXPECT_EQ(result(6), 0u) << "the handler returned to the caller, not the bad target";
}

// SRAM without execute permission: fetching from it is a MemManage fault.
class FaultHandlersXn : public FaultHandlers {
 protected:
  ProcessorDescription description() override {
    ProcessorDescription p = ten_mhz_processor();
    p.regions[2].access = kRead | kWrite;
    return p;
  }
};

TEST_F(FaultHandlersXn, AFetchFromNonExecutableMemoryIsAMemManageFault) {
  run(7);
  EXPECT_EQ(result(5), 4u) << "MemManage";
  EXPECT_EQ(result(1), 1u) << "IACCVIOL, and no MMFAR for an instruction access";
  EXPECT_EQ(result(4), 0x10003000u) << "the stacked PC is where the fetch was refused";
}

TEST_F(FaultHandlers, SvcReachesItsHandlerWithItsImmediateAndArguments) {
  run(4);
  EXPECT_EQ(result(6), 42u) << "the immediate, read from before the stacked PC";
  EXPECT_EQ(result(8), 14u) << "r0 doubled through the stacked frame";
}

TEST_F(FaultHandlers, BxWithoutTheThumbBitIsInvalidState) {
  run(5);
  EXPECT_EQ(result(5), 6u);
  EXPECT_EQ(result(1), kInvstate);
  EXPECT_EQ(result(6), 0x1Au) << "the handler made the target run as Thumb code";
}

// An invalid EXC_RETURN, then a HardFault handler that spins: the crash rule
// for a firmware stuck in a fault handler (0.1 s of the core's clock).
TEST_F(FaultHandlers, AHandlerStuckInHardFaultIsReportedCrashed) {
  boot("faults_handled", 6);
  ASSERT_TRUE(eventually([&] { return proc_->state() == CoreState::kCrashed; }));
  EXPECT_EQ(result(5), 3u);
  EXPECT_EQ(result(1), kInvpc);
  EXPECT_EQ(result(2), kForced);
  const std::string reason = crash_reason();
  EXPECT_EQ(reason.rfind("stuck in the HardFault handler for ", 0), 0u) << reason;
  EXPECT_NE(reason.find(" cycles after invalid exception return to 0xfffffff5 from SVCall"),
            std::string::npos)
      << reason;
  // Recovery works: stop, boot again.
  ASSERT_TRUE(proc_->stop().ok());
  write_word(*proc_, 0x10000200, 4);
  ASSERT_TRUE(proc_->start(0).ok());
  EXPECT_TRUE(eventually([&] { return result(8) == 14; }));
}

TEST_F(Exceptions, FpContextSurvivesInterruptsAndNestedInterrupts) {
  boot("fp_context");
  ASSERT_TRUE(eventually([&] {
    return result(3) >= 2000 && result(7) >= 400 && result(0) >= 1000;
  })) << "ticks "
      << result(3) << ", IRQ0 runs " << result(7) << ", checks " << result(0) << "; "
      << crash_reason();
  EXPECT_EQ(result(1), 0u) << "S0-S15 or FPSCR of the main program changed under an interrupt";
  EXPECT_EQ(result(2), 0u) << "the SysTick handler's FP registers changed under IRQ0";
  EXPECT_EQ(result(4), 0xFFFFFFE9u) << "SysTick: thread mode, main stack, extended frame";
  EXPECT_EQ(result(5), 0xFFFFFFE1u) << "IRQ0: handler mode, extended frame";
  EXPECT_EQ(result(6) & 0x4u, 0x4u) << "CONTROL.FPCA is set once the main program used FP";
}

TEST_F(Exceptions, SysresetreqRestartsTheCoreAndKeepsMemory) {
  boot("sysreset");
  ASSERT_TRUE(eventually([&] { return result(0) == 3 && result(1) != 0xFFFFFFFF; }))
      << crash_reason();
  ASSERT_TRUE(eventually([&] { return proc_->core().resets() == 2; }));
  EXPECT_EQ(proc_->state(), CoreState::kRunning) << "a reset is not a crash";
  EXPECT_EQ(result(1), 0u) << "VTOR back at the boot vector table";
  EXPECT_EQ(result(2) & 1u, 0u) << "SysTick stopped";
  EXPECT_EQ(result(3), 0u) << "interrupts disabled";
  EXPECT_EQ(result(4), 0u) << "PRIMASK clear";
  EXPECT_EQ(result(5), 0u) << "CONTROL clear: thread mode on the main stack";
}

TEST_F(Exceptions, TwoThreadsSwitchThroughSvcAndPendSvOnTheProcessStack) {
  boot("rtos");
  ASSERT_TRUE(eventually([&] { return result(0) > 20000 && result(1) > 20000; }))
      << "A " << result(0) << ", B " << result(1) << "; " << crash_reason();
  EXPECT_GT(result(7), 100u) << "switches";
  EXPECT_GT(result(4), 50u) << "SysTick pre-empted thread B, which never yields";
  EXPECT_EQ(result(2), 0u) << "thread A lost a register across a switch";
  EXPECT_EQ(result(3), 0u) << "thread B lost a register across a switch";
  EXPECT_EQ(result(5) & 0x3u, 0x2u) << "threads run privileged on the process stack";
  EXPECT_GE(result(6), 0x10000400u) << "PSP inside thread A's stack (in .bss), not the MSP's";
  EXPECT_LT(result(6), 0x10001000u);
  EXPECT_EQ(proc_->state(), CoreState::kRunning);
}

// The same firmware on a Cortex-M33 (Armv8-M without the Security
// Extension), whose EXC_RETURN values differ: the handlers see 0xFFFFFFB8-style
// values, and the RTOS's Armv7-M constant (0xFFFFFFFD) still returns.
class ExceptionsM33 : public Exceptions {
 protected:
  ProcessorDescription description() override {
    ProcessorDescription p = ten_mhz_processor();
    p.core = CoreType::kCortexM33;
    return p;
  }
};

TEST_F(ExceptionsM33, TwoThreadsSwitchThroughSvcAndPendSv) {
  boot("rtos");
  ASSERT_TRUE(eventually([&] { return result(0) > 20000 && result(1) > 20000; }))
      << "A " << result(0) << ", B " << result(1) << "; " << crash_reason();
  EXPECT_EQ(result(2), 0u);
  EXPECT_EQ(result(3), 0u);
}

TEST_F(ExceptionsM33, HandlersSeeArmv8ExcReturnValues) {
  boot("priorities", 1);
  ASSERT_TRUE(eventually([&] { return result(0) == 4 && result(4) == 0xFF; })) << crash_reason();
  EXPECT_EQ(result(3), 0xFFFFFFB8u) << "thread mode, main stack, no FP context, Non-secure";
}

TEST_F(ExceptionsM33, FaultsReachTheirHandlers) {
  boot("faults_handled", 1);
  ASSERT_TRUE(eventually([&] { return result(0) == 0xD0E; })) << crash_reason();
  EXPECT_EQ(result(1), kPreciserr | kBfarvalid);
  EXPECT_EQ(result(3), 0x60000000u);
}

// Firmware that breaks the exception model, from the attacker's side: each
// way ends in the documented crash with its reason, the host goes on, and the
// processor boots again.
class HostileFirmware : public Exceptions {
 protected:
  // A 1 MHz clock: the storms and the endless handler end in 1 s of it.
  ProcessorDescription description() override {
    ProcessorDescription p = test_processor();
    p.clock_hz = 1'000'000;
    return p;
  }
  std::string crashes_with(uint32_t scenario) {
    boot("hostile", scenario);
    EXPECT_TRUE(eventually([&] { return proc_->state() == CoreState::kCrashed; }))
        << "scenario " << scenario << " did not crash";
    EXPECT_EQ(result(0), 0x60 + scenario) << "the program ran";
    return crash_reason();
  }
  // The processor comes back: stop, then a firmware that runs.
  void recovers() {
    ASSERT_TRUE(proc_->stop().ok());
    ASSERT_TRUE(proc_->release().ok());
    boot("systick");
    EXPECT_TRUE(eventually([&] { return result(0) >= 10; }));
    EXPECT_EQ(proc_->state(), CoreState::kRunning);
  }
};

TEST_F(HostileFirmware, VtorOutsideMemoryLocksUpAtTheFirstException) {
  EXPECT_EQ(crashes_with(0),
            "SysTick; lock-up: the vector table at 0x30000000 (VTOR) is outside memory");
  recovers();
}

TEST_F(HostileFirmware, VectorsPointingOutsideMemoryFaultThenLockUp) {
  EXPECT_EQ(crashes_with(1),
            "instruction fetch from unmapped address 0x70000000; lock-up: a fault in the "
            "HardFault handler");
  recovers();
}

TEST_F(HostileFirmware, AnExceptionStormIsReportedCrashed) {
  const std::string reason = crashes_with(2);
  EXPECT_EQ(reason.rfind("no return to thread mode for ", 0), 0u) << reason;
  EXPECT_NE(reason.find("an exception storm or a handler that never returns; now in SysTick"),
            std::string::npos)
      << reason;
  EXPECT_GT(result(3), 1000u) << "the handler kept running";
  recovers();
}

TEST_F(HostileFirmware, AnInterruptTheHostHoldsAssertedIsAStorm) {
  boot("hostile", 3);
  ASSERT_TRUE(eventually([&] { return result(0) == 0x63; }));
  ASSERT_TRUE(proc_->core().set_irq_level(0, true));
  ASSERT_TRUE(eventually([&] { return proc_->state() == CoreState::kCrashed; }));
  EXPECT_NE(crash_reason().find("now in IRQ 0"), std::string::npos) << crash_reason();
  EXPECT_GT(result(4), 1000u);
  EXPECT_FALSE(proc_->core().set_irq_level(150, true)) << "no such line";
  ASSERT_TRUE(proc_->core().set_irq_level(0, false));
  recovers();
}

TEST_F(HostileFirmware, AHandlerThatNeverReturnsIsReportedCrashed) {
  const std::string reason = crashes_with(4);
  EXPECT_EQ(reason.rfind("no return to thread mode for ", 0), 0u) << reason;
  EXPECT_NE(reason.find("now in SysTick"), std::string::npos) << reason;
  recovers();
}

TEST_F(HostileFirmware, AFaultInTheHardFaultHandlerLocksUp) {
  EXPECT_EQ(crashes_with(5), "undefined instruction; lock-up: a fault in the HardFault handler");
  EXPECT_EQ(result(1), kUndefinstr) << "the first fault reached the handler";
  EXPECT_EQ(result(2), kForced);
  recovers();
}

TEST_F(HostileFirmware, AStackPointerOutsideMemoryLocksUpWhenStacking) {
  EXPECT_EQ(crashes_with(6),
            "SVC #1; lock-up: stacking failed: the main stack pointer 0x30000000 leaves no "
            "writable memory for the 32-byte frame");
  recovers();
}

TEST_F(HostileFirmware, AProcessStackOutsideMemoryLocksUpWhenAnInterruptComes) {
  EXPECT_EQ(crashes_with(11),
            "SysTick; lock-up: stacking failed: the process stack pointer 0x30000000 leaves no "
            "writable memory for the 32-byte frame");
  recovers();
}

TEST_F(HostileFirmware, WfiInTheHardFaultHandlerIsReportedCrashed) {
  EXPECT_EQ(crashes_with(7), "halted (WFI) in the HardFault handler after undefined instruction");
  recovers();
}

TEST_F(HostileFirmware, AFaultWithFaultmaskSetLocksUp) {
  EXPECT_EQ(crashes_with(8),
            "undefined instruction; lock-up: a fault at priority -1 (FAULTMASK set)");
  recovers();
}

TEST_F(HostileFirmware, ResettingForEverIsNoCrashAndStopsAtOnce) {
  boot("hostile", 9);
  ASSERT_TRUE(eventually([&] { return proc_->core().resets() > 100; }));
  EXPECT_EQ(proc_->state(), CoreState::kRunning);
  EXPECT_GT(result(5), 100u) << "every reset booted again";
  ASSERT_TRUE(proc_->stop().ok());
  EXPECT_EQ(proc_->state(), CoreState::kOffline);
}

TEST_F(HostileFirmware, OnesInEveryScsRegisterEndInACrashWithAReason) {
  const std::string reason = crashes_with(10);
  EXPECT_FALSE(reason.empty());
  recovers();
}

}  // namespace
}  // namespace captee::platform::testing
