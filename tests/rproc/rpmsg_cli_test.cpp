// rpmsg through the real captee-rprocd and `captee rproc`: `rpmsg list
// --json` sees the sample's channel within 1 s of boot, `send` and `listen`
// carry messages, the rpmsg-tty pty echoes a line, and after a crash and its
// recovery the channel is back at the same pty path.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "IRemoteProc.hpp"
#include "IRemoteProcManager.hpp"
#include "IRpmsgEndpoint.hpp"
#include "IRpmsgListener.hpp"
#include "captee/channel.hpp"
#include "rpmsg_timing.hpp"
#include "rprocd_harness.hpp"
#include "tee_harness.hpp"

namespace {

using captee::rproc::testing::kWithinBoot;

using captee::test::CapteedProcess;
using captee::test::eventually;
using captee::test::Rprocd;

class RpmsgCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string(CAPTEE_FIRMWARE_RPMSG_ECHO_SIGNED).empty()) {
      GTEST_SKIP() << "the sample firmware was not cross-built";
    }
    tee_ = std::make_unique<CapteedProcess>(
        "", std::vector<std::string>{"--rproc-pubkey", CAPTEE_FIRMWARE_DEV_PUBKEY});
    ASSERT_TRUE(tee_->ready());
  }
  static nlohmann::json channels(const Rprocd &r) {
    auto [rc, out] = r.cli("rpmsg list --json");
    nlohmann::json j = nlohmann::json::parse(out, nullptr, false);
    return rc != 0 || !j.is_array() ? nlohmann::json::array() : j;
  }
  static bool up(const Rprocd &r) {
    nlohmann::json j = channels(r);
    return j.size() == 2 && j[0]["name"] == "rpmsg-tty" && j[0]["up"] == true && j[1]["up"] == true;
  }
  // Writes `line` to the pty at `path` and reads it back (the firmware's echo).
  static std::string echo_through(const std::string &path, const std::string &line) {
    int fd = ::open(path.c_str(), O_RDWR | O_NOCTTY);
    if (fd < 0) {
      return "cannot open " + path;
    }
    if (::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
      ::close(fd);
      return "cannot write";
    }
    std::string got;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (got.size() < line.size() && std::chrono::steady_clock::now() < deadline) {
      pollfd p = {fd, POLLIN, 0};
      if (::poll(&p, 1, 100) > 0) {
        char buf[512];
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n <= 0) {
          break;
        }
        got.append(buf, size_t(n));
      }
    }
    ::close(fd);
    return got;
  }
  std::unique_ptr<CapteedProcess> tee_;
};

TEST_F(RpmsgCli, ListSeesTheChannelWithinASecondSendListenAndTheTty) {
  Rprocd r(tee_->socket(), tee_->dir());
  ASSERT_TRUE(r.ready());
  auto [rc, out] = r.cli("boot " CAPTEE_FIRMWARE_RPMSG_ECHO_SIGNED);
  ASSERT_EQ(rc, 0) << out;
  const auto booted = std::chrono::steady_clock::now();
  ASSERT_TRUE(eventually([&] { return up(r); }));
  EXPECT_LT(std::chrono::steady_clock::now() - booted, kWithinBoot)
      << "rpmsg list --json shows the channel within 1 s of boot";
  nlohmann::json j = channels(r);
  EXPECT_EQ(j[0]["index"], 0);
  EXPECT_EQ(j[0]["remote"], 0x400);
  EXPECT_EQ(j[0]["local"], 1024);
  const std::string tty = j[0]["tty"];
  EXPECT_EQ(tty, tee_->dir() + "/rproc0-ttyRPMSG0");
  EXPECT_EQ(j[1]["index"], 1);
  EXPECT_EQ(j[1]["remote"], 0x401);
  EXPECT_EQ(j[1]["tty"], tee_->dir() + "/rproc0-ttyRPMSG1");
  std::tie(rc, out) = r.cli("tty rpmsg-tty");
  EXPECT_EQ(rc, 0);
  EXPECT_EQ(out, tty + "\n");
  // listen in the background, then send: the echo comes back to listen.
  std::string heard;
  std::thread listener([&] { heard = r.cli("rpmsg listen rpmsg-tty --count 1").second; });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  std::tie(rc, out) = r.cli("rpmsg send rpmsg-tty 'hello from the CLI'");
  EXPECT_EQ(rc, 0) << out;
  listener.join();
  EXPECT_EQ(heard, "hello from the CLI\n");
  EXPECT_EQ(echo_through(tty, "a line through the tty\n"), "a line through the tty\n");
  EXPECT_EQ(echo_through(j[1]["tty"], "and the second\n"), "and the second\n");
  std::tie(rc, out) = r.cli("rpmsg send nosuch x");
  EXPECT_EQ(rc, 1);
  EXPECT_EQ(out, "captee: rproc 0 has no rpmsg channel \"nosuch\" #0.\n");
  std::tie(rc, out) = r.cli("rpmsg send rpmsg-tty " + std::string(497, 'x'));
  EXPECT_EQ(rc, 1);
  EXPECT_NE(out.find("more than 496 bytes"), std::string::npos) << out;
  EXPECT_EQ(r.stop(), 0);
}

