// Issue 20 finding 6, from the attacker's side: a TA that scans every
// readable page around each memref it receives must find no byte of an
// earlier call (whichever TA that call went to) and no byte of the client's
// memory outside the pages under its window.
//
// The client marks memory with 16-byte tag records; the scanning TA
// (TEEC_TEST_CMD_SCAN_AROUND) reports every tag it can read from 4 pages
// before the window's first page to 8 pages after its last. TA1 is the
// multi-instance test TA, TA2 the single-instance build of the same code: a
// different TA in its own process.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "tee_client_api.h"
#include "teec_fixture.hpp"
#include "teec_test_ta.h"

namespace {

constexpr uint32_t kMagic = 0x5CA77A65;
constexpr uint32_t kAround = 4;  // pages scanned on each side of the window

// What a record says about the bytes it sits in.
enum Tag : uint32_t {
  kWindow = 1,   // inside the window of the scanning call
  kSecret = 2,   // given to TA1 (or produced by it) in an earlier call
  kOutside = 3,  // client memory on pages no window of the scanning call covers
  kEarlier = 4,  // given to TA2 itself in an earlier call, not passed again
};

constexpr uint32_t bit(Tag t) {
  return 1u << t;
}

// Fills whole 16-byte records of `t` into [p, p + n).
void fill_tags(uint8_t *p, size_t n, Tag t) {
  const uint32_t rec[4] = {kMagic, t, ~kMagic, ~uint32_t{t}};
  for (size_t i = 0; i + sizeof rec <= n; i += sizeof rec) {
    std::memcpy(p + i, rec, sizeof rec);
  }
}

constexpr size_t kPage = 4096;

// Page-aligned client memory, so that its pages are the kernel's.
struct PageBuffer {
  explicit PageBuffer(size_t n)
      : bytes(static_cast<uint8_t *>(std::aligned_alloc(kPage, n)), &std::free), size(n) {
    std::memset(bytes.get(), 0, n);
  }
  uint8_t *data() const { return bytes.get(); }
  std::unique_ptr<uint8_t, decltype(&std::free)> bytes;
  size_t size;
};

// Zeroes [b, b + total), then marks every page the window [offset, +len)
// does not touch as kOutside and the window as kWindow.
void mark(uint8_t *b, size_t total, size_t offset, size_t len) {
  std::memset(b, 0, total);
  const size_t first = offset / kPage;
  const size_t end = (offset + len + kPage - 1) / kPage;
  for (size_t page = 0; page < total / kPage; ++page) {
    if (page < first || page >= end) {
      fill_tags(b + page * kPage, kPage, kOutside);
    }
  }
  fill_tags(b + offset, len, kWindow);
}

const char *type_name(uint32_t t) {
  switch (t) {
    case TEEC_MEMREF_TEMP_INPUT:
      return "TEMP_INPUT";
    case TEEC_MEMREF_TEMP_OUTPUT:
      return "TEMP_OUTPUT";
    case TEEC_MEMREF_TEMP_INOUT:
      return "TEMP_INOUT";
    case TEEC_MEMREF_WHOLE:
      return "WHOLE";
    case TEEC_MEMREF_PARTIAL_INPUT:
      return "PARTIAL_INPUT";
    case TEEC_MEMREF_PARTIAL_OUTPUT:
      return "PARTIAL_OUTPUT";
    default:
      return "PARTIAL_INOUT";
  }
}

bool sends_input(uint32_t t) {
  return t == TEEC_MEMREF_TEMP_INPUT || t == TEEC_MEMREF_TEMP_INOUT ||
         t == TEEC_MEMREF_PARTIAL_INPUT || t == TEEC_MEMREF_PARTIAL_INOUT;
}

class TeecHostileMemory : public captee::test::Teec {
 protected:
  void SetUp() override {
    Teec::SetUp();
    ASSERT_EQ(open(&ta1_), TEEC_SUCCESS);
    TEEC_UUID ta2 = {0x7e57c0de, 0x0002, 0x4000, {0x80, 0, 0, 0, 0, 0, 0, 0x02}};
    uint32_t origin = 0;
    ASSERT_EQ(TEEC_OpenSession(&ctx_, &ta2_, &ta2, TEEC_LOGIN_PUBLIC, nullptr, nullptr, &origin),
              TEEC_SUCCESS);
  }
  void TearDown() override {
    TEEC_CloseSession(&ta1_);
    TEEC_CloseSession(&ta2_);
    Teec::TearDown();
  }

