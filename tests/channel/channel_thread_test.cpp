// Channel tests with both ends in one process (threads + socketpair), so that
// ThreadSanitizer sees both sides. Labelled `tsan`.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "raw_peer.hpp"
#include "test_objects.hpp"

using namespace captee;
using namespace captee::test;

namespace {

struct Pair {
  std::shared_ptr<Channel> client, server;
  Ref root;
  explicit Pair(Ref primordial, ChannelOptions copts = {}, ChannelOptions sopts = {}) {
    int sv[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
    std::thread t([&] { server = start_channel(sv[1], std::move(primordial), sopts); });
    client = start_channel(sv[0], Ref(), copts);
    t.join();
    EXPECT_TRUE(client && server);
    root = client->peer_primordial();
  }
};

// Polls `pred` for up to `ms` milliseconds.
template <class F>
bool eventually(F pred, int ms = 5000) {
  auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (!pred()) {
    if (std::chrono::steady_clock::now() > end) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace

TEST(ChannelThreads, EchoAndClose) {
  Pair p(make_object<Service>());
  ASSERT_FALSE(p.root.is_null());
  EXPECT_EQ(echo(p.root, "hello"), "hello");
  EXPECT_EQ(p.server->export_count(), 1u);
  EXPECT_EQ(p.client->import_count(), 1u);
  auto server = p.server;
  p.root.reset();  // last proxy: the release reaches the server, both sides close
  wait_closed(server);
  EXPECT_TRUE(server->closed());
  EXPECT_EQ(server->export_count(), 0u);
}

TEST(ChannelThreads, EightThreadsConcurrently) {
  Pair p(make_object<Service>());
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        std::string msg = "t" + std::to_string(t) + "-" + std::to_string(i);
        if (echo(p.root, msg) != msg) {
          failures.fetch_add(1);
        }
      }
    });
  }
  for (auto &th : threads) {
    th.join();
  }
  EXPECT_EQ(failures.load(), 0);
}

// Regression (fuzz/channel_peer, a use after free): the same object arriving
// in many concurrent requests is imported on the reading thread while the
// serving threads release earlier copies of it, so the receiver's proxy keeps
// dropping to its last reference and being found again. Each release must
// be counted once: the object is released exactly when the last copy goes,
// and nothing is freed twice (ASan and TSan run this too).
TEST(ChannelThreads, OneObjectInManyConcurrentCallsIsReleasedOnceAtTheEnd) {
  ChannelOptions server;
  server.pool_threads = 4;
  Pair p(make_object<Service>(), {}, server);
  auto *counter = new Counter;
  Ref obj = Ref::adopt(counter->as_object());
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 400; ++i) {
        uint32_t same = 7;
        if (p.root.invoke(kIsY, out(same), in(obj)) != Object_OK || same != 0) {
          failures.fetch_add(1);
        }
      }
    });
  }
  for (auto &th : threads) {
    th.join();
  }
  EXPECT_EQ(failures.load(), 0);
  // The server let go of every copy: the client exports only what it did
  // before (nothing), and the object is still ours and still works.
  EXPECT_TRUE(eventually([&] { return p.client->export_count() == 0; }))
      << p.client->export_count() << " exports left";
  EXPECT_EQ(echo(obj, "still here"), "still here");
}

TEST(ChannelThreads, NestedCallbacksRunOnTheWaitingThread) {
  Pair p(make_object<Service>());
  Ref remote_ping;
  ASSERT_EQ(p.root.invoke(kNewPing, out(remote_ping)), Object_OK);
  Ref local_ping = make_object<Ping>();
  auto *lp = LocalObject::from_as<Ping>(local_ping.get());
  // local -> remote -> local -> remote -> local -> remote -> local: 3 callbacks deep.
  ASSERT_EQ(remote_ping.invoke(0, in(uint32_t(6)), in(local_ping)), Object_OK);
  std::lock_guard lk(lp->mu);
  ASSERT_EQ(lp->tids.size(), 3u);
  for (uint32_t t : lp->tids) {
    EXPECT_EQ(t, tid());
  }
}

TEST(ChannelThreads, NestingStopsAt64LevelsPerThread) {
  // Depth n alternates sides: the remote pool thread serves depths n, n-2,
  // ..., 0. 126 is 64 levels there (the limit); 128 would be 65, and that
  // request is answered BUSY instead of growing the stack (a recursion bomb
  // from a hostile peer overflowed it at about 2400 levels).
  Pair p(make_object<Service>());
  // Fresh pings each time: a Ping insists that all its calls run on one thread.
  auto ping = [&](uint32_t depth) {
    Ref remote_ping;
    EXPECT_EQ(p.root.invoke(kNewPing, out(remote_ping)), Object_OK);
    return remote_ping.invoke(0, in(depth), in(make_object<Ping>()));
  };
  EXPECT_EQ(ping(126), Object_OK);
  EXPECT_EQ(ping(128), Object_ERROR_BUSY);
  EXPECT_EQ(ping(4), Object_OK);  // the channel is still fine
}

