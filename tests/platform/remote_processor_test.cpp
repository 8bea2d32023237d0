// The secure face: where segments may go, hashing on the destination, wiping.
#include <gtest/gtest.h>

#include <algorithm>

#include "captee/platform/remote_processor.hpp"
#include "test_support.hpp"

namespace captee::platform::testing {
namespace {

class SecureFace : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    proc_ = RemoteProcessor::create(test_processor(), &error);
    ASSERT_TRUE(proc_) << error;
  }
  bool all_zero(uint32_t da, uint32_t size) {
    auto b = proc_->translate(da, size);
    return b.size() == size && std::all_of(b.begin(), b.end(), [](uint8_t v) { return v == 0; });
  }
  std::unique_ptr<RemoteProcessor> proc_;
};

TEST_F(SecureFace, LoadsAndZeroFillsUpToMemsz) {
  std::vector<uint8_t> data(100, 0xAB);
  proc_->set_memory(0x10000000, 0xFF, 256);
  ASSERT_TRUE(load(*proc_, 0x10000000, data, 256).ok());
  auto b = proc_->translate(0x10000000, 256);
  EXPECT_TRUE(std::all_of(b.begin(), b.begin() + 100, [](uint8_t v) { return v == 0xAB; }));
  EXPECT_TRUE(std::all_of(b.begin() + 100, b.end(), [](uint8_t v) { return v == 0; }))
      << "memsz beyond filesz (.bss) must be zero-filled";
}

TEST_F(SecureFace, AHashMismatchIsSecurityAndWipesTheSegment) {
  std::vector<uint8_t> data(64, 0x11);
  std::array<uint8_t, 32> wrong = sha256(data);
  wrong[31] ^= 1;
  Status s = proc_->load_segment(0x10000000, data, 128, hash_is(wrong));
  EXPECT_EQ(s.code, Error::kSecurity);
  EXPECT_EQ(s.message, "the segment at 0x10000000 does not match its hash");
  EXPECT_TRUE(all_zero(0x10000000, 128));
  // The failed segment does not count as loaded: the range can be loaded again.
  EXPECT_TRUE(load(*proc_, 0x10000000, data).ok());
}

TEST_F(SecureFace, TheCheckJudgesTheDestinationCopy) {
  std::vector<uint8_t> source(64, 0x22);
  const std::array<uint8_t, 32> expected = sha256(source);
  const uint8_t *seen = nullptr;
  Status s = proc_->load_segment(0x10000000, source, 128, [&](std::span<const uint8_t> d) {
    seen = d.data();
    EXPECT_EQ(d.size(), source.size());
    // Whoever owns the source rewrites it once the copy is made: too late.
    std::fill(source.begin(), source.end(), 0x33);
    return sha256(d) == expected;
  });
  ASSERT_TRUE(s.ok()) << s.message;
  EXPECT_EQ(seen, proc_->translate(0x10000000, 64).data()) << "the carveout bytes, not the source";
  auto b = proc_->translate(0x10000000, 64);
  EXPECT_TRUE(std::all_of(b.begin(), b.end(), [](uint8_t v) { return v == 0x22; }))
      << "what was checked is what stays";
}

TEST_F(SecureFace, ADestinationChangedBeforeTheCheckIsSecurityAndWiped) {
  std::vector<uint8_t> data(64, 0x44);
  const std::array<uint8_t, 32> expected = sha256(data);
  Status s = proc_->load_segment(0x10000000, data, 128, [&](std::span<const uint8_t> d) {
    proc_->translate(0x10000000, 64)[10] ^= 1;  // a write that lands between copy and check
    return sha256(d) == expected;
  });
  EXPECT_EQ(s.code, Error::kSecurity);
  EXPECT_TRUE(all_zero(0x10000000, 128));
}

TEST_F(SecureFace, SegmentsOutsideOneRegionAreAccessDenied) {
  std::vector<uint8_t> data(16, 1);
  Status s = load(*proc_, 0x20000000, data);
  EXPECT_EQ(s.code, Error::kAccessDenied);
  EXPECT_EQ(s.message, "[0x20000000, 0x20000010) is not inside one memory region of processor 7");
  // Straddling two adjacent regions is not "inside one region" either.
  EXPECT_EQ(load(*proc_, 0x0FF8, data).code, Error::kAccessDenied);
  // memsz past the end is caught even when the file bytes fit.
  EXPECT_EQ(load(*proc_, 0x1000FFF0, data, 0x20).code, Error::kAccessDenied);
  // Wrap-around of da + memsz.
  EXPECT_EQ(load(*proc_, 0xFFFFFFF0, data, 0xFFFFFFFF).code, Error::kAccessDenied);
}

TEST_F(SecureFace, OverlappingSegmentsAreRejected) {
  std::vector<uint8_t> data(32, 2);
  ASSERT_TRUE(load(*proc_, 0x10000000, data, 0x40).ok());
  Status s = load(*proc_, 0x10000020, data);
  EXPECT_EQ(s.code, Error::kBadFormat);
  EXPECT_EQ(s.message,
            "the segment [0x10000020, 0x10000040) overlaps the segment loaded at [0x10000000, "
            "0x10000040)");
  EXPECT_TRUE(load(*proc_, 0x10000040, data).ok()) << "adjacent is fine";
  ASSERT_TRUE(proc_->release().ok());
  EXPECT_TRUE(load(*proc_, 0x10000020, data).ok()) << "release forgets loaded segments";
}

