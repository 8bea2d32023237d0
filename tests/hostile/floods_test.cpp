// Floods of reference-count traffic and calls at the argument limits:
// retain/release requests (a peer never drives capteed's counts), thousands
// of references to one export released one by one or in batches, and 15
// objects in one call, which capteed must release again.
#include <set>

#include "CDiagnostics.h"
#include "CMemoryService.h"
#include "IMemoryService.h"
#include "hostile_fixture.hpp"

using namespace captee;
using namespace captee::test;

namespace {

std::string u32(uint32_t v) {
  return std::string(reinterpret_cast<const char *>(&v), 4);
}

int32_t query_pool(HostilePeer &p, uint32_t handle) {
  uint32_t pool = IMemoryService_POOL_SHARED;
  uint32_t id = p.next_id();
  Received r;
  if (!p.request(id, handle, IMemoryService_OP_queryPool, {u32(pool)},
                 {sizeof(IMemoryService_PoolInfo)}) ||
      !p.reply_for(id, r)) {
    return Object_ERROR_UNAVAIL;
  }
  return r.msg.header.kind == wire::Kind::kError ? r.msg.error : Object_OK;
}

class Nothing final : public LocalObject {
  int32_t on_invoke(uint32_t, ObjectOp, ObjectArg *, ObjectCounts) override {
    return Object_ERROR_INVALID;
  }
};

}  // namespace

TEST_F(HostileTest, RetainAndReleaseRequestsAreRefusedAsAFlood) {
  auto p = peer();
  int32_t rv = -1;
  uint32_t mem = p->open(CMemoryService_UID, &rv);
  ASSERT_EQ(rv, Object_OK);
  // 5000 requests for retain and release (and their local variants),
  // pipelined 100 at a time (more, unread, would fill the socket: see
  // AClientThatNeverReadsItsRepliesStallsOnlyItself).
  constexpr int kFlood = 5000;
  constexpr int kWindow = 100;
  const uint32_t ops[] = {Object_OP_retain, Object_OP_release, Object_OP_retain | ObjectOp_LOCAL,
                          Object_OP_release | ObjectOp_LOCAL};
  for (int start = 0; start < kFlood; start += kWindow) {
    for (int i = start; i < start + kWindow; ++i) {
      ASSERT_TRUE(p->request(uint32_t(1000 + i), i % 2 ? mem : wire::kPrimordialHandle, ops[i % 4],
                             {}, {}));
    }
    for (int i = start; i < start + kWindow; ++i) {
      Received r;
      ASSERT_TRUE(p->reply_for(uint32_t(1000 + i), r)) << "no reply to request " << i;
      ASSERT_EQ(r.msg.header.kind, wire::Kind::kError);
      ASSERT_EQ(r.msg.error, Object_ERROR_INVALID);
    }
  }
  EXPECT_EQ(query_pool(*p, mem), Object_OK);  // nothing was released
}

TEST_F(HostileTest, ThousandsOfReferencesReleasedOneByOneOrInBatches) {
  auto p = peer();
  constexpr uint32_t kRefs = 3000;
  uint32_t mem = 0;
  for (uint32_t i = 0; i < kRefs; ++i) {
    int32_t rv = -1;
    uint32_t h = p->open(CMemoryService_UID, &rv);
    ASSERT_EQ(rv, Object_OK);
    ASSERT_TRUE(mem == 0 || h == mem) << "one export, counted";
    mem = h;
  }
  for (uint32_t i = 0; i < kRefs - 1; ++i) {
    ASSERT_TRUE(p->release(mem, 1));
  }
  EXPECT_EQ(query_pool(*p, mem), Object_OK);  // one reference left
  ASSERT_TRUE(p->release(mem, 1));
  EXPECT_EQ(query_pool(*p, mem), Object_ERROR_BADOBJ);

  // A full batch of single releases, then one that overshoots.
  uint32_t diag = 0;
  for (uint32_t i = 0; i < wire::kMaxBatch; ++i) {
    int32_t rv = -1;
    diag = p->open(CDiagnostics_UID, &rv);
    ASSERT_EQ(rv, Object_OK);
  }
  std::vector<wire::Message::Release> batch(wire::kMaxBatch, {diag, 1});
  wire::Encoded e;
  ASSERT_TRUE(wire::encode_release(batch, e));
  ASSERT_TRUE(p->send(e));
  EXPECT_EQ(query_pool(*p, diag), Object_ERROR_BADOBJ);
  for (int i = 0; i < 10; ++i) {
    int32_t rv = -1;
    diag = p->open(CDiagnostics_UID, &rv);
  }
  wire::Message::Release over[] = {{diag, 6}, {diag, 5}};
  wire::Encoded e2;
  ASSERT_TRUE(wire::encode_release(over, e2));
  ASSERT_TRUE(p->send(e2));
  EXPECT_TRUE(p->closed_by_peer());
}

// 15 objects of ours in one call that takes none: capteed refuses the call
// and releases every proxy it made for them.
TEST_F(HostileTest, FifteenObjectsInOneCallAreAllReleased) {
  auto p = peer();
  std::vector<wire::ObjRef> ours;
  for (uint32_t i = 1; i <= 15; ++i) {
    ours.push_back({wire::RefType::kSenderHosted, 0, 0x00010000u | i});
  }
  uint32_t id = p->next_id();
  ASSERT_TRUE(p->request(id, wire::kPrimordialHandle, IClientEnv_OP_open, {u32(CMemoryService_UID)},
                         {}, ours, 1));
  Received r;
  std::vector<Received> others;
  ASSERT_TRUE(p->reply_for(id, r, &others));
  EXPECT_EQ(r.msg.error, Object_ERROR_INVALID);
  std::set<uint32_t> released;
  auto collect = [&](const Received &f) {
    for (const auto &rel : f.msg.releases) {
      EXPECT_EQ(rel.count, 1u);
      released.insert(rel.handle);
    }
  };
  for (const auto &f : others) {
    collect(f);
  }
  while (released.size() < 15) {
    Received f;
    ASSERT_TRUE(p->recv(f)) << released.size() << " of 15 released";
    collect(f);
  }
  // And 15 output slots where the method has one.
  id = p->next_id();
  ASSERT_TRUE(p->request(id, wire::kPrimordialHandle, IClientEnv_OP_open, {u32(CMemoryService_UID)},
                         {}, {}, 15));
  ASSERT_TRUE(p->reply_for(id, r));
  EXPECT_EQ(r.msg.error, Object_ERROR_INVALID);
}

// The same through the library: 15 objects travel and are all released.
TEST_F(HostileTest, FifteenObjectsThroughTheLibraryAreAllReleased) {
  Ref root = connect(d_.socket());
  ASSERT_FALSE(root.is_null());
  std::vector<Ref> objs;
  ObjectArg args[15];
  for (int i = 0; i < 15; ++i) {
    objs.push_back(make_object<Nothing>());
    args[i].o = objs.back().get();
  }
  EXPECT_EQ(root.invoke_raw(IClientEnv_OP_notifyDomainChange, args, ObjectCounts_pack(0, 0, 15, 0)),
            Object_ERROR_INVALID);
  // capteed let go of all 15: only our references remain.
  EXPECT_TRUE(eventually([&] {
    for (const Ref &o : objs) {
      if (LocalObject::from(o.get())->ref_count() != 1) {
        return false;
      }
    }
    return true;
  }));
}
