// Handles a client was never given, no longer holds, or holds on another
// connection: each is Object_ERROR_BADOBJ and the connection stays; a
// release of more than was given closes that one connection.
// (tests/channel covers the same rules against a bare channel, and
// tests/tee/tee_process_test.cpp three forged handles against capteed.)
#include <random>

#include "CDiagnostics.h"
#include "CMemoryService.h"
#include "IDiagnosticsCaptee.h"
#include "IMemoryService.h"
#include "hostile_fixture.hpp"

using namespace captee;
using namespace captee::test;

namespace {

constexpr uint32_t kCountersSize = sizeof(IDiagnosticsCaptee_Counters);

wire::ObjRef going_home(uint32_t handle) {
  return {wire::RefType::kReceiverHosted, 0, handle};
}

// queryPool(POOL_SHARED) on a memory-service handle: the error, or OK.
int32_t query_pool(HostilePeer &p, uint32_t handle) {
  uint32_t pool = IMemoryService_POOL_SHARED;
  uint32_t id = p.next_id();
  Received r;
  if (!p.request(id, handle, IMemoryService_OP_queryPool,
                 {std::string(reinterpret_cast<const char *>(&pool), 4)},
                 {sizeof(IMemoryService_PoolInfo)}) ||
      !p.reply_for(id, r)) {
    return Object_ERROR_UNAVAIL;
  }
  return r.msg.header.kind == wire::Kind::kError ? r.msg.error : Object_OK;
}

}  // namespace

TEST_F(HostileTest, ForgedHandlesAreBadObjectsAndTheConnectionStays) {
  auto p = peer();
  std::mt19937 rng(0x5eed);
  std::vector<uint32_t> forged = {1,           0xFFFFFFFFu, 0x00010001u,
                                  0x00020000u, 0xFFFF0000u, 0x0000FFFFu};
  for (int i = 0; i < 2000; ++i) {
    forged.push_back(uint32_t(rng()));
  }
  std::erase(forged, wire::kPrimordialHandle);
  for (uint32_t h : forged) {
    ASSERT_EQ(p->call_out(h, IDiagnosticsCaptee_OP_queryCounters, kCountersSize),
              Object_ERROR_BADOBJ)
        << std::hex << h;
  }
  // Forged handles as objects "going home" to capteed.
  for (uint32_t h : {0x00010001u, 0x00020000u, 0x12345678u}) {
    uint32_t id = p->next_id();
    Received r;
    uint32_t uid = CMemoryService_UID;
    ASSERT_TRUE(p->request(id, wire::kPrimordialHandle, IClientEnv_OP_open,
                           {std::string(reinterpret_cast<const char *>(&uid), 4)}, {},
                           {going_home(h)}, 1));
    ASSERT_TRUE(p->reply_for(id, r));
    EXPECT_EQ(r.msg.error, Object_ERROR_BADOBJ);
  }
  int32_t rv = -1;
  uint32_t mem = p->open(CMemoryService_UID, &rv);
  ASSERT_EQ(rv, Object_OK);
  EXPECT_EQ(query_pool(*p, mem), Object_OK);
  // Handle 0 is never valid: naming it is a malformed frame (docs/WIRE.md).
  EXPECT_EQ(p->call_out(0, IDiagnosticsCaptee_OP_queryCounters, kCountersSize),
            Object_ERROR_UNAVAIL);
  EXPECT_TRUE(p->closed_by_peer());
}

