// captee-rprocd and `captee rproc` as processes, against a real capteed: the
// CLI's commands and outputs, core files that readelf and gdb read, SIGTERM
// (also in the middle of a boot), capteed restarting, two processors.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "IRemoteProc.hpp"
#include "IRemoteProcManager.hpp"
#include "IRemoteProcProgress.hpp"
#include "captee/channel.hpp"
#include "captee/memory.hpp"
#include "rprocd_harness.hpp"
#include "tee_harness.hpp"

namespace {

using captee::Ref;
using captee::test::CapteedProcess;
using captee::test::Rprocd;
using captee::test::run_capture;
namespace iface = captee::iface;

std::string data(const std::string &name) {
  return std::string(CAPTEE_TEST_DATA_DIR) + "/rproc/" + name;
}

using captee::test::eventually;

class RprocdProcess : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string(CAPTEE_FIRMWARE_SIGNED).empty()) {
      GTEST_SKIP() << "the sample firmware was not cross-built";
    }
    tee_ = std::make_unique<CapteedProcess>(
        "", std::vector<std::string>{"--rproc-pubkey", CAPTEE_FIRMWARE_DEV_PUBKEY, "--rproc-pubkey",
                                     data("test-rsa2048.pub.pem")});
    ASSERT_TRUE(tee_->ready());
  }
  std::unique_ptr<CapteedProcess> tee_;
};

TEST_F(RprocdProcess, BootTraceStateCrashRecoveryCoredumpStop) {
  const std::string cores = tee_->dir() + "/cores";
  Rprocd r(tee_->socket(), tee_->dir(), {"--coredump", "enabled", "--coredump-dir", cores});
  ASSERT_TRUE(r.ready());
  auto [rc, out] = r.cli("boot " CAPTEE_FIRMWARE_SIGNED);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_EQ(out, "rproc 0 is running captee-m4.sig\n");
  ASSERT_TRUE(
      eventually([&] { return r.cli("trace").second.find("boot 1\n") != std::string::npos; }));
  std::tie(rc, out) = r.cli("trace");
  EXPECT_EQ(out.rfind("captee-m4: hello from the coprocessor", 0), 0u) << out;
  nlohmann::json s = r.state();
  for (const char *k : {"rproc", "state", "firmware", "crash_count", "last_crash", "recovery"}) {
    EXPECT_TRUE(s.contains(k)) << k;
  }
  EXPECT_EQ(s["rproc"], 0);
  EXPECT_EQ(s["state"], "running");
  EXPECT_EQ(s["firmware"], "captee-m4.sig");
  EXPECT_EQ(s["recovery"], "enabled");
  // A crash is recovered automatically: boot 2, one crash, and a core file.
  std::tie(rc, out) = r.cli("crash");
  ASSERT_EQ(rc, 0) << out;
  ASSERT_TRUE(eventually([&] {
    return r.cli("trace").second.find("boot 2\n") != std::string::npos;
  })) << r.cli("trace").second;
  s = r.state();
  EXPECT_EQ(s["state"], "running");
  EXPECT_EQ(s["crash_count"], 1);
  EXPECT_EQ(s["last_crash"], "injected crash: requested with captee rproc crash");
  ASSERT_TRUE(eventually(
      [&] { return std::filesystem::exists(cores) && !std::filesystem::is_empty(cores); }));
  const std::string core = std::filesystem::directory_iterator(cores)->path();
  std::tie(rc, out) = run_capture("arm-none-eabi-readelf -h -l -n " + core);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("CORE (Core file)"), std::string::npos) << out;
  EXPECT_NE(out.find("NT_PRSTATUS"), std::string::npos) << out;
  std::tie(rc, out) =
      run_capture("gdb-multiarch -nx -batch -ex 'set architecture arm' -ex 'core-file " + core +
                  "' -ex 'info registers pc sp'");
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("pc "), std::string::npos) << out;
  // coredump --out writes the last one.
  const std::string copy = tee_->dir() + "/copy.core";
  std::tie(rc, out) = r.cli("coredump --out " + copy);
  ASSERT_EQ(rc, 0) << out;
  std::tie(rc, out) = run_capture("arm-none-eabi-readelf -h " + copy);
  EXPECT_EQ(rc, 0) << out;
  // list --json
  std::tie(rc, out) = r.cli("list --json");
  ASSERT_EQ(rc, 0) << out;
  auto list = nlohmann::json::parse(out, nullptr, false);
  ASSERT_TRUE(list.is_array()) << out;
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["state"], "running");
  std::tie(rc, out) = r.cli("stop");
  ASSERT_EQ(rc, 0) << out;
  EXPECT_EQ(r.state()["state"], "offline");
  std::tie(rc, out) = r.cli("stop");
  EXPECT_EQ(rc, 1);
  EXPECT_EQ(out, "captee: rproc 0 stop: the processor is not running.\n");
  EXPECT_EQ(r.stop(), 0);
}

