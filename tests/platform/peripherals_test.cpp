// The STM32MP15's peripherals as the emulated M4 sees them, each with a small
// C firmware of its own (programs/*.c on programs/startup_stm32mp15.c): the
// SoC's peripheral map (an unmodelled peripheral is a crash naming it), the
// IPCC (status, set, clear and mask registers and its two interrupts), HSEM
// (lock and unlock rules, its interrupt), RCC's ready flags, SYSCFG's boot
// mode and PWR.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "captee/platform/remote_processor.hpp"
#include "test_support.hpp"

namespace captee::platform::testing {
namespace {

// The test platform with the STM32MP15's IPCC and peripheral map, clocked at
// 10 MHz like the exception tests.
ProcessorDescription stm32mp15_test_processor() {
  ProcessorDescription p = test_processor();
  p.clock_hz = 10'000'000;
  p.mailbox_layout = MailboxLayout::kStm32Ipcc;
  p.peripherals = stm32mp15_peripherals();
  return p;
}

class Peripherals : public ProgramTest {
 protected:
  ProcessorDescription description() override { return stm32mp15_test_processor(); }
};

// ---- The SoC's map ----

TEST_F(Peripherals, AReadOfAnUnmodelledPeripheralIsACrashNamingIt) {
  boot("unmodelled", 0);
  ASSERT_TRUE(eventually([&] { return proc_->state() == CoreState::kCrashed; }))
      << "never a silent zero";
  EXPECT_EQ(crash_reason(),
            "read from SPI2 at 0x4000b008, a peripheral this platform does not model");
  EXPECT_EQ(proc_->core().last_crash()->fault_address, 0x4000B008u);
  EXPECT_EQ(result(0), 0u) << "not a BusFault the firmware could handle";
  EXPECT_EQ(result(2), 0u) << "the access did not return";
}

TEST_F(Peripherals, AWriteToAnUnmodelledPeripheralIsACrashNamingIt) {
  boot("unmodelled", 1);
  ASSERT_TRUE(eventually([&] { return proc_->state() == CoreState::kCrashed; }));
  EXPECT_EQ(crash_reason(),
            "write to I2C4 at 0x5c002000, a peripheral this platform does not model");
  EXPECT_EQ(result(0), 0u);
}

TEST_F(Peripherals, AnAddressInNoPeripheralStillFaultsToTheFirmware) {
  boot("unmodelled", 2);
  ASSERT_TRUE(eventually([&] { return result(0) == 1; })) << crash_reason();
  EXPECT_EQ(result(1), 0x4001A000u) << "a precise BusFault with BFAR";
  // The handler then spins, which the crash rules end after 0.1 s of the
  // clock; whenever that happens, it is not the unmodelled-peripheral crash.
  EXPECT_EQ(crash_reason().find("does not model"), std::string::npos) << crash_reason();
}

TEST_F(Peripherals, TheProcessorBootsAgainAfterAnUnmodelledAccess) {
  boot("unmodelled", 0);
  ASSERT_TRUE(eventually([&] { return proc_->state() == CoreState::kCrashed; }));
  ASSERT_TRUE(proc_->stop().ok());
  write_word(*proc_, 0x10000200, 2);
  ASSERT_TRUE(proc_->start(0).ok());
  EXPECT_TRUE(eventually([&] { return result(0) == 1; })) << crash_reason();
}

// ---- IPCC ----

TEST_F(Peripherals, IpccStatusSetClearAndMaskRegisters) {
  boot("ipcc", 0);
  ASSERT_TRUE(eventually([&] { return result(3) != 0; })) << crash_reason();
  EXPECT_EQ(result(0), 0x003F003Fu) << "C2MR: every channel masked at reset";
  EXPECT_EQ(result(1), 0u) << "C2CR: no interrupt enabled at reset";
  EXPECT_EQ(result(2), 6u) << "HWCFGR: six channels";
  EXPECT_EQ(result(3), 0x5u) << "C2TOC1SR: CH1S and CH3S set channels 1 and 3";
  EXPECT_EQ(proc_->mailbox().host_pending(), 0x5u) << "the host sees the M4's flags";
  proc_->mailbox().kick(0x12);
  ASSERT_TRUE(eventually([&] { return result(7) == 1; })) << crash_reason();
  EXPECT_EQ(result(4), 0x12u) << "C1TOC2SR: the host's flags";
  EXPECT_EQ(result(5), 0u) << "C2SCR CHnC cleared them";
  EXPECT_EQ(proc_->mailbox().firmware_pending(), 0u);
  EXPECT_EQ(result(6), 0x0000003Fu) << "a byte write to C2MR keeps its other bytes";
  proc_->mailbox().ack(0x1);
  EXPECT_EQ(proc_->mailbox().host_pending(), 0x4u) << "the host clears channel 1 only";
}

TEST_F(Peripherals, IpccHostKicksOnChannelsTheIpccLacksAreDropped) {
  boot("ipcc", 0);
  ASSERT_TRUE(eventually([&] { return result(3) != 0; })) << crash_reason();
  proc_->mailbox().kick(0xFFFFFFC0u);
  EXPECT_EQ(proc_->mailbox().firmware_pending(), 0u);
  proc_->mailbox().kick(0xFFFFFFFFu);
  ASSERT_TRUE(eventually([&] { return result(7) == 1; })) << crash_reason();
  EXPECT_EQ(result(4), 0x3Fu);
}

TEST_F(Peripherals, IpccReceiveOccupiedAndTransmitFreeInterrupts) {
  boot("ipcc", 1);
  // Channel 6's receive-occupied interrupt is masked: its flag waits.
  proc_->mailbox().kick(0x20);
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  EXPECT_EQ(result(1), 0u) << "a masked channel raises no interrupt";
  EXPECT_EQ(proc_->mailbox().firmware_pending(), 0x20u);
  EXPECT_EQ(proc_->state(), CoreState::kRunning) << crash_reason();
  // Channel 2 is unmasked: IPCC_RX1 wakes the sleeping M4.
  proc_->mailbox().kick(0x2);
  ASSERT_TRUE(eventually([&] { return result(1) == 1; })) << crash_reason();
  EXPECT_EQ(result(0), 0x2u) << "the handler saw only the unmasked channel";
  EXPECT_EQ(proc_->mailbox().firmware_pending(), 0x20u) << "the masked flag is still set";
  ASSERT_TRUE(eventually([&] { return proc_->mailbox().host_pending() == 0x2u; }))
      << "the handler answered on channel 2";
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(result(2), 0u) << "channel 2 is still occupied: no transmit-free interrupt";
  // The host takes the M4's message: channel 2 is free, IPCC_TX1 fires.
  proc_->mailbox().ack(0x2);
  ASSERT_TRUE(eventually([&] { return result(2) == 1; })) << crash_reason();
  EXPECT_EQ(result(3), 0u) << "C2TOC1SR in the transmit-free handler";
  // The handler masked the free interrupt again: it fires once.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(result(2), 1u);
  // A second message goes the same way.
  proc_->mailbox().kick(0x1);
  ASSERT_TRUE(eventually([&] { return result(1) == 2; })) << crash_reason();
  EXPECT_EQ(result(0), 0x3u);
  EXPECT_EQ(proc_->state(), CoreState::kRunning);
}

TEST_F(Peripherals, IpccFirmwareKicksReachTheHostsHandler) {
  std::atomic<uint32_t> seen{0};
  proc_->mailbox().on_firmware_kick([&](uint32_t channels) {
    seen |= channels;
    return true;  // taken at once: the channels are free again
  });
  boot("ipcc", 0);
  ASSERT_TRUE(eventually([&] { return seen.load() == 0x5u; })) << crash_reason();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // C2TOC1SR read after the kick
  EXPECT_EQ(result(2), 6u);
  EXPECT_EQ(proc_->mailbox().host_pending(), 0u) << "a taken kick never shows as pending";
  EXPECT_EQ(result(3), 0u) << "so C2TOC1SR reads the channels free";
  proc_->mailbox().on_firmware_kick(nullptr);
}

TEST_F(Peripherals, IpccOnesWrittenEverywhereKeepOnlyTheM4sRegisterBits) {
  std::atomic<uint32_t> kicks{0}, calls{0};
  proc_->mailbox().on_firmware_kick([&](uint32_t channels) {
    kicks |= channels;
    calls++;
    return false;
  });
  proc_->mailbox().kick(0x3);
  boot("ipcc", 2);
  ASSERT_TRUE(eventually([&] { return result(7) == 1; })) << crash_reason();
  EXPECT_EQ(result(0), 0x00010001u) << "C2CR: RXOIE and TXFIE only";
  EXPECT_EQ(result(1), 0x003F003Fu) << "C2MR: the six channels' masks only";
  EXPECT_EQ(result(2), 0u) << "the host's C1CR is not the M4's to write";
  EXPECT_EQ(result(3), 0u) << "nor C1MR";
  EXPECT_EQ(result(4), 0x3Fu) << "C2SCR's CHnS bits kicked all six channels";
  EXPECT_EQ(result(5), 6u) << "HWCFGR is read-only";
  EXPECT_EQ(kicks.load(), 0x3Fu) << "the host heard the six channels, nothing more";
  EXPECT_EQ(calls.load(), 1u) << "the second pass set flags already set: no new kick";
  EXPECT_EQ(proc_->mailbox().firmware_pending(), 0u) << "C2SCR's CHnC bits cleared the host's";
  EXPECT_EQ(proc_->state(), CoreState::kRunning) << crash_reason();
  proc_->mailbox().on_firmware_kick(nullptr);
}

// ---- HSEM ----

TEST_F(Peripherals, HsemLockAndUnlockRules) {
  boot("hsem", 0);
  ASSERT_TRUE(eventually([&] { return result(20) == 1; })) << crash_reason();
  EXPECT_EQ(result(0), 0x80000200u) << "reading RLR0 takes semaphore 0 for the M4 (COREID 2)";
  EXPECT_EQ(result(1), 0x80000200u) << "R0 shows the owner, PROCID 0";
  EXPECT_EQ(result(2), 0x80000200u) << "a second 1-step read returns the owner";
  EXPECT_EQ(result(3), 0x80000205u) << "the 2-step lock with PROCID 5";
  EXPECT_EQ(result(4), 0x80000205u) << "a second 2-step lock does not take a held semaphore";
  EXPECT_EQ(result(5), 0x80000200u) << "an unlock with the A7's COREID is ignored";
  EXPECT_EQ(result(6), 0x80000205u) << "an unlock with the wrong PROCID is ignored";
  EXPECT_EQ(result(7), 0u) << "the owner's unlock frees it";
  EXPECT_EQ(result(8), 0u) << "the M4 cannot lock in the A7's name";
  EXPECT_EQ(result(9), 1u << 1) << "C2ISR: semaphore 1 was freed";
  EXPECT_EQ(result(11), 1u) << "freeing semaphore 0 with C2IER bit 0 raised HSEM_IT2 once";
  EXPECT_EQ(result(10), 1u << 0) << "C2MISR in the handler";
  EXPECT_NE(result(12) & 0x80000000u, 0u) << "a clear-all with the A7's COREID is ignored";
  EXPECT_NE(result(13) & 0x80000000u, 0u) << "a clear-all with the wrong key is ignored";
  EXPECT_EQ(result(14), 0u) << "the right key and COREID free the M4's semaphores";
  EXPECT_EQ(result(15), 0x220u) << "HWCFGR1: 32 semaphores, 2 interrupts";
}

TEST_F(Peripherals, HsemOnesWrittenEverywhereTakeAndFreeNothing) {
  boot("hsem", 1);
  ASSERT_TRUE(eventually([&] { return result(20) == 1; })) << crash_reason();
  EXPECT_EQ(result(0), 0x80000200u) << "ones are COREID 15: the M4's semaphore stays held";
  EXPECT_EQ(result(1), 0xFFFFFFFFu) << "C2IER is the M4's to write";
  EXPECT_EQ(result(2), 0xFFFF0000u) << "KEYR holds the key only";
  EXPECT_EQ(result(3), 0u) << "no semaphore taken by ones";
  EXPECT_EQ(result(4), 0u) << "the A7's interrupt enables are not the M4's";
  EXPECT_EQ(proc_->state(), CoreState::kRunning) << crash_reason();
}

// ---- USART3, the console ----

TEST_F(Peripherals, UartConsoleTransmitsIntoTheLogAndReceivesFromTheHost) {
  UartConsole *console = proc_->console();
  ASSERT_NE(console, nullptr);
  boot("uart", 0);
  ASSERT_TRUE(eventually([&] { return result(0) == 1; })) << crash_reason();
  EXPECT_EQ(console->output(), "usart3: hello from the M4\r\n");
  const std::string typed = "echo me";
  EXPECT_EQ(console->send(std::span<const uint8_t>(reinterpret_cast<const uint8_t *>(typed.data()),
                                                   typed.size())),
            typed.size());
  ASSERT_TRUE(eventually([&] { return result(1) == typed.size(); })) << crash_reason();
  EXPECT_TRUE(eventually([&] {
    return console->output() == "usart3: hello from the M4\r\nECHO ME";
  })) << console->output();
  EXPECT_EQ(console->output_total(), 34u);
}

TEST_F(Peripherals, UartReceiveInterruptWakesTheFirmware) {
  boot("uart", 1);
  ASSERT_TRUE(eventually([&] { return result(0) == 1; })) << crash_reason();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(result(2), 0u) << "asleep: nothing received";
  const uint8_t bytes[] = {'x', 'y', 'z'};
  EXPECT_EQ(proc_->console()->send(bytes), 3u);
  ASSERT_TRUE(eventually([&] { return result(2) == 3; })) << crash_reason();
  EXPECT_TRUE(eventually([&] {
    return proc_->console()->output() == "usart3: hello from the M4\r\nxyz";
  })) << proc_->console()->output();
  EXPECT_EQ(proc_->state(), CoreState::kRunning);
}

TEST_F(Peripherals, UartInputIsBoundedAndTheLogOutlivesTheBoot) {
  boot("uart", 1);
  ASSERT_TRUE(eventually([&] { return result(0) == 1; })) << crash_reason();
  ASSERT_TRUE(proc_->stop().ok());  // nobody reads: the input queue fills
  std::vector<uint8_t> flood(UartConsole::kInputQueued + 100, 'q');
  EXPECT_EQ(proc_->console()->send(flood), UartConsole::kInputQueued);
  EXPECT_EQ(proc_->console()->send(flood), 0u);
  EXPECT_EQ(proc_->console()->output(), "usart3: hello from the M4\r\n");
}

TEST_F(Peripherals, UartOnesWrittenEverywhere) {
  boot("uart", 2);
  ASSERT_TRUE(eventually([&] { return result(20) == 1; })) << crash_reason();
  EXPECT_EQ(proc_->console()->output(), std::string(2, '\xFF'))
      << "TDR took a byte on each pass, UE and TE being set";
  EXPECT_EQ(result(0) & 0x00600000u, 0x00600000u) << "TEACK and REACK";
  EXPECT_EQ(result(0) & (1u << 5), 0u) << "nothing received";
  EXPECT_EQ(proc_->state(), CoreState::kRunning) << crash_reason();
}

// ---- TIM2, a tick source ----

TEST_F(Peripherals, Tim2UpdateInterruptEveryPeriodOfTheInstructionClock) {
  boot("tim2", 0);
  ASSERT_TRUE(eventually([&] { return result(0) >= 100; })) << crash_reason();
  ASSERT_TRUE(proc_->stop().ok());
  // The handler runs within a few instructions of each update (the core
  // takes interrupts between basic blocks), so CNT is still low, and the
  // main loop makes the same number of passes between ticks, give or take one.
  for (uint32_t t = 1; t < 16; ++t) {
    EXPECT_LE(result(18 + t), 5u) << "tick " << t;
    if (t >= 2) {
      const uint32_t passes = result(2 + t) - result(1 + t);
      EXPECT_GE(passes + 1, result(3) - result(2)) << "tick " << t;
      EXPECT_LE(passes, result(3) - result(2) + 1) << "tick " << t;
    }
  }
  EXPECT_GT(result(3) - result(2), 50u) << "the main loop runs between ticks";
  const uint64_t cycles = proc_->core().cycles();
  const uint64_t ticks = result(0);
  EXPECT_LE(ticks * 1000, cycles) << "one update per 10 x 100 cycles";
  EXPECT_GE((ticks + 2) * 1000, cycles - 200);
}

TEST_F(Peripherals, Tim2UpdateFlagCanBePolled) {
  boot("tim2", 1);
  ASSERT_TRUE(eventually([&] { return result(20) == 1; })) << crash_reason();
  EXPECT_EQ(result(0), 10u);
  EXPECT_LT(result(1), 500u) << "CNT stays below ARR + 1";
  EXPECT_GE(proc_->core().cycles(), 10u * 500u);
}

TEST_F(Peripherals, Tim2WakesASleepingFirmware) {
  boot("tim2", 2);
  ASSERT_TRUE(eventually([&] { return result(0) >= 20; })) << crash_reason();
  EXPECT_GE(result(1) + 2, result(0)) << "each tick ended a WFI";
  EXPECT_EQ(proc_->state(), CoreState::kRunning);
}

TEST_F(Peripherals, Tim2OnesWrittenEverywhere) {
  boot("tim2", 3);
  ASSERT_TRUE(eventually([&] { return result(20) == 1; })) << crash_reason();
  EXPECT_EQ(result(1), 0xFFFFu) << "PSC has 16 bits";
  EXPECT_EQ(result(2), 0u) << "URS (set by the ones in CR1) keeps UG from setting UIF";
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(proc_->state(), CoreState::kRunning) << crash_reason();
}

// ---- GPIO and EXTI ----

TEST_F(Peripherals, AButtonPressRaisesTheExtiInterruptAndTheLedFollows) {
  GpioPins *gpio = proc_->gpio();
  ASSERT_NE(gpio, nullptr);
  boot("gpio", 0);
  ASSERT_TRUE(eventually([&] { return read_word(*proc_, 0x10000100 + 4 * 2) == 1; }))
      << "PC13 reads high through its pull-up: " << crash_reason();
  bool led = true;
  ASSERT_TRUE(eventually([&] { return gpio->read_pin(3, 11, &led) && !led; }));
  EXPECT_TRUE(gpio->set_input(2, 13, false)) << "press";
  ASSERT_TRUE(eventually([&] { return result(0) == 1; })) << crash_reason();
  EXPECT_EQ(result(1), 0u) << "the handler reads the pressed level";
  ASSERT_TRUE(eventually([&] { return gpio->read_pin(3, 11, &led) && led; })) << "LED on";
  EXPECT_TRUE(gpio->set_input(2, 13, true)) << "release: a rising edge, not watched";
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(result(0), 1u);
  EXPECT_TRUE(gpio->set_input(0, 13, false)) << "PA13: line 13 is GPIOC's";
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(result(0), 1u);
  EXPECT_TRUE(gpio->set_input(2, 13, false)) << "second press";
  ASSERT_TRUE(eventually([&] { return result(0) == 2; })) << crash_reason();
  ASSERT_TRUE(eventually([&] { return gpio->read_pin(3, 11, &led) && !led; })) << "LED off";
  EXPECT_GE(result(3), 2u) << "each press ended a WFI";
  EXPECT_FALSE(gpio->set_input(12, 0, true)) << "no port 12";
  EXPECT_FALSE(gpio->set_input(0, 16, true)) << "no pin 16";
  EXPECT_FALSE(gpio->read_pin(0, 16, &led));
}

TEST_F(Peripherals, GpioAndExtiOnesWrittenEverywhere) {
  boot("gpio", 1);
  ASSERT_TRUE(eventually([&] { return result(20) == 1; })) << crash_reason();
  EXPECT_EQ(result(0), 0u) << "SWIER1's pending bits were cleared by the ones in RPR1";
  EXPECT_EQ(result(1), 0u) << "BSRR's reset half wins, then BRR clears";
  EXPECT_EQ(result(2), 0u) << "analog pins with a reserved pull read low";
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(proc_->state(), CoreState::kRunning) << crash_reason();
}

// ---- RCC, SYSCFG, PWR ----

TEST_F(Peripherals, RccReadyFlagsFollowEnablesAndSettingsReadBack) {
  boot("rcc", 0);
  ASSERT_TRUE(eventually([&] { return result(20) == 1; })) << crash_reason();
  EXPECT_EQ(result(0), 0x105u) << "HSI (and its divider) and HSE ready, as the A7 left them";
  EXPECT_EQ(result(16), 0x73u) << "PLL3 on and ready, its three outputs enabled";
  EXPECT_EQ(result(1), 0x115u) << "CSIRDY follows CSION";
  EXPECT_EQ(result(2), 0x111u) << "OCENSETR reads the enables";
  EXPECT_EQ(result(3), 0x105u) << "CSIRDY drops when CSI is turned off";
  EXPECT_EQ(result(4), 0x101u) << "OCENCLRR reads the enables too";
  EXPECT_EQ(result(5), (1u << 12) | (1u << 11)) << "MC_AHB3ENSETR: IPCC and HSEM enabled";
  EXPECT_EQ(result(6), 1u << 11) << "MC_AHB3ENCLRR disabled the IPCC only";
  EXPECT_EQ(result(7), 0x3u) << "PLLRDY follows PLLON";
  EXPECT_EQ(result(8), 0u);
  EXPECT_EQ(result(9), 0x80000001u) << "MSSCKSELR: HSE selected, the switch done";
  EXPECT_EQ(result(10), 0x80000000u) << "MCUDIVR ready";
  EXPECT_EQ(result(11), 0x80000001u) << "APB1DIVR ready";
  EXPECT_EQ(result(12), 2u) << "a kernel clock selection reads back";
  EXPECT_EQ(result(13), 5u) << "SYSCFG_BOOTR: production boot (SD card), not engineering (6)";
  EXPECT_EQ(result(14), 5u) << "the boot pins ignore writes";
  EXPECT_EQ(result(15), 1u << 8) << "PWR_CR1 reads back";
}

TEST_F(Peripherals, RccOnesWrittenEverywhereOnlyChangeRegisterValues) {
  boot("rcc", 1);
  ASSERT_TRUE(eventually([&] { return result(20) == 1; })) << crash_reason();
  EXPECT_EQ(result(0), 0u)
      << "OCENCLRR's ones, written after OCENSETR's, turned every oscillator off";
  EXPECT_EQ(result(1), 0xFFFFFFFFu) << "PLL4 on and ready";
  EXPECT_EQ(result(2), 0xFFFFFFFFu);
  EXPECT_EQ(proc_->state(), CoreState::kRunning) << "the core runs on: nothing is clocked for real";
}

TEST_F(Peripherals, ModelledRegistersResetAtEachBoot) {
  boot("rcc", 1);
  ASSERT_TRUE(eventually([&] { return result(20) == 1; })) << crash_reason();
  ASSERT_TRUE(proc_->stop().ok());
  write_word(*proc_, 0x10000100 + 4 * 20, 0);
  write_word(*proc_, 0x10000200, 0);
  ASSERT_TRUE(proc_->start(0).ok());
  ASSERT_TRUE(eventually([&] { return result(20) == 1; })) << crash_reason();
  EXPECT_EQ(result(0), 0x105u) << "OCRDYR as at the first boot";
}

}  // namespace
}  // namespace captee::platform::testing
