// The loader's sealed copy of a TA image, attacked from the side of whoever
// gets hold of its descriptor (the TA host it is handed to, or anything that
// reopens it through /proc): nothing may change the bytes the loader
// checked.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/falloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "../../src/tee/apps/sealed_image.hpp"

namespace {

using captee::tee::apps::detail::sealed_copy;
using captee::tee::apps::detail::SealedView;

std::vector<std::byte> pattern(size_t n) {
  std::vector<std::byte> v(n);
  for (size_t i = 0; i < n; ++i) {
    v[i] = std::byte(i * 31 + 7);
  }
  return v;
}

class SealedImage : public ::testing::Test {
 protected:
  void SetUp() override {
    fd_ = sealed_copy(image_);
    ASSERT_GE(fd_, 0) << "errno " << -fd_;
  }
  void TearDown() override {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  // The same file opened afresh, read-write, as another holder could.
  int reopen_rw() const {
    return ::open(("/proc/self/fd/" + std::to_string(fd_)).c_str(), O_RDWR | O_CLOEXEC);
  }
  void expect_unchanged() const {
    SealedView view(fd_, image_.size());
    ASSERT_TRUE(view.ok());
    EXPECT_TRUE(std::equal(view.bytes().begin(), view.bytes().end(), image_.begin(), image_.end()));
    struct stat st {};
    ASSERT_EQ(::fstat(fd_, &st), 0);
    EXPECT_EQ(size_t(st.st_size), image_.size());
  }

  const std::vector<std::byte> image_ = pattern(3 * 4096 + 123);
  int fd_ = -1;
};

TEST_F(SealedImage, HoldsTheImageExactlyWithEverySealAndNoMore) {
  expect_unchanged();
  const int seals = ::fcntl(fd_, F_GET_SEALS);
  EXPECT_EQ(seals, F_SEAL_FUTURE_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL);
  // F_SEAL_SEAL: no holder can add or change seals afterwards.
  EXPECT_EQ(::fcntl(fd_, F_ADD_SEALS, F_SEAL_WRITE), -1);
  EXPECT_EQ(errno, EPERM);
}

TEST_F(SealedImage, EveryWriteThroughAnyDescriptorIsRefused) {
  const int rw = reopen_rw();
  ASSERT_GE(rw, 0) << "a reopened descriptor is how an attacker would get write access";
  const char evil[] = "evil";
  for (int fd : {fd_, rw}) {
    EXPECT_EQ(::pwrite(fd, evil, sizeof evil, 0), -1);
    EXPECT_EQ(::pwrite(fd, evil, sizeof evil, off_t(image_.size())), -1) << "growing";
    EXPECT_EQ(::ftruncate(fd, 0), -1);
    EXPECT_EQ(::ftruncate(fd, off_t(image_.size() * 2)), -1);
    EXPECT_EQ(::fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096), -1);
    EXPECT_EQ(::fallocate(fd, 0, 0, off_t(image_.size() * 2)), -1);
  }
  ::close(rw);
  expect_unchanged();
}

TEST_F(SealedImage, NoWritableSharedMappingCanBeMadeOrWidened) {
  const int rw = reopen_rw();
  ASSERT_GE(rw, 0);
  EXPECT_EQ(::mmap(nullptr, image_.size(), PROT_READ | PROT_WRITE, MAP_SHARED, rw, 0), MAP_FAILED);
  void *ro = ::mmap(nullptr, image_.size(), PROT_READ, MAP_SHARED, rw, 0);
  ASSERT_NE(ro, MAP_FAILED);
  EXPECT_EQ(::mprotect(ro, image_.size(), PROT_READ | PROT_WRITE), -1);
  ::munmap(ro, image_.size());

  // A private writable mapping is allowed (a loader relocating its own copy
  // of the pages), and its writes never reach the file.
  auto *priv = static_cast<char *>(
      ::mmap(nullptr, image_.size(), PROT_READ | PROT_WRITE, MAP_PRIVATE, rw, 0));
  ASSERT_NE(priv, MAP_FAILED);
  priv[0] = 'X';
  priv[image_.size() - 1] = 'Y';
  ::munmap(priv, image_.size());
  ::close(rw);
  expect_unchanged();
}

TEST(SealedImageView, AnEmptyCopyIsSealedAndItsViewIsEmpty) {
  const int fd = sealed_copy({});
  ASSERT_GE(fd, 0);
  SealedView view(fd, 0);
  EXPECT_FALSE(view.ok());
  EXPECT_TRUE(view.bytes().empty());
  EXPECT_EQ(::fcntl(fd, F_GET_SEALS) & F_SEAL_GROW, F_SEAL_GROW);
  ::close(fd);
}

}  // namespace
