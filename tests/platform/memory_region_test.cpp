// memfd-backed regions: bounds, wiping, and a fixed size.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "captee/platform/memory_region.hpp"

namespace captee::platform {
namespace {

std::unique_ptr<MemoryRegion> make(uint32_t da, uint32_t size) {
  std::string error;
  auto r = MemoryRegion::create({"test", da, size, true, kRwx}, &error);
  EXPECT_TRUE(r) << error;
  return r;
}

TEST(MemoryRegion, ContainsIsExactAndOverflowSafe) {
  auto r = make(0x10000000, 0x2000);
  EXPECT_TRUE(r->contains(0x10000000, 0x2000));
  EXPECT_TRUE(r->contains(0x10001FFF, 1));
  EXPECT_TRUE(r->contains(0x10002000, 0));
  EXPECT_FALSE(r->contains(0x10001FFF, 2));
  EXPECT_FALSE(r->contains(0x0FFFFFFF, 1));
  EXPECT_FALSE(r->contains(0x10000000, 0xFFFFFFFFFFFFFFFFull));
  EXPECT_FALSE(r->contains(0xFFFFFFFF, 0x20000000));
}

TEST(MemoryRegion, StartsZeroedAndWipes) {
  auto r = make(0, 0x1000);
  auto bytes = r->bytes();
  EXPECT_TRUE(std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; }));
  std::fill(bytes.begin(), bytes.end(), 0xA5);
  EXPECT_EQ(*r->at(0x800), 0xA5);
  r->wipe();
  EXPECT_TRUE(std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; }));
}

TEST(MemoryRegion, TheMemfdCannotBeResizedByWhoeverHoldsIt) {
  auto r = make(0, 0x3000);
  struct stat st {};
  ASSERT_EQ(fstat(r->fd(), &st), 0);
  EXPECT_EQ(st.st_size, 0x3000);
  EXPECT_NE(ftruncate(r->fd(), 0x1000), 0);
  EXPECT_NE(ftruncate(r->fd(), 0x4000), 0);
  // Writes through the fd land in the region the emulator executes from.
  const uint8_t v = 0x42;
  ASSERT_EQ(pwrite(r->fd(), &v, 1, 0x10), 1);
  EXPECT_EQ(*r->at(0x10), 0x42);
  EXPECT_EQ(fcntl(r->fd(), F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
}

}  // namespace
}  // namespace captee::platform
