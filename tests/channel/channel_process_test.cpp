// Channel integration tests with real processes: each server runs in a forked
// child, so every object reference crosses an address-space boundary.
#include <gtest/gtest.h>

#include <future>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <random>
#include <sys/un.h>

#include "raw_peer.hpp"
#include "test_objects.hpp"

using namespace captee;
using namespace captee::test;

namespace {

struct Child {
  pid_t pid = -1;
  std::shared_ptr<Channel> ch;
  Ref root;
};

// Forks a server exporting a Service (with `next` if given) and connects to it.
Child spawn(ChannelOptions server_opts = {}, ChannelOptions client_opts = {}) {
  int sv[2];
  EXPECT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
  Child c;
  c.pid = fork_server(
      sv[1], sv[0], [] { return make_object<Service>(); }, server_opts);
  c.ch = start_channel(sv[0], Ref(), client_opts);
  EXPECT_TRUE(c.ch);
  c.root = c.ch->peer_primordial();
  return c;
}

void finish(Child &c) {
  c.root.reset();
  c.ch->close();  // other proxies may still be alive in the test body
  c.ch.reset();
  EXPECT_EQ(wait_exit(c.pid), 0);
}

// A temporary directory removed at the end of the test.
struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/captee-chan-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

}  // namespace

TEST(ChannelProcess, EveryArgumentKind) {
  Child c = spawn();
  ASSERT_FALSE(c.root.is_null());
  // BI + BO
  EXPECT_EQ(echo(c.root, "across processes"), "across processes");
  EXPECT_EQ(echo(c.root, ""), "");
  // BI x2, BO x2, OI, OO in one call.
  Ref mine = make_object<Counter>();
  Ref back;
  char b0[16];
  uint32_t sizes = 0;
  size_t used = 0;
  ASSERT_EQ(c.root.invoke(kAllKinds, in("ab", 2), in("cde", 3), out(b0, sizeof b0, &used),
                          out(sizes), in(mine), out(back)),
            Object_OK);
  EXPECT_EQ(std::string(b0, used), "abcde");
  EXPECT_EQ(sizes, (2u << 16) | 3u);
  EXPECT_TRUE(back == mine);
  // NULL object in and out.
  Ref null_back = make_object<Counter>();
  ASSERT_EQ(c.root.invoke(kAllKinds, in("", 0), in("", 0), out(b0, sizeof b0, &used), out(sizes),
                          in_object(Object_NULL), out(null_back)),
            Object_OK);
  EXPECT_TRUE(null_back.is_null());
  // OO: a new object hosted by the server, usable here.
  Ref counter;
  ASSERT_EQ(c.root.invoke(kNewCounter, out(counter)), Object_OK);
  EXPECT_EQ(echo(counter, "remote counter"), "remote counter");
  uint32_t calls = 0;
  ASSERT_EQ(counter.invoke(kCount, out(calls)), Object_OK);
  EXPECT_EQ(calls, 1u);
  // A large BI (out of band) and a large BO.
  std::string big(1 << 20, 'x');
  for (size_t i = 0; i < big.size(); i += 4099) {
    big[i] = char('a' + i % 26);
  }
  EXPECT_EQ(echo(c.root, big), big);
  // Errors travel back; output buffers that are too small are the callee's call.
  char tiny[2];
  EXPECT_EQ(c.root.invoke(kEcho, in("toolong", 7), out(tiny, sizeof tiny, &used)),
            Object_ERROR_SIZE_OUT);
  EXPECT_EQ(c.root.invoke(999), Object_ERROR_INVALID);
  // Local ops are never forwarded; reserved ops are refused.
  EXPECT_EQ(c.root.invoke(ObjectOp_LOCAL | 1), Object_ERROR_INVALID);
  finish(c);
}