TEST_F(HostileTest, StaleHandlesStayDeadWhenTheirSlotIsReused) {
  auto p = peer();
  int32_t rv = -1;
  uint32_t mem = p->open(CMemoryService_UID, &rv);
  ASSERT_EQ(rv, Object_OK);
  ASSERT_EQ(query_pool(*p, mem), Object_OK);
  ASSERT_TRUE(p->release(mem, 1));
  EXPECT_EQ(query_pool(*p, mem), Object_ERROR_BADOBJ);  // invoking after release
  // The slot is reused for another object under a new generation: the old
  // handle still names nothing.
  uint32_t diag = p->open(CDiagnostics_UID, &rv);
  ASSERT_EQ(rv, Object_OK);
  EXPECT_EQ(diag & 0xFFFF, mem & 0xFFFF) << "expected the freed slot to be reused";
  EXPECT_NE(diag, mem);
  EXPECT_EQ(query_pool(*p, mem), Object_ERROR_BADOBJ);
  EXPECT_EQ(p->call_out(mem, IDiagnosticsCaptee_OP_queryCounters, kCountersSize),
            Object_ERROR_BADOBJ);
  EXPECT_EQ(p->call_out(diag, IDiagnosticsCaptee_OP_queryCounters, kCountersSize), Object_OK);
  // Nor does it work as an object sent home.
  uint32_t id = p->next_id();
  Received r;
  ASSERT_TRUE(p->request(id, diag, IMemoryService_OP_queryObject, {},
                         {sizeof(IMemoryService_ObjectInfo)}, {going_home(mem)}));
  ASSERT_TRUE(p->reply_for(id, r));
  EXPECT_EQ(r.msg.error, Object_ERROR_BADOBJ);
}

TEST_F(HostileTest, ReleasingTwiceIsHarmlessReleasingTooMuchClosesTheConnection) {
  auto p = peer();
  int32_t rv = -1;
  uint32_t mem = p->open(CMemoryService_UID, &rv);
  ASSERT_EQ(rv, Object_OK);
  ASSERT_TRUE(p->release(mem, 1));
  ASSERT_TRUE(p->release(mem, 1));  // gone already: nothing to drop
  EXPECT_EQ(query_pool(*p, mem), Object_ERROR_BADOBJ);
  // Two references given, three released: a protocol violation.
  uint32_t a = p->open(CMemoryService_UID, &rv);
  uint32_t b = p->open(CMemoryService_UID, &rv);
  ASSERT_EQ(a, b);  // the same object, counted twice
  ASSERT_TRUE(p->release(a, 3));
  EXPECT_TRUE(p->closed_by_peer());
}

TEST_F(HostileTest, HandlesFromAnotherConnectionNameNothing) {
  auto a = peer();
  int32_t rv = -1;
  uint32_t mem = a->open(CMemoryService_UID, &rv);
  ASSERT_EQ(rv, Object_OK);
  uint32_t diag = a->open(CDiagnostics_UID, &rv);
  ASSERT_EQ(rv, Object_OK);
  auto b = peer();
  for (uint32_t h : {mem, diag, mem + 0x10000, diag - 0x10000, diag + 1}) {
    EXPECT_EQ(query_pool(*b, h), Object_ERROR_BADOBJ) << std::hex << h;
    EXPECT_EQ(b->call_out(h, IDiagnosticsCaptee_OP_queryCounters, kCountersSize),
              Object_ERROR_BADOBJ);
  }
  uint32_t id = b->next_id();
  Received r;
  uint32_t uid = CMemoryService_UID;
  ASSERT_TRUE(b->request(id, wire::kPrimordialHandle, IClientEnv_OP_open,
                         {std::string(reinterpret_cast<const char *>(&uid), 4)}, {},
                         {going_home(mem)}, 1));
  ASSERT_TRUE(b->reply_for(id, r));
  EXPECT_EQ(r.msg.error, Object_ERROR_BADOBJ);
  // B's releases of A's handles touch nothing of A's.
  ASSERT_TRUE(b->release(mem, 1));
  ASSERT_TRUE(b->release(diag, 1));
  EXPECT_EQ(query_pool(*a, mem), Object_OK);
  EXPECT_EQ(a->call_out(diag, IDiagnosticsCaptee_OP_queryCounters, kCountersSize), Object_OK);
  EXPECT_EQ(query_pool(*b, wire::kPrimordialHandle), Object_ERROR_INVALID);  // B's root is no pool
}
