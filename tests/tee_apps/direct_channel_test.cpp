// Direct channels to TA processes (docs/decisions/0002-direct-ta-channel.md):
// a client that accepts channel references gets a TA's app object as a
// socket to the TA process, and every guarantee of the forwarded path holds
// on it. The hostile-client tests take such a socket raw (what
// DirectObject::open_direct hands the loader's channel) and misbehave on it.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mman.h>

#include <chrono>
#include <thread>

#include "../channel/raw_peer.hpp"
#include "../support/descriptors.hpp"
#include "IAppController.hpp"
#include "IAppLoader.hpp"
#include "IListenerCBO.hpp"
#include "IRegisterListenerCBO.hpp"
#include "ITestTa.hpp"
#include "adding_peer.hpp"
#include "captee/memory.hpp"
#include "harness.hpp"
#include "upper_listener.hpp"

namespace captee::tee::apps {
namespace {

using iface::IAppController;
using iface::IAppLoader;
using iface::ITestTa;
using testing::eventually;

class DirectChannelTest : public ::testing::Test {
 protected:
  explicit DirectChannelTest(AppLoaderConfig cfg = testing::test_config())
      : env_(std::move(cfg), testing::Path::kDirect) {}
  void SetUp() override { image_ = testing::read_file(CAPTEE_TEST_TA); }