TEST(ChannelProcess, ObjectTravelsAToBToC) {
  int ab[2], bc[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ab), 0);
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, bc), 0);
  // C: a plain service.
  pid_t c_pid = ::fork();
  if (c_pid == 0) {
    ::close(ab[0]);
    ::close(ab[1]);
    ::close(bc[0]);
    auto ch = start_channel(bc[1], make_object<Service>());
    if (!ch) {
      ::_exit(2);
    }
    wait_closed(ch);
    ::_exit(0);
  }
  ::close(bc[1]);
  // B: a service whose `next` is C's root.
  pid_t b_pid = ::fork();
  if (b_pid == 0) {
    ::close(ab[0]);
    int to_c = bc[0];
    auto c_ch = start_channel(to_c, Ref());
    if (!c_ch) {
      ::_exit(2);
    }
    auto a_ch = start_channel(ab[1], make_object<Service>(c_ch->peer_primordial()));
    if (!a_ch) {
      ::_exit(3);
    }
    wait_closed(a_ch);
    ::_exit(0);
  }
  ::close(bc[0]);
  ::close(ab[1]);
  auto ch = start_channel(ab[0], Ref());
  ASSERT_TRUE(ch);
  Ref b = ch->peer_primordial();
  Ref x = make_object<Counter>();
  auto *xc = LocalObject::from_as<Counter>(x.get());
  // C invokes x during the call (through B).
  char buf[32];
  size_t used = 0;
  ASSERT_EQ(b.invoke(kForward, in("via B", 5), out(buf, sizeof buf, &used), in(x)), Object_OK);
  EXPECT_EQ(std::string(buf, used), "via B");
  EXPECT_EQ(xc->calls.load(), 1u);
  // C keeps x and uses it later, in a call of its own.
  ASSERT_EQ(b.invoke(kStoreNext, in(x)), Object_OK);
  ASSERT_EQ(b.invoke(kUseNext, in("later", 5), out(buf, sizeof buf, &used)), Object_OK);
  EXPECT_EQ(std::string(buf, used), "later");
  EXPECT_EQ(xc->calls.load(), 2u);
  EXPECT_GE(x.get().invoke == nullptr ? 0u : xc->ref_count(), 2u);  // C's copy keeps a ref here
  // Our side releases its exports when it sees B go, on its own reading
  // thread: wait for that (the close notifier runs after the release).
  auto closed = std::make_shared<std::promise<void>>();
  auto closed_fut = closed->get_future();
  ch->on_close([closed] { closed->set_value(); });
  b.reset();
  ch.reset();
  EXPECT_EQ(wait_exit(b_pid), 0);
  EXPECT_EQ(wait_exit(c_pid), 0);
  ASSERT_EQ(closed_fut.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_EQ(xc->ref_count(), 1u);  // every remote reference was released
}