  // Gives TA1 the memref (it sums the bytes of an input, fills an output).
  void give_ta1(uint32_t type, const TEEC_Parameter &param) {
    TEEC_Operation op{};
    op.paramTypes = TEEC_PARAM_TYPES(type, TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE);
    op.params[0] = param;
    uint32_t origin = 0;
    ASSERT_EQ(TEEC_InvokeCommand(&ta1_, TEEC_TEST_CMD_MEMREF_INFO, &op, &origin), TEEC_SUCCESS);
  }

  // The tags TA2 can read around the memref or by mapping any descriptor it
  // holds; fails the test if it scanned nothing.
  uint32_t scan(TEEC_Session *s, uint32_t type, const TEEC_Parameter &param) {
    TEEC_Operation op{};
    op.paramTypes = TEEC_PARAM_TYPES(type, TEEC_VALUE_INPUT, TEEC_VALUE_OUTPUT, TEEC_VALUE_OUTPUT);
    op.params[0] = param;
    op.params[1].value = {kMagic, kAround};
    uint32_t origin = 0;
    EXPECT_EQ(TEEC_InvokeCommand(s, TEEC_TEST_CMD_SCAN_AROUND, &op, &origin), TEEC_SUCCESS);
    EXPECT_GT(op.params[2].value.b, 0u) << "no readable page around the memref";
    return op.params[2].value.a | op.params[3].value.a;
  }

