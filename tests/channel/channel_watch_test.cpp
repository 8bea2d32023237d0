// The serving pool's idle reader on a channel whose side also invokes the
// peer waits in a read watch instead of inside recvmsg (decision 0008), so
// an invoker reads its own reply. These tests pin down what that must not
// break: the peer's own requests are still served between and during this
// side's invokes, and a close reaches a watching pool thread. Both ends run
// in this process, so ThreadSanitizer sees both. Labelled `tsan`.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include "test_objects.hpp"

using namespace captee;
using namespace captee::test;

namespace {

// Side A exports a Service (so its pool runs) and calls B's Service; B's
// side holds a proxy to A's. One pool thread on A, so a request that A's
// invoker reads can only be served by the watcher; four on B, which serves
// a blocking call and the call that unblocks it at once.
struct WatchedPair {
  std::shared_ptr<Channel> a, b;
  Ref b_service;  // on A: B's Service
  Ref a_object;   // on B: A's primordial
  WatchedPair() {
    int sv[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
    ChannelOptions one, four;
    one.pool_threads = 1;
    four.pool_threads = 4;
    one.log = four.log = [](const std::string &) {};
    std::thread t([&] { b = start_channel(sv[1], make_object<Service>(), four); });
    a = start_channel(sv[0], make_object<Service>(), one);
    t.join();
    EXPECT_TRUE(a && b);
    b_service = a->peer_primordial();
    a_object = b->peer_primordial();
    // A's first invoke: its pool thread reads this reply from inside recvmsg
    // and, now that A invokes through the channel, watches from then on.
    EXPECT_EQ(echo(b_service, "warm"), "warm");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ~WatchedPair() {
    b_service.reset();
    a_object.reset();
    if (a) {
      a->close();
    }
    if (b) {
      b->close();
    }
  }
};

// Runs `f` on its own thread; false if it has not returned after `ms`
// (the thread is then left to finish once the channels close).
template <class F>
bool finishes_within(F f, int ms, std::shared_future<void> *keep = nullptr) {
  auto fut = std::async(std::launch::async, std::move(f)).share();
  const bool done = fut.wait_for(std::chrono::milliseconds(ms)) == std::future_status::ready;
  if (keep != nullptr) {
    *keep = fut;
  }
  return done;
}

}  // namespace

TEST(ChannelWatch, ThePeersRequestsAreServedBetweenThisSidesInvokes) {
  // Each of A's invokes disarms the watch while it reads its reply; unless
  // it re-arms it, B's next request would sit unread for ever.
  WatchedPair p;
  std::shared_future<void> left;
  bool ok = finishes_within(
      [&] {
        for (int i = 0; i < 200; ++i) {
          const std::string to_b = "a" + std::to_string(i), to_a = "b" + std::to_string(i);
          EXPECT_EQ(echo(p.b_service, to_b), to_b);
          EXPECT_EQ(echo(p.a_object, to_a), to_a);
        }
      },
      10000, &left);
  EXPECT_TRUE(ok) << "a request from the peer was never served";
  p.a->close();
  p.b->close();
  left.wait();
}

TEST(ChannelWatch, ARequestTheInvokerReadsIsServedByTheWatcher) {
  // A's invoker waits (reading the socket itself) for a call that B holds
  // until B's own request to A has been answered. The invoker reads that
  // request, which is not its reply, and queues it for the pool, whose only
  // thread sleeps in the watch: it must be woken to serve it.
  WatchedPair p;
  std::shared_future<void> waiting;
  (void)finishes_within([&] { EXPECT_EQ(p.b_service.invoke(kWaitEvent), Object_OK); }, 100,
                        &waiting);
  std::shared_future<void> served;
  const bool ok =
      finishes_within([&] { EXPECT_EQ(echo(p.a_object, "to a"), "to a"); }, 5000, &served);
  EXPECT_TRUE(ok) << "B's request to A was read by A's invoker and never served";
  EXPECT_EQ(p.b_service.invoke(kSetEvent), Object_OK) << "lets B answer A's waiting call";
  EXPECT_EQ(waiting.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  p.a->close();
  p.b->close();
  served.wait();
  waiting.wait();
}

TEST(ChannelWatch, ManyInvokersAndThePeersRequestsTogether) {
  WatchedPair p;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      const Ref &target = t % 2 == 0 ? p.b_service : p.a_object;
      for (int i = 0; i < 150; ++i) {
        const std::string msg = std::to_string(t) + ":" + std::to_string(i);
        failures += echo(target, msg) != msg;
      }
    });
  }
  for (auto &th : threads) {
    th.join();
  }
  EXPECT_EQ(failures.load(), 0);
}

TEST(ChannelWatch, APeerThatHangsUpReachesAWatchingPool) {
  WatchedPair p;
  p.b->close();
  std::shared_future<void> closed;
  EXPECT_TRUE(finishes_within([&] { wait_closed(p.a); }, 5000, &closed))
      << "A's watching pool thread did not see B hang up";
  p.a->close();
  closed.wait();
}

TEST(ChannelWatch, ClosingThisSideEndsAWatchingPoolAndFreesTheChannel) {
  auto p = std::make_unique<WatchedPair>();
  std::weak_ptr<Channel> a = p->a;
  p->a->close();  // the pool thread sleeps in the watch: close must wake it
  p.reset();
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!a.expired() && std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_TRUE(a.expired()) << "the watching pool thread kept the channel alive";
}
