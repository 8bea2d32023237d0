// Direct channels through a running capteed: a client reaches the TA process
// itself, capteed holds nothing for those calls and its counters stay true;
// capteed's own objects still cross the direct channel both ways; deadline,
// crash, restart; a client killed with -9 mid-call leaves capteed and the TA
// at their baseline; no TA outlives capteed.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>

#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "CAppLoader.h"
#include "CDiagnostics.h"
#include "CMemoryService.h"
#include "CRegisterListenerCBO.h"
#include "IAppController.hpp"
#include "IAppLoader.hpp"
#include "IClientEnv.hpp"
#include "IDiagnosticsCaptee.hpp"
#include "IListenerCBO.hpp"
#include "IMemoryService.hpp"
#include "IRegisterListenerCBO.hpp"
#include "ITestTa.hpp"
#include "../tee_apps/adding_peer.hpp"
#include "../tee_apps/upper_listener.hpp"
#include "captee/channel.hpp"
#include "captee/memory.hpp"
#include "tee_harness.hpp"

using namespace captee;
using namespace captee::test;

namespace {

std::vector<std::byte> read_ta(const char *path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  std::vector<std::byte> out(bytes.size());
  std::memcpy(out.data(), bytes.data(), bytes.size());
  return out;
}

// A client connection to capteed; `direct` says whether it accepts channel
// references (the default for clients) or wants everything forwarded.
struct Client {
  Ref root, loader;
  Client(const CapteedProcess &d, bool direct = true) {
    ChannelOptions o;
    o.accept_channel_refs = direct;
    o.log = [](const std::string &) {};
    std::string why;
    root = captee::connect(d.socket(), o, &why);
    EXPECT_TRUE(root) << why;
    EXPECT_EQ(iface::IClientEnv(root).open(CAppLoader_UID, loader), Object_OK);
  }
  Ref open(uint32_t uid) const {
    Ref svc;
    EXPECT_EQ(iface::IClientEnv(root).open(uid, svc), Object_OK);
    return svc;
  }
};

// capteed's counters asked over one connection held for the whole test, so
// every answer counts the same asking connection (a fresh one per question
// may or may not be counted yet when its question is served).
struct Counters {
  Ref diag;
  explicit Counters(const CapteedProcess &d) : diag(d.open(CDiagnostics_UID)) {}
  IDiagnosticsCaptee_Counters get() const {
    IDiagnosticsCaptee_Counters c{};
    EXPECT_EQ(iface::IDiagnosticsCaptee(diag).queryCounters(c), Object_OK);
    return c;
  }
};

uint32_t pid_of(const Ref &app) {
  uint32_t pid = 0;
  return iface::ITestTa(app).pid(pid) == Object_OK ? pid : 0;
}

struct Baseline {
  uint64_t connections, objects, memory_objects, tas;
  explicit Baseline(const IDiagnosticsCaptee_Counters &c)
      : connections(c.connections),
        objects(c.objects),
        memory_objects(c.memoryObjects),
        tas(c.tas) {}
  bool operator==(const Baseline &) const = default;
};

std::ostream &operator<<(std::ostream &os, const Baseline &b) {
  return os << "{connections " << b.connections << ", objects " << b.objects << ", memory objects "
            << b.memory_objects << ", tas " << b.tas << "}";
}

// fork + exec of ta_test_client; reads its "ready <pid>" line.
struct HoldingClient {
  pid_t pid = -1;
  uint32_t ta_pid = 0;
  HoldingClient(const std::string &socket, const std::string &ta_name, int sleep_ms) {
    int out[2];
    EXPECT_EQ(::pipe2(out, O_CLOEXEC), 0);
    pid = ::fork();
    if (pid == 0) {
      ::dup2(out[1], 1);
      std::string ms = std::to_string(sleep_ms);
      ::execl(TA_TEST_CLIENT_PATH, TA_TEST_CLIENT_PATH, "hold", socket.c_str(), ta_name.c_str(),
              ms.c_str(), nullptr);
      ::_exit(127);
    }
    ::close(out[1]);
    pollfd p{out[0], POLLIN, 0};
    char line[64] = {};
    if (::poll(&p, 1, 10000) == 1) {
      ssize_t n = ::read(out[0], line, sizeof line - 1);
      if (n > 6 && std::strncmp(line, "ready ", 6) == 0) {
        ta_pid = static_cast<uint32_t>(std::strtoul(line + 6, nullptr, 10));
      }
    }
    ::close(out[0]);
  }
  void kill9() {
    ::kill(pid, SIGKILL);
    wait_exit(pid);
  }
};

TEST(CapteedDirectChannels, CallsGoToTheTaProcessAndCapteedCountsOnlyItsOwn) {
  CapteedProcess d;
  ASSERT_TRUE(d.ready());
  Client c(d);
  Counters counters(d);
  Ref ctrl;
  ASSERT_EQ(iface::IAppLoader(c.loader).loadFromBuffer(read_ta(CAPTEE_TEST_TA), ctrl), Object_OK);
  // Both connections counted (see below): this client's root, loader and
  // controller, and the counters' diagnostics object.
  uint64_t objects = 0;
  ASSERT_TRUE(eventually([&] {
    objects = counters.get().objects;
    return objects == 4;
  })) << objects;
  std::vector<Ref> apps(10), children(10);
  for (size_t i = 0; i < apps.size(); ++i) {
    ASSERT_EQ(iface::IAppController(ctrl).getAppObject(apps[i]), Object_OK);
    ASSERT_EQ(iface::ITestTa(apps[i]).child(children[i]), Object_OK);
  }
  uint32_t sum = 0;
  ASSERT_EQ(iface::ITestTa(children[9]).add(40, 2, sum), Object_OK);
  EXPECT_EQ(sum, 42u);
  EXPECT_NE(static_cast<pid_t>(pid_of(apps[0])), d.pid());
  EXPECT_EQ(counters.get().objects, objects) << "capteed exports nothing for direct objects";
  EXPECT_EQ(counters.get().tas, 1u);

  // A client that does not accept channel references is forwarded: capteed
  // then holds each of its app objects.
  Client forwarded(d, /*direct=*/false);
  std::string name = "captee_test_ta";
  Ref ctrl2;
  ASSERT_EQ(iface::IAppLoader(forwarded.loader).connect(std::as_bytes(std::span(name)), ctrl2),
            Object_OK);
  // capteed lists a connection once its handshake thread is done with it,
  // which may be just after the client's first calls: until then its three
  // exports (root, loader, controller) are not counted.
  uint64_t before = 0;
  ASSERT_TRUE(eventually([&] {
    before = counters.get().objects;
    return before == objects + 3;
  })) << before
      << " objects, " << objects << " before the forwarded client";
  std::vector<Ref> forwarded_apps(10);
  for (auto &app : forwarded_apps) {
    ASSERT_EQ(iface::IAppController(ctrl2).getAppObject(app), Object_OK);
  }
  EXPECT_EQ(counters.get().objects, before + 10);
  EXPECT_EQ(pid_of(forwarded_apps[0]), pid_of(apps[0]));
}

TEST(CapteedDirectChannels, CapteedObjectsCrossTheDirectChannelBothWays) {
  CapteedProcess d;
  ASSERT_TRUE(d.ready());
  Client c(d);
  Ref ctrl, app;
  ASSERT_EQ(iface::IAppLoader(c.loader).loadFromBuffer(read_ta(CAPTEE_TEST_TA), ctrl), Object_OK);
  ASSERT_EQ(iface::IAppController(ctrl).getAppObject(app), Object_OK);
  iface::ITestTa ta(app);

  // Shared memory from capteed's memory service reaches the TA as a descriptor.
  iface::IMemoryService mem(c.open(CMemoryService_UID));
  Ref shared, priv;
  ASSERT_EQ(mem.allocate(IMemoryService_POOL_SHARED, 4096,
                         IMemoryService_RIGHT_READ | IMemoryService_RIGHT_WRITE, shared),
            Object_OK);
  {
    auto m = Mapping::map(shared.get(), FdObject::kRead | FdObject::kWrite);
    ASSERT_TRUE(m);
    std::memset(m->bytes().data(), 2, 50);
  }
  uint32_t sum = 0;
  ASSERT_EQ(ta.sumMemory(shared, sum), Object_OK);
  EXPECT_EQ(sum, 100u);

  // A TEE-private memory object lives in capteed: the TA keeps it and hands
  // it back, and the client gets capteed's object itself, still usable.
  ASSERT_EQ(mem.allocate(IMemoryService_POOL_TEE_PRIVATE, 100, IMemoryService_RIGHT_READ, priv),
            Object_OK);
  ASSERT_EQ(ta.keep(priv), Object_OK);
  Ref back;
  ASSERT_EQ(ta.kept(back), Object_OK);
  EXPECT_EQ(back.get().context, priv.get().context);
  IMemoryService_ObjectInfo info{};
  ASSERT_EQ(mem.queryObject(back, info), Object_OK);
  EXPECT_EQ(info.pool, IMemoryService_POOL_TEE_PRIVATE);
  ASSERT_EQ(ta.keep(Ref()), Object_OK);

  // A listener another process registered with capteed: the TA calls it
  // during a direct call, and hands its callback to the client.
  Client other(d);
  Ref region = MemoryObject::create(4096);
  Ref cbo = make_object<UpperListener>(region);
  ASSERT_EQ(iface::IRegisterListenerCBO(other.open(CRegisterListenerCBO_UID))
                .register_(0x30, cbo, region),
            Object_OK);
  const std::string req = "read block 3";
  std::vector<std::byte> resp(64);
  size_t len = 0;
  ASSERT_EQ(ta.callListener(0x30, std::as_bytes(std::span(req)), resp, len), Object_OK);
  EXPECT_EQ(std::string(reinterpret_cast<char *>(resp.data()), len), "READ BLOCK 3");
  Ref listener;
  ASSERT_EQ(ta.listener(0x30, listener), Object_OK);
  uint32_t offsets[4] = {};
  size_t n = 0;
  uint32_t is64 = 0;
  Ref s1, s2, s3, s4;
  ASSERT_EQ(iface::IListenerCBO(listener).request(offsets, n, is64, s1, s2, s3, s4), Object_OK);
  EXPECT_EQ(LocalObject::from_as<UpperListener>(cbo.get())->calls.load(), 2);

  // The client's own object: the TA calls back into it.
  Ref peer = make_object<AddingPeer>();
  ASSERT_EQ(ta.callPeer(peer, 1, 2, sum), Object_OK);
  EXPECT_EQ(sum, 3u);
}

TEST(CapteedDirectChannels, DeadlineCrashAndRestart) {
  CapteedProcess d;
  ASSERT_TRUE(d.ready());
  Client c(d);
  Client forwarded(d, false);
  Ref ctrl, app;
  ASSERT_EQ(iface::IAppLoader(c.loader).loadFromBuffer(read_ta(CAPTEE_TEST_TA), ctrl), Object_OK);
  ASSERT_EQ(iface::IAppController(ctrl).getAppObject(app), Object_OK);
  std::string name = "captee_test_ta";
  Ref fctrl, fapp;
  ASSERT_EQ(iface::IAppLoader(forwarded.loader).connect(std::as_bytes(std::span(name)), fctrl),
            Object_OK);
  ASSERT_EQ(iface::IAppController(fctrl).getAppObject(fapp), Object_OK);
  const pid_t first = static_cast<pid_t>(pid_of(app));

  // Past the manifest's 1000 ms deadline the host kills itself: both the
  // direct and the forwarded client see DEFUNCT.
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(iface::ITestTa(app).sleepMs(5000), Object_ERROR_DEFUNCT);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(3000));
  uint32_t sum = 0;
  EXPECT_EQ(iface::ITestTa(fapp).add(1, 1, sum), Object_ERROR_DEFUNCT);
  EXPECT_TRUE(eventually([&] { return d.counters().tas == 0; }));
  EXPECT_TRUE(eventually([&] { return ::kill(first, 0) != 0; }));
  Ref none;
  EXPECT_TRUE(eventually([&] {
    return iface::IAppController(ctrl).getAppObject(none) == IAppController_ERROR_APP_UNLOADED;
  }));

