#include <gtest/gtest.h>

#include "captee/fwimage/resource_table.hpp"
#include "test_support.hpp"

namespace captee::fwimage {
namespace {

using testing::sample_resource_table;

void put32(std::vector<uint8_t> &b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) {
    b[at + i] = static_cast<uint8_t>(v >> (8 * i));
  }
}

std::string error_of(const std::vector<uint8_t> &t) {
  auto r = parse_resource_table(t);
  EXPECT_FALSE(r.ok());
  if (r.ok()) {
    return "";
  }
  EXPECT_EQ(r.error().code, TeeResult::kBadFormat);
  return r.error().message;
}

TEST(ResourceTable, DecodesCarveoutTraceAndVdev) {
  const auto bytes = sample_resource_table();
  auto t = parse_resource_table(bytes);
  ASSERT_TRUE(t.ok()) << t.error().message;
  ASSERT_EQ(t->entries.size(), 3u);
  const auto &carveout = std::get<RscMemory>(t->entries[0].body);
  EXPECT_EQ(carveout.da, 0x10040000u);
  EXPECT_EQ(carveout.len, 0x4000u);
  EXPECT_EQ(carveout.name, "vdev0buffer");
  const auto &trace = std::get<RscTrace>(t->entries[1].body);
  EXPECT_EQ(trace.da, 0x10000400u);
  EXPECT_EQ(trace.len, 1024u);
  EXPECT_EQ(trace.name, "trace0");
  const auto &vdev = std::get<RscVdev>(t->entries[2].body);
  EXPECT_EQ(vdev.id, 7u);
  ASSERT_EQ(vdev.vrings.size(), 2u);
  EXPECT_EQ(vdev.vrings[1].da, 0x10051000u);
  EXPECT_EQ(vdev.vrings[1].notifyid, 1u);
  EXPECT_EQ(vdev.config_offset, bytes.size());
  EXPECT_TRUE(t->warnings.empty());
}

TEST(ResourceTable, HeaderRules) {
  EXPECT_EQ(error_of(std::vector<uint8_t>(12, 0)),
            "resource table: size 12 is smaller than its 16-byte header");
  auto t = sample_resource_table();
  t.push_back(0);
  EXPECT_EQ(error_of(t), "resource table: size 201 is not a multiple of 4");
  t = sample_resource_table();
  put32(t, 0, 2);
  EXPECT_EQ(error_of(t), "resource table: version is 2, expected 1");
  t = sample_resource_table();
  put32(t, 12, 1);
  EXPECT_EQ(error_of(t), "resource table: reserved header words are not zero");
  t = sample_resource_table();
  put32(t, 4, 0x40000000);  // 4*num overflows 32 bits
  EXPECT_NE(error_of(t).find("entries do not fit"), std::string::npos);
}

TEST(ResourceTable, EntryRules) {
  auto t = sample_resource_table();
  put32(t, 16, 0xFFFFFFFE);
  EXPECT_EQ(error_of(t), "resource table: entry 0: offset 4294967294 lies outside the table");
  t = sample_resource_table();
  put32(t, 28 + 20, 1);  // carveout reserved
  EXPECT_EQ(error_of(t), "resource table: entry 0 (carveout): reserved field is not zero");
  t = sample_resource_table();
  put32(t, 84 + 12, 1);  // trace reserved
  EXPECT_EQ(error_of(t), "resource table: entry 1 (trace): reserved field is not zero");
  t = sample_resource_table();
  t[132 + 25] = 3;  // num_of_vrings
  EXPECT_EQ(error_of(t), "resource table: entry 2 (vdev): 3 vrings, at most 2");
  t = sample_resource_table();
  t[132 + 26] = 1;  // vdev reserved
  EXPECT_EQ(error_of(t), "resource table: entry 2 (vdev): reserved bytes are not zero");
  t = sample_resource_table();
  put32(t, 132 + 28 + 8, 0);  // vring 0 num
  EXPECT_EQ(error_of(t), "resource table: entry 2 (vdev): vring 0 has a zero num or align");
  t = sample_resource_table();
  put32(t, 132 + 28 + 20 + 4, 0);  // vring 1 align
  EXPECT_EQ(error_of(t), "resource table: entry 2 (vdev): vring 1 has a zero num or align");
  t = sample_resource_table();
  put32(t, 132 + 20, 4);  // config_len runs past the table
  EXPECT_EQ(error_of(t), "resource table: entry 2 (vdev): vrings or config lie outside the table");
  t = sample_resource_table();
  put32(t, 24, static_cast<uint32_t>(t.size() - 4));  // last entry truncated
  EXPECT_EQ(error_of(t), "resource table: entry 2 (carveout): truncated");
}

TEST(ResourceTable, VendorAndUnknownTypesAreSkipped) {
  auto t = sample_resource_table();
  put32(t, 28, 200);  // vendor type in place of the carveout
  put32(t, 84, 77);   // unknown type in place of the trace
  auto r = parse_resource_table(t);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(std::holds_alternative<RscVendor>(r->entries[0].body));
  EXPECT_TRUE(std::holds_alternative<RscUnknown>(r->entries[1].body));
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_EQ(r->warnings[0], "entry 1: unknown type 77, skipped");
  EXPECT_STREQ(rsc_type_name(200), "vendor");
  EXPECT_STREQ(rsc_type_name(513), "unknown");
}

TEST(ResourceTable, EmptyTableIsValid) {
  std::vector<uint8_t> t(16, 0);
  t[0] = 1;
  auto r = parse_resource_table(t);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->entries.empty());
}

TEST(ResourceTable, NamesStopAtTheFieldEnd) {
  auto t = sample_resource_table();
  for (size_t i = 0; i < 32; ++i) {
    t[84 + 16 + i] = 'a';  // trace name without a NUL
  }
  auto r = parse_resource_table(t);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::get<RscTrace>(r->entries[1].body).name, std::string(32, 'a'));
}

}  // namespace
}  // namespace captee::fwimage
