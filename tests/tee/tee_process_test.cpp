// capteed as a process: policy with real uids/gids, memory between clients,
// hostile clients, the kill -9 leak test, and the CLI.
#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <random>

#include "../channel/raw_peer.hpp"
#include "CMemoryService.h"
#include "IMemoryService.hpp"
#include "captee/memory.hpp"
#include "sink.hpp"
#include "tee_harness.hpp"

using namespace captee;
using namespace captee::test;

namespace {

constexpr uint32_t kMemory = CMemoryService_UID;

const char *kPolicy = R"({
  "version": 1,
  "default": "deny",
  "services": [
    {"name": "diagnostics", "allow": "everyone"},
    {"uid": "0x10001", "allow": {"uids": [0, 4242], "groups": [4343]}}
  ]
})";

int client(const CapteedProcess &d, std::vector<std::string> args, const std::string &as = "") {
  args.insert(args.begin(), TEE_CLIENT_PATH);
  std::vector<std::string> env;
  if (!as.empty()) {
    env.push_back("TEE_AS=" + as);
  }
  (void)d;
  return run(args, env);
}

std::string hex(uint32_t v) {
  char b[16];
  std::snprintf(b, sizeof b, "0x%x", v);
  return b;
}

// Runs the captee CLI and returns {exit code, stdout}.
std::pair<int, std::string> cli(const std::string &args) {
  return run_capture(std::string(CAPTEE_CLI_PATH) + " " + args);
}

}  // namespace

TEST(CapteedProcess, ReadyThenSigtermExitsZeroAndRemovesSocket) {
  CapteedProcess d;
  ASSERT_TRUE(d.ready());
  std::string sock = d.socket();
  EXPECT_EQ(d.stop(), 0);
  EXPECT_FALSE(std::filesystem::exists(sock));
}

TEST(CapteedProcess, BadPolicyRefusesToStart) {
  CapteedProcess bad(R"({"services": [{"uid": 5, "allow": "somebody"}]})");
  EXPECT_FALSE(bad.ready());
  EXPECT_NE(bad.stop(), 0);
  CapteedProcess not_json("{");
  EXPECT_FALSE(not_json.ready());
}

TEST(CapteedProcess, PolicyAllowsAndDeniesByKernelIdentity) {
  CapteedProcess d(kPolicy);
  ASSERT_TRUE(d.ready());
  const std::string s = d.socket();
  // root (uid 0) is listed.
  EXPECT_EQ(client(d, {"open", s, hex(kMemory)}), 0);
  // nobody: diagnostics yes, memory no, an unknown service is NOT_FOUND.
  EXPECT_EQ(client(d, {"open", s, "143"}, "65534:65534"), 0);
  EXPECT_EQ(client(d, {"open", s, hex(kMemory)}, "65534:65534"), 11);
  EXPECT_EQ(client(d, {"open", s, "0x7777"}, "65534:65534"), 10);
  // Allowed by uid, by primary gid, by a supplementary group.
  EXPECT_EQ(client(d, {"open", s, hex(kMemory)}, "4242:65534"), 0);
  EXPECT_EQ(client(d, {"open", s, hex(kMemory)}, "65534:4343"), 0);
  EXPECT_EQ(client(d, {"open", s, hex(kMemory)}, "65534:65534:100,4343"), 0);
  EXPECT_EQ(client(d, {"open", s, hex(kMemory)}, "65534:65534:100,101"), 11);
}

TEST(CapteedProcess, ClaimedCredentialsNeverRaisePrivilege) {
  CapteedProcess d(kPolicy);
  ASSERT_TRUE(d.ready());
  // nobody claims uid 4242 (allowed) in its CBOR: still denied.
  EXPECT_EQ(client(d, {"claim", d.socket(), hex(kMemory), "4242"}, "65534:65534"), 11);
  // root claiming nobody stays root.
  EXPECT_EQ(client(d, {"claim", d.socket(), hex(kMemory), "65534"}), 0);
}

