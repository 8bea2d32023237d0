// LOAD_FW of the two layouts of ST's firmware that OP-TEE loads
// (tests/fwimage/programs/st_layout.S): an empty `.resource_table` is no
// table; a table linked like `.data` loads, and the host gets no table, as
// Linux finds none where OP-TEE says it is. From the attacker's side: moving
// the (unsigned) section header of a table shows the host nothing.
#include <gtest/gtest.h>

#include <cstring>

#include "captee/detail/little_endian.hpp"
#include "captee/fwimage/signed_image.hpp"
#include "ta_test_support.hpp"

namespace captee::ta::testing {
namespace {

namespace fwt = captee::fwimage::testing;

using StLayouts = TaFixture;

Bytes signed_with_optee_test_key(const std::string &elf) {
  return sign({fwt::read_bytes(elf)}, test_data_text("test-rsa2048.pem"));
}

uint32_t counter(platform::RemoteProcessor &p) {
  uint32_t v = 0;
  std::memcpy(&v, p.translate(0x10010000, 4).data(), 4);  // the secure probe
  return v;
}

TEST_F(StLayouts, AnEmptyTableSectionLoadsAsNoTable) {
  ASSERT_EQ(load(signed_with_optee_test_key(CAPTEE_EMPTY_TABLE_ELF)), TEE_SUCCESS);
  uint64_t da = 1, size = 1;
  ASSERT_EQ(rsc_table(&da, &size), TEE_SUCCESS);
  EXPECT_EQ(da, 0u);
  EXPECT_EQ(size, 0u);
  std::vector<uint8_t> table;
  uint32_t table_da = 0;
  EXPECT_EQ(proc().host_read_table(&table, &table_da).code, platform::Error::kAccessDenied);
  ASSERT_EQ(invoke(kRprocStartFw), TEE_SUCCESS);
  EXPECT_TRUE(eventually([&] { return counter(proc()) > 1000; }));
  ASSERT_EQ(invoke(kRprocStopFw), TEE_SUCCESS);
  ASSERT_EQ(invoke(kRprocReleaseFw), TEE_SUCCESS);
}

TEST_F(StLayouts, ATableLinkedLikeDataLoadsAndTheHostGetsNoTable) {
  ASSERT_EQ(load(signed_with_optee_test_key(CAPTEE_TABLE_IN_DATA_ELF)), TEE_SUCCESS);
  EXPECT_TRUE(
      log_contains("the resource table's section address is 0x1000000c but its bytes "
                   "are loaded at 0x00000044"));
  uint64_t da = 1, size = 1;
  ASSERT_EQ(rsc_table(&da, &size), TEE_SUCCESS);
  EXPECT_EQ(da, 0u) << "Linux would find no table at 0x1000000c before the firmware runs";
  EXPECT_EQ(size, 0u);
  std::vector<uint8_t> table;
  uint32_t table_da = 0;
  EXPECT_EQ(proc().host_read_table(&table, &table_da).code, platform::Error::kAccessDenied);
  // Nothing is at the table's address until the firmware copies its .data.
  EXPECT_EQ(detail::load_le32(proc().translate(0x1000000c, 4).data()), 0u);
  ASSERT_EQ(invoke(kRprocStartFw), TEE_SUCCESS);
  EXPECT_TRUE(eventually([&] { return counter(proc()) > 1000; }));
  EXPECT_EQ(detail::load_le32(proc().translate(0x1000000c, 4).data()), 1u)
      << "at run time the firmware's own copy of the table is where the section says";
  ASSERT_EQ(invoke(kRprocStopFw), TEE_SUCCESS);
  ASSERT_EQ(invoke(kRprocReleaseFw), TEE_SUCCESS);
}

// The attacker rewrites the section header's sh_addr in a signed image (the
// section headers are not signed) so the "table" sits on memory no segment
// loads: the boot counter's page, which the sample keeps outside every
// segment. The TA loads the image, as OP-TEE would, but the host is shown no
// table and is granted nothing from it.
TEST_F(StLayouts, AMovedTableSectionShowsTheHostNothing) {
  Bytes image = fwt::read_bytes(fwt::rproc_data("sample-m4.rsa2048.sig"));
  auto parsed = fwimage::parse_signed_image(image);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  const fwimage::FirmwareImage &img = parsed->images[0];
  ASSERT_TRUE(img.elf.resource_table.has_value());
  const size_t shdr =
      img.offset + img.elf.shoff + size_t{img.elf.resource_table->index} * fwimage::kElf32ShdrSize;
  ASSERT_EQ(detail::load_le32(image.data() + shdr + 12), 0x10000000u) << "sh_addr";
  detail::store_le32(image.data() + shdr + 12, 0x10020000u);
  ASSERT_EQ(load(image), TEE_SUCCESS);
  uint64_t da = 1, size = 1;
  ASSERT_EQ(rsc_table(&da, &size), TEE_SUCCESS);
  EXPECT_EQ(da, 0u);
  EXPECT_EQ(size, 0u);
  std::vector<uint8_t> table;
  uint32_t table_da = 0;
  EXPECT_EQ(proc().host_read_table(&table, &table_da).code, platform::Error::kAccessDenied);
  platform::RemoteProcessor::HostPages pages;
  EXPECT_EQ(proc().host_map(0x10020000, 4, &pages).code, platform::Error::kAccessDenied);
  for (const fwimage::RscEntry &e : parsed->resource_table->table.entries) {
    if (const auto *trace = std::get_if<fwimage::RscTrace>(&e.body)) {
      EXPECT_EQ(proc().host_map(trace->da, trace->len, &pages).code, platform::Error::kAccessDenied)
          << "not even the trace the real table names: the host has no table";
    }
  }
  ASSERT_EQ(invoke(kRprocReleaseFw), TEE_SUCCESS);
}

}  // namespace
}  // namespace captee::ta::testing
