// MinkCom C clients against a real capteed.
#include <gtest/gtest.h>

#include "tee_harness.hpp"

using namespace captee::test;

TEST(MinkCom, CClientAgainstCapteed) {
  CapteedProcess d;
  ASSERT_TRUE(d.ready());
  EXPECT_EQ(run({MINKCOM_CLIENT_PATH}, {"CAPTEE_SOCKET=" + d.socket()}), 0);
  // Nothing left behind once it exits.
  EXPECT_TRUE(eventually([&] { return d.counters().connections == 1; }));
}

TEST(MinkCom, NoDaemonIsAnError) {
  TempDir dir;
  EXPECT_EQ(run({MINKCOM_CLIENT_PATH}, {"CAPTEE_SOCKET=" + dir.path + "/none.sock"}), 1);
}
