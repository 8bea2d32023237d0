// The export table's handles (src/channel/handle_table.hpp): how a handle
// encodes a slot and its generation, and that the one check of a peer's
// handle refuses stale generations, out-of-range indexes and free slots,
// for lookups and releases alike. The table is compiled into this test
// (it is private to the channel library).
#include <gtest/gtest.h>

#include <atomic>
#include <vector>

#include "captee/object.hpp"
#include "handle_table.hpp"

using namespace captee;
using namespace captee::detail;

namespace {

class Thing : public LocalObject {
 protected:
  int32_t on_invoke(uint32_t, ObjectOp, ObjectArg *, ObjectCounts) override { return Object_OK; }
};

uint32_t refs(const Ref &r) {
  return LocalObject::from(r.get())->ref_count();
}

struct Table {
  std::atomic<bool> closing{false};
  ExportTable exports{closing};
  uint32_t add(const Ref &r, uint32_t max = 16) {
    uint32_t h = 0;
    bool first = false;
    EXPECT_EQ(exports.add(r.get(), max, h, first), Object_OK);
    return h;
  }
  // Looks `h` up and lets the reference go; true if it named an object.
  bool names(uint32_t h) {
    Object o = exports.lookup(h);
    if (Object_isNull(o)) {
      return false;
    }
    Object_release(o);
    return true;
  }
  ~Table() {
    for (Object o : exports.take_all()) {
      Object_release(o);
    }
  }
};

TEST(ChannelHandleTable, EncodingRoundTrips) {
  for (uint32_t index : {0u, 1u, 2u, 0x1234u, 0xFFFEu, kMaxTableEntries}) {
    for (uint16_t gen : {uint16_t(1), uint16_t(2), uint16_t(0x7FFF), uint16_t(0xFFFF)}) {
      const uint32_t h = make_handle(index, gen);
      EXPECT_EQ(handle_index(h), index);
      EXPECT_EQ(handle_generation(h), gen);
      EXPECT_NE(h, 0u);  // generations start at 1: handle 0 is never valid
    }
  }
  EXPECT_EQ(make_handle(3, 2), 0x00020003u);
}

TEST(ChannelHandleTable, PrimordialIsTheFirstSlotOfAFreshTable) {
  EXPECT_EQ(kPrimordialHandle, make_handle(0, 1));
  EXPECT_EQ(kPrimordialHandle, wire::kPrimordialHandle);
  Table t;
  Ref root = make_object<Thing>();
  uint32_t h = 0;
  bool first = false;
  ASSERT_EQ(t.exports.add(root.get(), 16, h, first), Object_OK);
  EXPECT_EQ(h, kPrimordialHandle);
  EXPECT_TRUE(first);
  EXPECT_EQ(refs(root), 2u);  // the table holds one reference
  Object o = t.exports.lookup(kPrimordialHandle);
  EXPECT_EQ(o.context, root.get().context);
  EXPECT_EQ(refs(root), 3u);  // lookups are retained
  Object_release(o);
  // Exported again: same handle, one more reference for the peer.
  EXPECT_EQ(t.exports.add(root.get(), 16, h, first), Object_OK);
  EXPECT_EQ(h, kPrimordialHandle);
  EXPECT_FALSE(first);
  EXPECT_EQ(t.exports.size(), 1u);
}

TEST(ChannelHandleTable, StaleGenerationIsRefused) {
  Table t;
  Ref a = make_object<Thing>();
  Ref b = make_object<Thing>();
  const uint32_t ha = t.add(a);
  Object drop = Object_NULL;
  ASSERT_TRUE(t.exports.release(ha, 1, drop));
  ASSERT_EQ(drop.context, a.get().context);  // the last reference: the entry goes
  Object_release(drop);
  EXPECT_EQ(refs(a), 1u);
  // The slot is reused with the next generation.
  const uint32_t hb = t.add(b);
  EXPECT_EQ(handle_index(hb), handle_index(ha));
  EXPECT_EQ(handle_generation(hb), handle_generation(ha) + 1);
  EXPECT_FALSE(t.names(ha));
  EXPECT_FALSE(t.names(make_handle(handle_index(hb), handle_generation(hb) + 1)));
  // A release naming the old generation touches nothing.
  drop = Object_NULL;
  EXPECT_TRUE(t.exports.release(ha, 1, drop));
  EXPECT_TRUE(Object_isNull(drop));
  EXPECT_TRUE(t.names(hb));
  EXPECT_EQ(refs(b), 2u);
}

TEST(ChannelHandleTable, OutOfRangeIndexAndFreeSlotAreRefused) {
  Table t;
  Ref a = make_object<Thing>();
  Ref b = make_object<Thing>();
  const uint32_t ha = t.add(a);
  const uint32_t hb = t.add(b);
  EXPECT_EQ(handle_index(hb), 1u);
  for (uint32_t h : {0u, make_handle(2, 1), make_handle(0xFFFF, 1), 0xFFFFFFFFu}) {
    EXPECT_FALSE(t.names(h)) << std::hex << h;
    Object drop = Object_NULL;
    EXPECT_TRUE(t.exports.release(h, 1, drop)) << std::hex << h;
    EXPECT_TRUE(Object_isNull(drop));
  }
  // A free slot is refused whatever the generation.
  Object drop = Object_NULL;
  ASSERT_TRUE(t.exports.release(hb, 1, drop));
  Object_release(drop);
  EXPECT_FALSE(t.names(hb));
  EXPECT_TRUE(t.names(ha));
  EXPECT_EQ(t.exports.size(), 1u);
}

TEST(ChannelHandleTable, ReleasingMoreThanSentIsAViolation) {
  Table t;
  Ref a = make_object<Thing>();
  const uint32_t h = t.add(a);
  EXPECT_EQ(t.add(a), h);  // sent twice
  Object drop = Object_NULL;
  EXPECT_FALSE(t.exports.release(h, 3, drop));
  EXPECT_TRUE(Object_isNull(drop));
  EXPECT_TRUE(t.exports.release(h, 1, drop));
  EXPECT_TRUE(Object_isNull(drop));  // one reference still out
  EXPECT_TRUE(t.exports.release(h, 1, drop));
  EXPECT_EQ(drop.context, a.get().context);
  Object_release(drop);
}

TEST(ChannelHandleTable, FullAndClosingTablesRefuse) {
  Table t;
  Ref a = make_object<Thing>();
  Ref b = make_object<Thing>();
  t.add(a, 1);
  uint32_t h = 0;
  bool first = false;
  EXPECT_EQ(t.exports.add(b.get(), 1, h, first), Object_ERROR_NOSLOTS);
  t.closing = true;
  EXPECT_EQ(t.exports.add(b.get(), 2, h, first), Object_ERROR_UNAVAIL);
  EXPECT_EQ(refs(b), 1u);
}

TEST(ChannelHandleTable, TakeAllKeepsOldHandlesRefused) {
  Table t;
  Ref a = make_object<Thing>();
  const uint32_t h = t.add(a);
  std::vector<Object> taken = t.exports.take_all();
  ASSERT_EQ(taken.size(), 1u);
  Object_release(taken[0]);
  EXPECT_EQ(t.exports.size(), 0u);
  EXPECT_FALSE(t.names(h));
  const uint32_t again = t.add(a);
  EXPECT_NE(again, h);  // same slot, next generation
  EXPECT_EQ(handle_index(again), handle_index(h));
}

}  // namespace
