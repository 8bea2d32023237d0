// Issue 20, finding 3, from the attacker's side: one uid loads keep-alive TAs
// until capteed refuses, lets go of them and hangs up. Before the fix every
// TA slot (64) stayed taken, by processes nothing but a restart removed, and
// every other uid, root included, was refused. Now each uid has its caps,
// counted in `captee stats`, and root clears what is left with
// `captee ta unload ID`.
#include <string>

#include "IAppLoader.h"
#include "IDiagnostics.h"
#include "captee/tee/apps/app_loader.hpp"
#include "hostile_ta_fixture.hpp"
#include "tee_client_api.h"

using namespace captee;
using namespace captee::test;

TEST_F(HostileTaTest, OneUidFillingTaSlotsLeavesOthersRoomAndRootUnloadsWhatItLeft) {
  const size_t cap = tee::apps::AppLoaderConfig{}.max_keep_alive_per_uid;
  const size_t slots = tee::apps::AppLoaderConfig{}.max_apps;
  ASSERT_LT(cap, slots);
  {
    // More loads than there are slots.
    HostileClientRun fill({"ta-fill", d_.socket(), CAPTEE_TEST_TA_KEEP, std::to_string(slots + 6)},
                          "4242:4242");
    ASSERT_TRUE(fill.ready()) << fill.line();
    EXPECT_EQ(word(fill, 0), long(cap)) << "uid 4242 was not stopped at its keep-alive cap";
    EXPECT_EQ(word(fill, 1), IAppLoader_ERROR_MAX_NUM_APPS);
  }  // it has let go and hung up: its keep-alive TAs remain
  EXPECT_EQ(tas_where("authority", "uid:4242").size(), cap);

  // Another uid and root still load.
  HostileClientRun other({"ta-load", d_.socket(), CAPTEE_TEST_TA_KEEP}, "4243:4243");
  ASSERT_TRUE(other.ready()) << other.line();
  EXPECT_EQ(word(other, 0), Object_OK) << "uid 4243 could not load a TA";
  EXPECT_GT(word(other, 1), 0);
  auto [rc, out] = cli(std::string("ta load ") + CAPTEE_TEST_TA_KEEP);
  EXPECT_EQ(rc, 0) << "root could not load a TA: " << out;
  // The filler is still at its cap, and each refusal is counted.
  HostileClientRun again({"ta-load", d_.socket(), CAPTEE_TEST_TA_KEEP}, "4242:4242");
  ASSERT_TRUE(again.ready()) << again.line();
  EXPECT_EQ(word(again, 0), IAppLoader_ERROR_MAX_NUM_APPS);
  nlohmann::json s = stats();
  EXPECT_EQ(s["tas_keep_alive"], cap + 2) << s.dump();
  EXPECT_EQ(s["tas_loaded"], cap + 2) << s.dump();
  EXPECT_EQ(s["ta_loads_refused_uid_cap"], 2) << s.dump();
  EXPECT_EQ(s["tas"], cap + 2) << s.dump();

  // The filler cannot stop another's TA; it may stop its own; root stops
  // the rest. Then the filler has room again.
  auto mine = tas_where("authority", "uid:4242");
  auto others = tas_where("authority", "uid:4243");
  ASSERT_EQ(mine.size(), cap);
  ASSERT_EQ(others.size(), 1u);
  HostileClientRun denied(
      {"ta-unload", d_.socket(), std::to_string(others[0]["id"].get<uint64_t>())}, "4242:4242");
  EXPECT_EQ(word(denied, 0), IDiagnostics_ERROR_RESTRICTED) << denied.line();
  HostileClientRun own({"ta-unload", d_.socket(), std::to_string(mine[0]["id"].get<uint64_t>())},
                       "4242:4242");
  EXPECT_EQ(word(own, 0), Object_OK) << own.line();
  for (size_t i = 1; i < mine.size(); ++i) {
    std::tie(rc, out) = cli("ta unload " + std::to_string(mine[i]["id"].get<uint64_t>()));
    EXPECT_EQ(rc, 0) << out;
  }
  std::tie(rc, out) = cli("ta unload " + std::to_string(mine[0]["id"].get<uint64_t>()));
  EXPECT_NE(rc, 0) << "a TA was unloaded twice: " << out;
  EXPECT_TRUE(tas_where("authority", "uid:4242").empty()) << ta_list().dump();
  s = stats();
  EXPECT_EQ(s["tas_unloaded_by_admin"], cap) << s.dump();
  EXPECT_EQ(s["tas_keep_alive"], 2) << s.dump();
  {
    HostileClientRun room({"ta-load", d_.socket(), CAPTEE_TEST_TA_KEEP}, "4242:4242");
    ASSERT_TRUE(room.ready()) << room.line();
    EXPECT_EQ(word(room, 0), Object_OK) << "uid 4242 has no room after the unloads";
  }

  // Back to the baseline: the clients let go, root unloads everything left.
  other.finish();
  again.finish();
  for (const auto &t : ta_list()) {
    std::tie(rc, out) = cli("ta unload " + std::to_string(t["id"].get<uint64_t>()));
    EXPECT_EQ(rc, 0) << out;
  }
  EXPECT_TRUE(eventually([&] { return ta_list().empty(); })) << ta_list().dump();
}

// The same through GP sessions: each session to a multi-instance GP TA is a
// TA process of its own, started for the client's uid. Before the fix one
// uid could hold all 64 of the GP service's slots (and the refusal said
// ITEM_NOT_FOUND).
TEST_F(HostileTaTest, OneUidsGpSessionsStopAtItsCapAndOthersStillOpen) {
  const size_t cap = tee::apps::AppLoaderConfig{}.max_tas_per_uid;
  const size_t slots = tee::apps::AppLoaderConfig{}.max_apps;
  HostileClientRun fill({"gp-fill", d_.socket(), std::to_string(slots + 6)}, "4242:4242");
  ASSERT_TRUE(fill.ready()) << fill.line();
  EXPECT_EQ(word(fill, 0), long(cap)) << "uid 4242 was not stopped at its cap";
  EXPECT_EQ(uint32_t(word(fill, 1)), uint32_t(TEEC_ERROR_OUT_OF_MEMORY)) << fill.line();
  HostileClientRun other({"gp-fill", d_.socket(), "1"}, "4243:4243");
  ASSERT_TRUE(other.ready()) << other.line();
  EXPECT_EQ(word(other, 0), 1) << "uid 4243 could not open a session: " << other.line();
  EXPECT_EQ(stats()["ta_loads_refused_uid_cap"], 1);
  EXPECT_EQ(tas_where("loaded_by", 4242).size(), cap);
}