TEST(ChannelProcess, ReturningObjectsToTheirHome) {
  Child c = spawn();
  // Ours comes back as ours.
  Ref mine = make_object<Counter>();
  Ref back;
  char b0[8];
  uint32_t sizes;
  size_t used;
  ASSERT_EQ(c.root.invoke(kAllKinds, in("", 0), in("", 0), out(b0, sizeof b0, &used), out(sizes),
                          in(mine), out(back)),
            Object_OK);
  EXPECT_EQ(back.get().invoke, mine.get().invoke);
  EXPECT_EQ(back.get().context, mine.get().context);
  back.reset();
  // Theirs goes back as theirs: the server sees its own object, not a proxy.
  Ref y;
  ASSERT_EQ(c.root.invoke(kGetY, out(y)), Object_OK);
  uint32_t same = 0;
  ASSERT_EQ(c.root.invoke(kIsY, out(same), in(y)), Object_OK);
  EXPECT_EQ(same, 1u);
  Ref other;
  ASSERT_EQ(c.root.invoke(kNewCounter, out(other)), Object_OK);
  ASSERT_EQ(c.root.invoke(kIsY, out(same), in(other)), Object_OK);
  EXPECT_EQ(same, 0u);
  // Export bookkeeping: the server let go of `mine` (its release may still be
  // on the way), and we hold one proxy per remote object.
  for (int i = 0; i < 200 && c.ch->export_count() != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(c.ch->export_count(), 0u);
  EXPECT_EQ(c.ch->import_count(), 3u);  // root, y, other
  finish(c);
}

TEST(ChannelProcess, NestedCallbacksThreeDeepOnTheSameThread) {
  Child c = spawn();
  Ref remote_ping;
  ASSERT_EQ(c.root.invoke(kNewPing, out(remote_ping)), Object_OK);
  Ref local_ping = make_object<Ping>();
  auto *lp = LocalObject::from_as<Ping>(local_ping.get());
  // here -> there -> here -> there -> here -> there -> here: three callbacks
  // here, all on this thread; the remote side checks its own thread likewise.
  ASSERT_EQ(remote_ping.invoke(0, in(uint32_t(6)), in(local_ping)), Object_OK);
  {
    std::lock_guard lk(lp->mu);
    ASSERT_EQ(lp->tids.size(), 3u);
    for (uint32_t t : lp->tids) {
      EXPECT_EQ(t, tid());
    }
  }
  // Deeper still, and again from another thread.
  std::thread([&] {
    Ref p2 = make_object<Ping>();
    Ref rp2;
    ASSERT_EQ(c.root.invoke(kNewPing, out(rp2)), Object_OK);
    EXPECT_EQ(rp2.invoke(0, in(uint32_t(20)), in(p2)), Object_OK);
    auto *pp = LocalObject::from_as<Ping>(p2.get());
    std::lock_guard lk(pp->mu);
    EXPECT_EQ(pp->tids.size(), 10u);
    for (uint32_t t : pp->tids) {
      EXPECT_EQ(t, tid());
    }
  }).join();
  finish(c);
}

TEST(ChannelProcess, EightThreadsInvokeConcurrently) {
  Child c = spawn();
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      Ref cb = make_object<Counter>();
      for (int i = 0; i < 200; ++i) {
        std::string msg(size_t(1 + (i * 37 + t) % 300), char('A' + t));
        if (echo(c.root, msg) != msg) {
          failures.fetch_add(1);
        }
        if (i % 20 == 0) {  // mix in callbacks
          char buf[8];
          size_t used = 0;
          if (c.root.invoke(kCall, in("cb", 2), out(buf, sizeof buf, &used), in(cb)) != Object_OK) {
            failures.fetch_add(1);
          }
        }
      }
    });
  }
  for (auto &th : threads) {
    th.join();
  }
  EXPECT_EQ(failures.load(), 0);
  finish(c);
}

TEST(ChannelProcess, KillDashNineDuringACall) {
  Child c = spawn();
  std::atomic<bool> notified{false};
  c.ch->on_close([&] { notified = true; });
  Ref passed = make_object<Counter>();
  ASSERT_EQ(c.root.invoke(kStore, in(passed)), Object_OK);
  EXPECT_EQ(LocalObject::from(passed.get())->ref_count(), 2u);  // our export table holds one
  std::thread killer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ::kill(c.pid, SIGKILL);
  });
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(c.root.invoke(kSleep, in(uint32_t(20000))), Object_ERROR_UNAVAIL);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  killer.join();
  EXPECT_TRUE(notified.load());
  EXPECT_TRUE(c.ch->closed());
  int32_t rv = 0;
  echo(c.root, "anyone?", &rv);
  EXPECT_EQ(rv, Object_ERROR_UNAVAIL);
  EXPECT_EQ(LocalObject::from(passed.get())->ref_count(), 1u);  // export released
  c.root.reset();
  c.ch.reset();
  EXPECT_EQ(wait_exit(c.pid), 128 + SIGKILL);
}