TEST_F(RpmsgCli, TheChannelComesBackAtTheSamePtyPathAfterACrash) {
  Rprocd r(tee_->socket(), tee_->dir());
  ASSERT_TRUE(r.ready());
  auto [rc, out] = r.cli("boot " CAPTEE_FIRMWARE_RPMSG_ECHO_SIGNED);
  ASSERT_EQ(rc, 0) << out;
  ASSERT_TRUE(eventually([&] { return up(r); }));
  const std::string tty = channels(r)[0]["tty"];
  // A reader of the pty sees it hang up at the crash.
  int fd = ::open(tty.c_str(), O_RDWR | O_NOCTTY);
  ASSERT_GE(fd, 0);
  std::tie(rc, out) = r.cli("crash");
  ASSERT_EQ(rc, 0) << out;
  pollfd p = {fd, POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 5000), 1);
  char c;
  EXPECT_LE(::read(fd, &c, 1), 0) << "hung up";
  ::close(fd);
  ASSERT_TRUE(eventually([&] { return r.state()["boot_count"] == 2 && up(r); }));
  EXPECT_EQ(channels(r).size(), 2u);
  EXPECT_EQ(channels(r)[0]["tty"], tty) << "the same path";
  EXPECT_TRUE(std::filesystem::is_symlink(tty));
  EXPECT_EQ(echo_through(tty, "after recovery\n"), "after recovery\n");
  EXPECT_EQ(r.stop(), 0);
}

class CountingListener final : public captee::iface::IRpmsgListenerSkeleton {
 public:
  int32_t onMessage(std::span<const std::byte>) override {
    messages++;
    return Object_OK;
  }
  int32_t onState(uint32_t up) override {
    (up != 0 ? ups : downs)++;
    return Object_OK;
  }
  std::atomic<int> messages{0}, ups{0}, downs{0};
};

// The IDL endpoint from a client's side: it works while the channel is up,
// answers Object_ERROR_DEFUNCT once the firmware crashed, and its listener is
// told; a bad name is refused.
TEST_F(RpmsgCli, TheEndpointObjectIsDefunctWhileTheFirmwareIsCrashed) {
  Rprocd r(tee_->socket(), tee_->dir(), {"--recovery", "disabled"});
  ASSERT_TRUE(r.ready());
  auto [rc, out] = r.cli("boot " CAPTEE_FIRMWARE_RPMSG_ECHO_SIGNED);
  ASSERT_EQ(rc, 0) << out;
  ASSERT_TRUE(eventually([&] { return up(r); }));
  captee::ChannelOptions o;
  o.log = [](const std::string &) {};
  std::string why;
  captee::Ref root = captee::connect(r.socket(), o, &why);
  ASSERT_FALSE(root.is_null()) << why;
  captee::Ref p;
  ASSERT_EQ(captee::iface::IRemoteProcManager(root).open(0, p), Object_OK);
  captee::iface::IRemoteProc proc(p);
  captee::Ref listener = captee::make_object<CountingListener>();
  auto *counts = captee::LocalObject::from_as<CountingListener>(listener.get());
  captee::Ref ep;
  const std::string name = "rpmsg-tty";
  ASSERT_EQ(proc.openRpmsg(std::as_bytes(std::span(name.data(), name.size())), 0, listener, ep),
            Object_OK);
  captee::iface::IRpmsgEndpoint endpoint(ep);
  const std::string hi = "hi";
  ASSERT_EQ(endpoint.send(std::as_bytes(std::span(hi.data(), hi.size()))), Object_OK);
  ASSERT_TRUE(eventually([&] { return counts->messages.load() == 1; }));
  IRpmsgEndpoint_Info info{};
  ASSERT_EQ(endpoint.getInfo(info), Object_OK);
  EXPECT_EQ(info.local, 1024u);
  std::tie(rc, out) = r.cli("crash");
  ASSERT_EQ(rc, 0) << out;
  ASSERT_TRUE(eventually([&] { return r.state()["state"] == "crashed"; }));
  ASSERT_TRUE(eventually([&] { return counts->downs.load() == 1; }));
  EXPECT_EQ(endpoint.send(std::as_bytes(std::span(hi.data(), hi.size()))), Object_ERROR_DEFUNCT);
  EXPECT_EQ(endpoint.getInfo(info), Object_ERROR_DEFUNCT);
  std::string big(497, 'x');
  EXPECT_EQ(endpoint.send(std::as_bytes(std::span(big.data(), big.size()))), Object_ERROR_SIZE_IN);
  // Names that are not channel names are refused before anything looks them up.
  captee::Ref other;
  const std::string bad = std::string("tty\x1b[2J");
  EXPECT_EQ(proc.openRpmsg(std::as_bytes(std::span(bad.data(), bad.size())), 0, {}, other),
            Object_ERROR_INVALID);
  const std::string none = "nosuch";
  EXPECT_EQ(proc.openRpmsg(std::as_bytes(std::span(none.data(), none.size())), 0, {}, other),
            IRemoteProc_ERROR_NOT_FOUND);
  std::tie(rc, out) = r.cli("recovery recover");
  ASSERT_EQ(rc, 0) << out;
  ASSERT_TRUE(eventually([&] { return counts->ups.load() == 1 && up(r); }));
  EXPECT_EQ(endpoint.send(std::as_bytes(std::span(hi.data(), hi.size()))), Object_OK)
      << "the same endpoint works again";
  EXPECT_TRUE(eventually([&] { return counts->messages.load() == 2; }));
  EXPECT_EQ(r.stop(), 0);
}

}  // namespace
