// Direct connections (CHANNEL references, wire version 2): a middle domain
// hands its client a socket to the domain that hosts an object, and the
// client's calls go there in one hop. All three domains are threads of this
// process, so ThreadSanitizer sees every side. Labelled `tsan`.
#include <gtest/gtest.h>
#include <sys/mman.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "raw_peer.hpp"
#include "test_objects.hpp"

using namespace captee;
using namespace captee::test;

namespace {

// The far domain's side of every socket a Handoff made: channels serving
// `inner`, each started on a thread of its own (its handshake waits for the
// receiver).
struct FarEnd {
  std::mutex mu;
  std::vector<std::shared_ptr<Channel>> channels;
  std::atomic<int> opened{0};
  std::atomic<int> served{0};

  void close_all() {
    std::vector<std::shared_ptr<Channel>> chs;
    {
      std::lock_guard lk(mu);
      chs = channels;
    }
    for (auto &c : chs) {
      c->close();
    }
  }
};

// What the middle domain hands out: an object of the far domain that goes to
// peers accepting channel references as a socket to the far domain, and is
// forwarded (here: called in place) for everyone else.
class Handoff final : public DirectObject {
 public:
  enum class Mode { kServe, kDeadEnd, kRefuse };
  Handoff(Ref inner, std::shared_ptr<FarEnd> far, uint32_t key, Mode mode = Mode::kServe)
      : inner_(std::move(inner)), far_(std::move(far)), key_(key), mode_(mode) {}

  int open_direct(uint32_t &key) override {
    if (mode_ == Mode::kRefuse) {
      return -1;
    }
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
      return -1;
    }
    far_->opened.fetch_add(1);
    if (mode_ == Mode::kDeadEnd) {
      ::close(sv[1]);  // the far domain died before it could answer
    } else {
      std::thread([fd = sv[1], inner = inner_, far = far_] {
        ChannelOptions o;
        o.accept_channel_refs = false;
        o.log = [](const std::string &) {};
        if (auto ch = start_channel(fd, inner, o)) {
          far->served.fetch_add(1);
          std::lock_guard lk(far->mu);
          far->channels.push_back(std::move(ch));
        }
      }).detach();
    }
    key = key_;
    return sv[0];
  }

 protected:
  int32_t on_invoke(uint32_t, ObjectOp op, ObjectArg *a, ObjectCounts k) override {
    return inner_.invoke_raw(op, a, k);
  }

 private:
  Ref inner_;
  std::shared_ptr<FarEnd> far_;
  uint32_t key_;
  Mode mode_;
};

// The middle domain's primordial: op 0 hands out the Handoff.
class Middle final : public LocalObject {
 public:
  explicit Middle(Ref handoff) : handoff_(std::move(handoff)) {}

 protected:
  int32_t on_invoke(uint32_t method, ObjectOp, ObjectArg *a, ObjectCounts k) override {
    Args args(a, k);
    if (method != 0 || !args.expect(0, 0, 0, 1)) {
      return Object_ERROR_INVALID;
    }
    args.oo(0) = Ref(handoff_).detach();
    return Object_OK;
  }

 private:
  Ref handoff_;
};

