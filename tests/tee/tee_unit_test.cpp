// Credentials, CBOR claims, policy and registry, without a daemon.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "captee/detail/uuid_text.hpp"
#include "captee/tee/credentials.hpp"
#include "captee/tee/policy.hpp"
#include "captee/tee/service_registry.hpp"

using namespace captee;
using namespace captee::tee;

namespace {
std::vector<std::byte> bytes(std::initializer_list<uint8_t> b) {
  std::vector<std::byte> v;
  for (uint8_t x : b) {
    v.push_back(std::byte{x});
  }
  return v;
}
}  // namespace

TEST(CborCredentials, BothEncodingsFromTheSpec) {
  // libcbor: uid as 4-byte uint, time as 8-byte uint (spec §6).
  auto a = parse_cbor_credentials(bytes({0xA2, 0x01, 0x1A, 0x00, 0x00, 0x03, 0xE8, 0x06, 0x1B, 0x00,
                                         0x00, 0x01, 0x93, 0x51, 0x8C, 0xC4, 0x7B}));
  ASSERT_TRUE(a);
  EXPECT_EQ(a->uid, 1000u);
  EXPECT_EQ(a->system_time_ms, 1732240000123u);
  EXPECT_EQ(a->encoded_size, 17u);
  // QCBOR: shortest form.
  auto q = parse_cbor_credentials(bytes(
      {0xA2, 0x01, 0x19, 0x03, 0xE8, 0x06, 0x1B, 0x00, 0x00, 0x01, 0x93, 0x51, 0x8C, 0xC4, 0x7B}));
  ASSERT_TRUE(q);
  EXPECT_EQ(q->uid, 1000u);
  EXPECT_EQ(q->system_time_ms, 1732240000123u);
  // Inline small values, other key order, an unknown key, an indefinite map.
  auto s = parse_cbor_credentials(bytes({0xBF, 0x06, 0x05, 0x03, 0x61, 0x78, 0x01, 0x00, 0xFF}));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->uid, 0u);
  EXPECT_EQ(s->system_time_ms, 5u);
}

TEST(CborCredentials, RejectsMalformedInput) {
  EXPECT_FALSE(parse_cbor_credentials({}));
  EXPECT_FALSE(parse_cbor_credentials(bytes({0xA2, 0x01})));              // truncated
  EXPECT_FALSE(parse_cbor_credentials(bytes({0xA1, 0x01, 0x02, 0x00})));  // trailing byte
  EXPECT_FALSE(parse_cbor_credentials(bytes({0x82, 0x01, 0x02})));        // array, not map
  EXPECT_FALSE(parse_cbor_credentials(bytes({0xA1, 0x61, 0x61, 0x01})));  // text key
  EXPECT_FALSE(parse_cbor_credentials(bytes({0xA1, 0x01, 0x20})));        // negative uid
  EXPECT_FALSE(parse_cbor_credentials(bytes({0xA1, 0x01, 0x1B, 0xFF})));  // short int
  // Declared sizes the input cannot hold (libcbor would allocate them first).
  EXPECT_FALSE(
      parse_cbor_credentials(bytes({0xBB, 0x06, 0x05, 0x06, 0x32, 0x61, 0x73, 0x00, 0xFF})));
  EXPECT_FALSE(parse_cbor_credentials(
      bytes({0xA1, 0x02, 0x9B, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF})));
  std::vector<std::byte> big(kMaxCredentialsBytes + 1, std::byte{0});
  EXPECT_FALSE(parse_cbor_credentials(big));
  // Deep nesting under an ignored key parses or fails, but never crashes.
  std::vector<std::byte> deep = bytes({0xA1, 0x02});
  deep.resize(kMaxCredentialsBytes - 1, std::byte{0x81});
  deep.push_back(std::byte{0x00});
  (void)parse_cbor_credentials(deep);
}

TEST(Credentials, KernelIdentityOfThisProcess) {
  ucred c{::getpid(), ::getuid(), ::getgid()};
  ClientIdentity id = identity_from_kernel(c);
  EXPECT_EQ(id.uid, ::getuid());
  EXPECT_EQ(id.gid, ::getgid());
  ASSERT_TRUE(id.process_verified);
  char exe[4096];
  ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
  ASSERT_GT(n, 0);
  EXPECT_EQ(id.exe_path, std::string(exe, size_t(n)));
  int fd = ::open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  EXPECT_EQ(id.exe_sha256, sha256_of_fd(fd));
  ::close(fd);
  EXPECT_EQ(id.exe_sha256.size(), 64u);
  gid_t groups[256];
  int ng = ::getgroups(256, groups);
  EXPECT_EQ(id.groups.size(), size_t(ng));
  EXPECT_TRUE(id.in_group(::getgid()));
}

