// The GP runtime's property conversions on their own (src/gp_ta/
// property_values.cpp): GP's printable forms, each reader's accepted and
// refused texts, and every getter's conversion from every type.
#include "property_values.hpp"

#include <gtest/gtest.h>

#include <cstring>

namespace captee::gp_ta {
namespace {

PropertyValue text(std::string_view s, PropertyType t = PropertyType::kString) {
  PropertyValue v;
  v.type = t;
  v.text = s;
  return v;
}

PropertyValue u32(uint32_t n) {
  PropertyValue v;
  v.type = PropertyType::kU32;
  v.u32 = n;
  return v;
}

constexpr TEE_UUID kUuid = {
    0x8aaaf200, 0x2450, 0x11e4, {0xab, 0xe2, 0x00, 0x02, 0xa5, 0xd5, 0xc5, 0x1b}};

bool same(const TEE_UUID &a, const TEE_UUID &b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

TEST(PropertyValues, IntegersInEveryNotation) {
  EXPECT_EQ(parse_integer("0", UINT32_MAX), 0u);
  EXPECT_EQ(parse_integer("1024", UINT32_MAX), 1024u);
  EXPECT_EQ(parse_integer("1_000_000", UINT32_MAX), 1000000u);
  EXPECT_EQ(parse_integer("1K", UINT32_MAX), 1024u);
  EXPECT_EQ(parse_integer("3M", UINT32_MAX), 3u * 1024 * 1024);
  EXPECT_EQ(parse_integer("0x400", UINT32_MAX), 1024u);
  EXPECT_EQ(parse_integer("0X4_00", UINT32_MAX), 1024u);
  EXPECT_EQ(parse_integer("0xffffFFFF", UINT32_MAX), 0xffffffffu);
  EXPECT_EQ(parse_integer("0b100_0000_0000", UINT32_MAX), 1024u);
  EXPECT_EQ(parse_integer("0B1", UINT32_MAX), 1u);
  EXPECT_EQ(parse_integer("010", UINT32_MAX), 10u);  // decimal, not octal
  EXPECT_EQ(parse_integer("18446744073709551615", UINT64_MAX), UINT64_MAX);
}

TEST(PropertyValues, IntegersThatAreNot) {
  for (const char *s : {"", "_", "K", "0x", "0b", "0x_", "-1", "+1", " 1", "1 ", "1k", "1G", "0x1K",
                        "0b2", "12abc", "1.5", "0o7", "1KK", "٣"}) {
    EXPECT_FALSE(parse_integer(s, UINT64_MAX)) << s;
  }
  // Out of range is not a value either.
  EXPECT_FALSE(parse_integer("4294967296", UINT32_MAX));
  EXPECT_FALSE(parse_integer("0x1_0000_0000", UINT32_MAX));
  EXPECT_FALSE(parse_integer("4194304K", UINT32_MAX));  // 2^32
  EXPECT_FALSE(parse_integer("18446744073709551616", UINT64_MAX));
  EXPECT_FALSE(parse_integer("18014398509481984K", UINT64_MAX));  // 2^64
}

TEST(PropertyValues, Booleans) {
  EXPECT_EQ(parse_bool("true"), true);
  EXPECT_EQ(parse_bool("TRUE"), true);
  EXPECT_EQ(parse_bool("False"), false);
  for (const char *s : {"", "1", "0", "yes", "t", "true ", "truee"}) {
    EXPECT_FALSE(parse_bool(s)) << s;
  }
}

TEST(PropertyValues, Uuids) {
  auto u = parse_uuid("8aaaf200-2450-11e4-abe2-0002a5d5c51b");
  ASSERT_TRUE(u);
  EXPECT_TRUE(same(*u, kUuid));
  u = parse_uuid("8AAAF200-2450-11E4-ABE2-0002A5D5C51B");
  ASSERT_TRUE(u);
  EXPECT_TRUE(same(*u, kUuid));
  EXPECT_EQ(uuid_to_string(kUuid), "8aaaf200-2450-11e4-abe2-0002a5d5c51b");
  for (const char *s :
       {"", "8aaaf200245011e4abe20002a5d5c51b", "8aaaf200-2450-11e4-abe2-0002a5d5c51",
        "8aaaf200-2450-11e4-abe2-0002a5d5c51bb", "8aaaf2002-450-11e4-abe2-0002a5d5c51b",
        "8aaaf200-2450-11e4-abe2_0002a5d5c51b", "8aaaf200-2450-11e4-abe2-0002a5d5c51g",
        "{8aaaf200-2450-11e4-abe2-0002a5d5c51}"}) {
    EXPECT_FALSE(parse_uuid(s)) << s;
  }
}

TEST(PropertyValues, Identities) {
  auto id = parse_identity("4");
  ASSERT_TRUE(id);
  EXPECT_EQ(id->login, 4u);
  EXPECT_TRUE(same(id->uuid, TEE_UUID{}));
  id = parse_identity("0xF0000000:8aaaf200-2450-11e4-abe2-0002a5d5c51b");
  ASSERT_TRUE(id);
  EXPECT_EQ(id->login, 0xF0000000u);
  EXPECT_TRUE(same(id->uuid, kUuid));
  for (const char *s : {"", ":8aaaf200-2450-11e4-abe2-0002a5d5c51b", "4:", "4:x", "x:4",
                        "4294967296:8aaaf200-2450-11e4-abe2-0002a5d5c51b"}) {
    EXPECT_FALSE(parse_identity(s)) << s;
  }
  PropertyValue v;
  v.type = PropertyType::kIdentity;
  v.identity = {TEE_LOGIN_TRUSTED_APP, kUuid};
  EXPECT_EQ(property_to_string(v), "4026531840:8aaaf200-2450-11e4-abe2-0002a5d5c51b");
  EXPECT_EQ(property_as_identity(text(property_to_string(v)))->login, TEE_LOGIN_TRUSTED_APP);
}

TEST(PropertyValues, Base64BothWays) {
  const uint8_t captee[] = {'c', 'a', 'p', 't', 'e', 'e'};
  EXPECT_EQ(base64_encode(captee, 6), "Y2FwdGVl");
  EXPECT_EQ(base64_encode(captee, 5), "Y2FwdGU=");
  EXPECT_EQ(base64_encode(captee, 4), "Y2FwdA==");
  EXPECT_EQ(base64_encode(captee, 0), "");
  for (size_t n = 0; n <= 6; ++n) {
    auto back = base64_decode(base64_encode(captee, n));
    ASSERT_TRUE(back) << n;
    EXPECT_EQ(*back, std::vector<uint8_t>(captee, captee + n));
  }
  EXPECT_EQ(*base64_decode("Y2FwdGU"), std::vector<uint8_t>(captee, captee + 5));  // unpadded
  for (const char *s : {"Y", "Y2FwdGU==", "Y2F=dGVl", "Y2FwdGV!", "Y2Fw dGVl", "Y2FwdA=", "=",
                        "Y2FwdGF=", "QR=="}) {
    EXPECT_FALSE(base64_decode(s)) << s;
  }
}

TEST(PropertyValues, PrintableForms) {
  PropertyValue b;
  b.type = PropertyType::kBool;
  b.b = true;
  EXPECT_EQ(property_to_string(b), "true");
  EXPECT_EQ(property_to_string(u32(4096)), "4096");
  PropertyValue big;
  big.type = PropertyType::kU64;
  big.u64 = UINT64_MAX;
  EXPECT_EQ(property_to_string(big), "18446744073709551615");
  PropertyValue u;
  u.type = PropertyType::kUuid;
  u.uuid = kUuid;
  EXPECT_EQ(property_to_string(u), "8aaaf200-2450-11e4-abe2-0002a5d5c51b");
  EXPECT_EQ(property_to_string(text("Y2FwdGVl", PropertyType::kBinaryBlock)), "Y2FwdGVl");
}

// Each getter reads its own type as it is, and any other through the
// printable form: what does not read is BAD_FORMAT (nullopt).
TEST(PropertyValues, GettersConvertThroughThePrintableForm) {
  EXPECT_EQ(property_as_u32(text("0x10")), 16u);
  EXPECT_EQ(property_as_u64(u32(7)), 7u);
  EXPECT_EQ(property_as_u64(text("4294967296")), 4294967296u);
  EXPECT_FALSE(property_as_u32(text("4294967296")));
  PropertyValue big;
  big.type = PropertyType::kU64;
  big.u64 = 5;
  EXPECT_EQ(property_as_u32(big), 5u);  // it fits
  big.u64 = uint64_t(1) << 32;
  EXPECT_FALSE(property_as_u32(big));
  EXPECT_EQ(property_as_bool(text("tRuE")), true);
  EXPECT_FALSE(property_as_bool(u32(1)));  // "1" is not a boolean
  PropertyValue b;
  b.type = PropertyType::kBool;
  b.b = true;
  EXPECT_FALSE(property_as_u32(b));  // "true" is not an integer
  EXPECT_FALSE(property_as_uuid(u32(1)));
  EXPECT_EQ(property_as_identity(u32(5))->login, 5u);  // an identity may omit its UUID
  EXPECT_EQ(*property_as_binary_block(text("AAEC")), (std::vector<uint8_t>{0, 1, 2}));
  EXPECT_FALSE(property_as_binary_block(text("not base64!")));
  PropertyValue u;
  u.type = PropertyType::kUuid;
  u.uuid = kUuid;
  EXPECT_FALSE(property_as_binary_block(u));  // dashes are not Base64
  EXPECT_EQ(property_as_binary_block(text(""))->size(), 0u);
}

}  // namespace
}  // namespace captee::gp_ta
