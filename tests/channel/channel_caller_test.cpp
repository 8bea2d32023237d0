// is_callers_object and close_channel_of (captee/channel.hpp): an object
// serving a request tells the calling peer's own objects from every other
// it is passed (its own, coming home, or a third peer's that it handed
// out), and a domain cuts off a peer through one of its proxies. capteed
// builds the storage supplicant's deadline on both (decision 0030).
#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include "test_objects.hpp"

using namespace captee;

namespace {

enum : uint32_t { kJudge = 0, kKeep = 1, kGive = 2 };

// kJudge(OI) answers in BO0 whether the object is the caller's own; kKeep
// keeps an object, kGive hands it out again.
class Judge final : public LocalObject {
 protected:
  int32_t on_invoke(uint32_t method, ObjectOp, ObjectArg *a, ObjectCounts k) override {
    Args args(a, k);
    if (method == kJudge && args.expect(0, 1, 1, 0)) {
      return args.write(0, uint8_t(is_callers_object(args.oi(0)))) ? Object_OK
                                                                   : Object_ERROR_SIZE_OUT;
    }
    std::lock_guard lock(mu_);
    if (method == kKeep && args.expect(0, 0, 1, 0)) {
      kept_ = Ref::share(args.oi(0));
      return Object_OK;
    }
    if (method == kGive && args.expect(0, 0, 0, 1)) {
      args.oo(0) = Ref(kept_).detach();
      return Object_OK;
    }
    return Object_ERROR_INVALID;
  }

 private:
  std::mutex mu_;
  Ref kept_;
};

// A client channel to a server channel exporting `served`, in this process.
struct Connection {
  std::shared_ptr<Channel> server, client;
  Connection(const Ref &served) {
    int sv[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
    std::thread t([&] { server = start_channel(sv[1], served); });
    client = start_channel(sv[0], Ref());
    t.join();
  }
  ~Connection() {
    client->close();
    server->close();
  }
};

bool judged_own(const Ref &judge, const Ref &object) {
  uint8_t own = 2;
  size_t used = 0;
  EXPECT_EQ(judge.invoke(kJudge, out(&own, 1, &used), in(object)), Object_OK);
  return own == 1;
}

TEST(ChannelCaller, OnlyTheCallingPeersOwnObjectsAreItsOwn) {
  Ref judge_here = make_object<Judge>();
  Connection a(judge_here), b(judge_here);
  ASSERT_TRUE(a.client && b.client);
  Ref judge_a = a.client->peer_primordial(), judge_b = b.client->peer_primordial();
  // A's own object, exported to the server: its own.
  Ref mine = make_object<test::Counter>();
  EXPECT_TRUE(judged_own(judge_a, mine));
  // The server's own object, coming home: not the caller's.
  EXPECT_FALSE(judged_own(judge_a, judge_a));
  // B's object, which the server hands A and A passes back: B's, not A's.
  ASSERT_EQ(judge_b.invoke(kKeep, in(Ref(make_object<test::Counter>()))), Object_OK);
  Ref bs;
  ASSERT_EQ(judge_a.invoke(kGive, out(bs)), Object_OK);
  ASSERT_TRUE(is_remote(bs.get()));
  EXPECT_FALSE(judged_own(judge_a, bs));
  // Outside a request nothing is anyone's.
  EXPECT_FALSE(is_callers_object(judge_a.get()));
}

TEST(ChannelCaller, ClosingThroughAProxyEndsThatConnectionOnly) {
  Ref judge_here = make_object<Judge>();
  Connection a(judge_here), b(judge_here);
  ASSERT_TRUE(a.client && b.client);
  Ref judge_a = a.client->peer_primordial(), judge_b = b.client->peer_primordial();
  EXPECT_FALSE(close_channel_of(judge_here.get()));  // no proxy: nothing to close
  EXPECT_TRUE(close_channel_of(judge_a.get()));
  EXPECT_TRUE(a.client->closed());
  EXPECT_TRUE(judged_own(judge_b, Ref(make_object<test::Counter>())));  // b still serves
  EXPECT_FALSE(b.client->closed());
  uint8_t own = 0;
  size_t used = 0;
  EXPECT_EQ(judge_a.invoke(kJudge, out(&own, 1, &used), in(judge_b)), Object_ERROR_UNAVAIL);
}

}  // namespace