TEST(Credentials, MismatchedOrDeadPidKeepsOnlyPeercred) {
  // SO_PEERCRED said uid 4242, but the pid is ours (uid differs): unverified.
  ucred c{::getpid(), 4242, 4242};
  ClientIdentity id = identity_from_kernel(c);
  EXPECT_EQ(id.uid, 4242u);
  EXPECT_FALSE(id.process_verified);
  EXPECT_TRUE(id.exe_path.empty());
  EXPECT_TRUE(id.groups.empty());
  ucred dead{0x3ffffff, 0, 0};
  EXPECT_FALSE(identity_from_kernel(dead).process_verified);
}

TEST(Credentials, TheExecutableTakenAtAcceptIsTheOneThatCounts) {
  // What a Listener took at accept: this process, and as "its executable"
  // /bin/sh, as if the process had exec'd this binary since.
  AcceptedPeer peer;
  peer.cred = ucred{::getpid(), ::getuid(), ::getgid()};
  peer.pidfd = int(::syscall(SYS_pidfd_open, ::getpid(), 0));
  ASSERT_GE(peer.pidfd, 0);
  peer.exe = ::open("/bin/sh", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(peer.exe, 0);
  const std::string sh_sha = sha256_of_fd(peer.exe);
  std::shared_ptr<const ExecutableBinding> binding;
  ClientIdentity id = identity_from_accept(peer, &binding);
  EXPECT_EQ(peer.exe, -1);  // read and closed
  ASSERT_TRUE(id.process_verified);
  EXPECT_EQ(id.exe_sha256, sh_sha);
  EXPECT_EQ(id.exe_path, std::filesystem::canonical("/bin/sh").string());
  ASSERT_TRUE(binding);
  // Outside a request served for a peer it never counts.
  EXPECT_NE(binding->why_not_bound(), "");
}

TEST(Credentials, NoPidfdNoProcessFacts) {
  AcceptedPeer peer;
  peer.cred = ucred{::getpid(), ::getuid(), ::getgid()};
  peer.exe = ::open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  std::shared_ptr<const ExecutableBinding> binding;
  ClientIdentity id = identity_from_accept(peer, &binding);
  EXPECT_EQ(id.uid, ::getuid());
  EXPECT_FALSE(id.process_verified);
  EXPECT_TRUE(id.exe_sha256.empty());
  EXPECT_FALSE(binding);
}

TEST(Credentials, Sha256OfKnownContent) {
  char path[] = "/tmp/captee-sha-XXXXXX";
  int fd = ::mkstemp(path);
  ASSERT_EQ(::write(fd, "abc", 3), 3);
  EXPECT_EQ(sha256_of_fd(fd), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  ::close(fd);
  ::unlink(path);
}

TEST(Policy, ParsesAndMatchesUidsGroupsExecutables) {
  std::string why;
  std::vector<std::string> warnings;
  auto p = Policy::parse(R"({
    "version": 1, "default": "deny",
    "services": [
      {"uid": 143, "allow": "everyone"},
      {"name": "memory", "allow": {"uids": [7, "root"], "groups": [50, "no-such-group-xyz"],
        "executables": [{"path": "/usr/bin/a"},
                        {"sha256": "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"},
                        {"path": "/usr/bin/b", "sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"}]}},
      {"uid": "0x10002", "allow": "nobody"}
    ]})",
                         &why, &warnings);
  ASSERT_TRUE(p) << why;
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("no-such-group-xyz"), std::string::npos);
  ClientIdentity nobody;
  nobody.uid = 65534;
  nobody.gid = 65534;
  EXPECT_TRUE(p->allows(143, "diagnostics", nobody));
  EXPECT_FALSE(p->allows(0x10001, "memory", nobody));
  EXPECT_FALSE(p->allows(0x999, "unlisted", nobody));  // default deny
  ClientIdentity root = nobody;
  root.uid = 0;
  EXPECT_TRUE(p->allows(0x10001, "memory", root));
  EXPECT_FALSE(p->allows(0x10002, "rproc", root));
  EXPECT_TRUE(p->allows(143, "registered-under-another-name", nobody));  // uid decides
  ClientIdentity grouped = nobody;
  grouped.groups = {10, 50};
  EXPECT_TRUE(p->allows(0x10001, "memory", grouped));
  ClientIdentity exe = nobody;
  exe.exe_path = "/usr/bin/a";
  exe.exe_sha256 = std::string(64, '1');
  EXPECT_FALSE(p->allows(0x10001, "memory", exe));  // not verified: executable rules ignored
  exe.process_verified = true;
  EXPECT_TRUE(p->allows(0x10001, "memory", exe));
  exe.exe_path = "/usr/bin/b";  // path b needs the hash too
  EXPECT_FALSE(p->allows(0x10001, "memory", exe));
  exe.exe_sha256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  EXPECT_TRUE(p->allows(0x10001, "memory", exe));
  // An identity whose executable does not count for a request (cleared by
  // ClientEnv) matches no executable rule, path-only ones included.
  ClientIdentity unbound = exe;
  unbound.exe_path = "/usr/bin/a";
  unbound.exe_sha256.clear();
  EXPECT_FALSE(p->allows(0x10001, "memory", unbound));
}

