// Whatever a TA host starts dies with it (issue 20, build item 1): the host
// leads its own process group and the loader kills the whole group when the
// TA ends. Under the sandbox a TA cannot start anything at all; the group
// kill is what still holds with the filter off (--no-seccomp, debugging).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "IAppController.hpp"
#include "IAppLoader.hpp"
#include "ITestTa.hpp"
#include "captee/tee/apps/app_loader.hpp"
#include "../support/proc_scan.hpp"
#include "harness.hpp"

namespace captee::tee::apps {
namespace {

using iface::IAppController;
using iface::IAppLoader;
using iface::ITestTa;
using testing::eventually;

// Live (not zombie) processes whose process group is `pgid`, from /proc.
std::vector<pid_t> live_members_of(pid_t pgid) {
  return test::pids_where([&](pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    std::getline(in, line);
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parens.
    const size_t close = line.rfind(')');
    if (close == std::string::npos) {
      return false;
    }
    std::istringstream rest(line.substr(close + 1));
    char state = 0;
    long ppid = 0, pgrp = 0;
    return (rest >> state >> ppid >> pgrp) && pgrp == pgid && state != 'Z';
  });
}

class TaProcessGroup : public ::testing::Test {
 protected:
  void load(bool seccomp, Ref &ctrl, Ref &app, pid_t &pid) {
    AppLoaderConfig cfg = testing::test_config();
    cfg.seccomp = seccomp;
    env_ = std::make_unique<testing::LoaderOverChannel>(cfg);
    ASSERT_EQ(IAppLoader(env_->loader).loadFromBuffer(testing::read_file(CAPTEE_TEST_TA), ctrl),
              Object_OK);
    ASSERT_EQ(IAppController(ctrl).getAppObject(app), Object_OK);
    uint32_t p = 0;
    ASSERT_EQ(ITestTa(app).pid(p), Object_OK);
    pid = pid_t(p);
  }
  std::unique_ptr<testing::LoaderOverChannel> env_;
};

TEST_F(TaProcessGroup, ATaHostLeadsItsOwnProcessGroup) {
  Ref ctrl, app;
  pid_t pid = 0;
  load(true, ctrl, app, pid);
  EXPECT_EQ(::getpgid(pid), pid);
}

TEST_F(TaProcessGroup, AConfinedTaCannotStartHelpers) {
  Ref ctrl, app;
  pid_t pid = 0;
  load(true, ctrl, app, pid);
  int32_t err = 0;
  ASSERT_EQ(ITestTa(app).spawnHelpers(3, err), Object_OK);
  EXPECT_EQ(err, EPERM);
  EXPECT_EQ(live_members_of(pid), std::vector<pid_t>{pid});
}

TEST_F(TaProcessGroup, HelpersThatIgnoreSigtermDieWithTheirTa) {
  Ref ctrl, app;
  pid_t pid = 0;
  load(false, ctrl, app, pid);
  int32_t err = -1;
  ASSERT_EQ(ITestTa(app).spawnHelpers(3, err), Object_OK);
  ASSERT_EQ(err, 0);
  EXPECT_TRUE(eventually([&] { return live_members_of(pid).size() == 4u; }));
  app.reset();
  ctrl.reset();  // the last reference: the TA ends
  std::vector<pid_t> left;
  EXPECT_TRUE(eventually([&] {
    left = live_members_of(pid);
    return left.empty();
  })) << left.size()
      << " processes of the TA's group are still alive";
}

TEST_F(TaProcessGroup, HelpersDieWhenTheTaIsKilledByItsDeadline) {
  Ref ctrl, app;
  pid_t pid = 0;
  load(false, ctrl, app, pid);
  int32_t err = -1;
  ASSERT_EQ(ITestTa(app).spawnHelpers(2, err), Object_OK);
  ASSERT_EQ(err, 0);
  // Past the manifest's 1000 ms deadline: the loader kills the TA.
  EXPECT_EQ(ITestTa(app).crash(ITestTa_CRASH_LOOP), Object_ERROR_DEFUNCT);
  std::vector<pid_t> left;
  EXPECT_TRUE(eventually([&] {
    left = live_members_of(pid);
    return left.empty();
  })) << left.size()
      << " processes of the TA's group are still alive";
}

}  // namespace
}  // namespace captee::tee::apps