TEST(ChannelThreads, ConcurrentCallbacksFromManyThreads) {
  Pair p(make_object<Service>());
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      Ref local = make_object<Counter>();
      for (int i = 0; i < 50; ++i) {
        char buf[32];
        size_t used = 0;
        std::string msg = "cb" + std::to_string(i);
        if (p.root.invoke(kCall, in(msg.data(), msg.size()), out(buf, sizeof buf, &used),
                          in(local)) != Object_OK ||
            std::string(buf, used) != msg) {
          failures.fetch_add(1);
        }
      }
      if (LocalObject::from_as<Counter>(local.get())->calls.load() != 50) {
        failures.fetch_add(1);
      }
    });
  }
  for (auto &th : threads) {
    th.join();
  }
  EXPECT_EQ(failures.load(), 0);
}

TEST(ChannelThreads, ReturningAnObjectHomeYieldsTheOriginal) {
  Pair p(make_object<Service>());
  Ref mine = make_object<Counter>();
  Ref back;
  char b0[16];
  uint32_t sizes = 0;
  size_t used = 0;
  ASSERT_EQ(p.root.invoke(kAllKinds, in("ab", 2), in("cde", 3), out(b0, sizeof b0, &used),
                          out(sizes), in(mine), out(back)),
            Object_OK);
  EXPECT_EQ(std::string(b0, used), "abcde");
  EXPECT_EQ(sizes, (2u << 16) | 3u);
  EXPECT_TRUE(back == mine);  // same invoke and context: not a proxy
  Ref y;
  ASSERT_EQ(p.root.invoke(kGetY, out(y)), Object_OK);
  uint32_t same = 0;
  ASSERT_EQ(p.root.invoke(kIsY, out(same), in(y)), Object_OK);
  EXPECT_EQ(same, 1u);
  Ref y2;
  ASSERT_EQ(p.root.invoke(kGetY, out(y2)), Object_OK);
  EXPECT_TRUE(y == y2);  // one proxy per remote object
}

TEST(ChannelThreads, PeerCloseFailsPendingAndLaterCalls) {
  Pair p(make_object<Service>());
  std::atomic<bool> fired{false};
  p.client->on_close([&] { fired = true; });
  std::thread closer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    p.server->close();
  });
  EXPECT_EQ(p.root.invoke(kSleep, in(uint32_t(500))), Object_ERROR_UNAVAIL);
  closer.join();
  EXPECT_TRUE(fired.load());
  EXPECT_EQ(echo(p.root, "x").size(), 0u);
  int32_t rv = 0;
  echo(p.root, "x", &rv);
  EXPECT_EQ(rv, Object_ERROR_UNAVAIL);
}

TEST(ChannelThreads, AHandlerMayWaitForAnotherRequest) {
  // The pool's only reader serves kWaitEvent and blocks; the stall watch must
  // put another pool thread on the socket so kSetEvent gets through.
  Pair p(make_object<Service>());
  auto t0 = std::chrono::steady_clock::now();
  std::thread waiter([&] { EXPECT_EQ(p.root.invoke(kWaitEvent), Object_OK); });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(p.root.invoke(kSetEvent), Object_OK);
  waiter.join();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
}