struct Pair {
  std::shared_ptr<Channel> client, server;
  Ref root;
  std::vector<std::string> server_log;
  std::mutex log_mu;
  Pair(Ref primordial, bool client_accepts) {
    int sv[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
    ChannelOptions sopts;
    sopts.accept_channel_refs = false;  // the middle, like capteed, never takes one
    sopts.log = [this](const std::string &l) {
      std::lock_guard lk(log_mu);
      server_log.push_back(l);
    };
    ChannelOptions copts;
    copts.accept_channel_refs = client_accepts;
    std::thread t([&] { server = start_channel(sv[1], std::move(primordial), sopts); });
    client = start_channel(sv[0], Ref(), copts);
    t.join();
    EXPECT_TRUE(client && server);
    root = client->peer_primordial();
  }
};

Ref get(const Ref &root, int32_t *rv = nullptr) {
  Ref obj;
  int32_t r = root.invoke(0, out(obj));
  if (rv != nullptr) {
    *rv = r;
  }
  return obj;
}

// The far end counts a channel once start_channel() returned there, which may
// be a moment after the client's first call went through.
bool served_becomes(const FarEnd &far, int n) {
  for (int i = 0; i < 1000 && far.served.load() != n; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return far.served.load() == n;
}

struct World {
  std::shared_ptr<FarEnd> far = std::make_shared<FarEnd>();
  Ref counter = make_object<Counter>();
  Counter *count() const { return LocalObject::from_as<Counter>(counter.get()); }
  Ref middle(uint32_t key, Handoff::Mode mode = Handoff::Mode::kServe) {
    return make_object<Middle>(make_object<Handoff>(counter, far, key, mode));
  }
};

}  // namespace

TEST(ChannelDirect, AnAcceptingPeerReachesTheObjectsDomainInOneHop) {
  World w;
  Pair p(w.middle(7), /*client_accepts=*/true);
  Ref obj = get(p.root);
  ASSERT_FALSE(obj.is_null());
  EXPECT_TRUE(is_remote(obj.get()));
  EXPECT_EQ(echo(obj, "one hop"), "one hop");
  EXPECT_EQ(w.far->opened.load(), 1);
  EXPECT_TRUE(served_becomes(*w.far, 1));
  EXPECT_EQ(w.count()->calls.load(), 1u);
  // The middle exported nothing for it: only its primordial.
  EXPECT_EQ(p.server->export_count(), 1u);
  EXPECT_EQ(p.client->import_count(), 1u);
}

TEST(ChannelDirect, APeerThatDoesNotAcceptGetsTheObjectForwarded) {
  World w;
  Pair p(w.middle(7), /*client_accepts=*/false);
  Ref obj = get(p.root);
  ASSERT_FALSE(obj.is_null());
  EXPECT_EQ(echo(obj, "two hops"), "two hops");
  EXPECT_EQ(w.far->opened.load(), 0);
  EXPECT_EQ(p.server->export_count(), 2u);
}

TEST(ChannelDirect, AnObjectThatDeclinesIsForwarded) {
  World w;
  Pair p(w.middle(7, Handoff::Mode::kRefuse), true);
  Ref obj = get(p.root);
  EXPECT_EQ(echo(obj, "declined"), "declined");
  EXPECT_EQ(p.server->export_count(), 2u);
}

TEST(ChannelDirect, ReferencesWithTheSameKeyShareOneChannel) {
  World w;
  Pair p(w.middle(7), true);
  Ref a = get(p.root);
  Ref b = get(p.root);
  ASSERT_FALSE(a.is_null());
  ASSERT_FALSE(b.is_null());
  // The same proxy: the object keeps its identity in this domain.
  EXPECT_EQ(a.get().context, b.get().context);
  EXPECT_EQ(w.far->opened.load(), 2);
  EXPECT_EQ(echo(b, "shared"), "shared");
  // The second socket was closed unused, so its handshake never completed.
  EXPECT_TRUE(served_becomes(*w.far, 1));
}

TEST(ChannelDirect, KeyZeroMeansNoSharing) {
  World w;
  Pair p(w.middle(0), true);
  Ref a = get(p.root);
  Ref b = get(p.root);
  EXPECT_NE(a.get().context, b.get().context);
  EXPECT_EQ(echo(a, "a"), "a");
  EXPECT_EQ(echo(b, "b"), "b");
  EXPECT_TRUE(served_becomes(*w.far, 2));
}

TEST(ChannelDirect, WhenTheFarDomainGoesItsObjectsAreDefunct) {
  World w;
  Pair p(w.middle(7), true);
  Ref obj = get(p.root);
  ASSERT_EQ(echo(obj, "alive"), "alive");
  ASSERT_TRUE(served_becomes(*w.far, 1));
  w.far->close_all();
  int32_t rv = Object_OK;
  for (int i = 0; i < 500 && rv == Object_OK; ++i) {
    echo(obj, "gone?", &rv);
  }
  EXPECT_EQ(rv, Object_ERROR_DEFUNCT);
  // The connection to the middle is not affected.
  EXPECT_FALSE(get(p.root).is_null());
  EXPECT_FALSE(p.client->closed());
}

TEST(ChannelDirect, AFarEndThatNeverAnswersGivesADefunctObject) {
  World w;
  Pair p(w.middle(7, Handoff::Mode::kDeadEnd), true);
  int32_t rv = Object_ERROR;
  Ref obj = get(p.root, &rv);
  ASSERT_EQ(rv, Object_OK);
  ASSERT_FALSE(obj.is_null());
  echo(obj, "anyone?", &rv);
  EXPECT_EQ(rv, Object_ERROR_DEFUNCT);
  EXPECT_FALSE(p.client->closed());
}

TEST(ChannelDirect, ObjectsCrossTheDirectChannelBothWays) {
  // The client passes its own object through the direct channel and gets it
  // back: it comes home as itself, not as a proxy of a proxy.
  auto far = std::make_shared<FarEnd>();
  Ref service = make_object<Service>();
  Pair p(make_object<Middle>(make_object<Handoff>(service, far, 9)), true);
  Ref svc = get(p.root);
  ASSERT_FALSE(svc.is_null());
  Ref mine = make_object<Counter>();
  Ref back;
  std::string x = "ab", y = "cd";
  char both[8];
  size_t used = 0;
  uint32_t sizes = 0;
  ASSERT_EQ(svc.invoke(kAllKinds, in(x.data(), x.size()), in(y.data(), y.size()),
                       out(both, sizeof both, &used), out(sizes), in(mine), out(back)),
            Object_OK);
  EXPECT_EQ(back.get().context, mine.get().context) << "the client's object came home";
}

TEST(ChannelDirect, ASideThatDoesNotAcceptClosesOnAChannelReference) {
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
  std::vector<std::string> log;
  std::mutex mu;
  ChannelOptions o;
  o.accept_channel_refs = false;
  o.log = [&](const std::string &l) {
    std::lock_guard lk(mu);
    log.push_back(l);
  };
  std::shared_ptr<Channel> server;
  std::thread t([&] { server = start_channel(sv[1], make_object<Counter>(), o); });
  RawPeer raw(sv[0]);
  ASSERT_TRUE(raw.hello());
  t.join();
  ASSERT_TRUE(server);
  // A request whose object argument is a CHANNEL reference with a socket.
  int extra[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, extra), 0);
  wire::ObjRef oi[] = {{wire::RefType::kChannel, 0, 1}};
  wire::Encoded e;
  wire::encode_request(5, wire::kPrimordialHandle, kEcho, ObjectCounts_pack(0, 0, 1, 0), {}, {}, oi,
                       1, e);
  wire::set_seq(e, 1);
  auto bytes = e.flatten();
  iovec iov{bytes.data(), bytes.size()};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  cmsghdr *c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(c), &extra[1], sizeof(int));
  ASSERT_GT(::sendmsg(raw.fd(), &msg, MSG_NOSIGNAL), 0);
  EXPECT_TRUE(raw.closed_by_peer());
  wait_closed(server);
  std::lock_guard lk(mu);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_NE(log[0].find("does not accept"), std::string::npos) << log[0];
  ::close(extra[0]);
  ::close(extra[1]);
}