  TEEC_Session ta1_{};
  TEEC_Session ta2_{};
};

TEEC_Parameter partial(TEEC_SharedMemory *shm, size_t offset, size_t size) {
  TEEC_Parameter p{};
  p.memref = {shm, size, offset};
  return p;
}

// The finding as reported: a secret in window [0, 112) of registered memory
// goes to TA1; the client wipes its buffer and passes a window near the end
// to TA2, which reads around it.
TEST_F(TeecHostileMemory, RegisteredWindowShowsNothingOfAnEarlierCallToAnotherTa) {
  constexpr size_t kSize = 32 * 1024;
  PageBuffer user(kSize);
  TEEC_SharedMemory shm{};
  shm.buffer = user.data();
  shm.size = kSize;
  shm.flags = TEEC_MEM_INPUT | TEEC_MEM_OUTPUT;
  ASSERT_EQ(TEEC_RegisterSharedMemory(&ctx_, &shm), TEEC_SUCCESS);
  fill_tags(user.data(), 112, kSecret);
  give_ta1(TEEC_MEMREF_PARTIAL_INPUT, partial(&shm, 0, 112));

  // Windows inline (16 bytes, 4 KiB) and as memory objects (8 KiB to 16 KiB,
  // some not a power of two), all in the upper half; every page they do not
  // touch is client memory never named.
  const size_t windows[][2] = {{16384, 16},    {16384, 4096}, {20480, 8192},
                               {16384, 16384}, {16384, 9008}, {20480, 5008}};
  for (uint32_t type :
       {TEEC_MEMREF_PARTIAL_INPUT, TEEC_MEMREF_PARTIAL_INOUT, TEEC_MEMREF_PARTIAL_OUTPUT}) {
    for (const auto &w : windows) {
      SCOPED_TRACE(testing::Message() << type_name(type) << " [" << w[0] << ", +" << w[1] << ")");
      mark(user.data(), kSize, w[0], w[1]);
      const uint32_t seen = scan(&ta2_, type, partial(&shm, w[0], w[1]));
      EXPECT_EQ(seen & bit(kSecret), 0u) << "TA2 read what the client gave TA1";
      EXPECT_EQ(seen & bit(kOutside), 0u) << "TA2 read client memory outside its window's pages";
      if (sends_input(type)) {
        EXPECT_NE(seen & bit(kWindow), 0u) << "the scan missed the window itself";
      }
    }
  }
  TEEC_ReleaseSharedMemory(&shm);
}

// A PARTIAL window of allocated memory exposes its own pages only, not the
// rest of the memory object.
TEST_F(TeecHostileMemory, AllocatedPartialWindowShowsOnlyItsOwnPages) {
  constexpr size_t kSize = 32 * 1024;
  TEEC_SharedMemory shm{};
  shm.size = kSize;
  shm.flags = TEEC_MEM_INPUT | TEEC_MEM_OUTPUT;
  ASSERT_EQ(TEEC_AllocateSharedMemory(&ctx_, &shm), TEEC_SUCCESS);
  auto *b = static_cast<uint8_t *>(shm.buffer);
  std::memset(b, 0, kSize);
  fill_tags(b, 112, kSecret);
  give_ta1(TEEC_MEMREF_PARTIAL_INPUT, partial(&shm, 0, 112));

  const size_t windows[][2] = {{16384, 16},   {20480, 4096}, {16384, 8192},
                               {24576, 5008}, {16384, 9008}, {4096, 16}};
  for (uint32_t type :
       {TEEC_MEMREF_PARTIAL_INPUT, TEEC_MEMREF_PARTIAL_INOUT, TEEC_MEMREF_PARTIAL_OUTPUT}) {
    for (const auto &w : windows) {
      SCOPED_TRACE(testing::Message() << type_name(type) << " [" << w[0] << ", +" << w[1] << ")");
      mark(b, kSize, w[0], w[1]);
      const uint32_t seen = scan(&ta2_, type, partial(&shm, w[0], w[1]));
      EXPECT_EQ(seen & bit(kOutside), 0u) << "TA2 read client memory outside its window's pages";
      EXPECT_EQ(seen & bit(kSecret), 0u) << "TA2 read what the client gave TA1";
      if (sends_input(type)) {
        EXPECT_NE(seen & bit(kWindow), 0u) << "the scan missed the window itself";
      }
    }
  }
  TEEC_ReleaseSharedMemory(&shm);
}

// TA1 writes a secret into output-only registered memory (the client gets it
// back); the client wipes it and hands the whole buffer to TA2 for output.
TEST_F(TeecHostileMemory, RegisteredWholeOutputShowsNoEarlierOutput) {
  constexpr size_t kSize = 16 * 1024;
  std::vector<uint8_t> user(kSize);
  TEEC_SharedMemory shm{};
  shm.buffer = user.data();
  shm.size = kSize;
  shm.flags = TEEC_MEM_OUTPUT;
  ASSERT_EQ(TEEC_RegisterSharedMemory(&ctx_, &shm), TEEC_SUCCESS);
  std::vector<uint8_t> secret(112);
  fill_tags(secret.data(), secret.size(), kSecret);
  TEEC_Operation op{};
  op.paramTypes =
      TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_PARTIAL_OUTPUT, TEEC_NONE, TEEC_NONE);
  op.params[0].tmpref = {secret.data(), secret.size()};
  op.params[1].memref = {&shm, secret.size(), 0};
  uint32_t origin = 0;
  ASSERT_EQ(TEEC_InvokeCommand(&ta1_, TEEC_TEST_CMD_COPY, &op, &origin), TEEC_SUCCESS);
  ASSERT_EQ(std::memcmp(user.data(), secret.data(), secret.size()), 0);

  std::memset(user.data(), 0, kSize);
  TEEC_Parameter whole{};
  whole.memref.parent = &shm;
  const uint32_t seen = scan(&ta2_, TEEC_MEMREF_WHOLE, whole);
  EXPECT_EQ(seen & bit(kSecret), 0u) << "TA2 read what TA1 returned to the client";
  TEEC_ReleaseSharedMemory(&shm);
}