TEST(ChannelProcess, ForgedHandleIsRejectedAndTheConnectionStays) {
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
  pid_t pid = fork_server(sv[1], sv[0], [] { return make_object<Service>(); });
  RawPeer raw(sv[0]);
  ASSERT_TRUE(raw.hello());
  wire::Message m;
  // Guessed handles: wrong index, wrong generation, the primordial's index with
  // generation 2.
  for (uint32_t forged : {0x10005u, 0x20000u, 0xFFFF0000u, 0x10001u}) {
    ASSERT_TRUE(raw.request(1, forged, kEcho, "hi", 8));
    ASSERT_TRUE(raw.recv(m));
    EXPECT_EQ(m.header.kind, wire::Kind::kError);
    EXPECT_EQ(m.error, Object_ERROR_BADOBJ);
  }
  // A receiver-hosted reference to a handle we were never given.
  {
    wire::ObjRef oi[] = {{wire::RefType::kReceiverHosted, 0, 0x10007}};
    wire::Encoded e;
    wire::encode_request(2, wire::kPrimordialHandle, kIsY, ObjectCounts_pack(0, 1, 1, 0), {},
                         std::vector<uint32_t>{4}, oi, 0, e);
    ASSERT_TRUE(raw.send_frame(e));
    ASSERT_TRUE(raw.recv(m));
    EXPECT_EQ(m.error, Object_ERROR_BADOBJ);
  }
  // A peer may not drive our reference counts.
  ASSERT_TRUE(raw.request(3, wire::kPrimordialHandle, Object_OP_release, "", 0));
  ASSERT_TRUE(raw.recv(m));
  EXPECT_EQ(m.error, Object_ERROR_INVALID);
  // The connection still works.
  ASSERT_TRUE(raw.request(4, wire::kPrimordialHandle, kEcho, "still here", 16));
  ASSERT_TRUE(raw.recv(m));
  ASSERT_EQ(m.header.kind, wire::Kind::kSuccess);
  ASSERT_EQ(m.bi.size(), 1u);
  EXPECT_EQ(
      std::string(reinterpret_cast<const char *>(raw.last().data()) + m.bi[0].offset, m.bi[0].size),
      "still here");
  ::shutdown(raw.fd(), SHUT_RDWR);
  EXPECT_EQ(wait_exit(pid), 0);
}

TEST(ChannelProcess, MalformedFloodWhileServingAWellBehavedClient) {
  TempDir dir;
  std::string path = dir.path + "/svc.sock";
  int ready[2], stop_pipe[2];
  ASSERT_EQ(::pipe(ready), 0);
  ASSERT_EQ(::pipe(stop_pipe), 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(ready[0]);
    ::close(stop_pipe[1]);
    ChannelOptions opts;
    std::atomic<int> logged{0};
    opts.log = [&](const std::string &) { logged.fetch_add(1); };
    std::string why;
    auto l = Listener::bind(
        path, [](const ucred &) { return make_object<Service>(); }, opts, 0600, &why);
    if (!l) {
      std::fprintf(stderr, "listener: %s\n", why.c_str());
      ::_exit(2);
    }
    l->serve_in_background();
    char one = 1;
    (void)!::write(ready[1], &one, 1);
    ::close(ready[1]);
    char stop;
    (void)!::read(stop_pipe[0], &stop, 1);  // EOF when the parent is done
    ::_exit(logged.load() >= 50 ? 0 : 3);
  }
  ::close(ready[1]);
  ::close(stop_pipe[0]);
  char one;
  ASSERT_EQ(::read(ready[0], &one, 1), 1);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  std::atomic<bool> stop{false};
  std::atomic<int> served{0}, failures{0};
  std::thread good([&] {
    std::string why;
    Ref root = connect(path, {}, &why);
    if (root.is_null()) {
      failures.fetch_add(1);
      return;
    }
    while (!stop.load()) {
      std::string msg = "good " + std::to_string(served.load());
      if (echo(root, msg) != msg) {
        failures.fetch_add(1);
      }
      served.fetch_add(1);
    }
  });
  std::mt19937 rng(42);
  auto raw_connect = [&] {
    int fd = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strcpy(addr.sun_path, path.c_str());
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr), 0);
    return fd;
  };
  int closed = 0;
  for (int i = 0; i < 60; ++i) {
    RawPeer raw(raw_connect());
    ASSERT_TRUE(raw.hello());
    std::vector<uint8_t> junk;
    switch (i % 6) {
      case 0:  // random bytes
        junk.resize(1 + rng() % 200);
        for (auto &b : junk) {
          b = uint8_t(rng());
        }
        break;
      case 1: {                                                  // size field lies
        raw.request(1, wire::kPrimordialHandle, kEcho, "x", 8);  // valid, answered
        wire::Encoded e;
        wire::encode_error(5, -1, e);
        wire::set_seq(e, 2);
        junk = e.flatten();
        junk[0] = 200;
        break;
      }
      case 2: {  // unknown kind
        wire::Encoded e;
        wire::encode_error(5, -1, e);
        wire::set_seq(e, 1);
        junk = e.flatten();
        junk[4] = 77;
        break;
      }
      case 3: {  // claims a descriptor that is not there
        wire::Encoded e;
        wire::encode_error(5, -1, e);
        wire::set_seq(e, 1);
        junk = e.flatten();
        junk[6] = 1;
        break;
      }
      case 4: {  // a reply nobody asked for
        wire::Encoded e;
        wire::encode_error(12345, -1, e);
        wire::set_seq(e, 1);
        junk = e.flatten();
        break;
      }
      case 5: {  // releasing more than we were given
        wire::Message::Release r[] = {{wire::kPrimordialHandle, 5}};
        wire::Encoded e;
        wire::encode_release(r, e);
        wire::set_seq(e, 1);
        junk = e.flatten();
        break;
      }
    }
    raw.send_raw(junk);
    if (raw.closed_by_peer()) {
      ++closed;
    }
  }
  stop = true;
  good.join();
  EXPECT_EQ(closed, 60);
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GT(served.load(), 0);
  ::close(stop_pipe[1]);
  EXPECT_EQ(wait_exit(pid), 0);
  ::close(ready[0]);
}

