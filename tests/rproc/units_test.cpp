// The pure parts of the manager: the crash-loop guard and the handling of the
// cached resource table (validation, placement of FW_RSC_ADDR_ANY, notify
// ids, what is skipped).
#include <gtest/gtest.h>

#include <cstring>

#include "captee/rproc/crash_loop_guard.hpp"
#include "captee/rproc/resources.hpp"
#include "captee/testing/synthetic_elf.hpp"

namespace captee::rproc {
namespace {

using namespace std::chrono_literals;
using Clock = CrashLoopGuard::Clock;

TEST(CrashLoopGuard, BacksOffThenGivesUpAndResets) {
  CrashLoopGuard g;
  const Clock::time_point t0 = Clock::now();
  g.started(t0);
  EXPECT_EQ(g.crashed(t0 + 10ms), std::optional(100ms));
  g.started(t0 + 200ms);
  EXPECT_EQ(g.crashed(t0 + 210ms), std::optional(200ms));
  g.started(t0 + 500ms);
  EXPECT_EQ(g.crashed(t0 + 510ms), std::optional(400ms));
  g.started(t0 + 1s);
  EXPECT_EQ(g.crashed(t0 + 1s + 10ms), std::nullopt) << "three attempts, then it gives up";
  EXPECT_EQ(g.streak(), 4u);
  g.reset();
  g.started(t0 + 2s);
  EXPECT_EQ(g.crashed(t0 + 2s + 10ms), std::optional(100ms)) << "recover by hand: a new streak";
}

TEST(CrashLoopGuard, AFirmwareThatRanLongEnoughStartsANewStreak) {
  CrashLoopGuard g(RecoveryPolicy{2, 10ms, 1s});
  const Clock::time_point t0 = Clock::now();
  g.started(t0);
  EXPECT_EQ(g.crashed(t0 + 1ms), std::optional(10ms));
  g.started(t0 + 20ms);
  EXPECT_EQ(g.crashed(t0 + 21ms), std::optional(20ms));
  g.started(t0 + 50ms);
  EXPECT_EQ(g.crashed(t0 + 50ms + 2s), std::optional(10ms)) << "ran 2 s: healthy again";
}

// A table: a fixed carveout, an ANY carveout, a trace, a devmem, a vendor
// entry, and a vdev with one fixed and one ANY vring.
struct TableBuilder {
  std::vector<uint8_t> t;
  std::vector<uint32_t> offsets;
  void u32(uint32_t v) {
    for (int i = 0; i < 4; i++) {
      t.push_back(static_cast<uint8_t>(v >> (8 * i)));
    }
  }
  void name(const char *n) {
    char b[32] = {};
    std::strncpy(b, n, sizeof b - 1);
    t.insert(t.end(), b, b + 32);
  }
  void begin() { offsets.push_back(static_cast<uint32_t>(t.size())); }
  void memory(uint32_t type, uint32_t da, uint32_t pa, uint32_t len, const char *n) {
    begin();
    u32(type), u32(da), u32(pa), u32(len), u32(0), u32(0), name(n);
  }
  void trace(uint32_t da, uint32_t len, const char *n) {
    begin();
    u32(2), u32(da), u32(len), u32(0), name(n);
  }
  void vdev(std::vector<std::array<uint32_t, 3>> rings) {  // da, align, num
    begin();
    u32(3), u32(7), u32(0), u32(1), u32(0), u32(0);
    t.push_back(0), t.push_back(static_cast<uint8_t>(rings.size())), t.push_back(0), t.push_back(0);
    for (auto &r : rings) {
      u32(r[0]), u32(r[1]), u32(r[2]), u32(0xAA), u32(0);
    }
  }
  void vendor() {
    begin();
    u32(200), u32(0);
  }
  std::vector<uint8_t> build() {
    std::vector<uint8_t> out;
    auto put = [&](uint32_t v) {
      for (int i = 0; i < 4; i++) {
        out.push_back(static_cast<uint8_t>(v >> (8 * i)));
      }
    };
    const uint32_t head = 16 + 4 * static_cast<uint32_t>(offsets.size());
    put(1), put(static_cast<uint32_t>(offsets.size())), put(0), put(0);
    for (uint32_t o : offsets) {
      put(o + head);
    }
    out.insert(out.end(), t.begin(), t.end());
    return out;
  }
};

uint32_t le32(const std::vector<uint8_t> &t, size_t at) {
  uint32_t v;
  std::memcpy(&v, t.data() + at, 4);
  return v;
}

IRemoteprocHost_Region region(const char *name, uint32_t da, uint32_t size, bool secure) {
  IRemoteprocHost_Region r{};
  r.da = da;
  r.size = size;
  r.secure = secure ? 1 : 0;
  std::strncpy(reinterpret_cast<char *>(r.name), name, sizeof r.name - 1);
  return r;
}

const std::vector<IRemoteprocHost_Region> kRegions = {region("retram", 0x0, 0x10000, true),
                                                      region("sram", 0x10000000, 0x60000, true),
                                                      region("ddr", 0x20000000, 0x10000, false)};

constexpr uint32_t kAny = 0xFFFFFFFF;

TEST(Resources, HandlesTheTableLikeLinux) {
  TableBuilder b;
  b.memory(0, 0x10040000, 0x10040000, 0x4000, "vdev0buffer");
  b.memory(0, kAny, kAny, 0x2000, "scratch");
  b.trace(0x10000100, 0x400, "trace0");
  b.memory(1, 0x40000000, 0x40000000, 0x1000, "regs");
  b.vendor();
  b.vdev({{{0x10050000, 16, 8}}, {{kAny, 16, 8}}});
  std::vector<uint8_t> table = b.build();
  const std::vector<uint8_t> before = table;
  std::string why;
  std::vector<std::string> notes;
  auto res = Resources::handle(table, kRegions, &why, &notes);
  ASSERT_TRUE(res) << why;
  const uint32_t head = 16 + 4 * 6;
  // The ANY carveout went to the non-secure region, da and pa written back.
  const uint32_t scratch = head + b.offsets[1];
  EXPECT_EQ(le32(table, scratch + 4), 0x20000000u);
  EXPECT_EQ(le32(table, scratch + 8), 0x20000000u);
  // Vring notify ids 0 and 1; the ANY vring placed after the scratch carveout.
  const uint32_t vdev = head + b.offsets[5];
  EXPECT_EQ(le32(table, vdev + 28 + 12), 0u);
  EXPECT_EQ(le32(table, vdev + 48 + 12), 1u);
  EXPECT_EQ(le32(table, vdev + 28), 0x10050000u) << "a fixed vring keeps its address";
  EXPECT_EQ(le32(table, vdev + 48), 0x20002000u);
  // Nothing else changed.
  for (size_t i = 0; i < table.size(); i++) {
    const bool written = (i >= scratch + 4 && i < scratch + 12) ||
                         (i >= vdev + 40 && i < vdev + 44) || (i >= vdev + 60 && i < vdev + 64) ||
                         (i >= vdev + 48 && i < vdev + 52);
    if (!written) {
      EXPECT_EQ(table[i], before[i]) << "byte " << i;
    }
  }
  ASSERT_EQ(res->traces().size(), 1u);
  EXPECT_EQ(res->traces()[0].name, "trace0");
  EXPECT_FALSE(res->traces()[0].writable);
  EXPECT_EQ(res->vrings().size(), 2u);
  ASSERT_EQ(res->buffers().size(), 1u);
  EXPECT_EQ(res->buffers()[0].name, "vdev0buffer");
  EXPECT_EQ(notes.size(), 2u) << "devmem without an IOMMU and the vendor entry";
  EXPECT_TRUE(res->inside_carveout(0x10000000, 0x100)) << "inside the sram region";
  EXPECT_TRUE(res->inside_carveout(0x20000000, 0x2000)) << "the placed carveout";
  EXPECT_FALSE(res->inside_carveout(0x1005FF00, 0x200));
}

TEST(Resources, RefusesWhatCannotBeHandled) {
  struct Case {
    std::function<void(TableBuilder &)> fill;
    std::vector<IRemoteprocHost_Region> regions;
    const char *expect;
  };
  const std::vector<IRemoteprocHost_Region> secure_only(kRegions.begin(), kRegions.begin() + 2);
  Case cases[] = {
      {[](TableBuilder &b) { b.memory(0, 0x30000000, 0x30000000, 0x1000, "x"); }, kRegions,
       "is not inside the processor's memory"},
      {[](TableBuilder &b) { b.memory(0, 0x10000000, 0x10001000, 0x1000, "x"); }, kRegions,
       "pa 0x10001000 differs from da"},
      {[](TableBuilder &b) { b.memory(0, 0x10000000, 0x10000000, 0, "x"); }, kRegions,
       "has length 0"},
      {[](TableBuilder &b) { b.memory(0, kAny, kAny, 0x1000, "x"); }, secure_only,
       "has no non-secure memory left"},
      {[](TableBuilder &b) { b.trace(0x30000000, 0x100, "t"); }, kRegions,
       "is not a buffer inside the processor's memory"},
      {[](TableBuilder &b) {
         b.vdev({{{kAny, 16, 8}}});
       },
       secure_only, "has no carveout and no non-secure memory"},
      {[](TableBuilder &b) {
         b.vdev({{{0x30000000, 16, 8}}});
       },
       kRegions, "is not inside the processor's memory"},
  };
  for (Case &c : cases) {
    TableBuilder b;
    c.fill(b);
    std::vector<uint8_t> table = b.build();
    std::string why;
    std::vector<std::string> notes;
    EXPECT_FALSE(Resources::handle(table, c.regions, &why, &notes)) << c.expect;
    EXPECT_NE(why.find(c.expect), std::string::npos) << why;
  }
  std::vector<uint8_t> garbage = {1, 2, 3};
  std::string why;
  std::vector<std::string> notes;
  EXPECT_FALSE(Resources::handle(garbage, kRegions, &why, &notes));
  EXPECT_NE(why.find("malformed"), std::string::npos);
}

TEST(Resources, AnAnyVringUsesItsNamedCarveout) {
  TableBuilder b;
  b.memory(0, 0x10050000, 0x10050000, 0x1000, "vdev0vring0");
  b.vdev({{{kAny, 16, 8}}});
  std::vector<uint8_t> table = b.build();
  std::string why;
  std::vector<std::string> notes;
  ASSERT_TRUE(Resources::handle(table, kRegions, &why, &notes)) << why;
  EXPECT_EQ(le32(table, 16 + 8 + b.offsets[1] + 28), 0x10050000u);
}

}  // namespace
}  // namespace captee::rproc