TEST_F(RprocdProcess, TheConsoleAndAButtonThroughTheCli) {
  Rprocd r(tee_->socket(), tee_->dir());
  ASSERT_TRUE(r.ready());
  ASSERT_EQ(r.cli("boot " CAPTEE_FIRMWARE_SIGNED).first, 0);
  ASSERT_TRUE(eventually([&] { return r.cli("console").second == "captee-m4: console up\r\n"; }))
      << r.cli("console").second;
  auto [rc, out] = r.cli("console-send hi");
  ASSERT_EQ(rc, 0) << out;
  EXPECT_EQ(out, "sent 2 of 2 bytes\n");
  EXPECT_TRUE(eventually([&] {
    return r.cli("console").second == "captee-m4: console up\r\nhi\n";
  })) << r.cli("console").second;
  std::tie(rc, out) = r.cli("gpio 2 13 0");
  EXPECT_EQ(rc, 0) << out;
  std::tie(rc, out) = r.cli("gpio 2 16 0");
  EXPECT_EQ(rc, 1);
  EXPECT_EQ(out, "captee: rproc 0: no such pin or level.\n");
}

TEST_F(RprocdProcess, RecoveryDisabledThenRecover) {
  Rprocd r(tee_->socket(), tee_->dir(), {"--recovery", "disabled"});
  ASSERT_TRUE(r.ready());
  ASSERT_EQ(r.cli("boot " CAPTEE_FIRMWARE_SIGNED).first, 0);
  ASSERT_TRUE(
      eventually([&] { return r.cli("trace").second.find("boot 1\n") != std::string::npos; }));
  EXPECT_EQ(r.state()["recovery"], "disabled");
  ASSERT_EQ(r.cli("crash").first, 0);
  ASSERT_TRUE(eventually([&] { return r.state()["state"] == "crashed"; }));
  auto [rc, out] = r.cli("recovery recover");
  ASSERT_EQ(rc, 0) << out;
  EXPECT_EQ(out, "rproc 0 is running again\n");
  EXPECT_TRUE(
      eventually([&] { return r.cli("trace").second.find("boot 2\n") != std::string::npos; }));
  ASSERT_EQ(r.cli("recovery enabled").first, 0);
  EXPECT_EQ(r.state()["recovery"], "enabled");
}

TEST_F(RprocdProcess, ErrorsAreOneSentence) {
  Rprocd r(tee_->socket(), tee_->dir());
  ASSERT_TRUE(r.ready());
  std::vector<uint8_t> image;
  {
    std::ifstream f(CAPTEE_FIRMWARE_SIGNED, std::ios::binary);
    image.assign(std::istreambuf_iterator<char>(f), {});
  }
  image[image.size() / 2] ^= 0x10;
  const std::string bad = tee_->dir() + "/tampered.sig";
  std::ofstream(bad, std::ios::binary).write(reinterpret_cast<char *>(image.data()), image.size());
  auto [rc, out] = r.cli("boot " + bad);
  EXPECT_EQ(rc, 1);
  EXPECT_EQ(out.rfind("captee: rproc 0 boot: boot of tampered.sig failed: the TEE refused the "
                      "image: TEE_ERROR_",
                      0),
            0u)
      << out;
  EXPECT_EQ(r.state()["state"], "offline");
  std::tie(rc, out) = r.cli("boot " + tee_->dir() + "/absent.sig");
  EXPECT_EQ(rc, 1);
  EXPECT_EQ(out, "captee: cannot read the firmware file " + tee_->dir() + "/absent.sig.\n");
  std::tie(rc, out) = r.cli("--rproc 9 stop");
  EXPECT_EQ(rc, 1);
  EXPECT_EQ(out, "captee: captee-rprocd has no processor 9.\n");
  std::tie(rc, out) = r.cli("trace");
  EXPECT_EQ(rc, 1);
  EXPECT_NE(out.find("has no trace buffer 0"), std::string::npos) << out;
  std::tie(rc, out) = run_capture(std::string(CAPTEE_CLI_PATH) + " rproc --rproc-socket " +
                                  tee_->dir() + "/nobody.sock state");
  EXPECT_EQ(rc, 1);
  EXPECT_EQ(out.rfind("captee: cannot reach captee-rprocd at " + tee_->dir() + "/nobody.sock", 0),
            0u)
      << out;
}