TEST(ChannelThreads, AChannelClosedWithARequestStillQueuedIsFreed) {
  // The one pool thread serves a call that calls back into the peer and
  // waits; meanwhile it reads a new request (carrying an object of the
  // peer's) and queues it for the pool, which is busy. The peer hangs up. The
  // queued frame's proxy holds the channel: unless the queue is emptied on
  // close, channel, socket and proxy keep each other alive for ever (found
  // by fuzz/channel_peer).
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
  ChannelOptions one;
  one.pool_threads = 1;
  one.log = [](const std::string &) {};
  std::shared_ptr<Channel> server;
  std::thread t([&] { server = start_channel(sv[1], make_object<Service>(), one); });
  RawPeer raw(sv[0]);
  ASSERT_TRUE(raw.hello());
  t.join();
  ASSERT_TRUE(server);
  std::weak_ptr<Channel> weak = server;
  server.reset();
  auto call_with = [&](uint32_t id, uint32_t op, uint32_t handle) {
    wire::BufIn bi[] = {{"x", 1}};
    uint32_t caps[] = {8};
    wire::ObjRef oi[] = {{wire::RefType::kSenderHosted, 0, handle}};
    wire::Encoded e;
    wire::encode_request(id, wire::kPrimordialHandle, op, ObjectCounts_pack(1, 1, 1, 0), bi, caps,
                         oi, 0, e);
    return raw.send_frame(e);
  };
  ASSERT_TRUE(call_with(1, kCall, 0x00010001));
  wire::Message cb;
  ASSERT_TRUE(raw.recv(cb));  // the callback: the pool thread now waits, reading
  ASSERT_EQ(cb.header.kind, wire::Kind::kRequest);
  ASSERT_TRUE(call_with(2, kCall, 0x00010002));
  // Taken in (a proxy made for its object), and queued behind the busy pool.
  ASSERT_TRUE(eventually([&] {
    auto ch = weak.lock();
    return ch && ch->import_count() == 2;
  }));
  ::shutdown(raw.fd(), SHUT_RDWR);
  EXPECT_TRUE(eventually([&] { return weak.expired(); }, 5000))
      << "the channel outlived its peer, held by the request still queued";
}

namespace {

// What the test below watches, shared with the objects (the last release
// runs on a thread the test does not own).
struct CloseRace {
  std::mutex mu;
  std::condition_variable cv;
  bool entry_left = false;     // the "TA" got the answer to its call
  bool released = false;       // the session's last release ran
  bool release_waited = true;  // ... and found the entry point still busy
  int32_t forwarded = Object_OK;
};

// capteed's GP session in miniature: its last release closes the TA's
// session, which waits until the TA's entry point in progress returns.
class ClosingSession : public LocalObject {
 public:
  explicit ClosingSession(std::shared_ptr<CloseRace> race) : race_(std::move(race)) {}

 protected:
  int32_t on_invoke(uint32_t, ObjectOp, ObjectArg *, ObjectCounts) override {
    return Object_ERROR_INVALID;
  }
  void on_last_release() noexcept override {
    std::unique_lock lk(race_->mu);
    bool left = race_->cv.wait_for(lk, std::chrono::seconds(3), [&] { return race_->entry_left; });
    race_->release_waited = !left;
    race_->released = true;
    race_->cv.notify_all();
  }

 private:
  std::shared_ptr<CloseRace> race_;
};

// capteed forwarding the TA's IWait.wait to the client: a call on another
// channel, made while serving.
class Forwarder : public LocalObject {
 public:
  Forwarder(Ref client, std::shared_ptr<CloseRace> race)
      : client_(std::move(client)), race_(std::move(race)) {}

 protected:
  int32_t on_invoke(uint32_t, ObjectOp, ObjectArg *, ObjectCounts) override {
    race_->forwarded = client_.invoke(kSleep, in(uint32_t(1500)));
    return Object_OK;
  }

 private:
  Ref client_;
  std::shared_ptr<CloseRace> race_;
};

}  // namespace

TEST(ChannelThreads, AnExportsLastReleaseMayWaitForTheCallThatSawThePeerGo) {
  // The middle (capteed) holds the client's object and has exported a
  // session to the client. The "TA" calls the middle, which calls the client
  // on its behalf; the client dies meanwhile. The session's last release
  // waits for the TA's call to return, so that call must not wait for it.
  auto race = std::make_shared<CloseRace>();
  Pair client(make_object<Service>());  // client.server: the client's side
  {
    Ref session = make_object<ClosingSession>(race);
    ASSERT_EQ(client.root.invoke(kStore, in_object(session.get())), Object_OK);
  }  // the middle's export table holds the session's last reference
  Pair ta(make_object<Forwarder>(client.root, race));
  std::thread killer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    client.server->close();  // the client dies in the middle of the call
  });
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(ta.root.invoke(0), Object_OK);
  const auto took = std::chrono::steady_clock::now() - t0;
  {
    std::lock_guard lk(race->mu);
    race->entry_left = true;
    race->cv.notify_all();
  }
  killer.join();
  EXPECT_EQ(race->forwarded, Object_ERROR_UNAVAIL);
  EXPECT_LT(took, std::chrono::seconds(1)) << "the forwarded call waited for the release";
  std::unique_lock lk(race->mu);
  ASSERT_TRUE(race->cv.wait_for(lk, std::chrono::seconds(5), [&] { return race->released; }));
  EXPECT_FALSE(race->release_waited) << "the release gave up waiting for the call";
}