// A WHOLE memref of allocated memory is the client's own memory object, all
// of it named: TA2 sees what the client holds now, nothing of earlier calls.
TEST_F(TeecHostileMemory, AllocatedWholeShowsOnlyWhatTheClientHoldsNow) {
  constexpr size_t kSize = 16 * 1024;
  TEEC_SharedMemory shm{};
  shm.size = kSize;
  shm.flags = TEEC_MEM_INPUT | TEEC_MEM_OUTPUT;
  ASSERT_EQ(TEEC_AllocateSharedMemory(&ctx_, &shm), TEEC_SUCCESS);
  auto *b = static_cast<uint8_t *>(shm.buffer);
  fill_tags(b, 112, kSecret);
  give_ta1(TEEC_MEMREF_PARTIAL_INPUT, partial(&shm, 0, 112));
  std::memset(b, 0, kSize);
  fill_tags(b, kSize, kWindow);
  TEEC_Parameter whole{};
  whole.memref.parent = &shm;
  const uint32_t seen = scan(&ta2_, TEEC_MEMREF_WHOLE, whole);
  EXPECT_EQ(seen & bit(kSecret), 0u);
  EXPECT_NE(seen & bit(kWindow), 0u);
  TEEC_ReleaseSharedMemory(&shm);
}

// A session recycles the memory objects of its memrefs: a later call's
// object holds none of the bytes an earlier call passed, in any direction.
TEST_F(TeecHostileMemory, RecycledCallObjectsShowNothingOfEarlierCalls) {
  // Each temporary buffer is the start of a larger page-aligned one whose
  // pages beyond the buffer's are client memory never named.
  PageBuffer earlier_pages(16 * 1024);
  uint8_t *earlier = earlier_pages.data();
  constexpr size_t kEarlierSize = 12 * 1024;
  fill_tags(earlier, kEarlierSize, kEarlier);
  fill_tags(earlier + kEarlierSize, 4 * 1024, kOutside);
  for (uint32_t type : {TEEC_MEMREF_TEMP_OUTPUT, TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_INOUT}) {
    SCOPED_TRACE(type_name(type));
    TEEC_Parameter first{};
    first.tmpref = {earlier, kEarlierSize};
    TEEC_Operation op{};
    op.paramTypes =
        TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE);
    op.params[0] = first;
    uint32_t origin = 0;
    ASSERT_EQ(TEEC_InvokeCommand(&ta2_, TEEC_TEST_CMD_MEMREF_INFO, &op, &origin), TEEC_SUCCESS);

    PageBuffer now(16 * 1024);
    mark(now.data(), now.size, 0, 9008);  // the same size class as the earlier 12 KiB
    TEEC_Parameter later{};
    later.tmpref = {now.data(), 9008};
    const uint32_t seen = scan(&ta2_, type, later);
    EXPECT_EQ(seen & bit(kEarlier), 0u) << "a later call showed an earlier call's bytes";
    EXPECT_EQ(seen & bit(kOutside), 0u) << "TA2 read client memory outside its window's pages";
    if (sends_input(type)) {
      EXPECT_NE(seen & bit(kWindow), 0u);
    }
  }
  // Registered memory goes through the same objects.
  PageBuffer user(16 * 1024);
  TEEC_SharedMemory shm{};
  shm.buffer = user.data();
  shm.size = user.size;
  shm.flags = TEEC_MEM_INPUT | TEEC_MEM_OUTPUT;
  ASSERT_EQ(TEEC_RegisterSharedMemory(&ctx_, &shm), TEEC_SUCCESS);
  fill_tags(user.data(), 12 * 1024, kEarlier);
  TEEC_Operation op{};
  op.paramTypes =
      TEEC_PARAM_TYPES(TEEC_MEMREF_PARTIAL_INPUT, TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE);
  op.params[0].memref = {&shm, 12 * 1024, 0};
  uint32_t origin = 0;
  ASSERT_EQ(TEEC_InvokeCommand(&ta2_, TEEC_TEST_CMD_MEMREF_INFO, &op, &origin), TEEC_SUCCESS);
  std::memset(user.data(), 0, user.size);
  const uint32_t seen = scan(&ta2_, TEEC_MEMREF_PARTIAL_OUTPUT, partial(&shm, 4096, 9000));
  EXPECT_EQ(seen & bit(kEarlier), 0u) << "a later call showed an earlier call's bytes";
  TEEC_ReleaseSharedMemory(&shm);
}

}  // namespace
