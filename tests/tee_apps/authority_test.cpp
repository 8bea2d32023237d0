// The app registry's rules for who shares, finds, fills and stops TAs
// (issue 20 findings 2, 3, 8), in-process: loads name the loading uid the
// way capteed's per-client loaders do, and images are compared byte for
// byte (no hasher configured).
#include <gtest/gtest.h>
#include <signal.h>

#include <cerrno>
#include <fstream>
#include <string>
#include <vector>

#include "IAppController.hpp"
#include "IAppLoader.h"
#include "ITestTa.hpp"
#include "captee/tee/apps/app_loader.hpp"
#include "harness.hpp"

namespace captee::tee::apps {
namespace {

using iface::IAppController;
using iface::ITestTa;
using testing::eventually;

constexpr uid_t kAlice = 4242;
constexpr uid_t kBob = 4243;

std::vector<std::byte> ta_file(const std::string &name) {
  return testing::read_file(std::string(CAPTEE_TA_DIR) + "/" + name + ".ta");
}

// The pid of the TA process behind `ctrl`, 0 if none.
uint32_t pid_of(const Ref &ctrl) {
  Ref app;
  uint32_t pid = 0;
  if (IAppController(ctrl).getAppObject(app) != Object_OK || ITestTa(app).pid(pid) != Object_OK) {
    return 0;
  }
  return pid;
}

std::string cmdline_of(uint32_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  for (char &c : s) {
    c = c == '\0' ? ' ' : c;
  }
  return s;
}

// Points into `tas`, which must outlive the result.
const TaInfo *find(const std::vector<TaInfo> &tas, uint64_t id) {
  for (const TaInfo &t : tas) {
    if (t.id == id) {
      return &t;
    }
  }
  return nullptr;
}
const TaInfo *find(std::vector<TaInfo> &&, uint64_t) = delete;  // would dangle

class Authority : public ::testing::Test {
 protected:
  void SetUp() override { reg_ = AppRegistry::create(cfg_); }
  void TearDown() override {
    reg_.reset();
    EXPECT_TRUE(eventually([] { return testing::child_count() == 0u; }));
  }
  // The id of the TA `ctrl` controls (by its pid).
  uint64_t id_of(const Ref &ctrl) {
    const uint32_t pid = pid_of(ctrl);
    for (const TaInfo &t : reg_->list()) {
      if (t.alive && uint32_t(t.pid) == pid) {
        return t.id;
      }
    }
    return 0;
  }

