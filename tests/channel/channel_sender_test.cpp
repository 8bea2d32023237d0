// Senders recorded per request (ChannelOptions::record_senders): what a
// Listener takes of the connecting process at accept (AcceptedPeer), and the
// CallOrigin an object serving a request sees. capteed builds its
// `executables` policy check on these (issue 20, finding 4).
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <filesystem>
#include <mutex>

#include "raw_peer.hpp"
#include "test_objects.hpp"

using namespace captee;
using namespace captee::test;

namespace {

constexpr uint32_t kProbe = 0;

// Answers kProbe (one BI, ignored; one BO) with the CallOrigin it is served
// under: recorded, pid, early as three uint32_t.
class OriginProbe : public LocalObject {
 protected:
  int32_t on_invoke(uint32_t method, ObjectOp, ObjectArg *a, ObjectCounts k) override {
    Args args(a, k);
    if (method != kProbe || !args.expect(1, 1, 0, 0) || args.bo(0).size < 12) {
      return Object_ERROR_INVALID;
    }
    const CallOrigin o = current_call_origin();
    const uint32_t v[3] = {o.recorded, uint32_t(o.pid), o.early};
    std::memcpy(args.bo(0).ptr, v, sizeof v);
    args.bo(0).size = sizeof v;
    return Object_OK;
  }
};

struct Origin {
  bool ok = false;
  uint32_t recorded = 0, pid = 0, early = 0;
};

// The reply to a kProbe request `id` on a raw peer.
Origin read_probe(RawPeer &p) {
  Origin o;
  wire::Message m;
  if (!p.recv(m) || m.header.kind != wire::Kind::kSuccess || m.bi.size() != 1 ||
      m.bi[0].size != 12) {
    return o;
  }
  uint32_t v[3];
  std::memcpy(v, p.last().data() + m.bi[0].offset, sizeof v);
  return {true, v[0], v[1], v[2]};
}

Origin probe(RawPeer &p, uint32_t id) {
  if (!p.request(id, wire::kPrimordialHandle, kProbe, "?", 12)) {
    return {};
  }
  return read_probe(p);
}

int raw_socket() {
  return ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
}

bool raw_connect(int fd, const std::string &path) {
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path.c_str());
  return ::connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0;
}

std::vector<uint8_t> hello_bytes() {
  wire::Hello h;
  h.nonce = 0x5eed;
  wire::Encoded e;
  wire::encode_hello(h, e);
  return e.flatten();
}

std::string link_of(const std::string &path) {
  std::error_code ec;
  return std::filesystem::read_symlink(path, ec).string();
}

// Descriptors of this process open on a file whose name contains `name`.
size_t open_fds_named(const std::string &name) {
  size_t n = 0;
  for (const auto &e : std::filesystem::directory_iterator("/proc/self/fd")) {
    n += link_of(e.path().string()).find(name) != std::string::npos ? 1 : 0;
  }
  return n;
}

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/captee-sender-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

// What the factory saw of the last peer.
struct SeenPeer {
  std::mutex mu;
  pid_t pid = 0;
  bool pidfd = false;
  std::string exe;
  uint64_t early_bytes = 0;
  Listener::PeerFactory factory() {
    return [this](AcceptedPeer &peer) {
      std::lock_guard lk(mu);
      pid = peer.cred.pid;
      pidfd = peer.pidfd >= 0;
      exe = peer.exe >= 0 ? link_of("/proc/self/fd/" + std::to_string(peer.exe)) : "";
      early_bytes = peer.early_bytes;
      return make_object<OriginProbe>();
    };
  }
};

ChannelOptions recording() {
  ChannelOptions o;
  o.record_senders = true;
  o.log = [](const std::string &) {};
  return o;
}

}  // namespace

TEST(ChannelSenders, TheListenerTakesTheConnectingProcessAndItsExecutable) {
  TempDir dir;
  const std::string path = dir.path + "/s";
  SeenPeer seen;
  auto l = Listener::bind(path, seen.factory(), recording());
  ASSERT_TRUE(l);
  l->serve_in_background();
  RawPeer p(raw_socket());
  ASSERT_TRUE(raw_connect(p.fd(), path));
  ASSERT_TRUE(p.hello());
  Origin o = probe(p, 1);
  ASSERT_TRUE(o.ok);
  EXPECT_EQ(o.recorded, 1u);
  EXPECT_EQ(pid_t(o.pid), ::getpid());
  EXPECT_EQ(o.early, 0u);
  std::lock_guard lk(seen.mu);
  EXPECT_EQ(seen.pid, ::getpid());
  EXPECT_TRUE(seen.pidfd);
  EXPECT_EQ(seen.exe, link_of("/proc/self/exe"));
}

TEST(ChannelSenders, ARequestFromAnotherProcessOnTheSocketCarriesItsOwnPid) {
  TempDir dir;
  const std::string path = dir.path + "/s";
  SeenPeer seen;
  auto l = Listener::bind(path, seen.factory(), recording());
  ASSERT_TRUE(l);
  l->serve_in_background();
  // This process connects; a child that shares the socket speaks on it.
  int fd = raw_socket();
  ASSERT_TRUE(raw_connect(fd, path));
  const pid_t child = ::fork();
  if (child == 0) {
    RawPeer p(fd);
    Origin o = p.hello() ? probe(p, 1) : Origin{};
    ::_exit(o.ok && o.recorded == 1 && pid_t(o.pid) == ::getpid() && o.early == 0 ? 0 : 1);
  }
  ::close(fd);
  EXPECT_EQ(wait_exit(child), 0);
  std::lock_guard lk(seen.mu);
  EXPECT_EQ(seen.pid, ::getpid());  // SO_PEERCRED: who connected
}