TEST(CapteedProcess, ExecutableRulesUsePathAndHash) {
  std::string policy =
      std::string(R"({"services": [{"name": "memory", "allow": {"executables": [{"path": ")") +
      std::filesystem::canonical(TEE_CLIENT_PATH).string() + R"("}]}}]})";
  CapteedProcess by_path(policy);
  ASSERT_TRUE(by_path.ready());
  EXPECT_EQ(client(by_path, {"open", by_path.socket(), hex(kMemory)}, "65534:65534"), 0);
  // The CLI is another executable: denied.
  ChannelOptions o;
  o.log = [](const std::string &) {};
  int32_t rv = 0;
  by_path.open(kMemory, &rv);  // this test program
  EXPECT_EQ(rv, 11);

  CapteedProcess wrong_hash(
      R"({"services": [{"name": "memory", "allow": {"executables": [{"sha256": ")" +
      std::string(64, '0') + R"("}]}}]})");
  ASSERT_TRUE(wrong_hash.ready());
  EXPECT_EQ(client(wrong_hash, {"open", wrong_hash.socket(), hex(kMemory)}, "65534:65534"), 11);
}

namespace {
// A second client process serving a Sink over a socketpair.
struct SinkClient {
  pid_t pid = -1;
  std::shared_ptr<Channel> ch;
  Ref sink;
  SinkClient() {
    int sv[2];
    ::socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv);
    ::fcntl(sv[0], F_SETFD, FD_CLOEXEC);
    pid = spawn({TEE_CLIENT_PATH, "sink", std::to_string(sv[1])});
    ::close(sv[1]);
    ch = start_channel(sv[0], Ref());
    sink = ch ? ch->peer_primordial() : Ref();
  }
  int finish() {
    sink.invoke(kDone);
    sink.reset();
    ch->close();
    return wait_exit(pid);
  }
};
}  // namespace

TEST(CapteedProcess, SharedMemoryObjectsPassBetweenClients) {
  CapteedProcess d;
  ASSERT_TRUE(d.ready());
  iface::IMemoryService mem(d.open(kMemory));
  Ref obj;
  ASSERT_EQ(mem.allocate(IMemoryService_POOL_SHARED, 5000,
                         IMemoryService_RIGHT_READ | IMemoryService_RIGHT_WRITE, obj),
            Object_OK);
  IMemoryService_ObjectInfo info{};
  ASSERT_EQ(mem.queryObject(obj, info), Object_OK);
  EXPECT_EQ(info.size, 8192u);  // rounded to pages
  EXPECT_EQ(info.pool, IMemoryService_POOL_SHARED);
  auto mine = Mapping::map(obj.get(), FdObject::kRead | FdObject::kWrite);
  ASSERT_TRUE(mine);

  SinkClient b;
  ASSERT_TRUE(b.sink);
  const std::string text = "written by the other client";
  ASSERT_EQ(b.sink.invoke(kWriteShared, in(text.data(), text.size()), in(obj)), Object_OK);
  EXPECT_EQ(std::memcmp(mine->bytes().data(), text.data(), text.size()), 0);
  // A read-only shared object cannot be mapped writable anywhere.
  Ref ro;
  ASSERT_EQ(mem.allocate(IMemoryService_POOL_SHARED, 4096, IMemoryService_RIGHT_READ, ro),
            Object_OK);
  EXPECT_NE(b.sink.invoke(kWriteShared, in(text.data(), text.size()), in(ro)), Object_OK);
  EXPECT_EQ(b.finish(), 0);
}

TEST(CapteedProcess, PrivateMemoryIsAReferenceNobodyCanMap) {
  CapteedProcess d;
  ASSERT_TRUE(d.ready());
  Ref mem_ref = d.open(kMemory);
  iface::IMemoryService mem(mem_ref);
  uint64_t base_objects = d.counters().memoryObjects;
  Ref priv;
  ASSERT_EQ(mem.allocate(IMemoryService_POOL_TEE_PRIVATE, 100,
                         IMemoryService_RIGHT_READ | IMemoryService_RIGHT_WRITE, priv),
            Object_OK);
  // The holder cannot map it...
  int err = 0;
  EXPECT_FALSE(Mapping::map(priv.get(), FdObject::kRead, &err));
  EXPECT_EQ(err, EBADF);
  // ...but the TEE knows it.
  IMemoryService_ObjectInfo info{};
  ASSERT_EQ(mem.queryObject(priv, info), Object_OK);
  EXPECT_EQ(info.pool, IMemoryService_POOL_TEE_PRIVATE);
  EXPECT_EQ(info.size, 4096u);
  IMemoryService_PoolInfo pool{};
  ASSERT_EQ(mem.queryPool(IMemoryService_POOL_TEE_PRIVATE, pool), Object_OK);
  EXPECT_EQ(pool.usedSize, 4096u);
  auto c = d.counters();
  EXPECT_EQ(c.memoryObjects, base_objects + 1);
  EXPECT_EQ(c.memoryBytes, 4096u);

  // Passed to another client: still unmappable there, and alive while it holds it.
  SinkClient b;
  ASSERT_TRUE(b.sink);
  int32_t b_err = 0;
  ASSERT_EQ(b.sink.invoke(kTryMap, in(priv), out(b_err)), Object_OK);
  EXPECT_EQ(b_err, EBADF);
  priv.reset();
  EXPECT_TRUE(eventually([&] { return d.counters().memoryObjects == base_objects + 1; }, 300));
  ASSERT_EQ(b.sink.invoke(kDropKept), Object_OK);
  EXPECT_TRUE(eventually([&] { return d.counters().memoryObjects == base_objects; }));
  EXPECT_EQ(b.finish(), 0);
  ASSERT_EQ(mem.queryPool(IMemoryService_POOL_TEE_PRIVATE, pool), Object_OK);
  EXPECT_EQ(pool.usedSize, 0u);
}

