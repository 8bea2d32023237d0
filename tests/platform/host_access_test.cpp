// Grants to the host: page windows shared as their own memfds (read-only
// sealed), the resource-table firewall, and the end of sharing on release.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "captee/fd_object.hpp"
#include "captee/platform/remote_processor.hpp"
#include "test_support.hpp"

namespace captee::platform::testing {
namespace {

constexpr uint32_t kTable = 0x10000000;  // a 64-byte "resource table"
constexpr uint32_t kTrace = 0x10000100;  // in the table's page
constexpr uint32_t kVring = 0x10004000;  // a page of its own
constexpr uint32_t kAny = 0xFFFFFFFF;

int fd_of(const Ref &obj) {
  auto *fo = LocalObject::from_as<FdObject>(obj.get());
  return fo == nullptr ? -1 : fo->fd();
}

class HostAccess : public ::testing::Test {
 protected:
  void SetUp() override {
    ProcessorDescription d = test_processor();
    d.regions.push_back({"ddr", 0x20000000, 0x4000, /*secure=*/false, kRwx});
    std::string error;
    proc_ = RemoteProcessor::create(d, &error);
    ASSERT_TRUE(proc_) << error;
    std::vector<uint8_t> table(64, 0);
    table[0] = 1;
    write_le(table, 20, kAny);        // an address the firmware left to the host
    write_le(table, 24, 0x10004000);  // a fixed one
    ASSERT_TRUE(load(*proc_, kTable, table, 0x200).ok());
    grant_.rsc_da = kTable;
    grant_.rsc_size = 64;
    grant_.rsc_writable.assign(64, 0);
    for (int i = 16; i < 28; i++) {
      grant_.rsc_writable[i] = 1;  // a free word, then two address fields
    }
    grant_.addresses = {{20, kAny, 0x100}, {24, 0x10004000, 0x100}};
    grant_.windows = {{"trace0", kTrace, 0x40, false}, {"vdev0vring0", kVring, 0x100, true}};
  }
  static void write_le(std::vector<uint8_t> &b, size_t at, uint32_t v) {
    std::memcpy(b.data() + at, &v, 4);
  }
  Status write_word_at(uint32_t offset, uint32_t value) {
    uint8_t b[4];
    std::memcpy(b, &value, 4);
    return proc_->host_write_table(offset, b);
  }
  std::unique_ptr<RemoteProcessor> proc_;
  HostGrant grant_;
};

TEST_F(HostAccess, NothingIsReachableBeforeAGrant) {
  RemoteProcessor::HostPages pages;
  EXPECT_EQ(proc_->host_map(kTrace, 4, &pages).code, Error::kAccessDenied);
  std::vector<uint8_t> table;
  uint32_t da = 0;
  EXPECT_EQ(proc_->host_read_table(&table, &da).code, Error::kAccessDenied);
  EXPECT_FALSE(proc_->host_granted());
}

TEST_F(HostAccess, ReadOnlyWindowSeesTheCoreWritesAndCannotBeWritten) {
  std::vector<std::string> refused;
  ASSERT_TRUE(proc_->grant_host(grant_, &refused).ok());
  EXPECT_TRUE(refused.empty()) << refused[0];
  RemoteProcessor::HostPages pages;
  ASSERT_TRUE(proc_->host_map(kTrace, 0x40, &pages).ok());
  EXPECT_EQ(pages.base_da, 0x10000000u);
  EXPECT_EQ(pages.size, 0x1000u);
  EXPECT_FALSE(pages.writable);
  const int fd = fd_of(pages.memory);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(lseek(fd, 0, SEEK_END), 0x1000);
  EXPECT_EQ(mmap(nullptr, 0x1000, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), MAP_FAILED);
  void *ro = mmap(nullptr, 0x1000, PROT_READ, MAP_SHARED, fd, 0);
  ASSERT_NE(ro, MAP_FAILED);
  // What the TEE (and so the emulated core) writes, the host sees.
  write_word(*proc_, kTrace, 0x6c6c6568);
  uint32_t seen = 0;
  std::memcpy(&seen, static_cast<uint8_t *>(ro) + 0x100, 4);
  EXPECT_EQ(seen, 0x6c6c6568u);
  EXPECT_EQ(mprotect(ro, 0x1000, PROT_READ | PROT_WRITE), -1);
  EXPECT_NE(ftruncate(fd, 0), 0) << "the size is sealed";
  munmap(ro, 0x1000);
}

TEST_F(HostAccess, WritableWindowIsSharedBothWays) {
  ASSERT_TRUE(proc_->grant_host(grant_, nullptr).ok());
  RemoteProcessor::HostPages pages;
  ASSERT_TRUE(proc_->host_map(kVring + 0x10, 0x20, &pages).ok());
  EXPECT_TRUE(pages.writable);
  EXPECT_EQ(pages.base_da, kVring);
  void *rw = mmap(nullptr, 0x1000, PROT_READ | PROT_WRITE, MAP_SHARED, fd_of(pages.memory), 0);
  ASSERT_NE(rw, MAP_FAILED);
  std::memcpy(rw, "ring", 4);
  EXPECT_EQ(read_word(*proc_, kVring), 0x676e6972u);
  munmap(rw, 0x1000);
}

TEST_F(HostAccess, OnlyGrantedRangesMap) {
  ASSERT_TRUE(proc_->grant_host(grant_, nullptr).ok());
  RemoteProcessor::HostPages pages;
  EXPECT_EQ(proc_->host_map(kTable, 4, &pages).code, Error::kAccessDenied)
      << "the table shares the trace's page, but is not a window itself";
  EXPECT_EQ(proc_->host_map(kTrace + 0x30, 0x20, &pages).code, Error::kAccessDenied)
      << "past the window's end";
  EXPECT_EQ(proc_->host_map(0x0, 4, &pages).code, Error::kAccessDenied);
  EXPECT_EQ(proc_->host_map(kTrace, 0, &pages).code, Error::kAccessDenied);
  EXPECT_EQ(proc_->host_map(0xFFFFFFF0, 0x20, &pages).code, Error::kAccessDenied);
}

TEST_F(HostAccess, UngrantableWindowsAreRefusedWithAReason) {
  grant_.windows.push_back({"tablewriter", kTable + 0x40, 0x10, true});  // the table's page
  grant_.windows.push_back({"straddle", 0x1000FFF0, 0x20, false});       // past the region
  grant_.windows.push_back({"mixed", kVring + 0x800, 0x10, false});      // RO in an RW page
  std::vector<std::string> refused;
  ASSERT_TRUE(proc_->grant_host(grant_, &refused).ok());
  ASSERT_EQ(refused.size(), 3u);
  EXPECT_NE(refused[0].find("tablewriter"), std::string::npos);
  EXPECT_NE(refused[0].find("resource table"), std::string::npos);
  EXPECT_NE(refused[1].find("not inside one memory region"), std::string::npos);
  EXPECT_NE(refused[2].find("vdev0vring0"), std::string::npos) << refused[2];
  // A page wanted read-only and writable goes read-only: the vring loses.
  RemoteProcessor::HostPages pages;
  EXPECT_EQ(proc_->host_map(kVring, 0x10, &pages).code, Error::kAccessDenied);
  ASSERT_TRUE(proc_->host_map(kVring + 0x800, 0x10, &pages).ok());
  EXPECT_FALSE(pages.writable);
}

TEST_F(HostAccess, TableFirewallLetsOnlyAllowedFieldsChange) {
  ASSERT_TRUE(proc_->grant_host(grant_, nullptr).ok());
  std::vector<uint8_t> table;
  uint32_t da = 0;
  ASSERT_TRUE(proc_->host_read_table(&table, &da).ok());
  EXPECT_EQ(da, kTable);
  ASSERT_EQ(table.size(), 64u);
  // Rewriting the whole table unchanged is fine (Linux copies its cache back).
  EXPECT_TRUE(proc_->host_write_table(0, table).ok());
  EXPECT_TRUE(write_word_at(16, 0x12345678).ok()) << "a free field";
  EXPECT_EQ(read_word(*proc_, kTable + 16), 0x12345678u);
  EXPECT_EQ(write_word_at(0, 2).code, Error::kSecurity) << "the version is signed";
  EXPECT_EQ(write_word_at(28, 1).code, Error::kSecurity);
  // A fixed address keeps its signed value.
  EXPECT_TRUE(write_word_at(24, 0x10004000).ok());
  EXPECT_EQ(write_word_at(24, 0x10000000).code, Error::kSecurity);
  // FW_RSC_ADDR_ANY may become non-secure memory, never secure memory.
  EXPECT_EQ(write_word_at(20, 0x10008000).code, Error::kSecurity);
  EXPECT_EQ(write_word_at(20, 0x20003F80).code, Error::kSecurity) << "0x100 bytes must fit";
  EXPECT_TRUE(write_word_at(20, 0x20001000).ok());
  EXPECT_EQ(read_word(*proc_, kTable + 20), 0x20001000u);
  // Out of the table, and a refused write changes nothing.
  uint8_t two[2] = {1, 2};
  EXPECT_EQ(proc_->host_write_table(63, two).code, Error::kBadParameters);
  EXPECT_EQ(proc_->host_write_table(0xFFFFFFFF, two).code, Error::kBadParameters);
  EXPECT_EQ(read_word(*proc_, kTable), 1u);
}

// The host may place a FW_RSC_ADDR_ANY address in a reserved-memory window
// the TA shared with it (Linux allocates vrings there by name), and nowhere
// else of secure memory: not past the window's end, not in a window that is
// not from reserved memory.
TEST_F(HostAccess, AnAnyAddressMayGoIntoASharedReservedMemoryWindowOnly) {
  grant_.windows.push_back({"vdev0vring1", 0x10008000, 0x1000, true, /*reserved=*/true});
  ASSERT_TRUE(proc_->grant_host(grant_, nullptr).ok());
  EXPECT_EQ(write_word_at(20, 0x10009000).code, Error::kSecurity) << "secure, outside the window";
  EXPECT_EQ(write_word_at(20, 0x10008F80).code, Error::kSecurity) << "0x100 bytes must fit";
  EXPECT_EQ(write_word_at(20, kVring).code, Error::kSecurity)
      << "a shared vring window is not reserved memory to place things in";
  EXPECT_TRUE(write_word_at(20, 0x10008F00).ok());
  EXPECT_EQ(read_word(*proc_, kTable + 20), 0x10008F00u);
  EXPECT_EQ(write_word_at(24, 0x10008000).code, Error::kSecurity) << "a fixed address stays";
}

TEST_F(HostAccess, ReleaseEndsSharingAndWipesWhatTheHostStillMaps) {
  ASSERT_TRUE(proc_->grant_host(grant_, nullptr).ok());
  RemoteProcessor::HostPages pages;
  ASSERT_TRUE(proc_->host_map(kVring, 0x10, &pages).ok());
  void *rw = mmap(nullptr, 0x1000, PROT_READ | PROT_WRITE, MAP_SHARED, fd_of(pages.memory), 0);
  ASSERT_NE(rw, MAP_FAILED);
  write_word(*proc_, kVring, 0xA5A5A5A5);
  ASSERT_TRUE(proc_->release().ok());
  EXPECT_FALSE(proc_->host_granted());
  uint32_t seen = 1;
  std::memcpy(&seen, rw, 4);
  EXPECT_EQ(seen, 0u) << "the host's old mapping reads zeros";
  // And it no longer reaches the processor's memory.
  std::memcpy(rw, "late", 4);
  EXPECT_EQ(read_word(*proc_, kVring), 0u);
  EXPECT_EQ(proc_->host_map(kVring, 0x10, &pages).code, Error::kAccessDenied);
  munmap(rw, 0x1000);
  // The pages are the region's own again: loading there works as before.
  std::vector<uint8_t> data(16, 7);
  EXPECT_TRUE(load(*proc_, kVring, data).ok());
  EXPECT_EQ(read_word(*proc_, kVring), 0x07070707u);
}

TEST_F(HostAccess, NoSegmentIsLoadedWhileTheHostHoldsGrants) {
  // A loaded segment is checked on its destination; that is only sound while
  // no host can write there, so loading waits for the grants to end.
  ASSERT_TRUE(proc_->grant_host(grant_, nullptr).ok());
  std::vector<uint8_t> data(16, 9);
  Status s = load(*proc_, kVring + 0x800, data);
  EXPECT_EQ(s.code, Error::kBadState);
  EXPECT_EQ(s.message, "the host holds grants on processor 7's memory; release it before loading");
  ASSERT_TRUE(proc_->forget_segments().ok());
  EXPECT_TRUE(load(*proc_, kVring + 0x800, data).ok());
}

TEST_F(HostAccess, GrantsAreOncePerLoadAndNeedAnOfflineCore) {
  ASSERT_TRUE(proc_->grant_host(grant_, nullptr).ok());
  EXPECT_EQ(proc_->grant_host(grant_, nullptr).code, Error::kBadState);
  HostGrant bad;
  bad.rsc_size = 8;  // no mask
  ASSERT_TRUE(proc_->release().ok());
  EXPECT_EQ(proc_->grant_host(bad, nullptr).code, Error::kBadParameters);
  bad.rsc_writable.assign(8, 0);
  bad.rsc_da = kTable;
  bad.addresses = {{6, 0, 4}};  // runs past the table
  EXPECT_EQ(proc_->grant_host(bad, nullptr).code, Error::kBadParameters);
}

}  // namespace
}  // namespace captee::platform::testing
