// The Daemon class in-process: registration ops, policy, services, counters.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "CDiagnostics.h"
#include "CMemoryService.h"
#include "IClientEnv.hpp"
#include "ICredentials.hpp"
#include "IDiagnosticsCaptee.hpp"
#include "IIO.hpp"
#include "IMemoryService.hpp"
#include "IOpener.h"
#include "captee/channel.hpp"
#include "captee/memory.hpp"
#include "captee/tee/daemon.hpp"
#include "captee/tee/programs.hpp"

using namespace captee;
using namespace captee::tee;

namespace {

struct TempSocket {
  std::string dir, path;
  TempSocket() {
    char tmpl[] = "/tmp/captee-teed-XXXXXX";
    dir = ::mkdtemp(tmpl);
    path = dir + "/s";
  }
  ~TempSocket() { std::filesystem::remove_all(dir); }
};

struct Fixture {
  TempSocket sock;
  std::unique_ptr<Daemon> daemon;
  explicit Fixture(Policy policy = Policy::allow_all(), uint64_t private_pool = 1 << 20) {
    DaemonOptions o;
    o.socket_path = sock.path;
    o.policy = std::move(policy);
    o.private_pool_bytes = private_pool;
    o.log = [](LogLevel, const std::string &) {};
    daemon = std::make_unique<Daemon>(std::move(o));
  }
  bool start() {
    std::string why;
    bool ok = daemon->start(&why);
    EXPECT_TRUE(ok) << why;
    return ok;
  }
  Ref root() const {
    ChannelOptions o;
    o.log = [](const std::string &) {};
    return connect(sock.path, o);
  }
  Ref env() const {
    Ref e;
    EXPECT_EQ(iface::IClientEnv(root()).registerAsClient(Ref(), e), Object_OK);
    return e;
  }
};

template <class F>
bool eventually(F pred) {
  for (int i = 0; i < 500 && !pred(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return pred();
}

class Bytes final : public iface::IIOSkeleton {
 public:
  explicit Bytes(std::vector<uint8_t> b, uint64_t claimed_len = 0, std::future<void> gate = {})
      : b_(std::move(b)), len_(claimed_len ? claimed_len : b_.size()), gate_(std::move(gate)) {}
  int32_t getLength(uint64_t &len) override {
    if (gate_.valid()) {
      gate_.wait();
    }
    len = len_;
    return Object_OK;
  }
  int32_t readAtOffset(uint64_t off, std::span<std::byte> d, size_t &len) override {
    if (off >= b_.size()) {
      len = 0;
      return Object_OK;  // misbehaves: no progress
    }
    len = std::min(d.size(), b_.size() - size_t(off));
    std::memcpy(d.data(), b_.data() + off, len);
    return Object_OK;
  }
  int32_t writeAtOffset(uint64_t, std::span<const std::byte>) override { return Object_ERROR; }

 private:
  std::vector<uint8_t> b_;
  uint64_t len_;
  std::shared_future<void> gate_;
};

class Props final : public iface::ICredentialsSkeleton {
 public:
  int32_t getPropertyByIndex(uint32_t i, std::span<std::byte> name, size_t &nlen,
                             std::span<std::byte> value, size_t &vlen) override {
    static const char *kv[][2] = {{"uid", "0"}, {"pkg", "com.example"}};
    if (i >= 2) {
      return ICredentials_ERROR_NOT_FOUND;
    }
    nlen = std::strlen(kv[i][0]) + 1;
    vlen = std::strlen(kv[i][1]) + 1;
    std::memcpy(name.data(), kv[i][0], nlen);
    std::memcpy(value.data(), kv[i][1], vlen);
    return Object_OK;
  }
  int32_t getValueByName(std::span<const std::byte>, std::span<std::byte>, size_t &) override {
    return ICredentials_ERROR_NOT_FOUND;
  }
};

const std::vector<uint8_t> kCbor = {0xA2, 0x01, 0x1A, 0x00, 0x00, 0x03, 0xE8, 0x06, 0x1B,
                                    0x00, 0x00, 0x01, 0x93, 0x51, 0x8C, 0xC4, 0x7B};

}  // namespace

TEST(Daemon, EveryRegistrationOpGivesAnEnvironment) {
  Fixture f;
  ASSERT_TRUE(f.start());
  iface::IClientEnv root(f.root());
  Ref env, svc;
  // open on the root itself (clients that skip registration).
  EXPECT_EQ(root.open(CDiagnostics_UID, svc), Object_OK);
  EXPECT_EQ(root.open(0x7777, svc), IOpener_ERROR_NOT_FOUND);
  // op 2 with a CBOR IIO, op 1 with the raw CBOR, op 5 with ICredentials, op 3.
  EXPECT_EQ(root.registerAsClient(make_object<Bytes>(kCbor), env), Object_OK);
  EXPECT_EQ(iface::IClientEnv(env).open(CMemoryService_UID, svc), Object_OK);
  EXPECT_EQ(root.registerLegacy(std::as_bytes(std::span(kCbor)), env), Object_OK);
  EXPECT_EQ(root.registerWithCredentials(make_object<Props>(), env), Object_OK);
  EXPECT_EQ(iface::IClientEnv(env).open(CDiagnostics_UID, svc), Object_OK);
  uint32_t only_diag[] = {CDiagnostics_UID};
  EXPECT_EQ(root.registerWithWhitelist(Ref(), only_diag, env), Object_OK);
  iface::IClientEnv listed(env);
  EXPECT_EQ(listed.open(CDiagnostics_UID, svc), Object_OK);
  EXPECT_EQ(listed.open(CMemoryService_UID, svc), IOpener_ERROR_PRIVILEGE);
  // A whitelist can only narrow.
  uint32_t both[] = {CDiagnostics_UID, CMemoryService_UID};
  Ref env2;
  EXPECT_EQ(listed.registerWithWhitelist(Ref(), both, env2), Object_OK);
  EXPECT_EQ(iface::IClientEnv(env2).open(CMemoryService_UID, svc), IOpener_ERROR_PRIVILEGE);
  // Unsupported Mink ops.
  EXPECT_EQ(root.notifyDomainChange(), Object_OK);
  EXPECT_EQ(root.configTaRegion(0, 0), Object_ERROR_INVALID);
  EXPECT_EQ(root.adciAccept(), Object_ERROR_INVALID);
}

TEST(Daemon, BadCredentialObjectsAreRefused) {
  Fixture f;
  ASSERT_TRUE(f.start());
  iface::IClientEnv root(f.root());
  Ref env;
  std::vector<uint8_t> garbage = {0xFF, 0x00, 0x12};
  EXPECT_EQ(root.registerAsClient(make_object<Bytes>(garbage), env), Object_ERROR_INVALID);
  EXPECT_EQ(root.registerAsClient(make_object<Bytes>(kCbor, 1u << 20), env), Object_ERROR_SIZE_IN);
  EXPECT_EQ(root.registerAsClient(make_object<Bytes>(kCbor, kCbor.size() + 5), env),
            Object_ERROR_INVALID);  // claims more than it serves
  EXPECT_EQ(root.registerLegacy(std::as_bytes(std::span(garbage)), env), Object_ERROR_INVALID);
  // The connection still works.
  EXPECT_EQ(root.registerAsClient(make_object<Bytes>(kCbor), env), Object_OK);
}

TEST(Daemon, PolicyDecidesAndFactoriesSeeTheKernelIdentity) {
  std::string why;
  auto p = Policy::parse(R"({"default": "deny", "services": [
      {"name": "diagnostics", "allow": "everyone"},
      {"name": "probe", "allow": {"uids": [)" +
                             std::to_string(::getuid()) + R"(]}},
      {"name": "memory", "allow": {"uids": [4242]}}]})",
                         &why);
  ASSERT_TRUE(p) << why;
  Fixture f(*p);
  std::promise<ClientIdentity> seen;
  ASSERT_TRUE(f.daemon->services().add(0x20000, "probe", [&](const ClientIdentity &id) {
    seen.set_value(id);
    return make_object<Bytes>(kCbor);
  }));
  ASSERT_TRUE(f.start());
  Ref env;
  // Claiming uid 4242 (allowed for memory) changes nothing.
  std::vector<uint8_t> claim4242 = kCbor;
  claim4242[5] = 0x10;
  claim4242[6] = 0x92;
  ASSERT_EQ(iface::IClientEnv(f.root()).registerAsClient(make_object<Bytes>(claim4242), env),
            Object_OK);
  iface::IClientEnv e(env);
  Ref svc;
  EXPECT_EQ(e.open(CMemoryService_UID, svc), IOpener_ERROR_PRIVILEGE);
  EXPECT_EQ(e.open(CDiagnostics_UID, svc), Object_OK);
  EXPECT_EQ(e.open(0x20000, svc), Object_OK);
  ClientIdentity id = seen.get_future().get();
  EXPECT_EQ(id.uid, ::getuid());
  EXPECT_EQ(id.pid, ::getpid());
  EXPECT_TRUE(id.process_verified);
  EXPECT_EQ(id.claims.uid, 4242u);
  uint64_t len = 0;
  EXPECT_EQ(iface::IIO(svc).getLength(len), Object_OK);
  EXPECT_EQ(len, kCbor.size());
}

TEST(Daemon, LogLinesWithNamesOthersChoseAreEscaped) {
  // A service registered under a name made of terminal control sequences
  // and a newline (names can come from TAs), denied by the policy: the
  // "denied" line names it, escaped, on one line (issue 20, finding 5).
  std::string why;
  auto p = Policy::parse(R"({"default": "deny", "services": [
      {"name": "diagnostics", "allow": "everyone"}]})",
                         &why);
  ASSERT_TRUE(p) << why;
  TempSocket sock;
  std::mutex mu;
  std::vector<std::string> lines;
  DaemonOptions o;
  o.socket_path = sock.path;
  o.policy = *p;
  o.log_level = LogLevel::kInfo;
  o.log = [&](LogLevel, const std::string &line) {
    std::lock_guard lk(mu);
    lines.push_back(line);
  };
  Daemon d(std::move(o));
  const std::string evil = "evil\x1b]0;title\x07\ncapteed: info: forged";
  ASSERT_TRUE(d.services().add(0x20001, evil, [](const ClientIdentity &) { return Ref(); }));
  ASSERT_TRUE(d.start(&why)) << why;
  ChannelOptions co;
  co.log = [](const std::string &) {};
  Ref svc;
  EXPECT_EQ(iface::IClientEnv(connect(sock.path, co)).open(0x20001, svc), IOpener_ERROR_PRIVILEGE);
  d.log(LogLevel::kWarn,
        "direct \x9b"
        "2J\r");
  // `captee services` lists it: inert as text, and as JSON with the name
  // intact.
  auto cli = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"captee", "--socket", sock.path});
    std::vector<char *> argv;
    for (std::string &a : args) {
      argv.push_back(a.data());
    }
    std::ostringstream out, err;
    EXPECT_EQ(captee_cli_main(int(argv.size()), argv.data(), out, err), 0) << err.str();
    return out.str();
  };
  const std::string text = cli({"services"});
  EXPECT_NE(text.find("evil\\x1b]0;title\\x07\\x0acapteed: info: forged\n"), std::string::npos)
      << text;
  const std::string json = cli({"services", "--json"});
  bool listed = false;
  const nlohmann::json parsed = nlohmann::json::parse(json);
  for (const auto &svc : parsed["services"]) {
    listed |= svc["name"] == evil;
  }
  EXPECT_TRUE(listed) << json;
  for (const std::string &out : {text, json}) {
    for (char c : out) {
      EXPECT_FALSE((uint8_t(c) < 0x20 && c != '\n') || uint8_t(c) >= 0x7F) << out;
    }
  }
  d.stop();
  std::lock_guard lk(mu);
  bool denied = false, direct = false;
  for (const std::string &l : lines) {
    for (char c : l) {
      EXPECT_FALSE(uint8_t(c) < 0x20 || uint8_t(c) >= 0x7F) << "in: " << l;
    }
    denied |= l.find("denied evil\\x1b]0;title\\x07\\x0acapteed: info: forged") == 0;
    direct |= l == "direct \\x9b2J\\x0d";
  }
  EXPECT_TRUE(denied);
  EXPECT_TRUE(direct);
}