  // Restarted, then crashed: DEFUNCT again, and capteed serves on.
  ASSERT_EQ(iface::IAppController(ctrl).restart(), Object_OK);
  Ref again;
  ASSERT_EQ(iface::IAppController(ctrl).getAppObject(again), Object_OK);
  ASSERT_EQ(iface::ITestTa(again).add(2, 2, sum), Object_OK);
  EXPECT_EQ(sum, 4u);
  EXPECT_NE(static_cast<pid_t>(pid_of(again)), first);
  EXPECT_EQ(iface::ITestTa(again).crash(ITestTa_CRASH_SEGV), Object_ERROR_DEFUNCT);
  EXPECT_EQ(iface::ITestTa(again).add(1, 1, sum), Object_ERROR_DEFUNCT);
  EXPECT_TRUE(eventually([&] { return d.counters().tas == 0; }));
  ASSERT_EQ(iface::IAppController(ctrl).restart(), Object_OK);
  ASSERT_EQ(iface::IAppController(ctrl).getAppObject(again), Object_OK);
  ASSERT_EQ(iface::ITestTa(again).add(3, 3, sum), Object_OK);
  EXPECT_EQ(sum, 6u);
}

TEST(CapteedDirectChannels, ClientsKilledMidCallLeaveCapteedAndTheTaAtTheirBaseline) {
  CapteedProcess d;
  ASSERT_TRUE(d.ready());
  // A keep-alive TA outlives its clients, so its own descriptors show
  // whether the host let go of each killed client's direct channel.
  auto [rc, out] = run_capture(std::string(CAPTEE_CLI_PATH) + " --socket " + d.socket() +
                               " ta load " + CAPTEE_TEST_TA_KEEP);
  ASSERT_EQ(rc, 0) << out;
  Counters counters(d);
  // The CLI's connection may still be closing: the baseline is what capteed
  // settles at.
  ASSERT_TRUE(eventually([&] { return counters.get().connections == 1; }));
  const Baseline base(counters.get());
  ASSERT_EQ(base.tas, 1u);
  const size_t capteed_fds = quiet_fd_count(d.pid());
  std::mt19937 rng(7);
  pid_t ta = -1;
  size_t ta_fds = 0;
  for (int i = 0; i < 12; ++i) {
    HoldingClient h(d.socket(), "captee_test_ta_keep", 20);
    ASSERT_NE(h.ta_pid, 0u) << "client " << i << " did not reach the TA";
    if (ta < 0) {
      ta = static_cast<pid_t>(h.ta_pid);
      ta_fds = quiet_fd_count(ta) - 1;  // less this client's direct channel
    }
    EXPECT_EQ(static_cast<pid_t>(h.ta_pid), ta);
    std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 50));
    h.kill9();
  }
  EXPECT_TRUE(eventually([&] { return Baseline(counters.get()) == base; }))
      << Baseline(counters.get()) << " vs " << base;
  // At most as many as before: a leak only adds descriptors, while the
  // baselines, taken on a busy machine, may still count one that was on its
  // way out (the CLI's connection, a handshake).
  EXPECT_TRUE(eventually([&] { return fd_count(ta) <= ta_fds; }))
      << fd_count(ta) << " descriptors in the TA, " << ta_fds << " before:\n"
      << fd_listing(ta);
  EXPECT_TRUE(eventually([&] { return fd_count(d.pid()) <= capteed_fds; }))
      << fd_count(d.pid()) << " descriptors in capteed, " << capteed_fds << " before:\n"
      << fd_listing(d.pid());
  // The TA still serves.
  Client c(d);
  std::string name = "captee_test_ta_keep";
  Ref ctrl, app;
  ASSERT_EQ(iface::IAppLoader(c.loader).connect(std::as_bytes(std::span(name)), ctrl), Object_OK);
  ASSERT_EQ(iface::IAppController(ctrl).getAppObject(app), Object_OK);
  EXPECT_EQ(static_cast<pid_t>(pid_of(app)), ta);
}

TEST(CapteedDirectChannels, NoTaOutlivesCapteedUnderADirectClient) {
  CapteedProcess d;
  ASSERT_TRUE(d.ready());
  Client c(d);
  Ref ctrl, app;
  ASSERT_EQ(iface::IAppLoader(c.loader).loadFromBuffer(read_ta(CAPTEE_TEST_TA_KEEP), ctrl),
            Object_OK);
  ASSERT_EQ(iface::IAppController(ctrl).getAppObject(app), Object_OK);
  const pid_t ta = static_cast<pid_t>(pid_of(app));
  ASSERT_GT(ta, 0);
  EXPECT_EQ(d.stop(), 0);
  EXPECT_TRUE(eventually([&] { return ::kill(ta, 0) != 0; }))
      << "the TA process must not outlive capteed";
  uint32_t sum = 0;
  EXPECT_EQ(iface::ITestTa(app).add(1, 1, sum), Object_ERROR_DEFUNCT);
}

}  // namespace
