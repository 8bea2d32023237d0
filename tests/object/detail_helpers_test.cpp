// The header-only helpers every layer shares (include/captee/detail): the
// hex formatter, the little-endian reader/writer and the whole-file read.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "captee/detail/hex.hpp"
#include "captee/detail/little_endian.hpp"
#include "captee/detail/whole_file.hpp"

using captee::detail::FileRead;
using captee::detail::hex32;
using captee::detail::read_whole_file;

namespace {

TEST(Hex32, PadsToEightDigitsByDefault) {
  EXPECT_EQ(hex32(0), "0x00000000");
  EXPECT_EQ(hex32(0x1000), "0x00001000");
  EXPECT_EQ(hex32(0xdeadbeef), "0xdeadbeef");
}

TEST(Hex32, PrintsUnpaddedWithOneDigit) {
  EXPECT_EQ(hex32(0, 1), "0x0");
  EXPECT_EQ(hex32(0xa, 1), "0xa");
  EXPECT_EQ(hex32(0x3543a468, 1), "0x3543a468");
}

// Addresses plus lengths can pass 32 bits; a message must not cut them.
TEST(Hex32, NeverTruncatesWideValues) {
  EXPECT_EQ(hex32(0x100000000ull), "0x100000000");
  EXPECT_EQ(hex32(UINT64_MAX), "0xffffffffffffffff");
  EXPECT_EQ(hex32(UINT64_MAX, 1), "0xffffffffffffffff");
}

TEST(Hex32, ClampsTheWidth) {
  EXPECT_EQ(hex32(5, 0), "0x5");
  EXPECT_EQ(hex32(5, -3), "0x5");
  EXPECT_EQ(hex32(5, 40), "0x0000000000000005");
}

TEST(LittleEndian, StoresLeastSignificantByteFirst) {
  uint8_t b[8] = {};
  captee::detail::store_le16(b, 0x0102);
  EXPECT_EQ(b[0], 0x02);
  EXPECT_EQ(b[1], 0x01);
  captee::detail::store_le32(b, 0x01020304);
  EXPECT_EQ((std::vector<uint8_t>(b, b + 4)), (std::vector<uint8_t>{4, 3, 2, 1}));
  captee::detail::store_le64(b, 0x0102030405060708ull);
  EXPECT_EQ((std::vector<uint8_t>(b, b + 8)), (std::vector<uint8_t>{8, 7, 6, 5, 4, 3, 2, 1}));
}

TEST(LittleEndian, LoadsWhatItStoresAtAnyAlignment) {
  uint8_t b[16] = {};
  for (size_t at = 0; at < 8; ++at) {
    captee::detail::store_le16(b + at, 0xfeed);
    EXPECT_EQ(captee::detail::load_le16(b + at), 0xfeed);
    captee::detail::store_le32(b + at, 0x89abcdef);
    EXPECT_EQ(captee::detail::load_le32(b + at), 0x89abcdefu);
    captee::detail::store_le64(b + at, 0xf0e1d2c3b4a59687ull);
    EXPECT_EQ(captee::detail::load_le64(b + at), 0xf0e1d2c3b4a59687ull);
  }
}

TEST(LittleEndian, StoresTouchOnlyTheirBytes) {
  uint8_t b[6] = {0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa};
  captee::detail::store_le32(b + 1, 0);
  EXPECT_EQ(b[0], 0xaa);
  EXPECT_EQ(b[5], 0xaa);
}

// A scratch directory for one test, removed with everything in it.
class WholeFile : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/captee-whole-file-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    for (const std::string &f : files_) {
      ::unlink(f.c_str());
    }
    ::rmdir(dir_.c_str());
  }
  std::string write(const std::string &name, const std::string &content) {
    const std::string path = dir_ + "/" + name;
    FILE *f = std::fopen(path.c_str(), "wb");
    EXPECT_NE(f, nullptr);
    if (f != nullptr) {
      std::fwrite(content.data(), 1, content.size(), f);
      std::fclose(f);
    }
    files_.push_back(path);
    return path;
  }
  std::string dir_;
  std::vector<std::string> files_;
};