TEST(Daemon, MemoryServiceChecksArgumentsAndAccountsThePrivatePool) {
  Fixture f(Policy::allow_all(), 16384);
  ASSERT_TRUE(f.start());
  Ref svc;
  ASSERT_EQ(iface::IClientEnv(f.env()).open(CMemoryService_UID, svc), Object_OK);
  iface::IMemoryService mem(svc);
  constexpr uint32_t rw = IMemoryService_RIGHT_READ | IMemoryService_RIGHT_WRITE;
  Ref m;
  EXPECT_EQ(mem.allocate(7, 4096, rw, m), IMemoryService_ERROR_NO_SUCH_POOL);
  EXPECT_EQ(mem.allocate(0, 4096, 0, m), IMemoryService_ERROR_BAD_RIGHTS);
  EXPECT_EQ(mem.allocate(0, 4096, 0x10 | rw, m), IMemoryService_ERROR_BAD_RIGHTS);
  EXPECT_EQ(mem.allocate(0, 4096, rw | IMemoryService_RIGHT_EXECUTE, m),
            IMemoryService_ERROR_BAD_RIGHTS);
  EXPECT_EQ(mem.allocate(0, 0, rw, m), IMemoryService_ERROR_TOO_LARGE);
  EXPECT_EQ(mem.allocate(0, UINT64_MAX, rw, m), IMemoryService_ERROR_TOO_LARGE);
  Ref a, b, c;
  EXPECT_EQ(mem.allocate(1, 8000, rw, a), Object_OK);
  EXPECT_EQ(mem.allocate(1, 8192, rw, b), Object_OK);
  EXPECT_EQ(mem.allocate(1, 1, rw, c), IMemoryService_ERROR_POOL_EXHAUSTED);
  auto st = f.daemon->stats();
  EXPECT_EQ(st.memory_objects, 2u);
  EXPECT_EQ(st.memory_bytes, 16384u);
  IMemoryService_ObjectInfo info{};
  EXPECT_EQ(mem.queryObject(svc, info), IMemoryService_ERROR_NOT_MEMORY_OBJECT);
  EXPECT_EQ(mem.queryObject(make_object<Bytes>(kCbor), info),
            IMemoryService_ERROR_NOT_MEMORY_OBJECT);
  a.reset();
  EXPECT_TRUE(eventually([&] { return f.daemon->stats().memory_objects == 1; }));
  EXPECT_EQ(mem.allocate(1, 4096, rw, c), Object_OK);
  // Shared: mappable, right size.
  Ref s;
  ASSERT_EQ(mem.allocate(0, 100, rw, s), Object_OK);
  auto map = Mapping::map(s.get(), FdObject::kRead | FdObject::kWrite);
  ASSERT_TRUE(map);
  EXPECT_EQ(map->bytes().size(), 4096u);
  EXPECT_EQ(f.daemon->stats().shared_allocated_total, 1u);
}

