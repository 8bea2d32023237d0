// Every single-byte corruption of a small signed image (the OP-TEE-signed
// sample) is either rejected by verify, or lands on a byte that a precise
// model says the format does not cover, and then provably changes nothing
// the loader uses: the same segments with the same bytes at the same
// addresses, and the same resource table (or, for section names, none).
//
// Every byte is corrupted three ways (xor 0x01, 0x80, 0xFF) through the full
// verify_signed_image. Every covered byte of the image area additionally takes
// all 255 other values through the stages verify runs after the signature
// (the signature only depends on the unchanged signed head), and every byte
// of the head takes all 255 other values through the signature check.
#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "captee/fwimage/signed_image.hpp"
#include "captee/fwimage/verify.hpp"
#include "test_support.hpp"

namespace captee::fwimage {
namespace {

using testing::read_bytes;
using testing::rproc_data;

// Marks [begin, begin+len) covered.
void cover(std::vector<bool> &covered, size_t begin, size_t len) {
  for (size_t i = begin; i < begin + len && i < covered.size(); ++i) {
    covered[i] = true;
  }
}

// The model: which bytes of a signed file verify depends on.
std::vector<bool> covered_bytes(const ParsedImage &p, size_t file_size) {
  std::vector<bool> covered(file_size, false);
  const SignedContainer &c = p.container;
  cover(covered, 0, c.signed_bytes.size());               // header + TLV area, signed
  cover(covered, c.signature_offset, c.header.sign_len);  // signature (not its padding)
  for (const FirmwareImage &img : p.images) {
    const size_t base = img.offset;
    cover(covered, base + 0, 7);   // EI_MAG0..3, EI_CLASS, EI_DATA, EI_VERSION
    cover(covered, base + 18, 2);  // e_machine
    cover(covered, base + 20, 4);  // e_version
    cover(covered, base + 28, 4);  // e_phoff
    cover(covered, base + 40, 8);  // e_ehsize, e_phentsize, e_phnum, e_shentsize
    cover(covered, base + img.elf.phoff, img.elf.phdrs.size() * kElf32PhdrSize);
    for (const Segment &s : img.segments) {
      if (s.loadable()) {
        cover(covered, base + s.phdr.offset, s.phdr.filesz);
      }
    }
  }
  return covered;
}

// What a loader takes from an authenticated image.
struct LoadPlan {
  std::vector<std::pair<Elf32Phdr, std::vector<uint8_t>>> segments;
  std::optional<std::pair<uint32_t, std::vector<uint8_t>>> resource_table;
  bool operator==(const LoadPlan &) const = default;
};

LoadPlan plan_of(const ParsedImage &p) {
  LoadPlan plan;
  for (const FirmwareImage &img : p.images) {
    for (const Segment &s : img.segments) {
      if (s.loadable()) {
        plan.segments.emplace_back(s.phdr,
                                   std::vector<uint8_t>(s.file_bytes.begin(), s.file_bytes.end()));
      }
    }
  }
  // A table the host will not find where it looks is not taken: the TA gives
  // the host no table then (src/ta/firmware_loader.cpp, step 5).
  if (p.resource_table && p.resource_table->found_at_run_time()) {
    plan.resource_table.emplace(
        p.resource_table->device_addr,
        std::vector<uint8_t>(p.resource_table->bytes.begin(), p.resource_table->bytes.end()));
  }
  return plan;
}

TEST(Corruption, EverySingleByteCorruptionIsRejectedOrProvablyUncovered) {
  const auto original = read_bytes(rproc_data("sample-m4.rsa2048.sig"));
  const auto key = PublicKey::from_pem(read_bytes(rproc_data("test-rsa2048.pub.pem")));
  ASSERT_TRUE(key.ok());
  auto reference = verify_signed_image(original, key.value());
  ASSERT_TRUE(reference.ok()) << reference.error().message;
  const LoadPlan expected = plan_of(reference.value());
  const std::vector<bool> covered = covered_bytes(reference.value(), original.size());

  size_t rejected = 0;
  size_t accepted = 0;
  size_t lost_table = 0;
  std::set<TeeResult> codes;
  auto corrupted = original;
  for (size_t i = 0; i < original.size(); ++i) {
    for (uint8_t mask : {uint8_t{0x01}, uint8_t{0x80}, uint8_t{0xFF}}) {
      corrupted[i] = static_cast<uint8_t>(original[i] ^ mask);
      auto v = verify_signed_image(corrupted, key.value());
      corrupted[i] = original[i];
      if (!v.ok()) {
        ++rejected;
        codes.insert(v.error().code);
        EXPECT_FALSE(v.error().message.empty());
        continue;
      }
      ++accepted;
      ASSERT_FALSE(covered[i]) << "covered byte " << i << " ^ " << int(mask) << " was accepted";
      const LoadPlan got = plan_of(v.value());
      EXPECT_EQ(got.segments, expected.segments) << "byte " << i;
      if (got.resource_table != expected.resource_table) {
        // Section headers and names are not signed (as upstream): a corrupted
        // name can hide the table, but never substitute unsigned bytes for it.
        EXPECT_FALSE(got.resource_table.has_value()) << "byte " << i;
        ++lost_table;
      }
    }
  }
  EXPECT_GT(rejected, 0u);
  EXPECT_GT(accepted, 0u);
  EXPECT_TRUE(codes.count(TeeResult::kSignatureInvalid));
  EXPECT_TRUE(codes.count(TeeResult::kSecurity));
  RecordProperty("rejected", static_cast<int>(rejected));
  RecordProperty("accepted_uncovered", static_cast<int>(accepted));
  RecordProperty("lost_table", static_cast<int>(lost_table));
  std::printf("corruptions: %zu rejected, %zu accepted on uncovered bytes (%zu hid the table)\n",
              rejected, accepted, lost_table);
}

TEST(Corruption, CoveredImageBytesRejectEveryOtherValue) {
  const auto original = read_bytes(rproc_data("sample-m4.rsa2048.sig"));
  auto reference = parse_signed_image(original);
  ASSERT_TRUE(reference.ok());
  const std::vector<bool> covered = covered_bytes(reference.value(), original.size());
  const size_t image_start = reference->container.image_area_offset;
  auto corrupted = original;
  size_t checked = 0;
  for (size_t i = image_start; i < original.size(); ++i) {
    if (!covered[i]) {
      continue;
    }
    for (int v = 0; v < 256; ++v) {
      if (v == original[i]) {
        continue;
      }
      corrupted[i] = static_cast<uint8_t>(v);
      auto c = parse_container(corrupted);
      ASSERT_TRUE(c.ok());
      auto p = parse_contents(c.value(), /*decode_table=*/false);
      const bool rejected = !p.ok() || !verify_segment_hashes(p.value()).ok() ||
                            !decode_resource_table(p.value()).ok();
      ASSERT_TRUE(rejected) << "byte " << i << " = " << v << " was accepted";
      ++checked;
    }
    corrupted[i] = original[i];
  }
  EXPECT_GT(checked, 400u * 255u);
}

TEST(Corruption, SignedAndSignatureBytesRejectEveryOtherValue) {
  // The head (header, TLVs, signature) with every one of the 255 other values
  // at every position, through the real signature check. With the images
  // covered above, this makes the corruption search exhaustive.
  const auto original = read_bytes(rproc_data("sample-m4.rsa2048.sig"));
  const auto key = PublicKey::from_pem(read_bytes(rproc_data("test-rsa2048.pub.pem")));
  ASSERT_TRUE(key.ok());
  auto reference = parse_signed_image(original);
  ASSERT_TRUE(reference.ok());
  const std::vector<bool> covered = covered_bytes(reference.value(), original.size());
  const size_t head_end = reference->container.image_area_offset;
  auto corrupted = original;
  size_t checked = 0;
  for (size_t i = 0; i < head_end; ++i) {
    if (!covered[i]) {
      continue;  // signature padding: proven unused by the three-way search above
    }
    for (int v = 0; v < 256; ++v) {
      if (v == original[i]) {
        continue;
      }
      corrupted[i] = static_cast<uint8_t>(v);
      auto c = parse_container(corrupted);
      const bool rejected = !c.ok() || !verify_signature(c.value(), key.value()).ok();
      ASSERT_TRUE(rejected) << "byte " << i << " = " << v << " was accepted";
      ++checked;
    }
    corrupted[i] = original[i];
  }
  EXPECT_EQ(checked, (20 + 216 + 256) * 255u);
}

TEST(Corruption, TruncationsAndExtensionsAreRejected) {
  const auto original = read_bytes(rproc_data("sample-m4.rsa2048.sig"));
  const auto key = PublicKey::from_pem(read_bytes(rproc_data("test-rsa2048.pub.pem")));
  for (size_t len = 0; len < original.size(); len += 97) {
    std::vector<uint8_t> cut(original.begin(), original.begin() + len);
    EXPECT_FALSE(verify_signed_image(cut, key.value()).ok()) << len;
  }
  auto longer = original;
  longer.push_back(0);
  EXPECT_FALSE(verify_signed_image(longer, key.value()).ok());
}

}  // namespace
}  // namespace captee::fwimage