TEST_F(SecureFace, MoreFileBytesThanMemoryIsBadParameters) {
  std::vector<uint8_t> data(32, 3);
  EXPECT_EQ(proc_->load_segment(0x10000000, data, 16, hash_is(sha256(data))).code,
            Error::kBadParameters);
}

TEST_F(SecureFace, MemoryCannotChangeWhileTheCoreRuns) {
  auto code = read_program("sleeper");
  ASSERT_TRUE(load(*proc_, 0, code).ok());
  ASSERT_TRUE(proc_->start(0).ok());
  std::vector<uint8_t> data(8, 4);
  EXPECT_EQ(load(*proc_, 0x10000000, data).code, Error::kBadState);
  EXPECT_EQ(proc_->set_memory(0x10000000, 0, 8).code, Error::kBadState);
  Status s = proc_->release();
  EXPECT_EQ(s.code, Error::kBadState);
  EXPECT_FALSE(all_zero(0, static_cast<uint32_t>(code.size()))) << "nothing was wiped";
  ASSERT_TRUE(proc_->stop().ok());
}

TEST_F(SecureFace, ReleaseWipesEveryRegion) {
  auto code = read_program("heartbeat");
  ASSERT_TRUE(load(*proc_, 0, code).ok());
  ASSERT_TRUE(proc_->start(0).ok());
  ASSERT_TRUE(eventually([&] { return read_word(*proc_, 0x10000100) > 10; }));
  ASSERT_TRUE(proc_->stop().ok());
  ASSERT_TRUE(proc_->release().ok());
  for (const auto &r : proc_->regions()) {
    EXPECT_TRUE(all_zero(r->da(), r->size())) << r->description().name;
  }
}

TEST_F(SecureFace, ReleaseOfACrashedProcessorHaltsItFirst) {
  auto code = read_program("faults");
  ASSERT_TRUE(load(*proc_, 0, code).ok());
  write_word(*proc_, 0x10000200, 1);
  ASSERT_TRUE(proc_->start(0).ok());
  ASSERT_TRUE(eventually([&] { return proc_->state() == CoreState::kCrashed; }));
  ASSERT_TRUE(proc_->release().ok());
  EXPECT_EQ(proc_->state(), CoreState::kOffline);
  EXPECT_TRUE(all_zero(0, 0x1000));
}

TEST_F(SecureFace, TranslateOnlyInsideOneRegion) {
  EXPECT_EQ(proc_->translate(0x10000000, 0x10000).size(), 0x10000u);
  EXPECT_TRUE(proc_->translate(0x10000000, 0x10001).empty());
  EXPECT_TRUE(proc_->translate(0x4C001000, 4).empty()) << "the mailbox is not memory";
  EXPECT_TRUE(proc_->translate(0xFFFFFFFF, 2).empty());
}

TEST(SocTest, BuildsEveryProcessorOfAPlatform) {
  ParseResult r = parse_platform_json(R"({"name": "two", "processors": [
    {"id": 0, "name": "a", "core": "cortex-m4", "mailbox": "0x4C001000",
     "regions": [{"name": "ram", "da": 0, "size": "64K"}]},
    {"id": 5, "name": "b", "core": "cortex-m33", "mailbox": "0x4C001000", "mailbox_layout": "captee",
     "regions": [{"name": "ram", "da": 0, "size": "32K"}, {"name": "sram", "da": "0x10000000", "size": "64K"}]}]})");
  ASSERT_TRUE(r.platform) << r.error;
  std::string error;
  auto soc = Soc::create(*r.platform, &error);
  ASSERT_TRUE(soc) << error;
  ASSERT_NE(soc->processor(5), nullptr);
  EXPECT_EQ(soc->processor(5)->description().core, CoreType::kCortexM33);
  EXPECT_EQ(soc->processor(5)->regions().size(), 2u);
  EXPECT_EQ(soc->processor(1), nullptr);
  // Each processor is independent: the M33 runs the sleeper, the M4 stays off.
  RemoteProcessor &m33 = *soc->processor(5);
  auto code = read_program("sleeper");
  ASSERT_TRUE(load(m33, 0, code).ok());
  ASSERT_TRUE(m33.start(0).ok());
  m33.mailbox().kick(1);
  EXPECT_TRUE(eventually([&] { return read_word(m33, 0x10000104) == 1; }));
  EXPECT_EQ(soc->processor(0)->state(), CoreState::kOffline);
}

TEST(SocTest, RefusesAnInvalidDescription) {
  PlatformDescription p = default_platform();
  p.processors[0].regions[1].da = 0x8000;  // overlaps RETRAM
  std::string error;
  EXPECT_FALSE(Soc::create(p, &error));
  EXPECT_EQ(error, "processor 0 region 'mcusram' overlaps region 'retram'");
}

}  // namespace
}  // namespace captee::platform::testing
