#include "captee/memory.hpp"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>

using namespace captee;

TEST(Memory, CreateMapAndShare) {
  Ref mem = MemoryObject::create(8192);
  ASSERT_FALSE(mem.is_null());
  auto *m = LocalObject::from_as<MemoryObject>(mem.get());
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->size(), 8192u);
  EXPECT_EQ(m->rights(), FdObject::kRead | FdObject::kWrite);
  std::memset(m->bytes().data(), 0x42, 8192);
  auto map = Mapping::map(mem.get(), FdObject::kRead | FdObject::kWrite);
  ASSERT_TRUE(map.has_value());
  EXPECT_EQ(map->bytes()[100], std::byte{0x42});
  map->bytes()[0] = std::byte{7};
  EXPECT_EQ(m->bytes()[0], std::byte{7});
  EXPECT_TRUE(MemoryObject::create(0).is_null());
}

TEST(Memory, ReadOnlyViewIsEnforcedByTheKernel) {
  Ref mem = MemoryObject::create(4096);
  auto *m = LocalObject::from_as<MemoryObject>(mem.get());
  Ref ro = MemoryObject::read_only_view(mem.get());
  ASSERT_FALSE(ro.is_null());
  auto *v = LocalObject::from_as<MemoryObject>(ro.get());
  EXPECT_EQ(v->rights(), FdObject::kRead);
  // The creator still writes through its own mapping; the view sees it.
  m->bytes()[5] = std::byte{9};
  EXPECT_EQ(v->bytes()[5], std::byte{9});
  int err = 0;
  EXPECT_FALSE(Mapping::map(ro.get(), FdObject::kRead | FdObject::kWrite, &err).has_value());
  EXPECT_EQ(err, EACCES);
  // Even bypassing the rights check, the descriptor cannot be mapped writable
  // or written.
  void *p = ::mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd(), 0);
  EXPECT_EQ(p, MAP_FAILED);
  EXPECT_LT(::pwrite(v->fd(), "x", 1, 0), 0);
  // Nor can the read-write descriptor make new writable mappings any more.
  void *q = ::mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, m->fd(), 0);
  EXPECT_EQ(q, MAP_FAILED);
  EXPECT_TRUE(Mapping::map(ro.get(), FdObject::kRead).has_value());
}

TEST(Memory, SecretRegionIsWipedAtTheEnd) {
  Ref mem = MemoryObject::create(4096, /*secret=*/true);
  auto *m = LocalObject::from_as<MemoryObject>(mem.get());
  std::memset(m->bytes().data(), 0xEE, 4096);
  auto witness = Mapping::map(mem.get(), FdObject::kRead);
  ASSERT_TRUE(witness.has_value());
  EXPECT_EQ(witness->bytes()[1000], std::byte{0xEE});
  mem.reset();
  for (std::byte b : witness->bytes()) {
    ASSERT_EQ(b, std::byte{0});
  }
}

TEST(Memory, NonFdObjectsCannotBeMapped) {
  int err = 0;
  EXPECT_FALSE(Mapping::map(Object_NULL, FdObject::kRead, &err).has_value());
  EXPECT_EQ(err, EBADF);
}

TEST(Memory, OnlyMemoryThatCannotShrinkIsMapped) {
  // A descriptor from elsewhere whose size its sender can still change: if
  // it were mapped, a truncate would turn every access into a SIGBUS (the
  // hostile suite killed capteed that way through a listener region).
  int fd = ::memfd_create("shrinkable", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::ftruncate(fd, 4096), 0);
  Ref shrinkable = FdObject::adopt(::dup(fd), FdObject::kRead | FdObject::kWrite);
  int err = 0;
  EXPECT_FALSE(Mapping::map(shrinkable.get(), FdObject::kRead, &err).has_value());
  EXPECT_EQ(err, EINVAL);
  // Growing is harmless to a mapping of the current size; shrinking is not.
  ASSERT_EQ(::fcntl(fd, F_ADD_SEALS, F_SEAL_GROW), 0);
  EXPECT_FALSE(Mapping::map(shrinkable.get(), FdObject::kRead).has_value());
  ASSERT_EQ(::fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK), 0);
  EXPECT_TRUE(Mapping::map(shrinkable.get(), FdObject::kRead).has_value());
  ::close(fd);
  // Not memory at all: files that cannot be sealed.
  Ref dev = FdObject::adopt(::open("/dev/zero", O_RDWR | O_CLOEXEC), FdObject::kRead);
  EXPECT_FALSE(Mapping::map(dev.get(), FdObject::kRead).has_value());
}

// A memref's receiver maps only the pages under its window (issue 20 finding
// 6): nothing before or after them, whatever the object holds there.
TEST(Memory, MapPagesMapsOnlyThePagesUnderTheWindow) {
  const auto page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  Ref mem = MemoryObject::create(8 * page);
  auto *m = LocalObject::from_as<MemoryObject>(mem.get());
  for (size_t i = 0; i < 8; ++i) {
    std::memset(m->bytes().data() + i * page, int(i + 1), page);
  }
  // [3 pages + 10, +2 pages): pages 3, 4 and 5.
  auto map = Mapping::map_pages(mem.get(), FdObject::kRead, 3 * page + 10, 2 * page);
  ASSERT_TRUE(map.has_value());
  ASSERT_EQ(map->bytes().size(), 3 * page);
  EXPECT_EQ(map->bytes()[0], std::byte{4});
  EXPECT_EQ(map->bytes()[10], std::byte{4});
  EXPECT_EQ(map->bytes()[3 * page - 1], std::byte{6});
  EXPECT_FALSE(map->writable());
  // Writes through a writable window reach the object.
  auto rw = Mapping::map_pages(mem.get(), FdObject::kRead | FdObject::kWrite, 7 * page, page);
  ASSERT_TRUE(rw.has_value());
  rw->bytes()[1] = std::byte{0x42};
  EXPECT_EQ(m->bytes()[7 * page + 1], std::byte{0x42});
  // A zero-length window maps nothing; windows outside the object fail.
  auto empty = Mapping::map_pages(mem.get(), FdObject::kRead, 8 * page, 0);
  ASSERT_TRUE(empty.has_value());
  EXPECT_TRUE(empty->bytes().empty());
  int err = 0;
  EXPECT_FALSE(Mapping::map_pages(mem.get(), FdObject::kRead, 8 * page, 1, &err).has_value());
  EXPECT_EQ(err, EINVAL);
  EXPECT_FALSE(Mapping::map_pages(mem.get(), FdObject::kRead, 8 * page + 1, 0).has_value());
  EXPECT_FALSE(Mapping::map_pages(mem.get(), FdObject::kRead, UINT64_MAX, 2).has_value());
  EXPECT_FALSE(Mapping::map_pages(Object_NULL, FdObject::kRead, 0, 1, &err).has_value());
  EXPECT_EQ(err, EBADF);
}
