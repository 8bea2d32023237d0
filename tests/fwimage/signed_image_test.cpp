#include <gtest/gtest.h>

#include "captee/fwimage/signed_image.hpp"
#include "test_support.hpp"

namespace captee::fwimage {
namespace {

using testing::read_bytes;
using testing::rproc_data;

void put32(std::vector<uint8_t> &b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) {
    b[at + i] = static_cast<uint8_t>(v >> (8 * i));
  }
}

std::vector<uint8_t> sample() {
  return read_bytes(rproc_data("sample-m4.rsa2048.sig"));
}

TEST(SignedImage, ParsesTheOpteeRsaImage) {
  const auto file = sample();
  auto p = parse_signed_image(file);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->container.header.tlv_len, 216u);
  EXPECT_EQ(p->container.header.sign_len, 256u);
  EXPECT_EQ(p->container.header.img_len, 9392u);
  EXPECT_EQ(p->container.image_area_offset, 492u);
  EXPECT_EQ(p->sign_type, kSignTypeRsaPkcs1Sha256);
  ASSERT_EQ(p->container.tlvs.size(), 6u);
  const uint32_t order[] = {kTlvSignType, kTlvNumImg,   kTlvImgType,
                            kTlvImgSize,  kTlvHashType, kTlvHashTable};
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(p->container.tlvs[i].type, order[i]);
  }
  ASSERT_EQ(p->images.size(), 1u);
  ASSERT_EQ(p->images[0].segments.size(), 2u);
  const Segment &s = p->images[0].segments[1];
  EXPECT_EQ(s.phdr.paddr, 0x10000000u);
  EXPECT_EQ(s.file_bytes.size(), 0x44u);
  ASSERT_TRUE(p->resource_table.has_value());
  EXPECT_EQ(p->resource_table->device_addr, 0x10000000u);
  EXPECT_EQ(p->resource_table->size, 0x44u);
  ASSERT_EQ(p->resource_table->table.entries.size(), 1u);
  EXPECT_EQ(std::get<RscTrace>(p->resource_table->table.entries[0].body).name, "trace0");
}

TEST(SignedImage, HeaderFailuresAreBadParameters) {
  auto expect = [](std::vector<uint8_t> file, const std::string &message) {
    auto c = parse_container(file);
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.error().code, TeeResult::kBadParameters);
    EXPECT_EQ(c.error().message, message);
  };
  expect(std::vector<uint8_t>(19, 0), "header: file is 19 bytes, shorter than the 20-byte header");
  auto f = sample();
  put32(f, 0, 0x12345678);
  expect(f, "header: bad magic 0x12345678, expected 0x3543a468");
  f = sample();
  put32(f, 4, 2);
  expect(f, "header: version is 2, expected 1");
  f = sample();
  put32(f, 8, 0);
  expect(f, "header: tlv_len is 0");
  f = sample();
  put32(f, 12, 0);
  expect(f, "header: sign_len is 0");
  f = sample();
  put32(f, 16, 0xFFFFFFF8);
  expect(f, "header: lengths overflow 32 bits");
  f = sample();
  f.push_back(0);
  expect(f, "header: lengths add up to 9884 bytes but the file is 9885 bytes");
  f = sample();
  f.resize(f.size() - 8);
  expect(f, "header: lengths add up to 9884 bytes but the file is 9876 bytes");
}

// Builds a container whose TLV area is `tlvs` (tlv_len = tlvs.size()).
std::vector<uint8_t> container_with(const std::vector<uint8_t> &tlvs) {
  std::vector<uint8_t> f(20 + ((tlvs.size() + 7) & ~size_t{7}) + 8, 0);
  put32(f, 0, kImageMagic);
  put32(f, 4, 1);
  put32(f, 8, static_cast<uint32_t>(tlvs.size()));
  put32(f, 12, 8);
  put32(f, 16, 0);
  std::copy(tlvs.begin(), tlvs.end(), f.begin() + 20);
  return f;
}

TEST(SignedImage, TlvLookupTakesTheFirstNonEmptyRecord) {
  std::vector<uint8_t> tlvs(40, 0);
  put32(tlvs, 0, 0x10001);  // zero-length: absent
  put32(tlvs, 4, 0);
  put32(tlvs, 8, 0x10000);
  put32(tlvs, 12, 3);
  tlvs[16] = 'a';
  tlvs[17] = 'b';
  tlvs[18] = 'c';
  put32(tlvs, 24, 0x10000);  // a later record of the same type is ignored
  put32(tlvs, 28, 1);
  tlvs[32] = 'z';
  const auto file = container_with(tlvs);  // the container views these bytes
  auto c = parse_container(file);
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_EQ(c->tlvs.size(), 3u);
  const Tlv *t = c->find(0x10000);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->value.size(), 3u);
  EXPECT_EQ(t->value[0], 'a');
  EXPECT_EQ(t->offset, 28u);
  EXPECT_EQ(c->find(0x10001), nullptr);
  // The first record of a type decides: a zero-length one hides later ones.
  put32(tlvs, 0, 0x10000);
  const auto shadowed = container_with(tlvs);
  c = parse_container(shadowed);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->find(0x10000), nullptr);
}

