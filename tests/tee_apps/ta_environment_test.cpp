// What capteed hands each TA besides listeners
// (include/captee/tee/apps/ta_environment.hpp), from the TA's side, which is
// the attacker's: an ITaEnvironment bound to one (authority, UUID), invoked
// with whatever a TA process may send, and the per-TA host environment that
// offers it, where no other id of capteed's range answers and no listener
// may register.
#include "captee/tee/apps/ta_environment.hpp"

#include <gtest/gtest.h>

#include <cstring>

#include "IOpener.hpp"
#include "IRegisterListenerCBO.h"
#include "ITaEnvironment.hpp"
#include "captee/tee/apps/listeners.hpp"
#include "captee/ta_sdk.h"

namespace captee::tee::apps {
namespace {

const TaUuid kDevice = {1, 2, 3, 4, 5, 6, 0x47, 8, 0x89, 10, 11, 12, 13, 14, 15, 16};
const TaUuid kUuid = {0x7e, 0x57, 0xc0, 0xde, 0, 0x13, 0x40, 0, 0x80, 0, 0, 0, 0, 0, 0, 0x13};

class TaEnvironmentTest : public ::testing::Test {
 protected:
  TaEnvironmentTest()
      : times_(std::make_shared<TaTimeStore>("", [this] { return clock_ms_; })),
        env_(kDevice, times_) {}

