// The app loader end to end: a client reaches the loader over a channel, the
// loader runs each TA in a captee-tahost process behind a second channel.
#include "captee/tee/apps/app_loader.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <thread>

#include "IAppController.hpp"
#include "IAppLoader.hpp"
#include "IListenerCBO.hpp"
#include "IOpener.h"
#include "IRegisterListenerCBO.hpp"
#include "ITestTa.hpp"
#include "upper_listener.hpp"
#include "captee/memory.hpp"
#include "harness.hpp"

namespace captee::tee::apps {
namespace {

using iface::IAppController;
using iface::IAppLoader;
using iface::ITestTa;
using test::UpperListener;
using testing::eventually;

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

bool process_gone(pid_t pid) {
  return ::kill(pid, 0) != 0 && errno == ESRCH;
}

// Every test runs twice: with the client given direct channels to the TA
// processes, and with calls forwarded through the loader.
class AppLoaderBase : public ::testing::Test {
 protected:
  explicit AppLoaderBase(testing::Path path) : path_(path), env_(testing::test_config(), path) {}
  void SetUp() override { image_ = testing::read_file(CAPTEE_TEST_TA); }
  bool direct() const { return path_ == testing::Path::kDirect; }

  // Loads the test TA; returns its controller and app object.
  void load(Ref &ctrl, Ref &app) {
    IAppLoader loader(env_.loader);
    ASSERT_EQ(loader.loadFromBuffer(image_, ctrl), Object_OK);
    ASSERT_EQ(IAppController(ctrl).getAppObject(app), Object_OK);
  }

  static uint32_t sum(const Ref &app, uint32_t a, uint32_t b, int32_t *rv = nullptr) {
    uint32_t s = 0;
    int32_t r = ITestTa(app).add(a, b, s);
    if (rv != nullptr) {
      *rv = r;
    }
    return s;
  }

  testing::Path path_;
  std::vector<std::byte> image_;
  testing::LoaderOverChannel env_;
};

std::string path_name(testing::Path p) {
  return p == testing::Path::kDirect ? "direct" : "forwarded";
}

class AppLoaderTest : public ::testing::WithParamInterface<testing::Path>, public AppLoaderBase {
 protected:
  AppLoaderTest() : AppLoaderBase(GetParam()) {}
};

INSTANTIATE_TEST_SUITE_P(Paths, AppLoaderTest,
                         ::testing::Values(testing::Path::kDirect, testing::Path::kForwarded),
                         [](const auto &info) { return path_name(info.param); });

TEST_P(AppLoaderTest, LoadsAndInvokesATaInItsOwnProcess) {
  Ref ctrl, app;
  load(ctrl, app);
  EXPECT_EQ(sum(app, 2, 40), 42u);
  std::string text = "hello, trusted world";
  std::vector<std::byte> out(64);
  size_t len = 0;
  ASSERT_EQ(ITestTa(app).echo(std::as_bytes(std::span(text)), out, len), Object_OK);
  EXPECT_EQ(std::string(reinterpret_cast<char *>(out.data()), len), text);
  uint32_t pid = 0;
  ASSERT_EQ(ITestTa(app).pid(pid), Object_OK);
  EXPECT_NE(pid, static_cast<uint32_t>(::getpid()));
  EXPECT_EQ(env_.registry->live_tas(), 1u);
  auto list = env_.registry->list();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].name, "captee_test_ta");
  EXPECT_EQ(list[0].pid, static_cast<pid_t>(pid));
}

TEST_P(AppLoaderTest, ObjectsReturnedByTheTaWorkAndDieWithIt) {
  Ref ctrl, app, child;
  load(ctrl, app);
  ASSERT_EQ(ITestTa(app).child(child), Object_OK);
  EXPECT_EQ(sum(child, 1, 1), 2u);
  EXPECT_EQ(ITestTa(app).crash(ITestTa_CRASH_SEGV), Object_ERROR_DEFUNCT);
  int32_t rv = 0;
  sum(child, 1, 1, &rv);
  EXPECT_EQ(rv, Object_ERROR_DEFUNCT);
}

