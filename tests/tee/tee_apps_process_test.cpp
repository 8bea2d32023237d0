// Trusted apps through a running capteed: a client opens the app loader by
// UID under the default policy, loads a TA that runs in its own process,
// invokes it, watches a crash stay contained, restarts it; the CLI loads and
// lists TAs; stopping capteed leaves no TA process behind.
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include <atomic>
#include <cctype>

#include "CAppLoader.h"
#include "CRegisterListenerCBO.h"
#include "IAppController.hpp"
#include "IAppLoader.hpp"
#include "IClientEnv.hpp"
#include "IListenerCBO.hpp"
#include "IOpener.h"
#include "IRegisterListenerCBO.hpp"
#include "ITestTa.hpp"
#include "captee/channel.hpp"
#include "captee/memory.hpp"
#include "../tee_apps/upper_listener.hpp"
#include "tee_harness.hpp"

using namespace captee;
using namespace captee::test;

namespace {

std::pair<int, std::string> cli(const std::string &args) {
  return run_capture(std::string(CAPTEE_CLI_PATH) + " " + args);
}

std::vector<std::byte> read_ta(const char *path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  std::vector<std::byte> out(bytes.size());
  std::memcpy(out.data(), bytes.data(), bytes.size());
  return out;
}

// The pid in a `captee ta list` line ("name uuid pid N").
int pid_in(const std::string &line) {
  const size_t at = line.rfind(" pid ");
  return at == std::string::npos ? -1 : std::stoi(line.substr(at + 5));
}

bool process_exists(int pid) {
  return pid > 0 && ::kill(pid, 0) == 0;
}

TEST(CapteedTrustedApps, LoadInvokeCrashRestartThroughTheDaemon) {
  CapteedProcess d;
  ASSERT_TRUE(d.ready());

  std::string why;
  Ref root = captee::connect(d.socket(), {}, &why);
  ASSERT_TRUE(root) << why;
  Ref loader;
  ASSERT_EQ(iface::IClientEnv(root).open(CAppLoader_UID, loader), Object_OK);
  Ref controller;
  ASSERT_EQ(iface::IAppLoader(loader).loadFromBuffer(read_ta(CAPTEE_TEST_TA), controller),
            Object_OK);
  Ref app;
  ASSERT_EQ(iface::IAppController(controller).getAppObject(app), Object_OK);
  uint32_t sum = 0;
  ASSERT_EQ(iface::ITestTa(app).add(40, 2, sum), Object_OK);
  EXPECT_EQ(sum, 42u);
  uint32_t ta_pid = 0;
  ASSERT_EQ(iface::ITestTa(app).pid(ta_pid), Object_OK);
  EXPECT_NE(static_cast<pid_t>(ta_pid), d.pid()) << "the TA runs in its own process";
  EXPECT_EQ(d.counters().tas, 1u);

  // A crash is contained: the TA's objects are DEFUNCT, capteed serves on.
  EXPECT_EQ(iface::ITestTa(app).crash(ITestTa_CRASH_SEGV), Object_ERROR_DEFUNCT);
  EXPECT_EQ(iface::ITestTa(app).add(1, 1, sum), Object_ERROR_DEFUNCT);
  auto [rc, out] = cli("--socket " + d.socket() + " status");
  EXPECT_EQ(rc, 0) << out;
  Ref again;
  ASSERT_EQ(iface::IAppController(controller).restart(), Object_OK);
  ASSERT_EQ(iface::IAppController(controller).getAppObject(again), Object_OK);
  ASSERT_EQ(iface::ITestTa(again).add(2, 2, sum), Object_OK);
  EXPECT_EQ(sum, 4u);

  // Dropping the last reference to a non-keep-alive TA ends it.
  app.reset();
  again.reset();
  controller.reset();
  for (int i = 0; i < 500 && d.counters().tas != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(d.counters().tas, 0u);
}

TEST(CapteedTrustedApps, CliLoadsAndListsAndNothingOutlivesTheDaemon) {
  CapteedProcess d;
  ASSERT_TRUE(d.ready());
  auto [rc, out] = cli("--socket " + d.socket() + " ta load " + CAPTEE_TEST_TA_KEEP);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("captee_test_ta_keep"), std::string::npos) << out;
  std::tie(rc, out) = cli("--socket " + d.socket() + " ta list");
  ASSERT_EQ(rc, 0) << out;
  EXPECT_EQ(out.rfind("captee_test_ta_keep ", 0), 0u)
      << "a keep-alive TA outlives the CLI: " << out;
  const int ta_pid = pid_in(out.substr(0, out.find('\n')));
  EXPECT_TRUE(process_exists(ta_pid)) << out;
  std::tie(rc, out) = cli("--socket " + d.socket() + " stats --json");
  ASSERT_EQ(rc, 0);
  EXPECT_EQ(nlohmann::json::parse(out)["tas"], 1);

  // Not a TA: one clear sentence, non-zero exit, nothing loaded.
  std::tie(rc, out) = cli("--socket " + d.socket() + " ta load " + CAPTEED_PATH);
  EXPECT_NE(rc, 0);
  EXPECT_EQ(out.rfind("captee: capteed refused to load ", 0), 0u) << out;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;

  EXPECT_EQ(d.stop(), 0);
  for (int i = 0; i < 500 && process_exists(ta_pid); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_FALSE(process_exists(ta_pid)) << "the TA process must not outlive capteed";
}

TEST(CapteedTrustedApps, ATaCallsAListenerAnotherProcessRegistered) {
  CapteedProcess d;
  ASSERT_TRUE(d.ready());
  std::string why;
  Ref root = captee::connect(d.socket(), {}, &why);
  ASSERT_TRUE(root) << why;
  Ref registrar;
  ASSERT_EQ(iface::IClientEnv(root).open(CRegisterListenerCBO_UID, registrar), Object_OK);
  Ref mem = MemoryObject::create(4096);
  Ref cbo = make_object<UpperListener>(mem);
  ASSERT_EQ(iface::IRegisterListenerCBO(registrar).register_(0x10, cbo, mem), Object_OK);

  Ref loader, controller, app;
  ASSERT_EQ(iface::IClientEnv(root).open(CAppLoader_UID, loader), Object_OK);
  ASSERT_EQ(iface::IAppLoader(loader).loadFromBuffer(read_ta(CAPTEE_TEST_TA), controller),
            Object_OK);
  ASSERT_EQ(iface::IAppController(controller).getAppObject(app), Object_OK);
  const std::string req = "read block 7";
  std::vector<std::byte> resp(64);
  size_t len = 0;
  // The TA (its own process) writes the request into the region, invokes the
  // listener (this process, through capteed) and reads the answer back.
  ASSERT_EQ(iface::ITestTa(app).callListener(0x10, std::as_bytes(std::span(req)), resp, len),
            Object_OK);
  EXPECT_EQ(std::string(reinterpret_cast<char *>(resp.data()), len), "READ BLOCK 7");
  EXPECT_EQ(LocalObject::from_as<UpperListener>(cbo.get())->calls.load(), 1);
  EXPECT_EQ(iface::ITestTa(app).callListener(0x11, std::as_bytes(std::span(req)), resp, len),
            IOpener_ERROR_NOT_FOUND);
}

TEST(CapteedTrustedApps, TheMinkStyleCClientRunsBothExampleTas) {
  CapteedProcess d;
  ASSERT_TRUE(d.ready());
  for (const char *ta : {CAPTEE_COUNTER_TA_C, CAPTEE_COUNTER_TA_CPP}) {
    const std::string cmd = "CAPTEE_SOCKET=" + d.socket() + " " + CAPTEE_COUNTER_CLIENT + " " + ta;
    FILE *p = ::popen((cmd + " 2>&1").c_str(), "r");
    std::string out;
    char buf[256];
    while (p != nullptr && std::fgets(buf, sizeof buf, p) != nullptr) {
      out += buf;
    }
    const int st = p != nullptr ? ::pclose(p) : -1;
    EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << out;
    EXPECT_NE(out.find("sum of 1..10 is 55"), std::string::npos) << out;
  }
}

}  // namespace