TEST(CapteedProcess, HostileClientsDoNotHarmOthers) {
  CapteedProcess d;
  ASSERT_TRUE(d.ready());
  Ref diag = d.open(CDiagnostics_UID);
  iface::IDiagnosticsCaptee good(diag);
  IDiagnosticsCaptee_Counters c{};
  ASSERT_EQ(good.queryCounters(c), Object_OK);

  auto raw_connect = [&] {
    int fd = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::snprintf(a.sun_path, sizeof a.sun_path, "%s", d.socket().c_str());
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof a), 0);
    return fd;
  };
  {  // garbage instead of a hello
    RawPeer p(raw_connect());
    p.send_raw(std::vector<uint8_t>(64, 0xA5));
    EXPECT_TRUE(p.closed_by_peer());
  }
  {  // a valid hello, then forged handles, then garbage
    RawPeer p(raw_connect());
    ASSERT_TRUE(p.hello());
    for (uint32_t h : {0x00050001u, 0x7fff0003u, 12345u}) {
      ASSERT_TRUE(p.request(7, h, 0, "x", 8));
      wire::Message m;
      ASSERT_TRUE(p.recv(m));
      EXPECT_EQ(m.header.kind, wire::Kind::kError);
      EXPECT_EQ(m.error, Object_ERROR_BADOBJ);
    }
    p.send_raw({1, 2, 3});
    EXPECT_TRUE(p.closed_by_peer());
  }
  // A client that dies in the middle of the TEE's callback (credentials read).
  for (unsigned seed = 1; seed <= 5; ++seed) {
    pid_t pid = spawn({TEE_CLIENT_PATH, "churn", d.socket(), std::to_string(seed)});
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    ::kill(pid, SIGKILL);
    wait_exit(pid);
  }
  ASSERT_EQ(good.queryCounters(c), Object_OK);
  EXPECT_TRUE(eventually([&] { return good.queryCounters(c) == 0 && c.connections == 1; }));
  EXPECT_EQ(c.memoryObjects, 0u);
}