TEST_P(AppLoaderTest, SeccompDeniesOpenSocketForkAndSignals) {
  Ref ctrl, app;
  load(ctrl, app);
  int32_t open_errno = 0, socket_errno = 0, fork_errno = 0, signal_errno = 0;
  ASSERT_EQ(ITestTa(app).tryEscape(open_errno, socket_errno, fork_errno, signal_errno), Object_OK);
  EXPECT_EQ(signal_errno, EPERM);
  EXPECT_EQ(open_errno, EPERM);
  EXPECT_EQ(socket_errno, EPERM);
  EXPECT_EQ(fork_errno, EPERM);
  EXPECT_EQ(sum(app, 1, 2), 3u);  // the channel still works under the filter
}

struct CrashCase {
  const char *name;
  uint32_t how;
};

void PrintTo(const CrashCase &c, std::ostream *os) {
  *os << c.name;
}

class CrashTest : public ::testing::WithParamInterface<std::tuple<CrashCase, testing::Path>>,
                  public AppLoaderBase {
 protected:
  CrashTest() : AppLoaderBase(std::get<1>(GetParam())) {}
  const CrashCase &crash() const { return std::get<0>(GetParam()); }
};

TEST_P(CrashTest, IsContainedAndTheTaCanRestart) {
  if (crash().how == ITestTa_CRASH_HOG && kSanitized) {
    GTEST_SKIP() << "memory rlimits are off in sanitizer builds";
  }
  Ref ctrl, app;
  load(ctrl, app);
  uint32_t pid = 0;
  ASSERT_EQ(ITestTa(app).pid(pid), Object_OK);

  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(ITestTa(app).crash(crash().how), Object_ERROR_DEFUNCT);
  if (crash().how == ITestTa_CRASH_LOOP) {
    // Killed at the manifest's 1000 ms deadline, not much later.
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  }
  int32_t rv = 0;
  sum(app, 1, 1, &rv);
  EXPECT_EQ(rv, Object_ERROR_DEFUNCT);
  Ref again;
  // A direct client may hear of the death (its own channel to the TA closed)
  // a moment before the loader does (the loader's channel closed).
  EXPECT_TRUE(eventually([&] {
    return IAppController(ctrl).getAppObject(again) == IAppController_ERROR_APP_UNLOADED;
  }));
  EXPECT_TRUE(eventually([&] { return env_.registry->live_tas() == 0; }));
  EXPECT_TRUE(process_gone(static_cast<pid_t>(pid)));
  auto list = env_.registry->list();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_FALSE(list[0].alive);
  EXPECT_FALSE(list[0].exit_reason.empty());
  if (!kSanitized) {  // ASan's own SIGSEGV handler exits with status 1 instead
    EXPECT_NE(list[0].exit_reason.find("signal"), std::string::npos) << list[0].exit_reason;
  }

  // The controller brings it back; a fresh load works too.
  ASSERT_EQ(IAppController(ctrl).restart(), Object_OK);
  ASSERT_EQ(IAppController(ctrl).getAppObject(again), Object_OK);
  EXPECT_EQ(sum(again, 20, 22), 42u);
  Ref ctrl2, app2;
  load(ctrl2, app2);
  EXPECT_EQ(sum(app2, 5, 5), 10u);
  EXPECT_EQ(env_.registry->live_tas(), 2u);
}

INSTANTIATE_TEST_SUITE_P(
    Crashes, CrashTest,
    ::testing::Combine(::testing::Values(CrashCase{"segfault", ITestTa_CRASH_SEGV},
                                         CrashCase{"abort", ITestTa_CRASH_ABORT},
                                         CrashCase{"loop", ITestTa_CRASH_LOOP},
                                         CrashCase{"memory", ITestTa_CRASH_HOG}),
                       ::testing::Values(testing::Path::kDirect, testing::Path::kForwarded)),
    [](const auto &info) {
      return std::string(std::get<0>(info.param).name) + "_" + path_name(std::get<1>(info.param));
    });