  int64_t clock_ms_ = 1'700'000'000'000;
  std::shared_ptr<TaTimeStore> times_;
  TaEnvironment env_;
};

TEST_F(TaEnvironmentTest, AnswersTheDeviceIdAndItsTasTime) {
  iface::ITaEnvironment e(env_.for_ta(TaAuthority::ta_dir(), kUuid));
  ITaEnvironment_Uuid id{};
  ASSERT_EQ(e.getDeviceId(id), Object_OK);
  EXPECT_EQ(std::memcmp(id.bytes, kDevice.data(), 16), 0);
  uint64_t ms = 1;
  EXPECT_EQ(e.getPersistentTime(ms), ITaEnvironment_ERROR_TIME_NOT_SET);
  ASSERT_EQ(e.setPersistentTime(42), Object_OK);
  ASSERT_EQ(e.getPersistentTime(ms), Object_OK);
  EXPECT_EQ(ms, 42u);
}

// A TA's object reaches only the time of the TA capteed bound it to: nothing
// in a call names another.
TEST_F(TaEnvironmentTest, EachObjectIsBoundToOneTa) {
  iface::ITaEnvironment mine(env_.for_ta(TaAuthority::user(1000), kUuid));
  iface::ITaEnvironment same_uuid_other_authority(env_.for_ta(TaAuthority::ta_dir(), kUuid));
  ASSERT_EQ(same_uuid_other_authority.setPersistentTime(1000), Object_OK);
  uint64_t ms = 0;
  EXPECT_EQ(mine.getPersistentTime(ms), ITaEnvironment_ERROR_TIME_NOT_SET);
  ASSERT_EQ(mine.setPersistentTime(5), Object_OK);
  ASSERT_EQ(same_uuid_other_authority.getPersistentTime(ms), Object_OK);
  EXPECT_EQ(ms, 1000u);
}

TEST_F(TaEnvironmentTest, TimesBeyondGpsAreRefusedAndChangeNothing) {
  iface::ITaEnvironment e(env_.for_ta(TaAuthority::ta_dir(), kUuid));
  ASSERT_EQ(e.setPersistentTime(7), Object_OK);
  for (uint64_t bad : {TaTimeStore::kMaxMillis + 1, uint64_t(INT64_MAX), UINT64_MAX}) {
    EXPECT_EQ(e.setPersistentTime(bad), Object_ERROR_INVALID) << bad;
  }
  uint64_t ms = 0;
  ASSERT_EQ(e.getPersistentTime(ms), Object_OK);
  EXPECT_EQ(ms, 7u);
}

// Malformed invocations (what a TA process can put on its channel) are
// refused by the skeleton before any method runs.
TEST_F(TaEnvironmentTest, MalformedInvocationsAreRefused) {
  Ref e = env_.for_ta(TaAuthority::ta_dir(), kUuid);
  uint8_t small[4] = {};
  uint8_t big[64] = {};
  ObjectArg one_out[1] = {{.b = {small, sizeof small}}};
  EXPECT_NE(
      Object_invoke(e.get(), ITaEnvironment_OP_getDeviceId, one_out, ObjectCounts_pack(0, 1, 0, 0)),
      Object_OK)
      << "a 4-byte buffer for a 16-byte UUID";
  ObjectArg in_big[1] = {{.b = {big, sizeof big}}};
  EXPECT_NE(Object_invoke(e.get(), ITaEnvironment_OP_setPersistentTime, in_big,
                          ObjectCounts_pack(1, 0, 0, 0)),
            Object_OK)
      << "64 bytes where 8 go";
  EXPECT_NE(Object_invoke(e.get(), ITaEnvironment_OP_setPersistentTime, nullptr, 0), Object_OK);
  EXPECT_NE(Object_invoke(e.get(), ITaEnvironment_OP_getPersistentTime, in_big,
                          ObjectCounts_pack(1, 0, 0, 0)),
            Object_OK)
      << "an input where the output goes";
  EXPECT_NE(Object_invoke(e.get(), 3, nullptr, 0), Object_OK) << "no such method";
  uint64_t ms = 0;
  EXPECT_EQ(iface::ITaEnvironment(e).getPersistentTime(ms), ITaEnvironment_ERROR_TIME_NOT_SET)
      << "nothing was set by any of them";
}

TEST_F(TaEnvironmentTest, HostEnvironmentOffersItAndNothingElseOfCapteeds) {
  auto table = std::make_shared<ListenerTable>();
  Ref host = env_.host_env_for(make_host_env(table), TaAuthority::ta_dir(), kUuid);
  iface::IOpener opener(host);
  Ref got;
  ASSERT_EQ(opener.open(CAPTEE_TA_ENVIRONMENT, got), Object_OK);
  ITaEnvironment_Uuid id{};
  EXPECT_EQ(iface::ITaEnvironment(got).getDeviceId(id), Object_OK);
  for (uint32_t id2 : {CAPTEE_TA_ENV_RESERVED, CAPTEE_TA_ENVIRONMENT | 0x80000000u,
                       CAPTEE_TA_ENV_RESERVED + 2, 0x7fffffffu, 0xffffffffu}) {
    Ref none;
    EXPECT_EQ(opener.open(id2, none), IOpener_ERROR_NOT_FOUND) << std::hex << id2;
  }
  // Listener ids still reach the listener table (nothing registered here).
  Ref none;
  EXPECT_EQ(opener.open(CAPTEE_TA_LISTENER_CBO(7), none), IOpener_ERROR_NOT_FOUND);
  // Without a listener environment, only the ITaEnvironment answers.
  Ref bare = env_.host_env_for(Ref(), TaAuthority::ta_dir(), kUuid);
  EXPECT_EQ(iface::IOpener(bare).open(CAPTEE_TA_ENVIRONMENT, got), Object_OK);
  EXPECT_EQ(iface::IOpener(bare).open(7, none), IOpener_ERROR_NOT_FOUND);
}

// Hostile: a normal-world process cannot register a listener where capteed
// puts its own objects for TAs.
TEST_F(TaEnvironmentTest, ListenersCannotTakeCapteedsIds) {
  ListenerTable table;
  Ref cbo = make_host_env(nullptr);  // any live object will do as a callback
  for (uint32_t id : {CAPTEE_TA_ENV_RESERVED, CAPTEE_TA_ENVIRONMENT, 0x7fffffffu}) {
    EXPECT_EQ(table.add(id, cbo.get(), Object_NULL), IRegisterListenerCBO_ERROR_ID_RESERVED)
        << std::hex << id;
  }
  EXPECT_EQ(table.add(CAPTEE_TA_ENV_RESERVED - 1, cbo.get(), Object_NULL), Object_OK);
}

}  // namespace
}  // namespace captee::tee::apps
