#include <gtest/gtest.h>

#include "captee/fwimage/elf32.hpp"
#include "test_support.hpp"

namespace captee::fwimage {
namespace {

using testing::build_elf;
using testing::FakeElf;
using testing::read_bytes;
using testing::rproc_data;
using testing::small_firmware;

void put16(std::vector<uint8_t> &b, size_t at, uint16_t v) {
  b[at] = static_cast<uint8_t>(v);
  b[at + 1] = static_cast<uint8_t>(v >> 8);
}

void put32(std::vector<uint8_t> &b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) {
    b[at + i] = static_cast<uint8_t>(v >> (8 * i));
  }
}

std::string error_of(const std::vector<uint8_t> &elf) {
  auto r = parse_elf32(elf);
  EXPECT_FALSE(r.ok());
  return r.ok() ? "" : r.error().message;
}

TEST(Elf32, ParsesTheOpteeSampleFirmware) {
  const auto bytes = read_bytes(rproc_data("sample-m4.elf"));
  auto elf = parse_elf32(bytes);
  ASSERT_TRUE(elf.ok()) << elf.error().message;
  EXPECT_EQ(elf->machine, kEmArm);
  ASSERT_EQ(elf->phdrs.size(), 2u);
  EXPECT_EQ(elf->phdrs[1].paddr, 0x10000000u);
  EXPECT_EQ(elf->phdrs[1].filesz, 0x44u);
  EXPECT_EQ(elf->phdrs[1].memsz, 0x44cu);
  ASSERT_TRUE(elf->resource_table.has_value());
  EXPECT_EQ(elf->resource_table->addr, 0x10000000u);
  EXPECT_EQ(elf->resource_table->size, 0x44u);
  EXPECT_TRUE(require_arm(elf.value()).ok());
}

TEST(Elf32, RejectsEachHeaderCheck) {
  const auto good = small_firmware();
  ASSERT_TRUE(parse_elf32(good).ok());
  auto mutate = [&](auto fn) {
    auto b = good;
    fn(b);
    return error_of(b);
  };
  EXPECT_EQ(mutate([](auto &b) { b[1] = 'X'; }), "ELF: bad magic, not an ELF file");
  EXPECT_EQ(mutate([](auto &b) { b[4] = 2; }), "ELF: not ELFCLASS32 (EI_CLASS is 2)");
  EXPECT_EQ(mutate([](auto &b) { b[5] = 2; }), "ELF: not little-endian (EI_DATA is 2)");
  EXPECT_EQ(mutate([](auto &b) { b[6] = 0; }), "ELF: EI_VERSION is 0, expected 1 (EV_CURRENT)");
  EXPECT_EQ(mutate([](auto &b) { put32(b, 20, 2); }),
            "ELF: e_version is 2, expected 1 (EV_CURRENT)");
  EXPECT_EQ(mutate([](auto &b) { put16(b, 42, 40); }), "ELF: e_phentsize is 40, expected 32");
  EXPECT_EQ(mutate([](auto &b) { put16(b, 46, 32); }), "ELF: e_shentsize is 32, expected 40");
  EXPECT_EQ(mutate([](auto &b) { put16(b, 44, 0); }),
            "ELF: e_phnum is 0, the file has no program headers");
  EXPECT_EQ(mutate([](auto &b) { put16(b, 44, 0xFFFF); }),
            "ELF: program header table lies outside the file");
  EXPECT_EQ(mutate([](auto &b) { put32(b, 28, 0xFFFFFFF0); }),
            "ELF: program header table lies outside the file");
  EXPECT_EQ(mutate([](auto &b) { put32(b, 32, 0xFFFFFFF0); }),
            "ELF: section header table lies outside the file");
}

TEST(Elf32, RejectsBadLoadSegments) {
  auto b = small_firmware();
  put32(b, 52 + 4, 0xFFFFFFF0);  // p_offset of segment 0
  EXPECT_EQ(error_of(b), "ELF: segment 0: file bytes lie outside the file");
  b = small_firmware();
  put32(b, 52 + 32 + 20, 4);  // memsz < filesz of segment 1
  EXPECT_EQ(error_of(b), "ELF: segment 1: p_filesz is larger than p_memsz");
  b = small_firmware();
  put32(b, 52 + 32 + 12, 0xFFFFFF00);  // paddr + memsz wraps
  EXPECT_EQ(error_of(b), "ELF: segment 1: p_paddr + p_memsz wraps the 32-bit address space");
}

TEST(Elf32, NonLoadSegmentsAreNotBoundsChecked) {
  FakeElf spec;
  spec.segments.push_back({1, 0, std::vector<uint8_t>(8, 1), 0});
  spec.segments.push_back({4, 0, std::vector<uint8_t>(8, 2), 0});  // PT_NOTE
  auto b = build_elf(spec);
  put32(b, 52 + 32 + 4, 0xFFFFFFF0);
  auto elf = parse_elf32(b);
  ASSERT_TRUE(elf.ok()) << elf.error().message;
  EXPECT_TRUE(elf->segment_bytes(1).empty());
}

TEST(Elf32, ShortAndEmptyInputs) {
  EXPECT_FALSE(parse_elf32({}).ok());
  std::vector<uint8_t> tiny(51, 0);
  EXPECT_EQ(error_of(tiny), "ELF: file is 51 bytes, shorter than an ELF32 header");
}

TEST(Elf32, ResourceTableLookupIsByName) {
  FakeElf spec;
  spec.segments.push_back({1, 0x100, std::vector<uint8_t>(16, 1), 0});
  auto none = build_elf(spec);
  auto elf = parse_elf32(none);
  ASSERT_TRUE(elf.ok());
  EXPECT_FALSE(elf->resource_table.has_value());

  spec.resource_table_segment = 0;
  auto with = build_elf(spec);
  elf = parse_elf32(with);
  ASSERT_TRUE(elf.ok());
  ASSERT_TRUE(elf->resource_table.has_value());
  EXPECT_EQ(elf->resource_table->addr, 0x100u);

  // Renaming the section to ".resource_tablX" hides it.
  auto renamed = with;
  const uint32_t names = renamed.size() - 3 * 40 - 28;  // name table sits before the headers
  ASSERT_EQ(renamed[names + 1], '.');
  renamed[names + 15] = 'X';
  elf = parse_elf32(renamed);
  ASSERT_TRUE(elf.ok());
  EXPECT_FALSE(elf->resource_table.has_value());
}

// OP-TEE reads an empty `.resource_table` as no table (TEE_ERROR_NO_DATA).
TEST(Elf32, AnEmptyResourceTableSectionIsNoTable) {
  FakeElf spec;
  spec.segments.push_back({1, 0x100, std::vector<uint8_t>(16, 1), 0});
  spec.segments.push_back({1, 0x200, {}, 0});
  spec.resource_table_segment = 1;
  auto empty = build_elf(spec);
  auto elf = parse_elf32(empty);
  ASSERT_TRUE(elf.ok()) << elf.error().message;
  EXPECT_FALSE(elf->resource_table.has_value());
}

TEST(Elf32, BadSectionNameTableIsRejected) {
  FakeElf spec;
  spec.segments.push_back({1, 0x100, std::vector<uint8_t>(16, 1), 0});
  auto b = build_elf(spec);
  put16(b, 50, 7);  // e_shstrndx beyond e_shnum
  EXPECT_NE(error_of(b).find("e_shstrndx"), std::string::npos);
  b = build_elf(spec);
  const size_t shoff = b.size() - 2 * 40;
  put32(b, shoff + 40 + 16, 0xFFFFFF00);  // .shstrtab sh_offset
  EXPECT_EQ(error_of(b), "ELF: section-name table lies outside the file");
  b = build_elf(spec);
  put32(b, shoff + 40 + 0, 5000);  // name offset of .shstrtab itself
  EXPECT_EQ(error_of(b), "ELF: section 1: name offset outside the name table");
}

TEST(Elf32, RequireArm) {
  FakeElf spec;
  spec.machine = 62;  // x86-64
  spec.segments.push_back({1, 0, std::vector<uint8_t>(4, 1), 0});
  auto b = build_elf(spec);
  auto elf = parse_elf32(b);
  ASSERT_TRUE(elf.ok());
  Status s = require_arm(elf.value());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "ELF: e_machine is 62, expected 40 (ARM)");
  EXPECT_EQ(s.code(), TeeResult::kBadFormat);
}

}  // namespace
}  // namespace captee::fwimage