TEST_P(AppLoaderTest, ASlowCallWithinTheDeadlineSucceeds) {
  Ref ctrl, app;
  load(ctrl, app);
  EXPECT_EQ(ITestTa(app).sleepMs(200), Object_OK);
  EXPECT_EQ(sum(app, 1, 1), 2u);
}

TEST_P(AppLoaderTest, UnloadKillsTheTa) {
  Ref ctrl, app;
  load(ctrl, app);
  uint32_t pid = 0;
  ASSERT_EQ(ITestTa(app).pid(pid), Object_OK);
  ASSERT_EQ(IAppController(ctrl).unload(), Object_OK);
  int32_t rv = 0;
  sum(app, 1, 1, &rv);
  EXPECT_EQ(rv, Object_ERROR_DEFUNCT);
  EXPECT_TRUE(eventually([&] { return process_gone(static_cast<pid_t>(pid)); }));
  EXPECT_EQ(env_.registry->live_tas(), 0u);
}

TEST_P(AppLoaderTest, ReleasingTheControllerEndsTheTa) {
  Ref ctrl, app;
  load(ctrl, app);
  uint32_t pid = 0;
  ASSERT_EQ(ITestTa(app).pid(pid), Object_OK);
  ctrl.reset();
  EXPECT_TRUE(eventually([&] { return env_.registry->live_tas() == 0; }));
  EXPECT_TRUE(eventually([&] { return process_gone(static_cast<pid_t>(pid)); }));
  int32_t rv = 0;
  sum(app, 1, 1, &rv);
  EXPECT_EQ(rv, Object_ERROR_DEFUNCT);
}

TEST_P(AppLoaderTest, LoadsFromAMemoryObject) {
  Ref mem = MemoryObject::create(image_.size());
  ASSERT_FALSE(mem.is_null());
  auto *m = LocalObject::from_as<MemoryObject>(mem.get());
  std::memcpy(m->bytes().data(), image_.data(), image_.size());
  Ref ctrl, app;
  ASSERT_EQ(IAppLoader(env_.loader).loadFromRegion(mem, ctrl), Object_OK);
  ASSERT_EQ(IAppController(ctrl).getAppObject(app), Object_OK);
  EXPECT_EQ(sum(app, 3, 4), 7u);
}

TEST_P(AppLoaderTest, LoadsEmbeddedByNameAndConnects) {
  Ref ctrl, app, ctrl2, app2;
  IAppLoader loader(env_.loader);
  std::string name = "captee_test_ta";
  ASSERT_EQ(loader.loadEmbedded(std::as_bytes(std::span(name)), ctrl), Object_OK);
  ASSERT_EQ(loader.connect(std::as_bytes(std::span(name)), ctrl2), Object_OK);
  ASSERT_EQ(IAppController(ctrl2).getAppObject(app2), Object_OK);
  EXPECT_EQ(sum(app2, 1, 2), 3u);
  std::string missing = "no_such_ta", evil = "../../etc/passwd";
  Ref none;
  EXPECT_EQ(loader.loadEmbedded(std::as_bytes(std::span(missing)), none),
            IAppLoader_ERROR_EMBEDDED_IMAGE_NOT_FOUND);
  EXPECT_EQ(loader.loadEmbedded(std::as_bytes(std::span(evil)), none),
            IAppLoader_ERROR_EMBEDDED_IMAGE_NOT_FOUND);
  EXPECT_EQ(loader.connect(std::as_bytes(std::span(missing)), none),
            IAppLoader_ERROR_APP_NOT_LOADED);
}

