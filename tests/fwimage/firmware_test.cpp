// The firmware cross-built in this build (firmware/) signs and verifies, and
// carries the resources the platform expects.
#include <gtest/gtest.h>

#include <string>

#include "captee/fwimage/tools/sign.hpp"
#include "captee/fwimage/verify.hpp"
#include "test_support.hpp"

namespace captee::fwimage {
namespace {

TEST(Firmware, BuiltFirmwareSignsAndVerifies) {
  const std::string path = CAPTEE_FIRMWARE_ELF;
  if (path.empty()) {
    GTEST_SKIP() << "arm-none-eabi-gcc was not found; firmware/ was not built";
  }
  const auto elf = testing::read_bytes(path);
  const auto pem = testing::read_bytes(testing::rproc_data("test-rsa2048.pem"));
  SignRequest request;
  request.images.emplace_back(elf);
  auto out = sign_images(request, PrivateKey::from_pem(pem, {}).value());
  ASSERT_TRUE(out.ok()) << out.error().message;
  auto v = verify_signed_image(
      out.value(),
      PublicKey::from_pem(testing::read_bytes(testing::rproc_data("test-rsa2048.pub.pem")))
          .value());
  ASSERT_TRUE(v.ok()) << v.error().message;

  const FirmwareImage &img = v->images[0];
  ASSERT_EQ(img.segments.size(), 2u);
  EXPECT_EQ(img.segments[0].phdr.paddr, 0x0u);  // vectors and code in RETRAM
  EXPECT_EQ(img.segments[1].phdr.paddr, 0x10000000u);
  EXPECT_GT(img.segments[1].phdr.memsz, img.segments[1].phdr.filesz);  // NOLOAD .bss/.trace
  // Initial SP at da 0, reset vector (Thumb) at da 4.
  const auto code = img.segments[0].file_bytes;
  const uint32_t sp = code[0] | code[1] << 8 | code[2] << 16 | uint32_t{code[3]} << 24;
  const uint32_t reset = code[4] | code[5] << 8 | code[6] << 16 | uint32_t{code[7]} << 24;
  EXPECT_EQ(sp, 0x10060000u);
  EXPECT_EQ(reset & 1u, 1u);
  EXPECT_LT(reset, img.segments[0].phdr.memsz);

  ASSERT_TRUE(v->resource_table.has_value());
  EXPECT_EQ(v->resource_table->device_addr, 0x10000000u);
  const auto &entries = v->resource_table->table.entries;
  ASSERT_EQ(entries.size(), 3u);
  const auto &carveout = std::get<RscMemory>(entries[0].body);
  EXPECT_EQ(carveout.name, "vdev0buffer");
  const auto &trace = std::get<RscTrace>(entries[1].body);
  EXPECT_EQ(trace.len, 1024u);
  EXPECT_EQ(trace.name, "trace0");
  // The trace buffer lies in the NOLOAD part of the SRAM segment.
  const Elf32Phdr &sram = img.segments[1].phdr;
  EXPECT_GE(trace.da, sram.paddr + sram.filesz);
  EXPECT_LE(uint64_t{trace.da} + trace.len, uint64_t{sram.paddr} + sram.memsz);
  const auto &vdev = std::get<RscVdev>(entries[2].body);
  EXPECT_EQ(vdev.id, 7u);
  EXPECT_EQ(vdev.vrings.size(), 2u);
}

}  // namespace
}  // namespace captee::fwimage
