// Issue 20, finding 4: `executables` policy rules and the connect-then-exec
// race. A process connects and at once execs a binary the policy allows,
// while another process holding the same socket speaks on the connection.
// The rule is for the allowed binary's own calls, so such a connection is
// never granted a service by it, however the race falls.
#include <filesystem>

#include "CDiagnostics.h"
#include "CMemoryService.h"
#include "IOpener.h"
#include "baseline.hpp"
#include "hostile_client_run.hpp"

using namespace captee;
using namespace captee::test;

namespace {

const char *const kAllowedBinary = "/bin/sleep";
constexpr int kTries = 200;

// memory: root, or the allowed binary. diagnostics: root, or the hostile
// client itself (the control that an executables rule does grant).
std::string race_policy() {
  const std::string allowed = std::filesystem::canonical(kAllowedBinary).string();
  const std::string client = std::filesystem::canonical(HOSTILE_CLIENT_PATH).string();
  return R"({"services": [
      {"name": "memory", "allow": {"uids": [0], "executables": [{"path": ")" +
         allowed + R"("}]}},
      {"name": "diagnostics", "allow": {"uids": [0], "executables": [{"path": ")" +
         client + R"("}]}}]})";
}

class ExecRaceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(d_.ready());
    base_ = quiet_baseline(d_.pid(), d_.socket(), CAPTEE_CLI_PATH);
    ASSERT_TRUE(base_.quiet) << "capteed never became quiet: " << describe(base_.counters);
  }
  void TearDown() override {
    expect_back_to_baseline(d_.pid(), d_.socket(), base_, CAPTEE_CLI_PATH);
    EXPECT_EQ(d_.stop(), 0) << "capteed did not shut down cleanly";
  }
  // Runs the hostile client as uid 4242 (whom no uid rule allows).
  std::string run(std::vector<std::string> args) {
    HostileClientRun c(std::move(args));
    EXPECT_EQ(c.finish(), 0);
    return c.line();
  }
  std::string race(bool presend) {
    std::vector<std::string> args = {"exec-race", d_.socket(), std::to_string(CMemoryService_UID),
                                     kAllowedBinary, std::to_string(kTries)};
    if (presend) {
      args.push_back("presend");
    }
    return run(args);
  }

  CapteedProcess d_{race_policy()};
  Baseline base_;
};

}  // namespace

TEST_F(ExecRaceTest, TheRulesAreLive) {
  // The hostile client is an allowed executable for diagnostics, and no
  // allowed one for memory: each rule decides.
  EXPECT_EQ(run({"open", d_.socket(), std::to_string(CDiagnostics_UID)}), "opened");
  EXPECT_EQ(run({"open", d_.socket(), std::to_string(CMemoryService_UID)}),
            "refused " + std::to_string(IOpener_ERROR_PRIVILEGE));
}

TEST_F(ExecRaceTest, AnotherProcessOnTheSocketOfOneThatExecdTheAllowedBinaryIsNeverGranted) {
  EXPECT_EQ(race(false), "granted 0 denied " + std::to_string(kTries) + " failed 0");
}

TEST_F(ExecRaceTest, AnOpenSentBeforeTheExecIsNeverGranted) {
  EXPECT_EQ(race(true), "granted 0 denied " + std::to_string(kTries) + " failed 0");
}