TEST(CapteedProcess, KillNineLeavesNothingBehind) {
  CapteedProcess d;
  ASSERT_TRUE(d.ready());
  // The previous query's connection may still be closing inside capteed: the
  // baseline has only the asking connection.
  IDiagnosticsCaptee_Counters base{};
  ASSERT_TRUE(eventually([&] {
    base = d.counters();
    return base.connections == 1;
  }));
  // The baseline is taken once capteed is quiet: the readiness probe and the
  // counters query have been fully closed (the count is steady).
  size_t base_fds = 0;
  ASSERT_TRUE(eventually([&] {
    size_t a = fd_count(d.pid());
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    base_fds = fd_count(d.pid());
    return base_fds > 0 && a == base_fds;
  }));
  std::mt19937 rng(20261122);
  constexpr int kClients = 1000;
  constexpr int kBatch = 50;
  auto start = std::chrono::steady_clock::now();
  for (int done = 0; done < kClients; done += kBatch) {
    std::vector<std::pair<pid_t, int>> batch;  // pid, kill delay (ms)
    for (int i = 0; i < kBatch; ++i) {
      pid_t pid = spawn({TEE_CLIENT_PATH, "churn", d.socket(), std::to_string(rng())}, {}, true);
      batch.push_back({pid, 5 + int(rng() % 60)});
    }
    auto t0 = std::chrono::steady_clock::now();
    std::sort(batch.begin(), batch.end(), [](auto &a, auto &b) { return a.second < b.second; });
    for (auto &[pid, delay] : batch) {
      std::this_thread::sleep_until(t0 + std::chrono::milliseconds(delay));
      ::kill(pid, SIGKILL);
    }
    for (auto &[pid, delay] : batch) {
      wait_exit(pid);
    }
  }
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::seconds(60));
  // Most clients got far enough to connect (the rest died while starting).
  uint64_t accepted = d.counters().connectionsAccepted - base.connectionsAccepted;
  EXPECT_GT(accepted, uint64_t(kClients / 2));
  std::printf("kill -9 test: %llu of %d clients connected, %lld ms\n", (unsigned long long)accepted,
              kClients,
              (long long)std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count());
  IDiagnosticsCaptee_Counters now{};
  EXPECT_TRUE(eventually([&] {
    now = d.counters();
    return now.connections == base.connections && now.objects == base.objects &&
           now.memoryObjects == base.memoryObjects && now.callbacksInFlight == 0;
  }));
  EXPECT_EQ(now.connections, base.connections);
  EXPECT_EQ(now.objects, base.objects);
  EXPECT_EQ(now.memoryObjects, base.memoryObjects);
  EXPECT_EQ(now.memoryBytes, base.memoryBytes);
  EXPECT_TRUE(eventually([&] { return fd_count(d.pid()) == base_fds; }))
      << fd_count(d.pid()) << " fds vs " << base_fds;
  // `captee stats --json` says the same.
  nlohmann::json j;
  EXPECT_TRUE(eventually([&] {
    auto [rc, out] = cli("--socket " + d.socket() + " stats --json");
    j = rc == 0 ? nlohmann::json::parse(out, nullptr, false) : nlohmann::json();
    return j.is_object() && j["connections"] == 1;  // the CLI's own connection
  }));
  EXPECT_EQ(j["memory_objects"], base.memoryObjects);
  EXPECT_EQ(j["callbacks_in_flight"], 0);
  // And the daemon still serves.
  int32_t rv = -1;
  d.open(kMemory, &rv);
  EXPECT_EQ(rv, Object_OK);
  EXPECT_EQ(d.stop(), 0);
}

TEST(CapteedProcess, CliStatusServicesAndStats) {
  CapteedProcess d;
  ASSERT_TRUE(d.ready());
  auto [rc, out] = cli("--socket " + d.socket() + " status");
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("capteed is running on " + d.socket()), std::string::npos) << out;
  std::tie(rc, out) = cli("--socket " + d.socket() + " stats --json");
  ASSERT_EQ(rc, 0) << out;
  auto j = nlohmann::json::parse(out);
  for (const char *k :
       {"connections", "objects", "memory_objects", "memory_bytes", "tas", "callbacks_in_flight"}) {
    EXPECT_TRUE(j.contains(k)) << k;
  }
  EXPECT_GE(j["connections"].get<int>(), 1);  // its own, plus maybe the previous one closing
  EXPECT_EQ(j["tas"], 0);
  std::tie(rc, out) = cli("--socket " + d.socket() + " status --json");
  ASSERT_EQ(rc, 0);
  EXPECT_EQ(nlohmann::json::parse(out)["running"], true);
  std::tie(rc, out) = cli("--socket " + d.socket() + " services --json");
  ASSERT_EQ(rc, 0);
  auto sj = nlohmann::json::parse(out);
  // memory, diagnostics, app loader, listeners, GP, remote-processor
  // control, storage administration
  ASSERT_EQ(sj["services"].size(), 7u);
  bool rproc = false, storage_admin = false;
  for (const auto &svc : sj["services"]) {
    rproc = rproc || (svc["uid"] == 0x10002 && svc["name"] == "remoteproc-control");
    storage_admin = storage_admin || (svc["uid"] == 0x10016 && svc["name"] == "storage-admin");
  }
  EXPECT_TRUE(rproc) << out;
  EXPECT_TRUE(storage_admin) << out;
  // Errors: one sentence, non-zero exit.
  std::tie(rc, out) = cli("--socket " + d.dir() + "/absent.sock status");
  EXPECT_NE(rc, 0);
  EXPECT_EQ(out.rfind("captee: cannot reach capteed at ", 0), 0u) << out;
  std::tie(rc, out) = cli("--socket " + d.socket() + " ta list");
  EXPECT_EQ(rc, 0) << out;
  EXPECT_EQ(out, "no TAs loaded\n");
  std::tie(rc, out) = cli("--socket " + d.socket() + " ta load " + d.dir() + "/absent.ta");
  EXPECT_NE(rc, 0);
  EXPECT_EQ(out, "captee: cannot read the TA file " + d.dir() + "/absent.ta.\n");
}