TEST(Daemon, DiagnosticsHeapAppsCountersAndServices) {
  Fixture f;
  f.daemon->set_ta_hooks([] { return uint64_t(2); },
                         [] {
                           return std::vector<std::string>{"ta-one", "ta-two"};
                         });
  ASSERT_TRUE(f.start());
  Ref svc;
  ASSERT_EQ(iface::IClientEnv(f.env()).open(CDiagnostics_UID, svc), Object_OK);
  iface::IDiagnosticsCaptee d(svc);
  IDiagnostics_HeapInfo h{};
  ASSERT_EQ(d.queryHeapInfo(h), Object_OK);
  EXPECT_GT(h.totalSize, 0u);
  EXPECT_GT(h.usedSize, 0u);
  EXPECT_LE(h.usedSize + h.freeSize, h.totalSize);
  char apps[64];
  size_t len = 0;
  ASSERT_EQ(d.queryLoadedApps(std::as_writable_bytes(std::span(apps)), len), Object_OK);
  EXPECT_EQ(std::string(apps, len), std::string("ta-one\nta-two\n", 15));
  char tiny[4];
  EXPECT_EQ(d.queryLoadedApps(std::as_writable_bytes(std::span(tiny)), len), Object_ERROR_SIZE_OUT);
  IDiagnostics_AppRegionInfo pimem{}, ddr{};
  uint32_t scattered = 0;
  ASSERT_EQ(d.queryAppRegion(pimem, ddr, scattered), Object_OK);
  EXPECT_EQ(pimem.totalSize, 1u << 20);
  IDiagnostics_AppInfo ai{};
  EXPECT_EQ(d.queryAppInfo(std::as_bytes(std::span("x", 1)), ai), IDiagnostics_ERROR_APP_NOT_FOUND);
  IDiagnosticsCaptee_Counters c{};
  ASSERT_EQ(d.queryCounters(c), Object_OK);
  EXPECT_EQ(c.connections, 1u);
  // The connection is counted before its handshake ends; its exports are
  // counted once the acceptor has filed the channel, a moment later.
  EXPECT_TRUE(eventually([&] { return d.queryCounters(c) == 0 && c.objects >= 1; }));
  EXPECT_EQ(c.tas, 2u);
  EXPECT_EQ(c.pid, uint64_t(::getpid()));
  std::string json(4096, '\0');
  ASSERT_EQ(d.queryServicesJson(std::as_writable_bytes(std::span(json)), len), Object_OK);
  auto j = nlohmann::json::parse(json.substr(0, len - 1));
  EXPECT_EQ(j["services"].size(), 2u);
  EXPECT_EQ(j["services"][0]["uid"], CDiagnostics_UID);
  // The Mink IDiagnostics proxy (ops 0-4) works on the same object.
  iface::IDiagnostics mink(svc);
  EXPECT_EQ(mink.queryHeapInfo(h), Object_OK);
}