  void load(Ref &ctrl, Ref &app) {
    ASSERT_EQ(IAppLoader(env_.loader).loadFromBuffer(image_, ctrl), Object_OK);
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
  static pid_t pid_of(const Ref &app) {
    uint32_t pid = 0;
    return ITestTa(app).pid(pid) == Object_OK ? static_cast<pid_t>(pid) : -1;
  }

  std::vector<std::byte> image_;
  testing::LoaderOverChannel env_;
};

TEST_F(DirectChannelTest, TheAppObjectIsServedByTheTaProcessNotTheLoader) {
  Ref ctrl;
  ASSERT_EQ(IAppLoader(env_.loader).loadFromBuffer(image_, ctrl), Object_OK);
  const size_t exports = env_.server->export_count();  // the loader and the controller
  Ref app, child;
  ASSERT_EQ(IAppController(ctrl).getAppObject(app), Object_OK);
  EXPECT_EQ(env_.server->export_count(), exports) << "the loader forwards nothing";
  EXPECT_EQ(sum(app, 40, 2), 42u);
  EXPECT_NE(pid_of(app), ::getpid());
  // Objects the TA returns come over the same direct channel.
  ASSERT_EQ(ITestTa(app).child(child), Object_OK);
  EXPECT_EQ(sum(child, 1, 2), 3u);
  EXPECT_EQ(env_.server->export_count(), exports);

  // A client that does not accept channel references is forwarded as before.
  testing::ExtraClient other(env_.registry, testing::Path::kForwarded);
  std::string name = "captee_test_ta";
  Ref ctrl2, app2;
  ASSERT_EQ(IAppLoader(other.loader).connect(std::as_bytes(std::span(name)), ctrl2), Object_OK);
  const size_t other_exports = other.server->export_count();
  ASSERT_EQ(IAppController(ctrl2).getAppObject(app2), Object_OK);
  EXPECT_EQ(other.server->export_count(), other_exports + 1);
  EXPECT_EQ(sum(app2, 2, 2), 4u);
  EXPECT_EQ(pid_of(app2), pid_of(app));
}

TEST_F(DirectChannelTest, ASecondGetAppObjectReusesTheChannel) {
  Ref ctrl, a1, a2, child;
  load(ctrl, a1);
  ASSERT_EQ(IAppController(ctrl).getAppObject(a2), Object_OK);
  EXPECT_EQ(a1.get().context, a2.get().context) << "one proxy: the object keeps its identity";
  ASSERT_EQ(ITestTa(a1).child(child), Object_OK);
  uint32_t mine = 0;
  ASSERT_EQ(ITestTa(a2).isMine(child, mine), Object_OK);
  EXPECT_EQ(mine, 1u);
}

TEST_F(DirectChannelTest, ObjectsCrossBothWays) {
  Ref ctrl, app, child;
  load(ctrl, app);
  // The TA's own objects come home as themselves (the host unwraps its
  // deadline guard before TA code sees them).
  ASSERT_EQ(ITestTa(app).child(child), Object_OK);
  uint32_t mine = 0;
  ASSERT_EQ(ITestTa(app).isMine(child, mine), Object_OK);
  EXPECT_EQ(mine, 1u);
  ASSERT_EQ(ITestTa(app).isMine(app, mine), Object_OK);
  EXPECT_EQ(mine, 1u);

  // The client's own object: the TA calls it, keeps it, and hands it back
  // as itself.
  Ref peer = make_object<test::AddingPeer>();
  auto *adder = LocalObject::from_as<test::AddingPeer>(peer.get());
  uint32_t s = 0;
  ASSERT_EQ(ITestTa(app).callPeer(peer, 20, 22, s), Object_OK);
  EXPECT_EQ(s, 42u);
  EXPECT_EQ(adder->calls.load(), 1);
  ASSERT_EQ(ITestTa(app).isMine(peer, mine), Object_OK);
  EXPECT_EQ(mine, 0u);
  ASSERT_EQ(ITestTa(app).keep(peer), Object_OK);
  Ref back;
  ASSERT_EQ(ITestTa(app).kept(back), Object_OK);
  EXPECT_EQ(back.get().context, peer.get().context);

  // Memory travels as a descriptor, straight to the TA.
  Ref mem = MemoryObject::create(4096);
  auto bytes = LocalObject::from_as<MemoryObject>(mem.get())->bytes();
  for (size_t i = 0; i < 100; ++i) {
    bytes[i] = std::byte{3};
  }
  ASSERT_EQ(ITestTa(app).sumMemory(mem, s), Object_OK);
  EXPECT_EQ(s, 300u);
}

TEST_F(DirectChannelTest, ListenersOfTheLoaderWorkFromADirectCall) {
  Ref mem = MemoryObject::create(4096);
  Ref cbo = make_object<test::UpperListener>(mem);
  ASSERT_EQ(iface::IRegisterListenerCBO(env_.registrar).register_(0x20, cbo, mem), Object_OK);
  Ref ctrl, app;
  load(ctrl, app);
  // The TA calls the listener through its environment during a direct call.
  std::string req = "read block 9";
  std::vector<std::byte> resp(64);
  size_t len = 0;
  ASSERT_EQ(ITestTa(app).callListener(0x20, std::as_bytes(std::span(req)), resp, len), Object_OK);
  EXPECT_EQ(std::string(reinterpret_cast<char *>(resp.data()), len), "READ BLOCK 9");
  // And hands the listener's callback to the client, which calls it itself.
  Ref listener;
  ASSERT_EQ(ITestTa(app).listener(0x20, listener), Object_OK);
  uint32_t offsets[4] = {};
  size_t n = 0;
  uint32_t is64 = 0;
  Ref s1, s2, s3, s4;
  ASSERT_EQ(iface::IListenerCBO(listener).request(offsets, n, is64, s1, s2, s3, s4), Object_OK);
  EXPECT_EQ(LocalObject::from_as<test::UpperListener>(cbo.get())->calls.load(), 2);
}

TEST_F(DirectChannelTest, TheHostKillsItselfAtTheDeadlineAndEveryClientSeesDefunct) {
  Ref ctrl, app, child;
  load(ctrl, app);
  ASSERT_EQ(ITestTa(app).child(child), Object_OK);
  const pid_t pid = pid_of(app);
  testing::ExtraClient other(env_.registry, testing::Path::kForwarded);
  std::string name = "captee_test_ta";
  Ref ctrl2, forwarded;
  ASSERT_EQ(IAppLoader(other.loader).connect(std::as_bytes(std::span(name)), ctrl2), Object_OK);
  ASSERT_EQ(IAppController(ctrl2).getAppObject(forwarded), Object_OK);

  // A call on a child object runs past the manifest's 1000 ms deadline.
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(ITestTa(child).sleepMs(5000), Object_ERROR_DEFUNCT);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(3000));
  int32_t rv = Object_OK;
  sum(app, 1, 1, &rv);
  EXPECT_EQ(rv, Object_ERROR_DEFUNCT);
  sum(forwarded, 1, 1, &rv);
  EXPECT_EQ(rv, Object_ERROR_DEFUNCT);
  EXPECT_TRUE(eventually([&] { return env_.registry->live_tas() == 0; }));
  EXPECT_TRUE(eventually([&] { return ::kill(pid, 0) != 0; }));
  auto list = env_.registry->list();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].exit_reason, "killed by signal 9");