TEST(Policy, ErrorsNameTheProblem) {
  struct Case {
    const char *json;
    const char *expect;
  } cases[] = {
      {"[", "not valid JSON"},
      {"[]", "top level must be an object"},
      {R"({"servces": []})", "unknown key \"servces\""},
      {R"({"default": "maybe"})", "policy.default"},
      {R"({"version": 2})", "policy.version"},
      {R"({"services": [{"allow": "everyone"}]})", "needs \"uid\" or \"name\""},
      {R"({"services": [{"uid": 0, "allow": "everyone"}]})", "0 is not a service uid"},
      {R"({"services": [{"uid": "0x1g", "allow": "everyone"}]})", "services[0].uid"},
      {R"({"services": [{"uid": 3}]})", "missing \"allow\""},
      {R"({"services": [{"uid": 3, "allow": {"users": []}}]})", "unknown key \"users\""},
      {R"({"services": [{"uid": 3, "allow": {"executables": [{"sha256": "abc"}]}}]})", "64 hex"},
      {R"({"services": [{"uid": 3, "allow": {"executables": [{"path": "rel"}]}}]})", "absolute"},
      {R"({"services": [{"uid": 3, "allow": "everyone"}, {"uid": 3, "allow": "nobody"}]})",
       "twice"},
      {R"({"tas": {}})", "policy.tas: expected an array"},
      {R"({"tas": [{"allow": "everyone"}]})", "policy.tas[0].uuid"},
      {R"({"tas": [{"uuid": "80a4c275-0a47-4905-8285-1486a9771a0", "allow": "everyone"}]})",
       "policy.tas[0].uuid"},
      {R"({"tas": [{"uuid": "80a4c275-0a47-4905-8285-1486a9771a08"}]})", "missing \"allow\""},
      {R"({"tas": [{"uuid": "80a4c275-0a47-4905-8285-1486a9771a08", "uid": 3, "allow": "everyone"}]})",
       "unknown key \"uid\""},
      {R"({"tas": [{"uuid": "80A4C275-0a47-4905-8285-1486a9771a08", "allow": "everyone"},
                   {"uuid": "80a4c275-0a47-4905-8285-1486a9771a08", "allow": "nobody"}]})",
       "trusted app listed twice"},
  };
  for (const auto &c : cases) {
    std::string why;
    EXPECT_FALSE(Policy::parse(c.json, &why)) << c.json;
    EXPECT_NE(why.find(c.expect), std::string::npos) << c.json << " -> " << why;
  }
  std::string why;
  EXPECT_FALSE(Policy::load("/nonexistent/policy.json", &why));
  EXPECT_NE(why.find("/nonexistent/policy.json"), std::string::npos);
}