TEST(ChannelDirect, AChannelReferenceThatIsNotASocketClosesTheConnection) {
  // A hostile middle answers with a memfd where a socket should be.
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
  ChannelOptions o;
  o.log = [](const std::string &) {};
  std::shared_ptr<Channel> client;
  std::thread t([&] { client = start_channel(sv[0], Ref(), o); });
  RawPeer raw(sv[1]);
  ASSERT_TRUE(raw.hello(/*primordial=*/true));
  t.join();
  ASSERT_TRUE(client);
  Ref root = client->peer_primordial();
  int32_t rv = Object_OK;
  std::thread caller([&] {
    Ref obj;
    rv = root.invoke(0, out(obj));
  });
  wire::Message req;
  ASSERT_TRUE(raw.recv(req));
  ASSERT_EQ(req.header.kind, wire::Kind::kRequest);
  int memfd = ::memfd_create("not-a-socket", MFD_CLOEXEC);
  ASSERT_GE(memfd, 0);
  wire::ObjRef oo[] = {{wire::RefType::kChannel, 0, 3}};
  wire::Encoded e;
  wire::encode_success(req.header.invoke_id, ObjectCounts_pack(0, 0, 0, 1), {}, oo, 1, e);
  wire::set_seq(e, 1);
  auto bytes = e.flatten();
  iovec iov{bytes.data(), bytes.size()};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  cmsghdr *c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(c), &memfd, sizeof(int));
  ASSERT_GT(::sendmsg(raw.fd(), &msg, MSG_NOSIGNAL), 0);
  ::close(memfd);
  caller.join();
  EXPECT_EQ(rv, Object_ERROR_UNAVAIL);
  EXPECT_TRUE(client->closed());
}