TEST_F(WholeFile, ReadsEveryByteIntoAStringOrAVector) {
  const std::string content("one\0two\nthree", 13);
  const std::string path = write("f", content);
  std::string text = "stale";
  EXPECT_EQ(read_whole_file(path, text), FileRead::kOk);
  EXPECT_EQ(text, content);
  std::vector<std::byte> bytes;
  EXPECT_EQ(read_whole_file(path, bytes), FileRead::kOk);
  ASSERT_EQ(bytes.size(), content.size());
  for (size_t i = 0; i < content.size(); ++i) {
    EXPECT_EQ(static_cast<char>(bytes[i]), content[i]) << "byte " << i;
  }
}

TEST_F(WholeFile, ReadsAnEmptyFileAsEmpty) {
  std::vector<uint8_t> bytes{1, 2, 3};
  EXPECT_EQ(read_whole_file(write("empty", ""), bytes), FileRead::kOk);
  EXPECT_TRUE(bytes.empty());
}

TEST_F(WholeFile, AMissingFileCannotBeOpenedAndErrnoSaysWhy) {
  std::string text = "stale";
  errno = 0;
  EXPECT_EQ(read_whole_file(dir_ + "/missing", text), FileRead::kCannotOpen);
  EXPECT_EQ(errno, ENOENT);
  EXPECT_TRUE(text.empty());
}

TEST_F(WholeFile, ADirectoryIsNotARegularFile) {
  std::string text;
  EXPECT_EQ(read_whole_file(dir_, text), FileRead::kNotRegular);
}

TEST_F(WholeFile, RefusesAFileOverTheLimitAndAcceptsOneAtIt) {
  const std::string path = write("big", std::string(100, 'x'));
  std::vector<uint8_t> bytes{1};
  EXPECT_EQ(read_whole_file(path, bytes, 99), FileRead::kTooLarge);
  EXPECT_TRUE(bytes.empty());
  EXPECT_EQ(read_whole_file(path, bytes, 100), FileRead::kOk);
  EXPECT_EQ(bytes.size(), 100u);
}

// A pipe holding `content`, its write end closed, readable by path.
struct FilledPipe {
  explicit FilledPipe(const std::string &content) {
    int p[2];
    EXPECT_EQ(::pipe2(p, O_CLOEXEC), 0);
    EXPECT_EQ(::write(p[1], content.data(), content.size()), static_cast<ssize_t>(content.size()));
    ::close(p[1]);
    fd = p[0];
    path = "/proc/self/fd/" + std::to_string(fd);
  }
  ~FilledPipe() { ::close(fd); }
  int fd;
  std::string path;
};

// Policies and platform files may come from <(...): read to end of file,
// across several reads.
TEST(WholeFileStreams, ReadsAPipeToEndOfFileWhenStreamsAreAllowed) {
  std::string content;
  for (int i = 0; i < 10000; ++i) {
    content += static_cast<char>('a' + i % 26);
  }
  FilledPipe pipe(content);
  std::string text;
  EXPECT_EQ(read_whole_file(pipe.path, text, UINT64_MAX, captee::detail::FileKind::kAlsoStreams),
            FileRead::kOk);
  EXPECT_EQ(text, content);
}

TEST(WholeFileStreams, RefusesAPipeByDefault) {
  FilledPipe pipe("text");
  std::string text;
  EXPECT_EQ(read_whole_file(pipe.path, text), FileRead::kNotRegular);
}

TEST(WholeFileStreams, RefusesAPipeLongerThanTheLimit) {
  FilledPipe pipe(std::string(5000, 'x'));
  std::string text = "stale";
  EXPECT_EQ(read_whole_file(pipe.path, text, 4999, captee::detail::FileKind::kAlsoStreams),
            FileRead::kTooLarge);
  EXPECT_TRUE(text.empty());
}

TEST_F(WholeFile, ADirectoryIsRefusedEvenWhenStreamsAreAllowed) {
  std::string text;
  EXPECT_EQ(read_whole_file(dir_, text, UINT64_MAX, captee::detail::FileKind::kAlsoStreams),
            FileRead::kNotRegular);
}

}  // namespace