TEST(ChannelProcess, AFrameOutOfSequenceClosesTheConnectionAtOnce) {
  // Nobody else holds an earlier frame, so the gap can never fill: closed at
  // once rather than after the 2 s a gap is given to fill (which a hostile
  // peer could otherwise make every frame cost).
  for (uint32_t seq : {5u, 0u}) {
    int sv[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
    pid_t pid = fork_server(sv[1], sv[0], [] { return make_object<Service>(); });
    RawPeer raw(sv[0]);
    ASSERT_TRUE(raw.hello());
    ASSERT_TRUE(raw.request(1, wire::kPrimordialHandle, kEcho, "in order", 16));
    wire::Message m;
    ASSERT_TRUE(raw.recv(m));
    wire::BufIn bi[] = {{"late", 4}};
    uint32_t caps[] = {8};
    wire::Encoded e;
    wire::encode_request(2, wire::kPrimordialHandle, kEcho, ObjectCounts_pack(1, 1, 0, 0), bi, caps,
                         {}, 0, e);
    wire::set_seq(e, seq);  // 2 expected
    ASSERT_TRUE(raw.send_raw(e.flatten()));
    EXPECT_TRUE(raw.closed_by_peer(1000)) << seq;
    EXPECT_EQ(wait_exit(pid), 0);
  }
}

TEST(ChannelProcess, LimitsGiveTheirErrorsAndTheConnectionGoesOn) {
  ChannelOptions small;
  small.limits.max_exports = 4;
  small.limits.max_args = 3;
  small.limits.max_data = 1 << 16;
  Child c = spawn({}, small);
  EXPECT_EQ(c.ch->limits().max_exports, 4u);
  // Our export table fills up: the fifth distinct object has no slot.
  std::vector<Ref> objs;
  for (int i = 0; i < 4; ++i) {
    objs.push_back(make_object<Counter>());
    ASSERT_EQ(c.root.invoke(kStore, in(objs.back())), Object_OK);
  }
  Ref fifth = make_object<Counter>();
  EXPECT_EQ(c.root.invoke(kStore, in(fifth)), Object_ERROR_NOSLOTS);
  EXPECT_EQ(c.root.invoke(kStore, in(objs[0])), Object_OK);  // already exported: fine
  // The peer's table (same agreed limit) fills up with objects it returns.
  std::vector<Ref> theirs;
  int32_t rv = Object_OK;
  for (int i = 0; i < 8 && rv == Object_OK; ++i) {
    Ref r;
    rv = c.root.invoke(kNewCounter, out(r));
    if (rv == Object_OK) {
      theirs.push_back(std::move(r));
    }
  }
  EXPECT_EQ(rv, Object_ERROR_NOSLOTS);
  EXPECT_EQ(theirs.size(), 3u);  // the root takes the fourth slot
  // Too many arguments of one kind, too much data.
  EXPECT_EQ(c.root.invoke(kEcho, in("a", 1), in("b", 1), in("c", 1), in("d", 1)),
            Object_ERROR_MAXARGS);
  std::string big(1 << 17, 'b');
  int32_t erv = 0;
  echo(c.root, big, &erv);
  EXPECT_EQ(erv, Object_ERROR_MAXDATA);
  // Still usable; and once the server drops what it stored, slots free up.
  EXPECT_EQ(echo(c.root, "ok"), "ok");
  ASSERT_EQ(c.root.invoke(kDropStored), Object_OK);
  for (int i = 0; i < 100 && c.ch->export_count() != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(c.ch->export_count(), 0u);
  EXPECT_EQ(c.root.invoke(kStore, in(fifth)), Object_OK);
  theirs.clear();
  finish(c);
}

TEST(ChannelProcess, ListenerGivesPeerCredentials) {
  TempDir dir;
  std::string path = dir.path + "/creds.sock";
  std::mutex seen_mu;
  std::vector<pid_t> seen;  // SO_PEERCRED pids, in any order
  auto l = Listener::bind(path, [&](const ucred &cr) {
    std::lock_guard lk(seen_mu);
    seen.push_back(cr.pid);
    return make_object<Service>();
  });
  ASSERT_TRUE(l);
  l->serve_in_background();
  // A peer that connects and never says hello holds up nobody.
  int silent = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strcpy(addr.sun_path, path.c_str());
  ASSERT_EQ(::connect(silent, reinterpret_cast<sockaddr *>(&addr), sizeof addr), 0);
  auto t0 = std::chrono::steady_clock::now();
  pid_t pid = ::fork();
  if (pid == 0) {
    Ref root = connect(path);
    ::_exit(!root.is_null() && echo(root, "child") == "child" ? 0 : 1);
  }
  EXPECT_EQ(wait_exit(pid), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
  ::close(silent);
  {
    std::lock_guard lk(seen_mu);
    EXPECT_NE(std::find(seen.begin(), seen.end(), pid), seen.end());
  }
  std::string why;
  EXPECT_TRUE(connect(dir.path + "/nothing.sock", {}, &why).is_null());
  EXPECT_NE(why.find("nothing.sock"), std::string::npos);
}

// What a Listener's sink was given, for a test to wait on.
struct SinkRecord {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> turned_away;
  std::vector<std::shared_ptr<Channel>> started;
  Listener::ChannelSink sink() {
    return [this](std::shared_ptr<Channel> ch, const std::string &why) {
      std::lock_guard lk(mu);
      if (ch) {
        started.push_back(std::move(ch));
      } else {
        turned_away.push_back(why);
      }
      cv.notify_all();
    };
  }
  struct Seen {
    bool reached;  // `n` turned away in time
    std::vector<std::string> turned_away;
    size_t started;
  };
  // Waits until `n` connections have been turned away; what was seen then.
  Seen wait_turned_away(size_t n, std::chrono::seconds within) {
    std::unique_lock lk(mu);
    const bool reached = cv.wait_for(lk, within, [&] { return turned_away.size() == n; });
    return {reached, turned_away, started.size()};
  }
};

TEST(ChannelProcess, OneUidParksAtMostSixteenHandshakes) {
  TempDir dir;
  std::string path = dir.path + "/pending.sock";
  SinkRecord record;
  auto l = Listener::bind(path, [](const ucred &) { return make_object<Service>(); });
  ASSERT_TRUE(l);
  l->serve_in_background(record.sink());
  auto raw_connect = [&] {
    int fd = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strcpy(addr.sun_path, path.c_str());
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr), 0);
    return fd;
  };
  // 16 silent peers of this uid wait in their handshakes; the next 4 are
  // turned away at once (a silent peer used to hold an accepting thread).
  std::vector<int> silent;
  for (unsigned i = 0; i < Listener::kMaxPendingPerUid + 4; ++i) {
    silent.push_back(raw_connect());
  }
  {
    const auto seen = record.wait_turned_away(4, std::chrono::seconds(3));
    ASSERT_TRUE(seen.reached);
    EXPECT_NE(seen.turned_away[0].find("too many handshakes pending from uid"), std::string::npos);
    EXPECT_EQ(seen.started, 0u);
  }
  // One hangs up: its handshake fails and frees a place for a real client.
  ::close(silent.front());
  silent.erase(silent.begin());
  {
    const auto seen = record.wait_turned_away(5, std::chrono::seconds(3));
    ASSERT_TRUE(seen.reached);
    EXPECT_NE(seen.turned_away[4].find("peer closed"), std::string::npos) << seen.turned_away[4];
  }
  pid_t pid = ::fork();
  if (pid == 0) {
    Ref root = connect(path);
    ::_exit(!root.is_null() && echo(root, "served") == "served" ? 0 : 1);
  }
  EXPECT_EQ(wait_exit(pid), 0);
  for (int fd : silent) {
    ::close(fd);
  }
  // Every handshake thread reports before the sink's state goes away: the 4
  // turned away, and the 16 that waited (one served, one that hung up
  // earlier, 15 now).
  const auto seen =
      record.wait_turned_away(Listener::kMaxPendingPerUid + 4, std::chrono::seconds(5));
  EXPECT_TRUE(seen.reached) << seen.turned_away.size();
  EXPECT_EQ(seen.started, 1u);
}

// A daemon stopping with handshakes in flight: the Listener's destructor
// cuts the silent ones short and returns only once every handshake thread
// has finished, its sink call included. Detached threads used to run on
// after it, and at capteed's exit one read a cache the exit had destroyed.
TEST(ChannelProcess, DestroyingAListenerEndsItsHandshakesBeforeItReturns) {
  TempDir dir;
  std::string path = dir.path + "/stopping.sock";
  auto factory_calls = std::make_shared<std::atomic<int>>(0);
  auto sink_calls = std::make_shared<std::atomic<int>>(0);
  auto channels = std::make_shared<std::atomic<int>>(0);
  ChannelOptions opts;
  opts.handshake_timeout_ms = 60000;  // far longer than the test may take
  opts.log = [](const std::string &) {};
  auto l = Listener::bind(
      path,
      [factory_calls](const ucred &) {
        factory_calls->fetch_add(1);
        return make_object<Service>();
      },
      opts);
  ASSERT_TRUE(l);
  l->serve_in_background([sink_calls, channels](std::shared_ptr<Channel> ch, const std::string &) {
    channels->fetch_add(ch ? 1 : 0);
    sink_calls->fetch_add(1);
  });
  std::vector<int> silent;
  for (int i = 0; i < 3; ++i) {
    int fd = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strcpy(addr.sun_path, path.c_str());
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr), 0);
    silent.push_back(fd);
  }
  for (int i = 0; i < 500 && factory_calls->load() < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(factory_calls->load(), 3) << "the three handshakes never started";
  EXPECT_EQ(sink_calls->load(), 0) << "a silent peer's handshake ended on its own";

  const auto t0 = std::chrono::steady_clock::now();
  l.reset();
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(sink_calls->load(), 3) << "the destructor returned before its handshake threads";
  EXPECT_EQ(channels->load(), 0);
  EXPECT_LT(took, std::chrono::seconds(10)) << "silent handshakes were not cut short";
  for (int fd : silent) {
    char buf[512];
    ssize_t n = 0;
    while ((n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT)) > 0) {
      // the server's hello, sent before it waited for ours
    }
    EXPECT_EQ(n, 0) << "the listener's end is still open";
    ::close(fd);
  }
}