  // Restarted, the TA is reached directly again.
  ASSERT_EQ(IAppController(ctrl).restart(), Object_OK);
  const size_t exports = env_.server->export_count();
  Ref again;
  ASSERT_EQ(IAppController(ctrl).getAppObject(again), Object_OK);
  EXPECT_EQ(env_.server->export_count(), exports);
  EXPECT_EQ(sum(again, 2, 3), 5u);
  EXPECT_NE(pid_of(again), pid);
}

TEST_F(DirectChannelTest, ACallWithinTheDeadlineIsNotKilled) {
  Ref ctrl, app;
  load(ctrl, app);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(ITestTa(app).sleepMs(400), Object_OK);  // 1.2 s in total, 0.4 s per call
  }
  EXPECT_EQ(sum(app, 1, 1), 2u);
}

TEST_F(DirectChannelTest, UnloadAndShutdownEndTheTaUnderADirectClient) {
  Ref ctrl, app;
  load(ctrl, app);
  ASSERT_EQ(IAppController(ctrl).unload(), Object_OK);
  int32_t rv = Object_OK;
  EXPECT_TRUE(eventually([&] {
    sum(app, 1, 1, &rv);
    return rv == Object_ERROR_DEFUNCT;
  }));
  Ref ctrl2, app2;
  load(ctrl2, app2);
  const pid_t pid = pid_of(app2);
  env_.registry->shutdown();  // the daemon stopping
  EXPECT_TRUE(eventually([&] { return ::kill(pid, 0) != 0; }));
  sum(app2, 1, 1, &rv);
  EXPECT_EQ(rv, Object_ERROR_DEFUNCT);
}

class DirectSlotsTest : public DirectChannelTest {
 protected:
  static AppLoaderConfig one_slot() {
    auto cfg = testing::test_config();
    cfg.max_direct_channels = 1;
    return cfg;
  }
  DirectSlotsTest() : DirectChannelTest(one_slot()) {}
};

TEST_F(DirectSlotsTest, PastTheLimitClientsAreForwardedUntilASlotFrees) {
  Ref ctrl, app;
  load(ctrl, app);
  testing::ExtraClient other(env_.registry, testing::Path::kDirect);
  std::string name = "captee_test_ta";
  Ref ctrl2, app2;
  ASSERT_EQ(IAppLoader(other.loader).connect(std::as_bytes(std::span(name)), ctrl2), Object_OK);
  const size_t exports = other.server->export_count();
  ASSERT_EQ(IAppController(ctrl2).getAppObject(app2), Object_OK);
  EXPECT_EQ(other.server->export_count(), exports + 1) << "no slot left: forwarded";
  EXPECT_EQ(sum(app2, 3, 4), 7u);
  // The first client lets go of its channel; the next getAppObject is direct.
  app.reset();
  app2.reset();
  EXPECT_TRUE(eventually([&] {
    Ref a;
    if (IAppController(ctrl2).getAppObject(a) != Object_OK) {
      return false;
    }
    const bool direct = other.server->export_count() == exports;
    return direct && sum(a, 1, 1) == 2u;
  }));
}

class TwoSlotsTest : public DirectChannelTest {
 protected:
  static AppLoaderConfig two_slots() {
    auto cfg = testing::test_config();
    cfg.max_direct_channels = 2;
    return cfg;
  }
  TwoSlotsTest() : DirectChannelTest(two_slots()) {}
};

