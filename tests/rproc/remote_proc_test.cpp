// RemoteProc against an in-process capteed: Linux's boot, shutdown and
// recovery sequences, failures that end offline and wiped, the crash-loop
// back-off, core dumps, two processors, capteed going away and coming back.
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "IRemoteprocHost.hpp"
#include "captee/fwimage/signed_image.hpp"
#include "rproc_fixture.hpp"

namespace captee::rproc::testing {
namespace {

#define REQUIRE_FIRMWARE()                                       \
  do {                                                           \
    if (!firmware_built()) {                                     \
      GTEST_SKIP() << "the sample firmware was not cross-built"; \
    }                                                            \
  } while (0)

using RemoteProcTest = RprocFixture;

TEST_F(RemoteProcTest, BootTraceStop) {
  REQUIRE_FIRMWARE();
  start_manager(default_options());
  EXPECT_EQ(proc().status().state, State::kOffline);
  std::vector<std::string> steps;
  ASSERT_EQ(proc().boot(dev_signed_firmware(), "captee-m4.sig",
                        [&](const std::string &s) { steps.push_back(s); }),
            Outcome::kOk)
      << proc().status().last_error;
  EXPECT_GE(steps.size(), 3u) << "progress hears the steps";
  RemoteProcStatus s = proc().status();
  EXPECT_EQ(s.state, State::kRunning);
  EXPECT_EQ(s.firmware, "captee-m4.sig");
  EXPECT_EQ(s.boot_count, 1u);
  EXPECT_EQ(s.traces, 1u);
  ASSERT_TRUE(eventually([&] { return trace().find("captee-m4: boot 1\n") != std::string::npos; }))
      << trace();
  EXPECT_NE(trace().find("hello from the coprocessor"), std::string::npos);
  // Linux writes the vring notify ids into the cached table and copies it back.
  EXPECT_EQ(proc().boot(dev_signed_firmware(), "again"), Outcome::kBadState);
  ASSERT_EQ(proc().stop(), Outcome::kOk);
  EXPECT_EQ(proc().status().state, State::kOffline);
  EXPECT_TRUE(tee_->memory_wiped()) << "RELEASE_FW wiped the processor";
  EXPECT_EQ(proc().stop(), Outcome::kBadState);
  std::string t;
  EXPECT_EQ(proc().trace(0, &t), Outcome::kNotFound);
}

TEST_F(RemoteProcTest, OpteeSignedImageAndTwoImageBundleBoot) {
  start_manager(default_options());
  ASSERT_EQ(proc().boot(read_file(test_data("sample-m4.rsa2048.sig")), "sample-m4"), Outcome::kOk)
      << proc().status().last_error;
  EXPECT_TRUE(eventually([&] { return trace().rfind("sample: firmware up", 0) == 0; }));
  ASSERT_EQ(proc().stop(), Outcome::kOk);
  if (!firmware_built()) {
    return;
  }
  ASSERT_EQ(proc().boot(dev_signed_bundle(), "bundle"), Outcome::kOk) << proc().status().last_error;
  EXPECT_TRUE(eventually([&] {
    return trace().find("companion says: companion image up") != std::string::npos;
  })) << trace();
  ASSERT_EQ(proc().stop(), Outcome::kOk);
}

TEST_F(RemoteProcTest, TamperedImageFailsWithTheTasReasonOfflineAndWiped) {
  REQUIRE_FIRMWARE();
  start_manager(default_options());
  Bytes image = dev_signed_firmware();
  auto head = fwimage::head_size(image);
  ASSERT_TRUE(head.ok());
  image[head.value() + 0x1010] ^= 0x40;  // a code byte of the first segment
  EXPECT_EQ(proc().boot(image, "tampered"), Outcome::kFailed);
  RemoteProcStatus s = proc().status();
  EXPECT_EQ(s.state, State::kOffline);
  EXPECT_NE(s.last_error.find("the TEE refused the image: TEE_ERROR_SECURITY"), std::string::npos)
      << s.last_error;
  EXPECT_TRUE(tee_->memory_wiped());
  Bytes unsigned_by_us = dev_signed_firmware();
  unsigned_by_us[30] ^= 1;  // a TLV byte: the signature no longer verifies
  EXPECT_EQ(proc().boot(unsigned_by_us, "bad-tlv"), Outcome::kFailed);
  EXPECT_NE(proc().status().last_error.find("TEE_ERROR_SIGNATURE_INVALID"), std::string::npos)
      << proc().status().last_error;
  EXPECT_TRUE(tee_->memory_wiped());
  // And the processor still boots a good image afterwards.
  ASSERT_EQ(proc().boot(dev_signed_firmware(), "good"), Outcome::kOk);
  ASSERT_EQ(proc().stop(), Outcome::kOk);
}

// Linux undoes a failed boot of a loaded image with RELEASE_FW alone: the TA
// is LOADED, where it refuses STOP_FW (and says so in capteed's log).
TEST_F(RemoteProcTest, AFailedBootOfALoadedImageIsOnlyReleased) {
  start_manager(default_options());
  EXPECT_EQ(proc().boot(unplaceable_vring_firmware(), "unplaceable"), Outcome::kFailed);
  RemoteProcStatus s = proc().status();
  EXPECT_EQ(s.state, State::kOffline);
  EXPECT_NE(s.last_error.find("vring"), std::string::npos) << s.last_error;
  EXPECT_TRUE(tee_->memory_wiped()) << "RELEASE_FW wiped what LOAD_FW put there";
  EXPECT_FALSE(tee_->log_contains("STOP_FW refused")) << "no STOP_FW for a loaded image";
  ASSERT_EQ(proc().boot(silent_firmware(), "silent"), Outcome::kOk) << proc().status().last_error;
  ASSERT_EQ(proc().stop(), Outcome::kOk);
  EXPECT_FALSE(tee_->log_contains("STOP_FW refused"));
}

// ST's OpenAMP images leave their vrings to the host (FW_RSC_ADDR_ANY) and
// have no vdev0buffer carveout: Linux finds all three in the board's
// reserved memory by name. Before the platform knew its reserved memory,
// such an image failed: "no carveout and no non-secure memory to go to".
TEST_F(RemoteProcTest, StStyleImageWithHostPlacedVringsBootsIntoTheBoardsReservedMemory) {
  start_manager(default_options());
  ASSERT_EQ(proc().boot(st_style_firmware(), "st-style"), Outcome::kOk)
      << proc().status().last_error;
  EXPECT_EQ(proc().status().state, State::kRunning);
  // The loaded table says where the host put them, as Linux writes it back.
  auto table = tee_->soc().processor(0)->translate(kStStyleTableDa, 140);
  ASSERT_EQ(table.size(), 140u);
  auto word = [&](size_t at) {
    uint32_t v = 0;
    std::memcpy(&v, table.data() + at, 4);
    return v;
  };
  EXPECT_EQ(word(100), 0x10040000u) << "vring 0 in vdev0vring0";
  EXPECT_EQ(word(112), 0u) << "vring 0's notify id";
  EXPECT_EQ(word(120), 0x10041000u) << "vring 1 in vdev0vring1";
  EXPECT_EQ(word(132), 1u) << "vring 1's notify id";
  ASSERT_EQ(proc().stop(), Outcome::kOk);
  EXPECT_TRUE(tee_->memory_wiped());
}

// A signed segment in the reserved vring region: the TA does not share the
// region (the host could rewrite authenticated bytes through it) and refuses
// to let the host point the vring there, so the boot fails cleanly.
TEST_F(RemoteProcTest, ReservedMemoryHoldingSignedBytesIsNotSharedAndTheBootFails) {
  start_manager(default_options());
  EXPECT_EQ(proc().boot(st_style_firmware(/*data_in_vring0=*/true), "st-style"), Outcome::kFailed);
  EXPECT_EQ(proc().status().state, State::kOffline);
  EXPECT_NE(proc().status().last_error.find("vdev0vring0 [0x10040000, +438) is not shared"),
            std::string::npos)
      << proc().status().last_error;
  EXPECT_TRUE(tee_->memory_wiped());
}

TEST_F(RemoteProcTest, CrashWithAutomaticRecoveryBootsAgain) {
  REQUIRE_FIRMWARE();
  ManagerOptions o = default_options();
  char dir[] = "/tmp/captee-cores-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  o.proc.coredump = true;
  o.proc.coredump_dir = dir;
  start_manager(o);
  ASSERT_EQ(proc().boot(dev_signed_firmware(), "captee-m4.sig"), Outcome::kOk);
  ASSERT_TRUE(eventually([&] { return trace().find("boot 1\n") != std::string::npos; }));
  ASSERT_EQ(proc().crash("test"), Outcome::kOk);
  ASSERT_TRUE(eventually([&] { return proc().status().boot_count == 2; }))
      << proc().status().last_error;
  RemoteProcStatus s = proc().status();
  EXPECT_EQ(s.state, State::kRunning);
  EXPECT_EQ(s.crash_count, 1u);
  EXPECT_EQ(s.last_crash, "injected crash: test");
  EXPECT_TRUE(eventually([&] { return trace().find("captee-m4: boot 2\n") != std::string::npos; }))
      << "the second boot shows in the trace: " << trace();
  // The crash's core went to the directory.
  ASSERT_FALSE(s.last_coredump_file.empty());
  EXPECT_TRUE(std::filesystem::exists(s.last_coredump_file));
  Bytes core = read_file(s.last_coredump_file);
  ASSERT_GT(core.size(), 52u);
  EXPECT_EQ(core[16], 4) << "ET_CORE";
  ASSERT_EQ(proc().stop(), Outcome::kOk);
  std::filesystem::remove_all(dir);
}

TEST_F(RemoteProcTest, WithRecoveryDisabledACrashWaitsForRecover) {
  REQUIRE_FIRMWARE();
  ManagerOptions o = default_options();
  o.proc.recovery = false;
  start_manager(o);
  ASSERT_EQ(proc().boot(dev_signed_firmware(), "fw"), Outcome::kOk);
  EXPECT_EQ(proc().recover(), Outcome::kBadState) << "nothing to recover yet";
  ASSERT_TRUE(eventually([&] { return trace().find("boot 1\n") != std::string::npos; }));
  ASSERT_EQ(proc().crash("stay down"), Outcome::kOk);
  ASSERT_TRUE(eventually([&] { return proc().status().state == State::kCrashed; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(proc().status().state, State::kCrashed) << "no automatic recovery";
  EXPECT_EQ(proc().status().crash_count, 1u);
  std::string t;
  EXPECT_EQ(proc().trace(0, &t), Outcome::kOk) << "a crashed firmware's trace stays readable";
  EXPECT_EQ(proc().crash("again"), Outcome::kBadState);
  Bytes core;
  EXPECT_EQ(proc().coredump(&core), Outcome::kOk) << "taken on demand from the crashed processor";
  EXPECT_GT(core.size(), 0u);
  ASSERT_EQ(proc().recover(), Outcome::kOk) << proc().status().last_error;
  EXPECT_EQ(proc().status().state, State::kRunning);
  EXPECT_TRUE(eventually([&] { return trace().find("boot 2\n") != std::string::npos; })) << trace();
  ASSERT_EQ(proc().stop(), Outcome::kOk);
}

TEST_F(RemoteProcTest, ACrashLoopBacksOffThenStaysCrashed) {
  start_manager(default_options());
  ASSERT_EQ(proc().boot(crash_at_once_firmware(), "crasher"), Outcome::kOk)
      << "it starts; it crashes right after";
  ASSERT_TRUE(eventually([&] {
    RemoteProcStatus s = proc().status();
    return s.state == State::kCrashed && !s.busy &&
           s.last_error.find("automatic recovery stopped") != std::string::npos;
  })) << proc().status().last_error;
  RemoteProcStatus s = proc().status();
  // 1 crash + 3 recoveries that crashed again, then no more.
  EXPECT_EQ(s.crash_count, 4u);
  EXPECT_EQ(s.boot_count, 4u);
  EXPECT_NE(s.last_crash.find("undefined instruction"), std::string::npos) << s.last_crash;
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(proc().status().crash_count, 4u) << "it stays down";
  // `recover` by hand starts a new streak; stop ends it.
  EXPECT_EQ(proc().recover(), Outcome::kOk);
  ASSERT_TRUE(eventually([&] { return proc().status().crash_count >= 5; }));
  ASSERT_TRUE(eventually([&] { return !proc().status().busy; }));
  EXPECT_EQ(proc().stop(), Outcome::kOk);
  EXPECT_EQ(proc().status().state, State::kOffline);
}

TEST_F(RemoteProcTest, FirmwareThatNeverWritesItsTraceIsHarmless) {
  start_manager(default_options());
  ASSERT_EQ(proc().boot(silent_firmware(), "silent"), Outcome::kOk);
  EXPECT_EQ(proc().status().traces, 0u);
  std::string t;
  EXPECT_EQ(proc().trace(0, &t), Outcome::kNotFound);
  EXPECT_EQ(proc().stop(), Outcome::kOk);
}

TEST_F(RemoteProcTest, TwoProcessorsBootIndependently) {
  tee_.reset();
  platform::PlatformDescription d = platform::default_platform();
  platform::ProcessorDescription second = d.processors[0];
  second.id = 1;
  second.name = "m33";
  second.core = platform::CoreType::kCortexM33;
  d.processors.push_back(second);
  tee_ = std::make_unique<InProcessCapteed>(d);
  ASSERT_TRUE(tee_->ok());
  start_manager(default_options());
  ASSERT_NE(manager_->processor(1), nullptr);
  const Bytes image = read_file(test_data("sample-m4.rsa2048.sig"));
  ASSERT_EQ(proc(0).boot(image, "a"), Outcome::kOk);
  EXPECT_EQ(proc(1).status().state, State::kOffline);
  ASSERT_EQ(proc(1).boot(image, "b"), Outcome::kOk);
  EXPECT_TRUE(eventually([&] { return trace(1).rfind("sample: firmware up", 0) == 0; }));
  ASSERT_EQ(proc(0).crash("only zero"), Outcome::kOk);
  ASSERT_TRUE(eventually([&] { return proc(0).status().boot_count == 2; }));
  EXPECT_EQ(proc(1).status().crash_count, 0u);
  EXPECT_EQ(proc(1).status().boot_count, 1u);
  ASSERT_EQ(proc(0).stop(), Outcome::kOk);
  EXPECT_EQ(proc(1).status().state, State::kRunning);
  ASSERT_EQ(proc(1).stop(), Outcome::kOk);
}

TEST_F(RemoteProcTest, ShutdownDuringBootAbortsReleasesAndWipes) {
  REQUIRE_FIRMWARE();
  start_manager(default_options());
  std::thread stopper;
  Outcome o = proc().boot(dev_signed_firmware(), "fw", [&](const std::string &step) {
    if (!stopper.joinable() && step.find("handling the resource table") != std::string::npos) {
      stopper = std::thread([&] { manager_->shutdown(); });
      // Let the shutdown begin while the boot is between its steps.
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  stopper.join();
  EXPECT_EQ(o, Outcome::kFailed);
  EXPECT_NE(proc().status().last_error.find("shutting down"), std::string::npos)
      << proc().status().last_error;
  EXPECT_EQ(proc().status().state, State::kOffline);
  EXPECT_TRUE(tee_->memory_wiped());
  EXPECT_EQ(tee_->soc().processor(0)->state(), platform::CoreState::kOffline);
}

TEST_F(RemoteProcTest, ShutdownStopsAndReleasesEveryProcessor) {
  REQUIRE_FIRMWARE();
  start_manager(default_options());
  ASSERT_EQ(proc().boot(dev_signed_firmware(), "fw"), Outcome::kOk);
  manager_->shutdown();
  EXPECT_EQ(tee_->soc().processor(0)->state(), platform::CoreState::kOffline);
  EXPECT_TRUE(tee_->memory_wiped());
}

TEST_F(RemoteProcTest, CapteedGoingAwayMakesProcessorsUnavailableUntilItIsBack) {
  REQUIRE_FIRMWARE();
  char dir[] = "/tmp/captee-rproc-back-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string socket = std::string(dir) + "/captee.sock";
  tee_ = std::make_unique<InProcessCapteed>(platform::default_platform(), socket);
  ASSERT_TRUE(tee_->ok());
  start_manager(default_options());
  ASSERT_EQ(proc().boot(dev_signed_firmware(), "fw"), Outcome::kOk);
  tee_.reset();  // capteed goes away, and its SoC with it
  ASSERT_TRUE(eventually([&] { return proc().status().state == State::kUnavailable; }));
  EXPECT_EQ(proc().boot(dev_signed_firmware(), "fw"), Outcome::kUnavailable);
  EXPECT_FALSE(manager_->connected());
  EXPECT_EQ(proc().status().last_error, "capteed cannot be reached");
  // capteed comes back on the same socket.
  tee_ = std::make_unique<InProcessCapteed>(platform::default_platform(), socket);
  ASSERT_TRUE(tee_->ok());
  ASSERT_TRUE(eventually([&] { return manager_->connected(); }));
  ASSERT_TRUE(eventually([&] { return proc().status().state == State::kOffline; }));
  ASSERT_EQ(proc().boot(dev_signed_firmware(), "fw"), Outcome::kOk) << proc().status().last_error;
  ASSERT_EQ(proc().stop(), Outcome::kOk);
  manager_->shutdown();
  tee_.reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace captee::rproc::testing