TEST(Daemon, CallbacksInFlightAreCounted) {
  Fixture f;
  ASSERT_TRUE(f.start());
  std::promise<void> gate;
  Ref io = make_object<Bytes>(kCbor, 0, gate.get_future());
  Ref root = f.root();
  auto reg = std::async(std::launch::async, [&] {
    Ref env;
    return iface::IClientEnv(root).registerAsClient(io, env);
  });
  EXPECT_TRUE(eventually([&] { return f.daemon->stats().callbacks_in_flight == 1; }));
  gate.set_value();
  EXPECT_EQ(reg.get(), Object_OK);
  EXPECT_EQ(f.daemon->stats().callbacks_in_flight, 0u);
}

TEST(Daemon, ConcurrentClientsThenBaseline) {
  Fixture f;
  ASSERT_TRUE(f.start());
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        Ref env = f.env();
        Ref svc;
        if (iface::IClientEnv(env).open(CMemoryService_UID, svc) != Object_OK) {
          ++failures;
          continue;
        }
        Ref m;
        if (iface::IMemoryService(svc).allocate(i % 2, 4096, 3, m) != Object_OK) {
          ++failures;
        }
      }
    });
  }
  for (auto &t : threads) {
    t.join();
  }
  EXPECT_EQ(failures.load(), 0);
  EXPECT_TRUE(eventually([&] {
    auto s = f.daemon->stats();
    return s.connections == 0 && s.objects == 0 && s.memory_objects == 0;
  }));
}

TEST(Daemon, StopReleasesEverythingClientsHeld) {
  Fixture f;
  ASSERT_TRUE(f.start());
  Ref svc;
  ASSERT_EQ(iface::IClientEnv(f.env()).open(CMemoryService_UID, svc), Object_OK);
  Ref priv;
  ASSERT_EQ(iface::IMemoryService(svc).allocate(1, 4096, 3, priv), Object_OK);
  EXPECT_EQ(f.daemon->stats().memory_objects, 1u);
  f.daemon->stop();
  // A pool thread may still drop its last temporary reference just after.
  EXPECT_TRUE(eventually([&] { return f.daemon->stats().memory_objects == 0; }));
  EXPECT_EQ(f.daemon->stats().connections, 0u);
  IMemoryService_PoolInfo pi{};
  EXPECT_NE(iface::IMemoryService(svc).queryPool(1, pi), Object_OK);
  EXPECT_FALSE(std::filesystem::exists(f.sock.path));
  f.daemon->stop();  // idempotent
}
