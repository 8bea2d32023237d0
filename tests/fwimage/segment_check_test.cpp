// verify_segment on a loader's destination copy: the copy is what is judged,
// so a change to the source after the copy does not matter and a change to
// the destination is caught.
#include <gtest/gtest.h>

#include <vector>

#include "captee/fwimage/signed_image.hpp"
#include "captee/fwimage/tools/sign.hpp"
#include "captee/fwimage/verify.hpp"
#include "test_support.hpp"

namespace captee::fwimage {
namespace {

using testing::private_key;
using testing::rsa_private_pem;
using testing::small_firmware;

class DestinationCopy : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto elf = small_firmware();
    SignRequest r;
    r.images.emplace_back(elf);
    auto out = sign_images(r, private_key(rsa_private_pem(2048)));
    ASSERT_TRUE(out.ok()) << out.error().message;
    source_ = std::move(out).value();
    auto p = parse_signed_image(source_);
    ASSERT_TRUE(p.ok()) << p.error().message;
    parsed_ = std::move(p).value();
    for (const Segment &s : parsed_.images[0].segments) {
      if (s.loadable() && s.phdr.filesz > 1) {
        segment_ = &s;
        break;
      }
    }
    ASSERT_NE(segment_, nullptr);
  }
  const FirmwareImage &image() const { return parsed_.images[0]; }
  // The loader's copy of the segment's file bytes.
  std::vector<uint8_t> copy() const {
    return {segment_->file_bytes.begin(), segment_->file_bytes.end()};
  }

  std::vector<uint8_t> source_;  // the (shared, hostile) buffer the image came in
  ParsedImage parsed_;           // views source_
  const Segment *segment_ = nullptr;
};

TEST_F(DestinationCopy, TheDestinationCopyIsAccepted) {
  const std::vector<uint8_t> destination = copy();
  EXPECT_TRUE(verify_segment(image(), *segment_, destination).ok());
}

TEST_F(DestinationCopy, ASourceChangedAfterTheCopyDoesNotMatter) {
  const std::vector<uint8_t> destination = copy();
  // The host rewrites its buffer once the loader has copied from it.
  source_[image().offset + segment_->phdr.offset] ^= 0xFF;
  EXPECT_TRUE(verify_segment(image(), *segment_, destination).ok());
  EXPECT_FALSE(verify_segment(image(), *segment_, segment_->file_bytes).ok())
      << "the source itself no longer matches";
}

TEST_F(DestinationCopy, ADestinationByteChangedAfterTheCopyIsCaught) {
  for (size_t at : {size_t{0}, segment_->file_bytes.size() / 2, segment_->file_bytes.size() - 1}) {
    SCOPED_TRACE(at);
    std::vector<uint8_t> destination = copy();
    destination[at] ^= 0x01;
    Status s = verify_segment(image(), *segment_, destination);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.code(), TeeResult::kSecurity);
    EXPECT_EQ(s.error().message,
              "segment " + std::to_string(segment_->index) + " of image 0: hash mismatch");
  }
}

TEST_F(DestinationCopy, ADestinationOfAnotherLengthIsCaught) {
  std::vector<uint8_t> destination = copy();
  destination.pop_back();
  EXPECT_EQ(verify_segment(image(), *segment_, destination).code(), TeeResult::kSecurity);
  destination = copy();
  destination.push_back(0);
  EXPECT_EQ(verify_segment(image(), *segment_, destination).code(), TeeResult::kSecurity);
}

}  // namespace
}  // namespace captee::fwimage