TEST_F(TwoSlotsTest, RepeatedGetAppObjectKeepsOneChannelAndNoSlotLeaks) {
  // Every getAppObject makes the host a new socket; the client keeps its
  // first channel and closes the others, whose slots the host takes back as
  // soon as it needs them.
  Ref ctrl, first;
  load(ctrl, first);
  const size_t exports = env_.server->export_count();
  for (int i = 0; i < 20; ++i) {
    Ref again;
    ASSERT_EQ(IAppController(ctrl).getAppObject(again), Object_OK);
    EXPECT_EQ(again.get().context, first.get().context) << i;
    EXPECT_EQ(env_.server->export_count(), exports) << i;
  }
  EXPECT_EQ(sum(first, 1, 2), 3u);
}

// ------------------------------------------------------------ hostile peers

class HostileDirectClientTest : public DirectChannelTest {
 protected:
  // A raw socket to the TA process serving `app_` (as capteed would hand a
  // client), next to a well-behaved direct client holding `good_`.
  void SetUp() override {
    DirectChannelTest::SetUp();
    load(ctrl_, good_);
    pid_ = pid_of(good_);
    ASSERT_GT(pid_, 0);
    // The loader's own view of the app object: what it would send a client.
    Ref local_ctrl;
    std::string name = "captee_test_ta";
    ASSERT_EQ(env_.registry->connect(name, local_ctrl), Object_OK);
    ASSERT_EQ(IAppController(local_ctrl).getAppObject(local_app_), Object_OK);
    fds_before_ = captee::test::quiet_fd_count(pid_);
  }
  std::unique_ptr<test::RawPeer> raw_socket() {
    auto *d = LocalObject::from_as<DirectObject>(local_app_.get());
    EXPECT_NE(d, nullptr);
    uint32_t key = 0;
    int fd = d != nullptr ? d->open_direct(key) : -1;
    EXPECT_GE(fd, 0);
    return std::make_unique<test::RawPeer>(fd);
  }
  // The TA process survived and still serves the good client.
  void expect_unharmed() {
    EXPECT_EQ(sum(good_, 5, 6), 11u);
    EXPECT_EQ(pid_of(good_), pid_);
    EXPECT_EQ(env_.registry->live_tas(), 1u);
  }
  // The host let go of everything the hostile channel held.
  void expect_fds_back() {
    EXPECT_TRUE(eventually([&] { return captee::test::fd_count(pid_) == fds_before_; }))
        << captee::test::fd_count(pid_) << " descriptors, " << fds_before_ << " before";
  }

  Ref ctrl_, good_, local_app_;
  pid_t pid_ = -1;
  size_t fds_before_ = 0;
};

TEST_F(HostileDirectClientTest, GarbageInsteadOfAHelloClosesOnlyThatChannel) {
  auto raw = raw_socket();
  ASSERT_TRUE(raw->send_raw(std::vector<uint8_t>(100, 0xAB)));
  EXPECT_TRUE(raw->closed_by_peer());
  expect_unharmed();
  raw.reset();
  expect_fds_back();
}

TEST_F(HostileDirectClientTest, MalformedFramesCloseOnlyThatChannel) {
  auto raw = raw_socket();
  ASSERT_TRUE(raw->hello());
  std::vector<uint8_t> junk(wire::kHeaderSize, 0);
  junk[0] = wire::kHeaderSize;
  junk[4] = 99;  // unknown kind
  ASSERT_TRUE(raw->send_raw(junk));
  EXPECT_TRUE(raw->closed_by_peer());
  expect_unharmed();
}

TEST_F(HostileDirectClientTest, OnlyTheAppObjectIsReachableOnTheChannel) {
  auto raw = raw_socket();
  ASSERT_TRUE(raw->hello());
  // Guessing handles: the TA host's root, the loader's channel, capteed:
  // nothing but the primordial (the app object) answers.
  uint32_t id = 1;
  for (uint32_t gen = 1; gen <= 3; ++gen) {
    for (uint32_t idx = 0; idx < 8; ++idx) {
      const uint32_t handle = gen << 16 | idx;
      if (handle == wire::kPrimordialHandle) {
        continue;
      }
      ASSERT_TRUE(raw->request(id++, handle, ITestTa_OP_echo, "x", 8));
      wire::Message m;
      ASSERT_TRUE(raw->recv(m));
      ASSERT_EQ(m.header.kind, wire::Kind::kError) << handle;
      EXPECT_EQ(m.error, Object_ERROR_BADOBJ) << handle;
    }
  }
  // The app object itself answers (under the same rules as for any client).
  ASSERT_TRUE(raw->request(id++, wire::kPrimordialHandle, ITestTa_OP_echo, "hello", 8));
  wire::Message m;
  ASSERT_TRUE(raw->recv(m));
  EXPECT_EQ(m.header.kind, wire::Kind::kSuccess);
  // Releasing more than it was given closes the channel, and only it.
  wire::Message::Release rel[] = {{wire::kPrimordialHandle, 5}};
  wire::Encoded e;
  wire::encode_release(rel, e);
  ASSERT_TRUE(raw->send_frame(e));
  EXPECT_TRUE(raw->closed_by_peer());
  expect_unharmed();
  raw.reset();
  expect_fds_back();
}