TEST_F(RprocdProcess, SigtermStopsAndReleasesEveryProcessor) {
  Rprocd r(tee_->socket(), tee_->dir());
  ASSERT_TRUE(r.ready());
  ASSERT_EQ(r.cli("boot " CAPTEE_FIRMWARE_SIGNED).first, 0);
  EXPECT_EQ(r.stop(SIGTERM), 0);
  // A new manager finds the processor offline: the firmware was stopped and
  // released, not left running.
  Rprocd again(tee_->socket(), tee_->dir());
  ASSERT_TRUE(again.ready());
  EXPECT_TRUE(eventually([&] { return again.state()["state"] == "offline"; }))
      << again.state().dump();
}

// Regression (rproc chaos): a manager killed while its processor was crashed
// left it crashed, and the next manager, which has no image to reload,
// neither counted nor handled that crash: the processor stayed crashed with
// no reason given. It is now handled like a crash seen live.
TEST_F(RprocdProcess, ACrashFoundAtStartIsHandledLikeAnyOther) {
  auto r = std::make_unique<Rprocd>(tee_->socket(), tee_->dir(),
                                    std::vector<std::string>{"--recovery", "disabled"});
  ASSERT_TRUE(r->ready());
  ASSERT_EQ(r->cli("boot " CAPTEE_FIRMWARE_SIGNED).first, 0);
  ASSERT_EQ(r->cli("crash").first, 0);
  ASSERT_TRUE(eventually([&] { return r->state()["state"] == "crashed"; }));
  r->stop(SIGKILL);
  // Recovery disabled: crashed, with the crash that capteed recorded.
  r = std::make_unique<Rprocd>(tee_->socket(), tee_->dir(),
                               std::vector<std::string>{"--recovery", "disabled"});
  ASSERT_TRUE(r->ready());
  ASSERT_TRUE(eventually([&] { return r->state()["crash_count"] == 1; })) << r->state().dump();
  nlohmann::json s = r->state();
  EXPECT_EQ(s["state"], "crashed");
  EXPECT_EQ(s["last_crash"], "injected crash: requested with captee rproc crash");
  r->stop(SIGKILL);
  // Recovery enabled: there is no image to reload, so the firmware is
  // released and the processor is offline, with the reason.
  r = std::make_unique<Rprocd>(tee_->socket(), tee_->dir());
  ASSERT_TRUE(r->ready());
  ASSERT_TRUE(eventually([&] { return r->state()["state"] == "offline"; })) << r->state().dump();
  s = r->state();
  EXPECT_EQ(s["crash_count"], 1);
  EXPECT_NE(s["last_error"].get<std::string>().find("there is no image to reload"),
            std::string::npos)
      << s.dump();
  EXPECT_EQ(r->stop(), 0);
}

