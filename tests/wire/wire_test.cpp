#include "captee/wire.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "captee/object.h"

using namespace captee::wire;

namespace {

Limits limits;

std::vector<uint8_t> sample_request(uint8_t fd_count = 0) {
  static const char a[] = "hello";
  static uint8_t big[10000];
  std::memset(big, 0xAB, sizeof big);
  BufIn bi[] = {{a, 5}, {big, sizeof big}, {a, 0}};
  uint32_t caps[] = {64};
  ObjRef oi[] = {{RefType::kSenderHosted, 0, 0x10001},
                 {RefType::kNull, 0, 0},
                 {RefType::kReceiverHosted, 0, 0x20003}};
  Encoded e;
  EXPECT_TRUE(
      encode_request(7, 0x10000, 42, ObjectCounts_pack(3, 1, 3, 2), bi, caps, oi, fd_count, e));
  return e.flatten();
}

}  // namespace

TEST(Wire, RequestRoundTrip) {
  auto f = sample_request();
  Message m;
  ASSERT_FALSE(decode(f, 0, limits, m)) << decode(f, 0, limits, m).why;
  EXPECT_EQ(m.header.kind, Kind::kRequest);
  EXPECT_EQ(m.header.invoke_id, 7u);
  EXPECT_EQ(m.handle, 0x10000u);
  EXPECT_EQ(m.op, 42u);
  ASSERT_EQ(m.bi.size(), 3u);
  EXPECT_EQ(m.bi[0].size, 5u);
  EXPECT_EQ(std::memcmp(f.data() + m.bi[0].offset, "hello", 5), 0);
  EXPECT_EQ(m.bi[1].size, 10000u);
  EXPECT_EQ(f[m.bi[1].offset + 9999], 0xAB);
  for (auto &s : m.bi) {
    EXPECT_EQ(s.offset % 8, 0u);
  }
  ASSERT_EQ(m.bo_caps.size(), 1u);
  EXPECT_EQ(m.bo_caps[0], 64u);
  ASSERT_EQ(m.objs.size(), 3u);
  EXPECT_EQ(m.objs[0].type, RefType::kSenderHosted);
  EXPECT_EQ(m.objs[2].handle, 0x20003u);
}

TEST(Wire, HelloRoundTrip) {
  Hello h;
  h.limits.max_exports = 7;
  h.nonce = 0x1122334455667788ull;
  Encoded e;
  encode_hello(h, e);
  auto f = e.flatten();
  Message m;
  ASSERT_FALSE(decode(f, 0, limits, m));
  EXPECT_EQ(m.hello.limits.max_exports, 7u);
  EXPECT_EQ(m.hello.nonce, 0x1122334455667788ull);
  f[kHeaderSize] ^= 1;
  EXPECT_TRUE(decode(f, 0, limits, m));
}

TEST(Wire, SuccessErrorRelease) {
  const char out[] = "abc";
  BufIn bo[] = {{out, 3}};
  ObjRef oo[] = {{RefType::kFd, kRightRead, 0}, {RefType::kFd, kRightRead | kRightWrite, 1}};
  Encoded e;
  ASSERT_TRUE(encode_success(9, ObjectCounts_pack(0, 1, 0, 2), bo, oo, 2, e));
  auto f = e.flatten();
  Message m;
  ASSERT_FALSE(decode(f, 2, limits, m));
  EXPECT_EQ(m.objs[1].rights, kRightRead | kRightWrite);
  EXPECT_TRUE(decode(f, 1, limits, m)) << "fd count mismatch must be rejected";

  encode_error(3, Object_ERROR_BADOBJ, e);
  f = e.flatten();
  ASSERT_FALSE(decode(f, 0, limits, m));
  EXPECT_EQ(m.error, Object_ERROR_BADOBJ);

  Message::Release rel[] = {{0x10001, 2}, {0x10002, 1}};
  encode_release(rel, e);
  f = e.flatten();
  ASSERT_FALSE(decode(f, 0, limits, m));
  EXPECT_EQ(m.header.kind, Kind::kReleaseBatch);
  ASSERT_EQ(m.releases.size(), 2u);
  EXPECT_EQ(m.releases[0].count, 2u);
}

TEST(Wire, ChannelReferencesTakeTheNextDescriptorAndCarryAKey) {
  // A memory fd, then a channel whose handle is the sender's key.
  ObjRef oo[] = {{RefType::kFd, kRightRead, 0}, {RefType::kChannel, 0, 0xC0FFEE}};
  Encoded e;
  ASSERT_TRUE(encode_success(4, ObjectCounts_pack(0, 0, 0, 2), {}, oo, 2, e));
  auto f = e.flatten();
  Message m;
  ASSERT_FALSE(decode(f, 2, limits, m));
  ASSERT_EQ(m.objs.size(), 2u);
  EXPECT_EQ(m.objs[1].type, RefType::kChannel);
  EXPECT_EQ(m.objs[1].handle, 0xC0FFEEu);
  EXPECT_TRUE(decode(f, 1, limits, m)) << "the channel's descriptor is required";
  // Rights make no sense on a channel.
  ObjRef with_rights[] = {{RefType::kChannel, kRightRead, 1}};
  ASSERT_TRUE(encode_success(4, ObjectCounts_pack(0, 0, 0, 1), {}, with_rights, 1, e));
  f = e.flatten();
  EXPECT_TRUE(decode(f, 1, limits, m));
}

TEST(Wire, RejectsEveryTruncation) {
  auto f = sample_request();
  Message m;
  for (size_t n = 0; n < f.size(); ++n) {
    EXPECT_TRUE(decode(std::span(f.data(), n), 0, limits, m)) << n;
  }
}

TEST(Wire, RejectsHostileFields) {
  Message m;
  auto bad = [&](auto mutate) {
    auto f = sample_request();
    mutate(f);
    return bool(decode(f, 0, limits, m));
  };
  EXPECT_TRUE(bad([](auto &f) { f[4] = 99; }));                          // unknown kind
  EXPECT_TRUE(bad([](auto &f) { f[7] = 1; }));                           // reserved
  EXPECT_TRUE(bad([](auto &f) { f[6] = 1; }));                           // fd count
  EXPECT_TRUE(bad([](auto &f) { f[12] = f[13] = f[14] = f[15] = 0; }));  // handle 0
  EXPECT_TRUE(bad([](auto &f) { f[kHeaderSize + 8] = 1; }));             // misaligned BI offset
  EXPECT_TRUE(bad([](auto &f) { f[kHeaderSize + 15] = 0x7F; }));         // BI size beyond frame
  EXPECT_TRUE(bad([](auto &f) {
    uint32_t huge = 0xFFFFFFF0;  // BO capacity beyond max_data
    std::memcpy(&f[kHeaderSize + 8 + 3 * 8], &huge, 4);
  }));
  EXPECT_TRUE(bad([](auto &f) { f[kHeaderSize + 8 + 4 * 8] = 3; }));  // unknown ref type
  EXPECT_TRUE(bad([](auto &f) { f[kHeaderSize + 8 + 4 * 8] = 4; }));  // fd ref without fds
  Limits small = limits;
  small.max_args = 2;
  auto f = sample_request();
  EXPECT_TRUE(decode(f, 0, small, m));
}