TEST_F(HostileDirectClientTest, AChannelReferenceToTheHostClosesTheChannel) {
  auto raw = raw_socket();
  ASSERT_TRUE(raw->hello(false, wire::kVersionChannelRefs));
  int extra[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, extra), 0);
  wire::ObjRef oi[] = {{wire::RefType::kChannel, 0, 1}};
  uint32_t caps[] = {4};
  wire::Encoded e;
  wire::encode_request(3, wire::kPrimordialHandle, ITestTa_OP_isMine, ObjectCounts_pack(0, 1, 1, 0),
                       {}, caps, oi, 1, e);
  ASSERT_TRUE(raw->notice(1));
  ASSERT_TRUE(raw->send_frame_with_fds(e, {extra[1]}));
  ::close(extra[1]);
  EXPECT_TRUE(raw->closed_by_peer());
  ::close(extra[0]);
  expect_unharmed();
  raw.reset();
  expect_fds_back();
}

TEST_F(HostileDirectClientTest, DescriptorFloodsAreClosedAndLeaveNothingBehind) {
  auto raw = raw_socket();
  ASSERT_TRUE(raw->hello());  // version 1: descriptors without notices
  // Requests carrying many memory descriptors the app object does not want.
  std::vector<int> fds;
  for (int i = 0; i < 15; ++i) {
    fds.push_back(::memfd_create("flood", MFD_CLOEXEC));
  }
  wire::ObjRef oi[15];
  for (uint32_t i = 0; i < 15; ++i) {
    oi[i] = {wire::RefType::kFd, wire::kRightRead, i};
  }
  for (uint32_t id = 1; id <= 50; ++id) {
    wire::Encoded e;
    wire::encode_request(id, wire::kPrimordialHandle, ITestTa_OP_keep,
                         ObjectCounts_pack(0, 0, 15, 0), {}, {}, oi, 15, e);
    if (!raw->send_frame_with_fds(e, fds)) {
      break;  // the host may close the channel at any point: that is fine too
    }
    wire::Message m;
    if (!raw->recv(m)) {
      break;
    }
    EXPECT_EQ(m.header.kind, wire::Kind::kError);  // keep takes one object, not 15
  }
  for (int fd : fds) {
    ::close(fd);
  }
  expect_unharmed();
  raw.reset();
  expect_fds_back();
}

TEST_F(HostileDirectClientTest, ACrashingRequestFromOneClientIsLikeAnyCrash) {
  // A client may make the TA crash through its own channel, as it could
  // through the loader: every client then sees DEFUNCT, nothing else.
  auto raw = raw_socket();
  ASSERT_TRUE(raw->hello());
  uint32_t how = ITestTa_CRASH_SEGV;
  wire::BufIn bi[] = {{&how, sizeof how}};
  wire::Encoded e;
  wire::encode_request(1, wire::kPrimordialHandle, ITestTa_OP_crash, ObjectCounts_pack(1, 0, 0, 0),
                       bi, {}, {}, 0, e);
  ASSERT_TRUE(raw->send_frame(e));
  EXPECT_TRUE(raw->closed_by_peer());
  int32_t rv = Object_OK;
  sum(good_, 1, 1, &rv);
  EXPECT_EQ(rv, Object_ERROR_DEFUNCT);
  EXPECT_TRUE(eventually([&] { return env_.registry->live_tas() == 0; }));
}

}  // namespace
}  // namespace captee::tee::apps