TEST(ChannelProcess, AUidPastItsCapOfOpenConnectionsIsTurnedAway) {
  TempDir dir;
  std::string path = dir.path + "/capped.sock";
  SinkRecord record;
  auto l = Listener::bind(path, [](const ucred &) { return make_object<Service>(); });
  ASSERT_TRUE(l);
  ListenerLimits limits;
  limits.max_open_per_uid = 3;  // this test's uid is root: not exempt here
  l->serve_in_background(record.sink(), limits);
  ChannelOptions quiet;
  quiet.log = [](const std::string &) {};
  std::vector<Ref> roots;
  for (int i = 0; i < 3; ++i) {
    roots.push_back(connect(path, quiet));
    ASSERT_FALSE(roots.back().is_null()) << i;
  }
  std::string why;
  EXPECT_TRUE(connect(path, quiet, &why).is_null()) << "a fourth connection opened";
  {
    const auto seen = record.wait_turned_away(1, std::chrono::seconds(3));
    ASSERT_TRUE(seen.reached);
    EXPECT_EQ(seen.turned_away[0], "too many connections open from uid 0 (at most 3)");
  }
  roots.pop_back();  // the last reference: that channel closes, its place comes back
  Ref again;
  for (int i = 0; i < 300 && again.is_null(); ++i) {
    again = connect(path, quiet);
    if (again.is_null()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  ASSERT_FALSE(again.is_null()) << "the closed connection's place never came back";
  EXPECT_EQ(echo(again, "served"), "served");
  for (const Ref &r : roots) {
    EXPECT_EQ(echo(r, "still"), "still");
  }
}

TEST(ChannelProcess, MemoryObjectTravelsAsADescriptor) {
  Child c = spawn();
  Ref mem = MemoryObject::create(1 << 20);
  ASSERT_FALSE(mem.is_null());
  auto *m = LocalObject::from_as<MemoryObject>(mem.get());
  uint64_t expect = 0;
  for (size_t i = 0; i < m->size(); ++i) {
    m->bytes()[i] = std::byte(i * 7);
    expect += uint8_t(i * 7);
  }
  struct Result {
    uint64_t sum;
    uint32_t rights;
    uint32_t write_denied;
  } r{};
  // Read-write: the peer maps it and writes; we see the bytes.
  ASSERT_EQ(c.root.invoke(kMapRead, out(r), in(mem)), Object_OK);
  EXPECT_EQ(r.sum, expect);
  EXPECT_EQ(r.rights, FdObject::kRead | FdObject::kWrite);
  EXPECT_EQ(r.write_denied, 0u);
  ASSERT_EQ(c.root.invoke(kMapWrite, in(uint8_t(0x5A)), in(mem)), Object_OK);
  EXPECT_EQ(m->bytes()[12345], std::byte{0x5A});
  // Read-only view: the peer can read, cannot map it writable, even by hand.
  Ref ro = MemoryObject::read_only_view(mem.get());
  ASSERT_FALSE(ro.is_null());
  ASSERT_EQ(c.root.invoke(kMapRead, out(r), in(ro)), Object_OK);
  EXPECT_EQ(r.sum, uint64_t(0x5A) * m->size());
  EXPECT_EQ(r.rights, FdObject::kRead);
  EXPECT_EQ(r.write_denied, 1u);
  EXPECT_EQ(c.root.invoke(kMapWrite, in(uint8_t(1)), in(ro)), Object_ERROR_USERBASE);
  EXPECT_EQ(m->bytes()[0], std::byte{0x5A});
  // Memory objects are not exported: nothing to release later.
  EXPECT_EQ(c.ch->export_count(), 0u);
  finish(c);
}

TEST(ChannelProcess, RepliesMayOnlyShrinkOutputBuffers) {
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
  // The hostile server is a raw peer in a child process.
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(sv[0]);
    RawPeer raw(sv[1]);
    wire::Message m;
    if (!raw.hello(/*primordial=*/true) || !raw.recv(m) || m.header.kind != wire::Kind::kRequest) {
      ::_exit(2);
    }
    static const char big[16] = "sixteen bytes!!";
    wire::BufIn bo[] = {{big, 16}};  // the caller offered 4
    wire::Encoded e;
    wire::encode_success(m.header.invoke_id, ObjectCounts_pack(0, 1, 0, 0), bo, {}, 0, e);
    raw.send_frame(e);
    ::_exit(raw.closed_by_peer() ? 0 : 3);
  }
  ::close(sv[1]);
  ChannelOptions opts;
  std::vector<std::string> lines;
  opts.log = [&](const std::string &l) { lines.push_back(l); };
  auto ch = start_channel(sv[0], Ref(), opts);
  ASSERT_TRUE(ch);
  Ref root = ch->peer_primordial();
  char small[4];
  size_t used = 0;
  EXPECT_EQ(root.invoke(kEcho, in("x", 1), out(small, sizeof small, &used)), Object_ERROR_UNAVAIL);
  EXPECT_TRUE(ch->closed());
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("larger than its capacity"), std::string::npos);
  EXPECT_EQ(wait_exit(pid), 0);
}
