// rpmsg end to end: captee-rpmsg-echo (the sample firmware) on the emulated
// M4, driven by RemoteProc's rpmsg host through an in-process capteed.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>

#include "rproc_fixture.hpp"
#include "rpmsg_timing.hpp"

namespace captee::rproc::testing {
namespace {

#define REQUIRE_FIRMWARE()                                       \
  do {                                                           \
    if (!firmware_built()) {                                     \
      GTEST_SKIP() << "the sample firmware was not cross-built"; \
    }                                                            \
  } while (0)

// What a listener heard, in order.
class Collector final : public RpmsgListener {
 public:
  void on_message(std::span<const uint8_t> payload) override {
    std::lock_guard<std::mutex> lock(mu_);
    messages_.emplace_back(payload.begin(), payload.end());
    cv_.notify_all();
  }
  void on_state(bool up) override {
    std::lock_guard<std::mutex> lock(mu_);
    states_.push_back(up);
    cv_.notify_all();
  }
  bool next(std::vector<uint8_t> *out, std::chrono::milliseconds limit = std::chrono::seconds(5)) {
    std::unique_lock<std::mutex> lock(mu_);
    if (!cv_.wait_for(lock, limit, [&] { return !messages_.empty(); })) {
      return false;
    }
    *out = std::move(messages_.front());
    messages_.pop_front();
    return true;
  }
  std::vector<bool> states() {
    std::lock_guard<std::mutex> lock(mu_);
    return states_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::vector<uint8_t>> messages_;
  std::vector<bool> states_;
};

class RpmsgTest : public RprocFixture {
 protected:
  bool channel_up(const std::string &name, uint32_t index = 0) {
    for (const RpmsgChannelInfo &c : proc().rpmsg().channels()) {
      if (c.name == name && c.index == index && c.up) {
        return true;
      }
    }
    return false;
  }
};

TEST_F(RpmsgTest, TheSampleAnnouncesItsChannelWithinASecondAndEchoes) {
  REQUIRE_FIRMWARE();
  start_manager(default_options());
  auto listener = std::make_shared<Collector>();
  proc().rpmsg().listen("rpmsg-tty", 0, listener);
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(proc().boot(rpmsg_echo_firmware(), "captee-rpmsg-echo.sig"), Outcome::kOk)
      << proc().status().last_error;
  ASSERT_TRUE(eventually([&] { return channel_up("rpmsg-tty"); }, kWithinBoot))
      << "the channel within 1 s of boot; trace: " << trace();
  const auto seen = std::chrono::steady_clock::now() - t0;
  RecordProperty(
      "channel_ms",
      std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(seen).count()));
  // Two channels of one name, numbered in announcement order, as Linux
  // numbers ttyRPMSG0 and ttyRPMSG1.
  ASSERT_TRUE(eventually([&] { return channel_up("rpmsg-tty", 1); }));
  std::vector<RpmsgChannelInfo> ch = proc().rpmsg().channels();
  ASSERT_EQ(ch.size(), 2u);
  EXPECT_EQ(ch[0].index, 0u);
  EXPECT_EQ(ch[0].remote, 0x400u);
  EXPECT_EQ(ch[0].local, 1024u);
  EXPECT_EQ(ch[1].index, 1u);
  EXPECT_EQ(ch[1].remote, 0x401u);
  EXPECT_EQ(ch[1].local, 1025u);
  auto second = std::make_shared<Collector>();
  proc().rpmsg().listen("rpmsg-tty", 1, second);
  const std::string two = "to the second channel";
  ASSERT_EQ(
      proc().rpmsg().send("rpmsg-tty", 1,
                          std::span(reinterpret_cast<const uint8_t *>(two.data()), two.size())),
      RpmsgHost::SendResult::kOk);
  std::vector<uint8_t> got2;
  ASSERT_TRUE(second->next(&got2));
  EXPECT_EQ(std::string(got2.begin(), got2.end()), two);
  const std::string hello = "hello, coprocessor";
  ASSERT_EQ(
      proc().rpmsg().send("rpmsg-tty", 0,
                          std::span(reinterpret_cast<const uint8_t *>(hello.data()), hello.size())),
      RpmsgHost::SendResult::kOk);
  std::vector<uint8_t> got;
  ASSERT_TRUE(listener->next(&got));
  EXPECT_EQ(std::string(got.begin(), got.end()), hello);
  EXPECT_EQ(proc().rpmsg().send("rpmsg-tty", 2, got), RpmsgHost::SendResult::kNoChannel);
  EXPECT_TRUE(listener->next(&got, std::chrono::milliseconds(100)) == false)
      << "the first channel heard nothing of the second's";
  std::vector<uint8_t> big(497);
  EXPECT_EQ(proc().rpmsg().send("rpmsg-tty", 0, big), RpmsgHost::SendResult::kTooBig);
  EXPECT_NE(trace().find("announced rpmsg-tty"), std::string::npos) << trace();
  ASSERT_EQ(proc().stop(), Outcome::kOk);
  EXPECT_FALSE(channel_up("rpmsg-tty"));
  EXPECT_TRUE(eventually([&] { return listener->states() == std::vector<bool>{true, false}; }));
}

TEST_F(RpmsgTest, TenThousandMessagesOf1To496BytesRoundTripInOrder) {
  REQUIRE_FIRMWARE();
  start_manager(default_options());
  auto listener = std::make_shared<Collector>();
  proc().rpmsg().listen("rpmsg-tty", 0, listener);
  ASSERT_EQ(proc().boot(rpmsg_echo_firmware(), "echo"), Outcome::kOk) << proc().status().last_error;
  ASSERT_TRUE(eventually([&] { return channel_up("rpmsg-tty"); }));
  // A window of messages in flight, so the rings run full and wrap around.
  constexpr uint32_t kMessages = 10000, kWindow = 8;
  auto payload_of = [](uint32_t i) {
    std::vector<uint8_t> p(1 + (i * 7919u) % 496);
    for (size_t k = 0; k < p.size(); k++) {
      p[k] = static_cast<uint8_t>(i + k * 31);
    }
    p[0] = static_cast<uint8_t>(i);
    return p;
  };
  uint32_t sent = 0, received = 0;
  const auto t0 = std::chrono::steady_clock::now();
  while (received < kMessages) {
    while (sent < kMessages && sent - received < kWindow) {
      ASSERT_EQ(proc().rpmsg().send("rpmsg-tty", 0, payload_of(sent)), RpmsgHost::SendResult::kOk)
          << sent;
      sent++;
    }
    std::vector<uint8_t> got;
    ASSERT_TRUE(listener->next(&got)) << "message " << received << " lost";
    ASSERT_EQ(got, payload_of(received)) << "message " << received << " out of order or changed";
    received++;
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  RecordProperty("messages_per_s", std::to_string(static_cast<int>(kMessages / s)));
  ASSERT_EQ(proc().stop(), Outcome::kOk);
}

TEST_F(RpmsgTest, TheChannelComesBackUnderItsNameAfterACrashAndRecovery) {
  REQUIRE_FIRMWARE();
  start_manager(default_options());
  auto listener = std::make_shared<Collector>();
  proc().rpmsg().listen("rpmsg-tty", 0, listener);
  ASSERT_EQ(proc().boot(rpmsg_echo_firmware(), "echo"), Outcome::kOk) << proc().status().last_error;
  ASSERT_TRUE(eventually([&] { return channel_up("rpmsg-tty"); }));
  ASSERT_EQ(proc().crash("test"), Outcome::kOk);
  ASSERT_TRUE(eventually([&] { return proc().status().boot_count == 2; }))
      << proc().status().last_error;
  ASSERT_TRUE(eventually([&] { return channel_up("rpmsg-tty"); }));
  ASSERT_TRUE(eventually([&] { return channel_up("rpmsg-tty", 1); }));
  EXPECT_EQ(proc().rpmsg().channels().size(), 2u) << "the same channels, not new ones";
  EXPECT_TRUE(eventually([&] {
    return listener->states() == std::vector<bool>{true, false, true};
  })) << "listeners hear it go down and come back";
  const std::string again = "after recovery";
  ASSERT_EQ(
      proc().rpmsg().send("rpmsg-tty", 0,
                          std::span(reinterpret_cast<const uint8_t *>(again.data()), again.size())),
      RpmsgHost::SendResult::kOk);
  std::vector<uint8_t> got;
  ASSERT_TRUE(listener->next(&got));
  EXPECT_EQ(std::string(got.begin(), got.end()), again);
  ASSERT_EQ(proc().stop(), Outcome::kOk);
}

// Firmware that breaks the ring rules on a running processor: the channel goes
// down and the processor is crashed with the reason (and recovered when
// recovery is on); the host is unharmed.
TEST_F(RpmsgTest, HostileFirmwareBreakingTheRingsIsCrashedWithTheReason) {
  REQUIRE_FIRMWARE();
  ManagerOptions o = default_options();
  o.proc.recovery = false;
  start_manager(o);
  auto listener = std::make_shared<Collector>();
  proc().rpmsg().listen("rpmsg-tty", 0, listener);
  ASSERT_EQ(proc().boot(rpmsg_hostile_firmware(), "hostile"), Outcome::kOk)
      << proc().status().last_error;
  ASSERT_TRUE(eventually([&] { return proc().status().state == State::kCrashed; })) << trace();
  const std::string why = proc().status().last_crash;
  EXPECT_NE(why.find("virtio: vdev0: the used index of the vring at 0x10040000 jumped"),
            std::string::npos)
      << why;
  EXPECT_FALSE(channel_up("rpmsg-tty"));
  // Whether the host saw the announcement before the jump depends on when it
  // looked; either way no channel is left up, and a listener that heard it
  // come up heard it go down.
  EXPECT_TRUE(eventually([&] {
    std::vector<bool> s = listener->states();
    return s.empty() || !s.back();
  }));
  ASSERT_EQ(proc().stop(), Outcome::kOk);
  // And the host boots a good firmware afterwards.
  ASSERT_EQ(proc().boot(rpmsg_echo_firmware(), "echo"), Outcome::kOk);
  ASSERT_TRUE(eventually([&] { return channel_up("rpmsg-tty"); }));
  ASSERT_EQ(proc().stop(), Outcome::kOk);
}

}  // namespace
}  // namespace captee::rproc::testing