  AppLoaderConfig cfg_ = testing::test_config();
  std::shared_ptr<AppRegistry> reg_;
};

TEST_F(Authority, ASingleInstanceTaIsSharedOnlyForTheSameImageFromTheSameAuthority) {
  const auto image = ta_file("captee_test_ta_single");
  Ref a1, a2, b1, dir1, dir2;
  ASSERT_EQ(reg_->load_image(image, kAlice, a1), Object_OK);
  ASSERT_EQ(reg_->load_image(image, kAlice, a2), Object_OK);
  ASSERT_EQ(reg_->load_image(image, kBob, b1), Object_OK);
  ASSERT_EQ(reg_->load_embedded("captee_test_ta_single", kAlice, dir1), Object_OK);
  ASSERT_EQ(reg_->load_embedded("captee_test_ta_single", kBob, dir2), Object_OK);
  EXPECT_EQ(pid_of(a1), pid_of(a2));
  EXPECT_NE(pid_of(a1), pid_of(b1));
  EXPECT_EQ(pid_of(dir1), pid_of(dir2)) << "the TA directory's instance is everyone's";
  EXPECT_NE(pid_of(dir1), pid_of(a1));
  EXPECT_NE(pid_of(dir1), pid_of(b1));
  EXPECT_EQ(reg_->live_tas(), 3u);

  // Another image bearing the same UUID (one byte appended: the ELF still
  // loads, the hash differs) is refused for an authority that runs the
  // first, and runs on its own for another.
  auto other = image;
  other.push_back(std::byte{0});
  Ref refused, c1;
  EXPECT_EQ(reg_->load_image(other, kAlice, refused), IAppLoader_ERROR_ALREADY_LOADED);
  EXPECT_TRUE(refused.is_null());
  ASSERT_EQ(reg_->load_image(other, 4244, c1), Object_OK);
  EXPECT_EQ(reg_->live_tas(), 4u);

  for (const TaInfo &t : reg_->list()) {
    // In-process, with no hasher, images are compared byte for byte
    // (capteed's SHA-256: HostileTaTest.TwoUidsLoading...).
    EXPECT_EQ(t.image_sha256, "");
    if (t.authority == TaAuthority::ta_dir()) {
      EXPECT_EQ(t.loaded_by, kAlice) << "who started it";
    } else {
      EXPECT_EQ(t.authority, TaAuthority::user(t.loaded_by));
    }
  }
}

TEST_F(Authority, NameLookupsReachTheTaDirectoryAndTheCallersOwnNeverAnothers) {
  const auto keep = ta_file("captee_test_ta_keep");
  Ref mine;
  ASSERT_EQ(reg_->load_image(keep, kAlice, mine), Object_OK);
  const uint32_t alices = pid_of(mine);
  mine.reset();  // keep-alive: it stays
  Ref found;
  EXPECT_EQ(reg_->connect("captee_test_ta_keep", kBob, found), IAppLoader_ERROR_APP_NOT_LOADED);
  EXPECT_EQ(reg_->connect("captee_test_ta_keep", 0, found), IAppLoader_ERROR_APP_NOT_LOADED);
  ASSERT_EQ(reg_->connect("captee_test_ta_keep", kAlice, found), Object_OK);
  EXPECT_EQ(pid_of(found), alices);

  // Once the TA directory runs it, that instance is what every name lookup
  // finds, Alice's included; loadEmbedded never returns hers.
  Ref dir;
  ASSERT_EQ(reg_->load_embedded("captee_test_ta_keep", kBob, dir), Object_OK);
  const uint32_t installed = pid_of(dir);
  EXPECT_NE(installed, alices);
  for (uid_t who : {uid_t(0), kAlice, kBob}) {
    Ref c;
    ASSERT_EQ(reg_->connect("captee_test_ta_keep", who, c), Object_OK);
    EXPECT_EQ(pid_of(c), installed) << "uid " << who;
  }
}

TEST_F(Authority, AUidIsCappedRootIsNotAndAnInstalledSingleInstanceTaCountsForNobody) {
  cfg_.max_tas_per_uid = 3;
  cfg_.max_keep_alive_per_uid = 2;
  reg_ = AppRegistry::create(cfg_);
  const auto keep = ta_file("captee_test_ta_keep");
  const auto plain = ta_file("captee_test_ta");
  std::vector<Ref> held(6);
  ASSERT_EQ(reg_->load_image(keep, kAlice, held[0]), Object_OK);
  ASSERT_EQ(reg_->load_image(keep, kAlice, held[1]), Object_OK);
  EXPECT_EQ(reg_->load_image(keep, kAlice, held[2]), IAppLoader_ERROR_MAX_NUM_APPS)
      << "a third keep-alive TA";
  ASSERT_EQ(reg_->load_image(plain, kAlice, held[2]), Object_OK);
  EXPECT_EQ(reg_->load_image(plain, kAlice, held[3]), IAppLoader_ERROR_MAX_NUM_APPS)
      << "a fourth TA";
  // The installed single-instance TA: at most one, whoever starts it.
  ASSERT_EQ(reg_->load_embedded("captee_test_ta_single", kAlice, held[3]), Object_OK);
  // Others are not Alice.
  ASSERT_EQ(reg_->load_image(keep, kBob, held[4]), Object_OK);
  for (int i = 0; i < 3; ++i) {
    Ref r;
    ASSERT_EQ(reg_->load_image(keep, 0, r), Object_OK) << "root, keep-alive TA " << i;
  }
  TaCounters c = reg_->counters();
  EXPECT_EQ(c.refused_uid_cap, 2u);
  EXPECT_EQ(c.keep_alive, 6u);
  EXPECT_EQ(c.loaded, 8u);
  // Letting go of a plain TA frees its slot; keep-alive ones stay.
  held[2].reset();
  held[0].reset();
  EXPECT_EQ(reg_->load_image(keep, kAlice, held[0]), IAppLoader_ERROR_MAX_NUM_APPS);
  ASSERT_EQ(reg_->load_image(plain, kAlice, held[2]), Object_OK);
  EXPECT_EQ(reg_->counters().refused_uid_cap, 3u);
}

TEST_F(Authority, TheMemoryLimitIsTheSmallerOfTheManifestsAndTheCeiling) {
  // The test TA's manifest asks for 32 MiB.
  const auto image = ta_file("captee_test_ta");
  for (uint64_t ceiling : {uint64_t(16) << 20, uint64_t(64) << 20}) {
    cfg_.memory_ceiling = ceiling;
    auto reg = AppRegistry::create(cfg_);
    Ref ctrl;
    ASSERT_EQ(reg->load_image(image, kAlice, ctrl), Object_OK);
    const std::string want =
        "--memory-limit " + std::to_string(std::min(ceiling, uint64_t(32) << 20));
    EXPECT_NE(cmdline_of(pid_of(ctrl)).find(want + " "), std::string::npos)
        << cmdline_of(pid_of(ctrl));
  }
}

TEST_F(Authority, RootUnloadsAnyTaAUidOnlyItsOwnAndNothingBringsItBack) {
  const auto keep = ta_file("captee_test_ta_keep");
  Ref alices, installed;
  ASSERT_EQ(reg_->load_image(keep, kAlice, alices), Object_OK);
  ASSERT_EQ(reg_->load_embedded("captee_test_ta_keep", kAlice, installed), Object_OK);
  const uint64_t alice_id = id_of(alices);
  const uint64_t installed_id = id_of(installed);
  ASSERT_NE(alice_id, 0u);
  ASSERT_NE(installed_id, 0u);
  ASSERT_NE(alice_id, installed_id);
  const pid_t pid = pid_t(pid_of(alices));

  EXPECT_EQ(reg_->unload(alice_id, kBob), UnloadResult::kNotPermitted);
  EXPECT_EQ(reg_->unload(installed_id, kAlice), UnloadResult::kNotPermitted)
      << "a user stopped a TA of the TA directory";
  EXPECT_EQ(reg_->unload(alice_id + installed_id + 100, 0), UnloadResult::kNotFound);
  EXPECT_EQ(reg_->unload(alice_id, kAlice), UnloadResult::kOk);
  EXPECT_TRUE(eventually([&] { return ::kill(pid, 0) != 0 && errno == ESRCH; }));
  Ref app;
  EXPECT_EQ(IAppController(alices).getAppObject(app), IAppController_ERROR_APP_UNLOADED);
  EXPECT_EQ(IAppController(alices).restart(), IAppController_ERROR_APP_RESTART_FAILED);
  EXPECT_EQ(reg_->unload(alice_id, 0), UnloadResult::kNotFound) << "unloaded twice";
  const std::vector<TaInfo> listed = reg_->list();
  const TaInfo *t = find(listed, alice_id);
  ASSERT_NE(t, nullptr) << "still held by its controller";
  EXPECT_TRUE(t->unloaded);
  EXPECT_FALSE(t->alive);

  EXPECT_EQ(reg_->unload(installed_id, 0), UnloadResult::kOk);
  installed.reset();
  alices.reset();
  EXPECT_TRUE(reg_->list().empty()) << "an unloaded keep-alive TA is no longer held";
  const TaCounters c = reg_->counters();
  EXPECT_EQ(c.unloaded_by_admin, 2u);
  EXPECT_EQ(c.keep_alive, 0u);
  EXPECT_EQ(reg_->live_tas(), 0u);
}

}  // namespace
}  // namespace captee::tee::apps