TEST(SignedImage, TlvFramingErrors) {
  std::vector<uint8_t> tlvs(16, 0);
  put32(tlvs, 0, 1);
  put32(tlvs, 4, 9);  // 8 + 9 > 16
  auto c = parse_container(container_with(tlvs));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, TeeResult::kBadFormat);
  EXPECT_EQ(c.error().message, "TLV 0x1 at offset 20: length 9 runs past the TLV area");

  tlvs.assign(12, 0);
  put32(tlvs, 0, 1);
  put32(tlvs, 4, 0);  // next record would start at 8, 4 bytes left
  c = parse_container(container_with(tlvs));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message, "TLV area: 4 stray bytes after the last record");

  tlvs.assign(12, 0);
  put32(tlvs, 0, 1);
  put32(tlvs, 4, 4);  // last record's padding lies in the R8 area: fine
  c = parse_container(container_with(tlvs));
  ASSERT_TRUE(c.ok()) << c.error().message;
}

// Rewrites the TLV area of the sample in place (length unchanged).
std::vector<uint8_t> with_tlv_byte(size_t tlv_index, size_t value_offset, uint8_t v) {
  auto f = sample();
  auto c = parse_container(f);
  EXPECT_TRUE(c.ok());
  f[c->tlvs[tlv_index].offset + 8 + value_offset] = v;
  return f;
}

TEST(SignedImage, ContentChecks) {
  auto expect = [](const std::vector<uint8_t> &f, TeeResult code, const std::string &message) {
    auto p = parse_signed_image(f);
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(p.error().code, code);
    EXPECT_EQ(p.error().message, message);
  };
  expect(with_tlv_byte(0, 0, 3), TeeResult::kNotSupported, "SIGNTYPE 3 is not supported");
  expect(with_tlv_byte(4, 0, 2), TeeResult::kNotSupported, "HASHTYPE 2 is not supported");
  expect(with_tlv_byte(1, 0, 0), TeeResult::kBadFormat, "NUM_IMG is 0");
  expect(with_tlv_byte(1, 0, 2), TeeResult::kBadFormat,
         "IMGTYPE TLV is missing or not NUM_IMG bytes long");
  expect(with_tlv_byte(2, 0, 2), TeeResult::kNotSupported,
         "image 0: encrypted images (IMGTYPE 2) are not supported");
  expect(with_tlv_byte(3, 0, 0xA8), TeeResult::kBadFormat,
         "IMGSIZE adds up to 9384 bytes but img_len is 9392");
  expect(with_tlv_byte(3, 0, 0xB4), TeeResult::kBadFormat,
         "image 0: size 9396 is not a non-zero multiple of 8");
  // Hash-table entry 1, p_memsz byte.
  expect(with_tlv_byte(5, 64 + 20, 0x4d), TeeResult::kSecurity,
         "segment 1 of image 0: program header differs from its signed entry");
}

TEST(SignedImage, MissingTlvs) {
  auto f = sample();
  auto c = parse_container(f);
  ASSERT_TRUE(c.ok());
  // Retyping HASHTYPE to an unknown generic type makes it absent.
  put32(f, c->tlvs[4].offset, 0x7F);
  auto p = parse_signed_image(f);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().message, "HASHTYPE TLV is missing");
  f = sample();
  put32(f, c->tlvs[5].offset, 0x7F);
  p = parse_signed_image(f);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().message, "HASHTABLE TLV is missing");
  f = sample();
  put32(f, c->tlvs[0].offset, 0x7F);
  p = parse_signed_image(f);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, TeeResult::kBadParameters);
  EXPECT_EQ(p.error().message, "SIGNTYPE TLV is missing");
}

TEST(SignedImage, SplitHeadAndImagesForPrivateCopies) {
  const auto file = sample();
  auto head = head_size(std::span<const uint8_t>(file).first(20));
  ASSERT_TRUE(head.ok()) << head.error().message;
  EXPECT_EQ(head.value(), 492u);
  // The loader's private copy of the head; the images stay in "shared" memory.
  const std::vector<uint8_t> copy(file.begin(), file.begin() + head.value());
  const std::span<const uint8_t> images = std::span<const uint8_t>(file).subspan(head.value());
  auto c = parse_container(copy, images);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->signed_bytes.data(), copy.data());
  EXPECT_EQ(c->signature.data(), copy.data() + 236);
  EXPECT_EQ(c->image_area.data(), file.data() + 492);
  auto p = parse_contents(c.value());
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->images[0].segments[1].file_bytes.data(), file.data() + 492 + 0x2000);

  auto short_head = parse_container(std::span<const uint8_t>(copy).first(491), images);
  ASSERT_FALSE(short_head.ok());
  EXPECT_EQ(short_head.error().message, "header: the head is 491 bytes but its lengths say 492");
  auto short_images = parse_container(copy, images.first(images.size() - 8));
  ASSERT_FALSE(short_images.ok());
  EXPECT_EQ(short_images.error().message,
            "header: img_len is 9392 but the image area is 9384 bytes");
  EXPECT_FALSE(head_size(std::span<const uint8_t>(file).first(19)).ok());
}

TEST(SignedImage, RoundUp8) {
  uint32_t out = 0;
  EXPECT_TRUE(round_up8(0, &out));
  EXPECT_EQ(out, 0u);
  EXPECT_TRUE(round_up8(9, &out));
  EXPECT_EQ(out, 16u);
  EXPECT_TRUE(round_up8(0xFFFFFFF8u, &out));
  EXPECT_EQ(out, 0xFFFFFFF8u);
  EXPECT_FALSE(round_up8(0xFFFFFFF9u, &out));
}

}  // namespace
}  // namespace captee::fwimage
