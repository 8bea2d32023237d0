// Callbacks a hostile client turns against capteed: a recursion-depth bomb
// (each callback answered with a request that causes another), callbacks
// never answered, answered slowly, or answered with nonsense.
#include <thread>

#include "CMemoryService.h"
#include "IIO.h"
#include "IIO.hpp"
#include "hostile_fixture.hpp"

using namespace captee;
using namespace captee::test;

namespace {

// Our "IIO" credentials object: just a handle in our (imaginary) export
// table; capteed makes a proxy for it and calls getLength on it.
constexpr uint32_t kOurIo = 0x00010001;
const wire::ObjRef kIoRef{wire::RefType::kSenderHosted, 0, kOurIo};

bool register_as_client(HostilePeer &p, uint32_t id, const wire::ObjRef &io = kIoRef) {
  return p.request(id, wire::kPrimordialHandle, IClientEnv_OP_registerAsClient, {}, {}, {io}, 1);
}

}  // namespace

// registerAsClient(io): capteed calls io.getLength on the same invoke id; we
// answer that callback with another registerAsClient(io) on the same id,
// which capteed serves nested on the waiting thread, and so on. Unbounded,
// this grows capteed's stack by a few KiB a level until it overflows.
TEST_F(HostileTest, ARecursionBombThroughCallbacksIsCutOff) {
  auto p = peer();
  constexpr uint32_t kId = 77;
  constexpr int kLevels = 100000;
  ASSERT_TRUE(register_as_client(*p, kId));
  int sent = 1;         // our registerAsClient requests
  int answered = 0;     // capteed's replies to them
  int pending_cbs = 0;  // capteed's getLength callbacks we have not answered
  int refused = 0;      // replies that came before their callback: cut off
  while (answered < sent) {
    Received r;
    ASSERT_TRUE(p->recv(r)) << "capteed went away at depth " << sent << " (" << answered
                            << " answered)";
    const wire::Kind k = r.msg.header.kind;
    if (k == wire::Kind::kRelease || k == wire::Kind::kReleaseBatch) {
      continue;  // capteed letting go of its proxies of our io
    }
    ASSERT_EQ(r.msg.header.invoke_id, kId);
    if (k == wire::Kind::kRequest) {
      ASSERT_EQ(r.msg.handle, kOurIo);
      ASSERT_EQ(r.msg.op, uint32_t(IIO_OP_getLength));
      ++pending_cbs;
      if (sent < kLevels) {
        ASSERT_TRUE(register_as_client(*p, kId));
        ++sent;
      } else {
        ASSERT_TRUE(p->reply_error(kId, Object_ERROR));
        --pending_cbs;
      }
      continue;
    }
    // A reply to our innermost outstanding request: the level below it is
    // waiting for its callback, which we now fail so it unwinds.
    ++answered;
    if (r.msg.header.kind == wire::Kind::kError && r.msg.error == Object_ERROR_BUSY) {
      ++refused;
    }
    if (pending_cbs > 0) {
      ASSERT_TRUE(p->reply_error(kId, Object_ERROR));
      --pending_cbs;
    }
  }
  EXPECT_LT(sent, kLevels) << "nothing stopped the recursion";
  EXPECT_EQ(refused, 1) << "the level past the limit is refused with Object_ERROR_BUSY";
  std::printf("recursion bomb: refused at depth %d\n", sent);
  // The connection is still fine.
  int32_t rv = -1;
  p->open(CMemoryService_UID, &rv);
  EXPECT_EQ(rv, Object_OK);
}

// Callbacks nobody answers hold only the caller's own call; other clients
// are served meanwhile, and hanging up releases everything.
TEST_F(HostileTest, AnUnansweredCallbackHoldsOnlyItsOwnCall) {
  auto p = peer();
  for (uint32_t id = 1; id <= 2; ++id) {  // capteed serves each client with two threads
    ASSERT_TRUE(register_as_client(*p, id));
    Received r;
    ASSERT_TRUE(p->recv(r));
    ASSERT_EQ(r.msg.header.kind, wire::Kind::kRequest);
  }
  EXPECT_EQ(counters_at(d_.socket()).callbacksInFlight, 2u);
  EXPECT_EQ(serve_well_behaved(d_.socket()), "");
  // A third call, with an object of ours, waits in capteed's queue behind
  // the two busy threads. Hanging up with it queued must free the
  // connection all the same (its proxy used to keep the connection, and its
  // descriptor, alive for ever; the fixture counts capteed's descriptors).
  ASSERT_TRUE(register_as_client(*p, 3, {wire::RefType::kSenderHosted, 0, 0x00010002}));
  p.reset();  // hangs up with both callbacks unanswered
}

// A callback answered slowly and then with output larger than was asked:
// the first waits, the second closes that connection.
TEST_F(HostileTest, ACallbackAnsweredLateOrOversizedAffectsOnlyItsConnection) {
  auto p = peer();
  ASSERT_TRUE(register_as_client(*p, 5));
  Received cb;
  ASSERT_TRUE(p->recv(cb));
  ASSERT_EQ(cb.msg.header.kind, wire::Kind::kRequest);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(serve_well_behaved(d_.socket()), "");
  // getLength's output is 8 bytes; 64 is more than its capacity.
  std::string big(64, 'x');
  wire::BufIn bo[] = {{big.data(), big.size()}};
  wire::Encoded e;
  wire::encode_success(5, ObjectCounts_pack(0, 1, 0, 0), bo, {}, 0, e);
  ASSERT_TRUE(p->send(e));
  EXPECT_TRUE(p->closed_by_peer());
}