TEST_P(AppLoaderTest, RejectsBadImagesAndKeepsWorking) {
  IAppLoader loader(env_.loader);
  Ref ctrl;
  std::vector<std::byte> junk(4096, std::byte{0x7f});
  EXPECT_EQ(loader.loadFromBuffer(junk, ctrl), IAppLoader_ERROR_METADATA_INVALID);
  EXPECT_EQ(loader.loadFromBuffer({}, ctrl), IAppLoader_ERROR_INVALID_BUFFER);
  auto truncated = image_;
  truncated.resize(image_.size() / 2);
  EXPECT_NE(loader.loadFromBuffer(truncated, ctrl), Object_OK);
  Ref not_memory = make_listener_registry(nullptr);
  EXPECT_EQ(loader.loadFromRegion(not_memory, ctrl), IAppLoader_ERROR_INVALID_BUFFER);
  EXPECT_EQ(env_.registry->live_tas(), 0u);
  Ref app;
  load(ctrl, app);
  EXPECT_EQ(sum(app, 1, 1), 2u);
}

TEST_P(AppLoaderTest, ATaInvokesARegisteredListener) {
  Ref mem = MemoryObject::create(4096);
  Ref cbo = make_object<UpperListener>(mem);
  iface::IRegisterListenerCBO reg(env_.registrar);
  ASSERT_EQ(reg.register_(0x10, cbo, mem), Object_OK);
  EXPECT_EQ(reg.register_(0x10, cbo, mem), IRegisterListenerCBO_ERROR_ID_IN_USE);
  EXPECT_EQ(reg.register_(0, cbo, mem), IRegisterListenerCBO_ERROR_ID_RESERVED);

  Ref ctrl, app;
  load(ctrl, app);
  std::string req = "read block 7";
  std::vector<std::byte> resp(64);
  size_t len = 0;
  ASSERT_EQ(ITestTa(app).callListener(0x10, std::as_bytes(std::span(req)), resp, len), Object_OK);
  EXPECT_EQ(std::string(reinterpret_cast<char *>(resp.data()), len), "READ BLOCK 7");
  EXPECT_EQ(LocalObject::from_as<UpperListener>(cbo.get())->calls.load(), 1);
  EXPECT_EQ(ITestTa(app).callListener(0x11, std::as_bytes(std::span(req)), resp, len),
            IOpener_ERROR_NOT_FOUND);
}

uint32_t pid_of(const Ref &app) {
  uint32_t pid = 0;
  return ITestTa(app).pid(pid) == Object_OK ? pid : 0;
}

TEST_P(AppLoaderTest, ASingleInstanceTaIsSharedByItsLoads) {
  auto image = testing::read_file(std::string(CAPTEE_TA_DIR) + "/captee_test_ta_single.ta");
  IAppLoader loader(env_.loader);
  Ref c1, a1, c2, a2;
  ASSERT_EQ(loader.loadFromBuffer(image, c1), Object_OK);
  ASSERT_EQ(loader.loadFromBuffer(image, c2), Object_OK);
  ASSERT_EQ(IAppController(c1).getAppObject(a1), Object_OK);
  ASSERT_EQ(IAppController(c2).getAppObject(a2), Object_OK);
  EXPECT_EQ(pid_of(a1), pid_of(a2));
  EXPECT_EQ(env_.registry->live_tas(), 1u);
  // The multi-instance test TA gets a process per load.
  Ref c3, a3, c4, a4;
  load(c3, a3);
  load(c4, a4);
  EXPECT_NE(pid_of(a3), pid_of(a4));
  EXPECT_EQ(env_.registry->live_tas(), 3u);
}

