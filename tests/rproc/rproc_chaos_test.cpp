// Chaos for the remote-processor stack (issue: reliability suite): for
// CAPTEE_CHAOS_SECONDS (4 s by default) with a printed, replayable seed
// (CAPTEE_CHAOS_SEED), random boots, stops and firmware crashes through the
// CLI, `kill -9` of captee-rprocd and of CLI clients in the middle of their
// calls, and capteed restarts. Afterwards:
//  - no processor is stuck: each is offline, running or attached, or crashed
//    because the crash-loop guard gave up, and none is busy;
//  - a graceful captee-rprocd stop leaves every processor offline;
//  - capteed is back at its baseline: connections, exported objects, memory
//    objects, and descriptors.
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdlib>
#include <random>

#include "../hostile/baseline.hpp"
#include "rprocd_harness.hpp"
#include "tee_harness.hpp"

namespace {

using captee::test::CapteedProcess;
using captee::test::eventually;
using captee::test::Rprocd;

struct Settings {
  double seconds = 4;
  uint64_t seed = 0;
};

Settings settings() {
  Settings s;
  if (const char *v = std::getenv("CAPTEE_CHAOS_SECONDS")) {
    s.seconds = std::atof(v);
  }
  s.seed = std::random_device{}();
  if (const char *v = std::getenv("CAPTEE_CHAOS_SEED")) {
    s.seed = std::strtoull(v, nullptr, 0);
  }
  return s;
}

bool settled(const nlohmann::json &s) {
  if (!s.contains("state") || s.value("busy", false)) {
    return false;
  }
  const std::string st = s["state"];
  if (st == "offline" || st == "running" || st == "attached") {
    return true;
  }
  return st == "crashed" &&
         s["last_error"].get<std::string>().find("automatic recovery stopped") != std::string::npos;
}

TEST(RprocChaos, KillsCrashesAndRestartsLeaveNothingStuckOrLeaked) {
  if (std::string(CAPTEE_FIRMWARE_SIGNED).empty()) {
    GTEST_SKIP() << "the sample firmware was not cross-built";
  }
  const Settings cfg = settings();
  std::printf("rproc chaos: %.1f s, seed %llu (CAPTEE_CHAOS_SEED=%llu to replay)\n", cfg.seconds,
              static_cast<unsigned long long>(cfg.seed), static_cast<unsigned long long>(cfg.seed));
  std::mt19937_64 rng(cfg.seed);
  auto tee = std::make_unique<CapteedProcess>(
      "", std::vector<std::string>{"--rproc-pubkey", CAPTEE_FIRMWARE_DEV_PUBKEY});
  ASSERT_TRUE(tee->ready());
  const std::string socket = tee->socket(), dir = tee->dir();
  // A quiet capteed's baseline, before any manager connects: taken the way
  // the hostile suite takes it, since a counters query of its own may still
  // be open in capteed for a moment after it answered (this once made the
  // baseline count two connections and the check then wait for them).
  const captee::test::Baseline base =
      captee::test::quiet_baseline(tee->pid(), socket, CAPTEE_CLI_PATH);
  ASSERT_TRUE(base.quiet) << captee::test::describe(base.counters);
  const std::string base_listing = captee::test::fd_listing(tee->pid());

  auto rprocd = std::make_unique<Rprocd>(socket, dir);
  ASSERT_TRUE(rprocd->ready());
  const std::string cli =
      std::string(CAPTEE_CLI_PATH) + " rproc --rproc-socket " + rprocd->socket();
  unsigned actions = 0, kills = 0, crashes = 0, restarts = 0;
  const auto end = std::chrono::steady_clock::now() +
                   std::chrono::milliseconds(static_cast<int64_t>(cfg.seconds * 1000));
  pid_t tee_pid = tee->pid();
  bool own_tee = false;  // a capteed this test respawned (not the harness's)
  // However the test ends, no capteed it started outlives it.
  struct Reaper {
    pid_t *pid;
    bool *own;
    ~Reaper() {
      if (*own && *pid > 0) {
        ::kill(*pid, SIGKILL);
        captee::test::wait_exit(*pid);
      }
    }
  } reaper{&tee_pid, &own_tee};
  while (std::chrono::steady_clock::now() < end) {
    actions++;
    switch (rng() % 8) {
      case 0:
      case 1:
        (void)captee::test::run_capture(cli + " boot " CAPTEE_FIRMWARE_SIGNED);
        break;
      case 2:
        (void)captee::test::run_capture(cli + " stop");
        break;
      case 3:
        crashes++;
        (void)captee::test::run_capture(cli + " crash");
        break;
      case 4: {
        // A client killed in the middle of its boot.
        const pid_t c = captee::test::spawn({CAPTEE_CLI_PATH, "rproc", "--rproc-socket",
                                             rprocd->socket(), "boot", CAPTEE_FIRMWARE_SIGNED},
                                            {}, true);
        std::this_thread::sleep_for(std::chrono::microseconds(rng() % 20000));
        ::kill(c, SIGKILL);
        captee::test::wait_exit(c);
        kills++;
        break;
      }
      case 5: {
        // captee-rprocd killed, possibly mid-boot, and started again.
        const pid_t c = captee::test::spawn({CAPTEE_CLI_PATH, "rproc", "--rproc-socket",
                                             rprocd->socket(), "boot", CAPTEE_FIRMWARE_SIGNED},
                                            {}, true);
        std::this_thread::sleep_for(std::chrono::microseconds(rng() % 20000));
        rprocd->stop(SIGKILL);
        captee::test::wait_exit(c);
        rprocd = std::make_unique<Rprocd>(socket, dir);
        ASSERT_TRUE(rprocd->ready());
        kills++;
        break;
      }
      case 6:
        if (rng() % 8 == 0) {
          // capteed dies and comes back on the same socket.
          ::kill(tee_pid, SIGKILL);
          if (own_tee) {
            captee::test::wait_exit(tee_pid);
          }
          // Started as the harness starts it, so its descriptors compare.
          tee_pid =
              captee::test::spawn({CAPTEED_PATH, "--socket", socket, "--state-dir", dir + "/state",
                                   "--rproc-pubkey", CAPTEE_FIRMWARE_DEV_PUBKEY});
          own_tee = true;
          restarts++;
          ASSERT_TRUE(eventually([&] { return rprocd->try_state().value("state", "") != ""; }));
        }
        break;
      default:
        std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 30));
    }
  }
  // Nothing stuck: every state settles.
  ASSERT_TRUE(eventually([&] {
    nlohmann::json s = rprocd->try_state();
    return settled(s) && s.value("state", "") != "unavailable";
  })) << rprocd->try_state().dump();
  std::printf("rproc chaos: %u actions, %u kills, %u crashes, %u capteed restarts\n", actions,
              kills, crashes, restarts);
  // A graceful stop of the manager leaves the processor offline.
  EXPECT_EQ(rprocd->stop(SIGTERM), 0);
  rprocd = std::make_unique<Rprocd>(socket, dir);
  ASSERT_TRUE(rprocd->ready());
  EXPECT_TRUE(eventually([&] { return rprocd->try_state().value("state", "") == "offline"; }))
      << rprocd->try_state().dump();
  rprocd.reset();
  // capteed is back at a quiet capteed's baseline (a respawned one is
  // compared with the first one's, which had the same options), and serves a
  // well-behaved client.
  captee::test::expect_back_to_baseline(tee_pid, socket, base, CAPTEE_CLI_PATH);
  if (::testing::Test::HasFailure()) {
    std::printf("descriptors now:\n%sat the baseline:\n%s",
                captee::test::fd_listing(tee_pid).c_str(), base_listing.c_str());
  }
  if (own_tee) {
    ::kill(tee_pid, SIGTERM);
    EXPECT_EQ(captee::test::wait_exit(tee_pid), 0) << "a respawned capteed exits cleanly";
    tee_pid = -1;
  }
  EXPECT_EQ(tee->stop(), own_tee ? 128 + SIGKILL : 0);
}

}  // namespace