TEST(Policy, DefaultsAndShippedFile) {
  ClientIdentity nobody;
  nobody.uid = 65534;
  nobody.gid = 65534;
  Policy d = Policy::builtin_default();
  EXPECT_TRUE(d.allows(0x10001, "memory", nobody));
  EXPECT_TRUE(d.allows(143, "diagnostics", nobody));
  EXPECT_TRUE(d.allows(0x199, "gp-app-client", nobody));
  EXPECT_TRUE(d.allows(3, "app-loader", nobody));
  EXPECT_FALSE(d.allows(0x10002, "remoteproc-control", nobody));
  ClientIdentity root = nobody;
  root.uid = 0;
  EXPECT_TRUE(d.allows(0x10002, "remoteproc-control", root));
  EXPECT_FALSE(d.allows(0x4444, "something-new", nobody));
  // The shipped etc/captee/policy.json says the same.
  std::string why;
  auto shipped = Policy::load(CAPTEE_SOURCE_DIR "/etc/captee/policy.json", &why);
  ASSERT_TRUE(shipped) << why;
  EXPECT_EQ(shipped->rules().size(), d.rules().size());
  EXPECT_TRUE(shipped->allows(0x10001, "memory", nobody));
  EXPECT_FALSE(shipped->allows(0x10002, "remoteproc-control", nobody));
  EXPECT_TRUE(Policy::allow_all().allows(0x10002, "remoteproc-control", nobody));
  // The remoteproc TA is as privileged as the control service.
  const std::vector<std::string> rproc_ta = {"80a4c275-0a47-4905-8285-1486a9771a08"};
  EXPECT_EQ(d.tas_denied_to(nobody), rproc_ta);
  EXPECT_TRUE(d.tas_denied_to(root).empty());
  EXPECT_EQ(shipped->tas_denied_to(nobody), rproc_ta);
  EXPECT_TRUE(Policy::allow_all().tas_denied_to(nobody).empty());
}

TEST(Policy, TaRulesMatchLikeServiceRules) {
  std::string why;
  auto p = Policy::parse(R"({"tas": [
      {"uuid": "8AAAF200-2450-11E4-ABE2-0002A5D5C51B", "name": "hello", "allow": {"groups": [50]}},
      {"uuid": "7e57c0de-0001-4000-8000-000000000001", "allow": "everyone"}]})",
                         &why);
  ASSERT_TRUE(p) << why;
  ASSERT_EQ(p->ta_rules().size(), 2u);
  EXPECT_EQ(p->ta_rules()[0].ta_uuid, "8aaaf200-2450-11e4-abe2-0002a5d5c51b") << "lower-cased";
  ClientIdentity who;
  who.uid = 1000;
  who.gid = 1000;
  EXPECT_EQ(p->tas_denied_to(who),
            std::vector<std::string>{"8aaaf200-2450-11e4-abe2-0002a5d5c51b"});
  who.groups = {50};
  EXPECT_TRUE(p->tas_denied_to(who).empty());
}

TEST(ServiceRegistry, AddFindList) {
  ServiceRegistry r;
  auto f = [](const ClientIdentity &) { return Ref(); };
  EXPECT_TRUE(r.add(5, "five", f));
  EXPECT_FALSE(r.add(5, "other", f));  // uid taken
  EXPECT_FALSE(r.add(6, "five", f));   // name taken
  EXPECT_FALSE(r.add(0, "zero", f));   // IOpener_INVALID_ID
  EXPECT_FALSE(r.add(7, "", f));
  EXPECT_FALSE(r.add(8, "null", nullptr));
  EXPECT_TRUE(r.add(9, "nine", f));
  ASSERT_TRUE(r.find(9));
  EXPECT_EQ(r.find(9)->name, "nine");
  EXPECT_FALSE(r.find(6));
  EXPECT_EQ(r.uid_of("five"), 5u);
  EXPECT_EQ(r.list().size(), 2u);
}

// The UUID text `captee storage list --ta` reads: both ways, and every
// malformed form refused.
TEST(UuidText, ReadsWhatItWritesAndRefusesAnythingElse) {
  const std::array<uint8_t, 16> u{0x80, 0xa4, 0xc2, 0x75, 0x0a, 0x47, 0x43, 0x15,
                                  0x8e, 0xce, 0x09, 0xbd, 0x1b, 0x23, 0xc6, 0x1f};
  const std::string text = detail::uuid_text(u);
  EXPECT_EQ(text, "80a4c275-0a47-4315-8ece-09bd1b23c61f");
  EXPECT_EQ(detail::uuid_from_text(text), u);
  EXPECT_EQ(detail::uuid_from_text("80A4C275-0A47-4315-8ECE-09BD1B23C61F"), u);
  for (const char *bad :
       {"", "80a4c275-0a47-4315-8ece-09bd1b23c61", "80a4c275-0a47-4315-8ece-09bd1b23c61f0",
        "80a4c2750a47-4315-8ece-09bd1b23c61f-", "80a4c275-0a47-4315-8ece-09bd1b23c6g1",
        "80a4c275+0a47-4315-8ece-09bd1b23c61f"}) {
    EXPECT_FALSE(detail::uuid_from_text(bad)) << bad;
  }
}
