// The fixture every hostile case runs in: a real capteed on a temporary
// socket, its quiet baseline taken first; at the end a well-behaved client
// must be served and capteed must be back at the baseline (counters,
// `captee stats --json`, descriptors) and shut down cleanly.
#pragma once

#include <gtest/gtest.h>

#include "baseline.hpp"
#include "hostile_peer.hpp"

namespace captee::test {

class HostileTest : public ::testing::Test {
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
  // A raw connection that has done its handshake.
  std::unique_ptr<HostilePeer> peer(wire::Limits limits = {}) {
    auto p = std::make_unique<HostilePeer>(d_.socket());
    EXPECT_TRUE(p->connected());
    EXPECT_TRUE(p->hello(limits));
    return p;
  }

  CapteedProcess d_;
  Baseline base_;
};

}  // namespace captee::test