TEST(ChannelSenders, RequestsQueuedBeforeTheListenerAcceptedAreEarly) {
  TempDir dir;
  const std::string path = dir.path + "/s";
  SeenPeer seen;
  auto l = Listener::bind(path, seen.factory(), recording());
  ASSERT_TRUE(l);
  RawPeer p(raw_socket());
  ASSERT_TRUE(raw_connect(p.fd(), path));
  // The hello and a request, sent before anything is accepted.
  const std::vector<uint8_t> hello = hello_bytes();
  ASSERT_TRUE(p.send_raw(hello));
  wire::BufIn bi[] = {{"?", 1}};
  uint32_t caps[] = {12};
  wire::Encoded req;
  wire::encode_request(1, wire::kPrimordialHandle, kProbe, ObjectCounts_pack(1, 1, 0, 0), bi, caps,
                       {}, 0, req);
  wire::set_seq(req, 1);
  const std::vector<uint8_t> early = req.flatten();
  ASSERT_TRUE(p.send_raw(early));
  std::shared_ptr<Channel> ch = l->accept();
  ASSERT_TRUE(ch);
  {
    std::lock_guard lk(seen.mu);
    EXPECT_EQ(seen.early_bytes, hello.size() + early.size());
  }
  wire::Message m;
  ASSERT_TRUE(p.recv(m));
  ASSERT_EQ(m.header.kind, wire::Kind::kHello);
  Origin o = read_probe(p);
  ASSERT_TRUE(o.ok);
  EXPECT_EQ(o.early, 1u);
  EXPECT_EQ(pid_t(o.pid), ::getpid());
  // The next request was sent after the accept.
  wire::Encoded next;
  wire::encode_request(2, wire::kPrimordialHandle, kProbe, ObjectCounts_pack(1, 1, 0, 0), bi, caps,
                       {}, 0, next);
  wire::set_seq(next, 2);
  ASSERT_TRUE(p.send_raw(next.flatten()));
  o = read_probe(p);
  ASSERT_TRUE(o.ok);
  EXPECT_EQ(o.early, 0u);
  EXPECT_EQ(pid_t(o.pid), ::getpid());
  ch->close();
}

TEST(ChannelSenders, NotRecordedUnlessAsked) {
  TempDir dir;
  const std::string path = dir.path + "/s";
  SeenPeer seen;
  ChannelOptions quiet;
  quiet.log = [](const std::string &) {};
  auto l = Listener::bind(path, seen.factory(), quiet);
  ASSERT_TRUE(l);
  l->serve_in_background();
  RawPeer p(raw_socket());
  ASSERT_TRUE(raw_connect(p.fd(), path));
  ASSERT_TRUE(p.hello());
  Origin o = probe(p, 1);
  ASSERT_TRUE(o.ok);
  EXPECT_EQ(o.recorded, 0u);
  EXPECT_EQ(o.pid, 0u);
  std::lock_guard lk(seen.mu);
  EXPECT_EQ(seen.pid, ::getpid());
  EXPECT_FALSE(seen.pidfd);
  EXPECT_EQ(seen.exe, "");
  // Outside any request there is no origin either.
  EXPECT_FALSE(current_call_origin().recorded);
}

TEST(ChannelSenders, UnannouncedDescriptorsAreStillDropped) {
  // Version 2 (descriptor notices) with senders recorded: records are read
  // with a control buffer now, and descriptors nobody announced are still
  // dropped, not taken.
  TempDir dir;
  const std::string path = dir.path + "/s";
  SeenPeer seen;
  auto l = Listener::bind(path, seen.factory(), recording());
  ASSERT_TRUE(l);
  l->serve_in_background();
  RawPeer p(raw_socket());
  ASSERT_TRUE(raw_connect(p.fd(), path));
  ASSERT_TRUE(p.hello(false, wire::kVersionFdNotices));
  // A descriptor of a file only this test names, to count its copies.
  int null = ::memfd_create("unannounced-probe", MFD_CLOEXEC);
  wire::BufIn bi[] = {{"?", 1}};
  uint32_t caps[] = {12};
  // Unannounced: the descriptor is dropped and the request served.
  wire::Encoded e;
  wire::encode_request(1, wire::kPrimordialHandle, kProbe, ObjectCounts_pack(1, 1, 0, 0), bi, caps,
                       {}, 0, e);
  ASSERT_TRUE(p.send_frame_with_fds(e, {null}));
  Origin o = read_probe(p);
  ASSERT_TRUE(o.ok);
  EXPECT_EQ(pid_t(o.pid), ::getpid());
  // And the connection is still in order, holding no copy of it.
  o = probe(p, 2);
  ASSERT_TRUE(o.ok);
  EXPECT_EQ(pid_t(o.pid), ::getpid());
  EXPECT_EQ(open_fds_named("unannounced-probe"), 1u);  // this test's own
  ::close(null);
}