// Calls SIGTERM on captee-rprocd from inside the boot's first progress step.
class SigtermOnFirstStep final : public iface::IRemoteProcProgressSkeleton {
 public:
  explicit SigtermOnFirstStep(pid_t pid) : pid_(pid) {}
  int32_t step(std::span<const std::byte>) override {
    if (!sent_) {
      sent_ = true;
      ::kill(pid_, SIGTERM);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return Object_OK;
  }

 private:
  pid_t pid_;
  bool sent_ = false;
};

TEST_F(RprocdProcess, SigtermDuringBootAbortsIt) {
  Rprocd r(tee_->socket(), tee_->dir());
  ASSERT_TRUE(r.ready());
  captee::ChannelOptions o;
  o.log = [](const std::string &) {};
  Ref root = captee::connect(r.socket(), o);
  ASSERT_TRUE(root);
  Ref p;
  ASSERT_EQ(iface::IRemoteProcManager(root).open(0, p), Object_OK);
  std::ifstream f(CAPTEE_FIRMWARE_SIGNED, std::ios::binary | std::ios::ate);
  const size_t size = static_cast<size_t>(f.tellg());
  Ref mem = captee::MemoryObject::create(size);
  f.seekg(0);
  f.read(reinterpret_cast<char *>(
             captee::LocalObject::from_as<captee::MemoryObject>(mem.get())->bytes().data()),
         static_cast<std::streamsize>(size));
  const char name[] = "fw";
  const int32_t rv = iface::IRemoteProc(p).boot(mem, size, std::as_bytes(std::span(name, 2)),
                                                captee::make_object<SigtermOnFirstStep>(r.pid()));
  EXPECT_NE(rv, Object_OK) << "the boot did not complete";
  EXPECT_EQ(r.stop(), 0) << "and captee-rprocd exited cleanly";
  Rprocd again(tee_->socket(), tee_->dir());
  ASSERT_TRUE(again.ready());
  EXPECT_TRUE(eventually([&] { return again.state()["state"] == "offline"; }))
      << again.state().dump();
}

TEST_F(RprocdProcess, CapteedRestartMakesProcessorsUnavailableThenBack) {
  Rprocd r(tee_->socket(), tee_->dir());
  ASSERT_TRUE(r.ready());
  ASSERT_EQ(r.cli("boot " CAPTEE_FIRMWARE_SIGNED).first, 0);
  const std::string socket = tee_->socket();
  const pid_t old = tee_->pid();
  ::kill(old, SIGKILL);  // capteed dies
  ASSERT_TRUE(eventually([&] { return r.state()["state"] == "unavailable"; }));
  auto [rc, out] = r.cli("boot " CAPTEE_FIRMWARE_SIGNED);
  EXPECT_EQ(rc, 1);
  EXPECT_NE(out.find("capteed cannot be reached"), std::string::npos) << out;
  // capteed is back on the same socket.
  const pid_t back = captee::test::spawn(
      {CAPTEED_PATH, "--socket", socket, "--rproc-pubkey", CAPTEE_FIRMWARE_DEV_PUBKEY});
  ASSERT_TRUE(eventually([&] { return r.state()["state"] == "offline"; })) << r.state().dump();
  std::tie(rc, out) = r.cli("boot " CAPTEE_FIRMWARE_SIGNED);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_EQ(r.stop(), 0);
  ::kill(back, SIGTERM);
  EXPECT_EQ(captee::test::wait_exit(back), 0);
  tee_->stop();  // reaps the killed one
}

TEST(RprocdTwoProcessors, BootIndependentlyOnAJsonPlatform) {
  captee::test::TempDir dir;
  const std::string regions = R"("regions": [{"name": "retram", "da": "0x0", "size": "64K"},
                                             {"name": "sram", "da": "0x10000000", "size": "384K"}])";
  std::ofstream(dir.path + "/two.json")
      << R"({"name": "two", "processors": [{"id": 0, "name": "a", "core": "cortex-m4", "mailbox": "0x4C001000", )"
      << regions << R"(}, {"id": 1, "name": "b", "core": "cortex-m33", "mailbox": "0x4C001000", )"
      << regions << "}]}";
  CapteedProcess tee(
      "", {"--platform", dir.path + "/two.json", "--rproc-pubkey", data("test-rsa2048.pub.pem")});
  ASSERT_TRUE(tee.ready());
  Rprocd r(tee.socket(), tee.dir());
  ASSERT_TRUE(r.ready());
  ASSERT_TRUE(
      eventually([&] { return r.cli("list").second.find("rproc 1:") != std::string::npos; }));
  ASSERT_EQ(r.cli("--rproc 1 boot " + data("sample-m4.rsa2048.sig")).first, 0);
  EXPECT_EQ(r.state(0)["state"], "offline");
  EXPECT_EQ(r.state(1)["state"], "running");
  ASSERT_EQ(r.cli("--rproc 0 boot " + data("sample-m4.rsa2048.sig")).first, 0);
  auto [rc, out] = r.cli("state --json");  // every processor, one object per line
  ASSERT_EQ(rc, 0);
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 2) << out;
  ASSERT_EQ(r.cli("--rproc 1 stop").first, 0);
  EXPECT_EQ(r.state(0)["state"], "running");
  EXPECT_EQ(r.stop(), 0);
}

}  // namespace