TEST_P(AppLoaderTest, AKeepAliveTaOutlivesItsControllers) {
  auto image = testing::read_file(std::string(CAPTEE_TA_DIR) + "/captee_test_ta_keep.ta");
  IAppLoader loader(env_.loader);
  Ref ctrl;
  ASSERT_EQ(loader.loadFromBuffer(image, ctrl), Object_OK);
  ctrl.reset();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(env_.registry->live_tas(), 1u);
  std::string name = "captee_test_ta_keep";
  Ref again, app;
  ASSERT_EQ(loader.connect(std::as_bytes(std::span(name)), again), Object_OK);
  ASSERT_EQ(IAppController(again).getAppObject(app), Object_OK);
  EXPECT_EQ(sum(app, 2, 2), 4u);
  ASSERT_EQ(IAppController(again).unload(), Object_OK);
  EXPECT_TRUE(eventually([&] { return env_.registry->live_tas() == 0u; }));
}

TEST_P(AppLoaderTest, ATaThatRefusesToStartIsReapedAndReported) {
  auto image = testing::read_file(std::string(CAPTEE_TA_DIR) + "/captee_test_ta_refuse.ta");
  IAppLoader loader(env_.loader);
  Ref ctrl;
  EXPECT_EQ(loader.loadFromBuffer(image, ctrl), IAppLoader_ERROR_ELF_LOADING);
  EXPECT_TRUE(ctrl.is_null());
  EXPECT_EQ(env_.registry->live_tas(), 0u);
  EXPECT_TRUE(eventually([] { return testing::child_count() == 0u; }));
  Ref app;
  load(ctrl, app);
  EXPECT_EQ(sum(app, 1, 1), 2u);
}

TEST_P(AppLoaderTest, AMissingHostIsAnError) {
  auto cfg = testing::test_config();
  cfg.tahost_path = "/nonexistent/captee-tahost";
  auto reg = AppRegistry::create(cfg);
  Ref ctrl;
  EXPECT_EQ(reg->load_image(image_, ctrl), IAppLoader_ERROR_ELF_LOADING);
  EXPECT_EQ(reg->live_tas(), 0u);
  EXPECT_TRUE(eventually([] { return testing::child_count() == 0u; }));
}

TEST_P(AppLoaderTest, AClientThatVanishesMidCallReleasesItsTa) {
  Ref ctrl, app;
  load(ctrl, app);
  int32_t rv = Object_OK;
  std::thread caller([&] { rv = ITestTa(app).sleepMs(300); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  env_.client->close();  // as if the client process died
  caller.join();
  // Forwarded, the call dies with the client's connection. Direct, it lives
  // on its own channel until the loader, which dropped the client's
  // controller, ends the TA.
  EXPECT_EQ(rv, direct() ? Object_ERROR_DEFUNCT : Object_ERROR_UNAVAIL);
  // The loader dropped the client's controller and app object: the TA ends
  // once its call is done, and the loader still serves others.
  EXPECT_TRUE(eventually([&] { return env_.registry->live_tas() == 0u; }));
  EXPECT_TRUE(eventually([] { return testing::child_count() == 0u; }));
  Ref ctrl2;
  auto reg_loader = make_app_loader(env_.registry);
  ASSERT_EQ(IAppLoader(reg_loader).loadFromBuffer(image_, ctrl2), Object_OK);
  EXPECT_EQ(env_.registry->live_tas(), 1u);
}

TEST_P(AppLoaderTest, LeavesNoOrphanProcesses) {
  {
    Ref c1, a1, c2, a2, c3, a3;
    load(c1, a1);
    load(c2, a2);
    load(c3, a3);
    EXPECT_EQ(env_.registry->live_tas(), 3u);
    EXPECT_EQ(ITestTa(a2).crash(ITestTa_CRASH_ABORT), Object_ERROR_DEFUNCT);
    EXPECT_TRUE(eventually([&] { return env_.registry->live_tas() == 2u; }));
  }
  EXPECT_TRUE(eventually([&] { return env_.registry->live_tas() == 0u; }));
  EXPECT_TRUE(eventually([&] { return testing::child_count() == 0u; }));
}

}  // namespace
}  // namespace captee::tee::apps
