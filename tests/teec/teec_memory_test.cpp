// libteec's memory paths against a real capteed: temporary memrefs (inline
// and, above 4 KiB, as call memory objects), allocated shared memory
// (zero-copy when named whole, else a copy of the window), registered shared
// memory (a copy of the window: inline, and above 4 KiB in a call memory
// object), direction rules, sizes and SHORT_BUFFER, bounds, and
// TEE_CheckMemoryAccessRights seen from inside the TA.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <numeric>
#include <vector>

#include "tee_client_api.h"
#include "teec_fixture.hpp"
#include "teec_test_ta.h"

namespace {

class TeecMemory : public captee::test::Teec {};

uint32_t byte_sum(const uint8_t *b, size_t n) {
  return std::accumulate(b, b + n, uint32_t{0});
}

TEST_F(TeecMemory, TempMemrefCopiesAndReportsShortBuffer) {
  TEEC_Session s{};
  ASSERT_EQ(open(&s), TEEC_SUCCESS);
  char in[] = "hello, trusted world";
  char out[64] = {};
  TEEC_Operation op{};
  op.paramTypes =
      TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_OUTPUT, TEEC_NONE, TEEC_NONE);
  op.params[0].tmpref = {in, sizeof in};
  op.params[1].tmpref = {out, sizeof out};
  uint32_t origin = 0;
  ASSERT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_COPY, &op, &origin), TEEC_SUCCESS);
  EXPECT_EQ(op.params[1].tmpref.size, sizeof in);
  EXPECT_STREQ(out, in);
  EXPECT_EQ(op.params[0].tmpref.size, sizeof in);  // inputs keep their size

  char small[4] = {'x', 'x', 'x', 'x'};
  op.params[1].tmpref = {small, sizeof small};
  EXPECT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_COPY, &op, &origin), TEEC_ERROR_SHORT_BUFFER);
  EXPECT_EQ(origin, TEEC_ORIGIN_TRUSTED_APP);
  EXPECT_EQ(op.params[1].tmpref.size, sizeof in);  // the required size
  EXPECT_EQ(small[0], 'x');

  // A NULL temporary memref of size 0 is allowed.
  op.params[0].tmpref = {nullptr, 0};
  op.params[1].tmpref = {out, sizeof out};
  ASSERT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_COPY, &op, &origin), TEEC_SUCCESS);
  EXPECT_EQ(op.params[1].tmpref.size, 0u);
  TEEC_CloseSession(&s);
}

TEST_F(TeecMemory, AllocatedSharedMemoryWholeAndPartial) {
  TEEC_Session s{};
  ASSERT_EQ(open(&s), TEEC_SUCCESS);
  TEEC_SharedMemory shm{};
  shm.size = 32 * 1024;
  shm.flags = TEEC_MEM_INPUT | TEEC_MEM_OUTPUT;
  ASSERT_EQ(TEEC_AllocateSharedMemory(&ctx_, &shm), TEEC_SUCCESS);
  ASSERT_NE(shm.buffer, nullptr);
  auto *b = static_cast<uint8_t *>(shm.buffer);
  uint32_t sum = 0;
  for (size_t i = 0; i < shm.size; ++i) {
    b[i] = static_cast<uint8_t>(i * 7);
    sum += b[i];
  }
  TEEC_Operation op{};
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_MEMREF_WHOLE, TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE);
  op.params[0].memref.parent = &shm;
  uint32_t origin = 0;
  ASSERT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_INVERT, &op, &origin), TEEC_SUCCESS);
  EXPECT_EQ(op.params[1].value.a, sum);
  EXPECT_EQ(op.params[1].value.b, 32u * 1024);
  EXPECT_EQ(op.params[0].memref.size, 32u * 1024);
  for (size_t i = 0; i < shm.size; ++i) {
    ASSERT_EQ(b[i], static_cast<uint8_t>(~(i * 7))) << i;
  }
  // A partial window: only bytes [100, 110) change back.
  op.paramTypes =
      TEEC_PARAM_TYPES(TEEC_MEMREF_PARTIAL_INOUT, TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE);
  op.params[0].memref = {&shm, 10, 100};
  ASSERT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_INVERT, &op, &origin), TEEC_SUCCESS);
  EXPECT_EQ(op.params[1].value.b, 10u);
  EXPECT_EQ(b[99], static_cast<uint8_t>(~(99 * 7)));
  EXPECT_EQ(b[100], static_cast<uint8_t>(100 * 7));
  EXPECT_EQ(b[109], static_cast<uint8_t>(109 * 7));
  EXPECT_EQ(b[110], static_cast<uint8_t>(~(110 * 7)));
  // A window over 4 KiB, on only some of the pages: a copy in a call object,
  // the TA's output copied back into the window alone.
  op.params[0].memref = {&shm, 5000, 8192};
  ASSERT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_INVERT, &op, &origin), TEEC_SUCCESS);
  EXPECT_EQ(op.params[1].value.b, 5000u);
  EXPECT_EQ(op.params[0].memref.size, 5000u);
  for (size_t i = 8000; i < 13400; ++i) {
    const auto inverted = static_cast<uint8_t>(~(i * 7));
    ASSERT_EQ(b[i], (i >= 8192 && i < 13192) ? static_cast<uint8_t>(i * 7) : inverted) << i;
  }
  TEEC_ReleaseSharedMemory(&shm);
  TEEC_CloseSession(&s);
}

TEST_F(TeecMemory, RegisteredSharedMemory) {
  TEEC_Session s{};
  ASSERT_EQ(open(&s), TEEC_SUCCESS);
  std::vector<uint8_t> user(32 * 1024, 0x0F);
  TEEC_SharedMemory shm{};
  shm.buffer = user.data();
  shm.size = user.size();
  shm.flags = TEEC_MEM_INPUT | TEEC_MEM_OUTPUT;
  ASSERT_EQ(TEEC_RegisterSharedMemory(&ctx_, &shm), TEEC_SUCCESS);
  TEEC_Operation op{};
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_MEMREF_WHOLE, TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE);
  op.params[0].memref.parent = &shm;
  uint32_t origin = 0;
  ASSERT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_INVERT, &op, &origin), TEEC_SUCCESS);
  EXPECT_EQ(op.params[1].value.a, 0x0Fu * 32 * 1024);
  EXPECT_EQ(user.front(), 0xF0);
  EXPECT_EQ(user.back(), 0xF0);
  TEEC_ReleaseSharedMemory(&shm);

  // Input-only memory: a PARTIAL_INPUT copy works, PARTIAL_OUTPUT does not.
  char text[] = "registered";
  TEEC_SharedMemory in{};
  in.buffer = text;
  in.size = sizeof text;
  in.flags = TEEC_MEM_INPUT;
  ASSERT_EQ(TEEC_RegisterSharedMemory(&ctx_, &in), TEEC_SUCCESS);
  char out[32] = {};
  op.paramTypes =
      TEEC_PARAM_TYPES(TEEC_MEMREF_PARTIAL_INPUT, TEEC_MEMREF_TEMP_OUTPUT, TEEC_NONE, TEEC_NONE);
  op.params[0].memref = {&in, sizeof text, 0};
  op.params[1].tmpref = {out, sizeof out};
  ASSERT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_COPY, &op, &origin), TEEC_SUCCESS);
  EXPECT_STREQ(out, text);
  op.paramTypes =
      TEEC_PARAM_TYPES(TEEC_MEMREF_PARTIAL_INPUT, TEEC_MEMREF_PARTIAL_OUTPUT, TEEC_NONE, TEEC_NONE);
  op.params[1].memref = {&in, sizeof text, 0};
  EXPECT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_COPY, &op, &origin), TEEC_ERROR_BAD_PARAMETERS);
  EXPECT_EQ(origin, TEEC_ORIGIN_API);
  TEEC_ReleaseSharedMemory(&in);
  TEEC_CloseSession(&s);
}

TEST_F(TeecMemory, BadMemrefBoundsAndTypesAreApiErrors) {
  TEEC_Session s{};
  ASSERT_EQ(open(&s), TEEC_SUCCESS);
  TEEC_SharedMemory shm{};
  shm.size = 64;
  shm.flags = TEEC_MEM_INPUT | TEEC_MEM_OUTPUT;
  ASSERT_EQ(TEEC_AllocateSharedMemory(&ctx_, &shm), TEEC_SUCCESS);
  TEEC_Operation op{};
  op.paramTypes =
      TEEC_PARAM_TYPES(TEEC_MEMREF_PARTIAL_INOUT, TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE);
  uint32_t origin = 0;
  op.params[0].memref = {&shm, 60, 8};  // 8 + 60 > 64
  EXPECT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_INVERT, &op, &origin), TEEC_ERROR_BAD_PARAMETERS);
  EXPECT_EQ(origin, TEEC_ORIGIN_API);
  op.params[0].memref = {&shm, SIZE_MAX, 2};  // overflow
  EXPECT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_INVERT, &op, &origin), TEEC_ERROR_BAD_PARAMETERS);
  op.params[0].memref = {nullptr, 4, 0};  // no parent
  EXPECT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_INVERT, &op, &origin), TEEC_ERROR_BAD_PARAMETERS);
  op.paramTypes = 0x4;  // not a parameter type
  EXPECT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_INVERT, &op, &origin), TEEC_ERROR_BAD_PARAMETERS);
  op.paramTypes = 0x10000;  // upper bits
  EXPECT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_INVERT, &op, &origin), TEEC_ERROR_BAD_PARAMETERS);
  EXPECT_EQ(origin, TEEC_ORIGIN_API);
  // Login data rules.
  TEEC_UUID uuid = TEEC_TEST_TA_UUID;
  TEEC_Session s2{};
  uint32_t group = 0;
  EXPECT_EQ(TEEC_OpenSession(&ctx_, &s2, &uuid, TEEC_LOGIN_PUBLIC, &group, nullptr, &origin),
            TEEC_ERROR_BAD_PARAMETERS);
  EXPECT_EQ(origin, TEEC_ORIGIN_API);
  EXPECT_EQ(TEEC_OpenSession(&ctx_, &s2, &uuid, TEEC_LOGIN_GROUP, nullptr, nullptr, &origin),
            TEEC_ERROR_BAD_PARAMETERS);
  EXPECT_EQ(TEEC_OpenSession(&ctx_, nullptr, &uuid, TEEC_LOGIN_PUBLIC, nullptr, nullptr, &origin),
            TEEC_ERROR_BAD_PARAMETERS);
  TEEC_ReleaseSharedMemory(&shm);
  TEEC_CloseSession(&s);
}

// Allocate and register with IN, OUT and INOUT, zero-length and 32 KiB
// buffers, and use each as a MEMREF_WHOLE.
TEST_F(TeecMemory, SharedMemoryVariantsWorkAsWholeMemrefs) {
  TEEC_Session s{};
  ASSERT_EQ(open(&s), TEEC_SUCCESS);
  for (bool allocate : {true, false}) {
    for (uint32_t flags : {TEEC_MEM_INPUT, TEEC_MEM_OUTPUT, TEEC_MEM_INPUT | TEEC_MEM_OUTPUT}) {
      for (size_t size : {size_t{0}, size_t{100}, size_t{32 * 1024}}) {
        SCOPED_TRACE(testing::Message() << (allocate ? "allocated" : "registered") << " flags "
                                        << flags << " size " << size);
        std::vector<uint8_t> user(size + 1);
        TEEC_SharedMemory shm{};
        shm.size = size;
        shm.flags = flags;
        if (allocate) {
          ASSERT_EQ(TEEC_AllocateSharedMemory(&ctx_, &shm), TEEC_SUCCESS);
        } else {
          shm.buffer = user.data();
          ASSERT_EQ(TEEC_RegisterSharedMemory(&ctx_, &shm), TEEC_SUCCESS);
        }
        ASSERT_NE(shm.buffer, nullptr);
        auto *b = static_cast<uint8_t *>(shm.buffer);
        for (size_t i = 0; i < size; ++i) {
          b[i] = static_cast<uint8_t>(i + 3);
        }
        const uint32_t sum = byte_sum(b, size);
        TEEC_Operation op{};
        op.paramTypes =
            TEEC_PARAM_TYPES(TEEC_MEMREF_WHOLE, TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE);
        op.params[0].memref.parent = &shm;
        uint32_t origin = 0;
        ASSERT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_MEMREF_INFO, &op, &origin), TEEC_SUCCESS);
        EXPECT_EQ(op.params[1].value.b, size);
        EXPECT_EQ(op.params[1].value.a, (flags & TEEC_MEM_INPUT) ? sum : 0u);
        if (flags & TEEC_MEM_OUTPUT) {
          EXPECT_EQ(op.params[0].memref.size, size);
          EXPECT_EQ(std::count(b, b + size, 0x5A), static_cast<long>(size));
        } else {
          EXPECT_EQ(byte_sum(b, size), sum);  // an input-only buffer never changes
        }
        TEEC_ReleaseSharedMemory(&shm);
        TEEC_ReleaseSharedMemory(&shm);  // a second release is a no-op
      }
    }
  }
  TEEC_CloseSession(&s);
}

TEST_F(TeecMemory, HugeAndMalformedSharedMemoryIsRefused) {
  TEEC_SharedMemory huge{};
  huge.size = SIZE_MAX / 2;
  huge.flags = TEEC_MEM_INPUT;
  EXPECT_EQ(TEEC_AllocateSharedMemory(&ctx_, &huge), TEEC_ERROR_OUT_OF_MEMORY);
  uint8_t byte = 0;
  huge.buffer = &byte;
  EXPECT_EQ(TEEC_RegisterSharedMemory(&ctx_, &huge), TEEC_ERROR_OUT_OF_MEMORY);
  huge.size = (16u << 20) + 1;  // libminkteec's limit is 16 MiB
  EXPECT_EQ(TEEC_RegisterSharedMemory(&ctx_, &huge), TEEC_ERROR_OUT_OF_MEMORY);
  EXPECT_EQ(TEEC_AllocateSharedMemory(&ctx_, &huge), TEEC_ERROR_OUT_OF_MEMORY);

  TEEC_SharedMemory bad{};
  bad.size = 16;
  bad.flags = 0;
  EXPECT_EQ(TEEC_AllocateSharedMemory(&ctx_, &bad), TEEC_ERROR_BAD_PARAMETERS);
  bad.flags = 0x100;
  EXPECT_EQ(TEEC_AllocateSharedMemory(&ctx_, &bad), TEEC_ERROR_BAD_PARAMETERS);
  bad.flags = TEEC_MEM_INPUT;
  bad.buffer = nullptr;
  EXPECT_EQ(TEEC_RegisterSharedMemory(&ctx_, &bad), TEEC_ERROR_BAD_PARAMETERS);
  EXPECT_EQ(TEEC_RegisterSharedMemory(nullptr, &bad), TEEC_ERROR_BAD_PARAMETERS);
  EXPECT_EQ(TEEC_AllocateSharedMemory(&ctx_, nullptr), TEEC_ERROR_BAD_PARAMETERS);
}

// Registered memory: only the window a memref names is copied in, and only
// what the TA produced comes back.
TEST_F(TeecMemory, RegisteredMemoryCopiesOnlyTheNamedWindow) {
  TEEC_Session s{};
  ASSERT_EQ(open(&s), TEEC_SUCCESS);
  std::vector<uint8_t> user(32 * 1024);
  for (size_t i = 0; i < user.size(); ++i) {
    user[i] = static_cast<uint8_t>(i * 7);
  }
  TEEC_SharedMemory shm{};
  shm.buffer = user.data();
  shm.size = user.size();
  shm.flags = TEEC_MEM_INPUT | TEEC_MEM_OUTPUT;
  ASSERT_EQ(TEEC_RegisterSharedMemory(&ctx_, &shm), TEEC_SUCCESS);
  TEEC_Operation op{};
  op.paramTypes =
      TEEC_PARAM_TYPES(TEEC_MEMREF_PARTIAL_INOUT, TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE);
  op.params[0].memref = {&shm, 10, 100};
  const uint32_t window_sum = byte_sum(user.data() + 100, 10);
  uint32_t origin = 0;
  ASSERT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_INVERT, &op, &origin), TEEC_SUCCESS);
  EXPECT_EQ(op.params[1].value.a, window_sum);
  EXPECT_EQ(op.params[1].value.b, 10u);
  EXPECT_EQ(op.params[0].memref.size, 10u);
  for (size_t i = 0; i < user.size(); ++i) {
    uint8_t want = static_cast<uint8_t>(i * 7);
    ASSERT_EQ(user[i], (i >= 100 && i < 110) ? static_cast<uint8_t>(~want) : want) << i;
  }
  // The client changes bytes inside and outside the window between calls:
  // the TA sees the new window, and the bytes outside stay the client's.
  user[0] = 0x11;
  std::memset(user.data() + 100, 0x01, 10);
  ASSERT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_INVERT, &op, &origin), TEEC_SUCCESS);
  EXPECT_EQ(op.params[1].value.a, 10u);  // ten bytes of 0x01
  EXPECT_EQ(user[0], 0x11);
  EXPECT_EQ(user[100], 0xFE);
  EXPECT_EQ(user[110], static_cast<uint8_t>(110 * 7));
  TEEC_ReleaseSharedMemory(&shm);
  TEEC_CloseSession(&s);
}

TEST_F(TeecMemory, RegisteredOutputReportsShortBufferAndCopiesOnlyWhatWasProduced) {
  TEEC_Session s{};
  ASSERT_EQ(open(&s), TEEC_SUCCESS);
  std::vector<uint8_t> in(5000);  // over 4 KiB: a call memory object
  for (size_t i = 0; i < in.size(); ++i) {
    in[i] = static_cast<uint8_t>(i);
  }
  std::vector<uint8_t> user(8 * 1024, 'x');
  TEEC_SharedMemory shm{};
  shm.buffer = user.data();
  shm.size = user.size();
  shm.flags = TEEC_MEM_OUTPUT;
  ASSERT_EQ(TEEC_RegisterSharedMemory(&ctx_, &shm), TEEC_SUCCESS);
  TEEC_Operation op{};
  op.paramTypes =
      TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_PARTIAL_OUTPUT, TEEC_NONE, TEEC_NONE);
  op.params[0].tmpref = {in.data(), in.size()};
  op.params[1].memref = {&shm, 4500, 1000};
  uint32_t origin = 0;
  EXPECT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_COPY, &op, &origin), TEEC_ERROR_SHORT_BUFFER);
  EXPECT_EQ(origin, TEEC_ORIGIN_TRUSTED_APP);
  EXPECT_EQ(op.params[1].memref.size, in.size());  // the required size
  EXPECT_EQ(std::count(user.begin(), user.end(), 'x'), static_cast<long>(user.size()));

  op.params[1].memref = {&shm, 6000, 1000};
  ASSERT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_COPY, &op, &origin), TEEC_SUCCESS);
  EXPECT_EQ(op.params[1].memref.size, in.size());
  EXPECT_EQ(std::memcmp(user.data() + 1000, in.data(), in.size()), 0);
  EXPECT_EQ(std::count(user.begin(), user.begin() + 1000, 'x'), 1000);
  EXPECT_EQ(std::count(user.begin() + 6000, user.end(), 'x'),
            static_cast<long>(user.size() - 6000));

  // A WHOLE output memref over output-only memory: the TA writes it all.
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_WHOLE, TEEC_NONE, TEEC_NONE);
  op.params[1].memref = {&shm, 0, 0};
  ASSERT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_COPY, &op, &origin), TEEC_SUCCESS);
  EXPECT_EQ(op.params[1].memref.size, in.size());
  EXPECT_EQ(std::memcmp(user.data(), in.data(), in.size()), 0);
  TEEC_ReleaseSharedMemory(&shm);
  TEEC_CloseSession(&s);
}

// Temporary memrefs over 4 KiB travel as a memory object made for the call,
// so they are not bound by the channel's 4 MiB message limit: 8 MiB in and
// out works, up to libminkteec's 16 MiB.
TEST_F(TeecMemory, LargeTemporaryMemrefsTravelAsMemoryObjects) {
  TEEC_Session s{};
  ASSERT_EQ(open(&s), TEEC_SUCCESS);
  std::vector<uint8_t> big(8u << 20);
  for (size_t i = 0; i < big.size(); ++i) {
    big[i] = static_cast<uint8_t>(i >> 8);
  }
  const uint32_t sum = byte_sum(big.data(), big.size());
  TEEC_Operation op{};
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INOUT, TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE);
  op.params[0].tmpref = {big.data(), big.size()};
  uint32_t origin = 0;
  ASSERT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_INVERT, &op, &origin), TEEC_SUCCESS);
  EXPECT_EQ(op.params[1].value.a, sum);
  EXPECT_EQ(op.params[1].value.b, big.size());
  EXPECT_EQ(op.params[0].tmpref.size, big.size());
  for (size_t i = 0; i < big.size(); i += 4093) {
    ASSERT_EQ(big[i], static_cast<uint8_t>(~(i >> 8))) << i;
  }
  // Over 16 MiB is refused before anything is sent.
  std::vector<uint8_t> too_big((16u << 20) + 1);
  op.params[0].tmpref = {too_big.data(), too_big.size()};
  EXPECT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_INVERT, &op, &origin), TEEC_ERROR_BAD_PARAMETERS);
  EXPECT_EQ(origin, TEEC_ORIGIN_API);
  // An open session's operation takes the same path.
  TEEC_Session s2{};
  TEEC_Operation open_op{};
  open_op.paramTypes = TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
  open_op.params[0].tmpref = {big.data(), 64 * 1024};
  ASSERT_EQ(open(&s2, &origin, &open_op), TEEC_SUCCESS);
  TEEC_CloseSession(&s2);
  TEEC_CloseSession(&s);
}

// A session reuses the memory objects of its large temporary memrefs: every
// call still sees only its own bytes, and the client gets back only what the
// TA produced (never bytes an earlier call left in a reused object).
TEST_F(TeecMemory, ReusedCallObjectsCarryOnlyTheirCallsBytes) {
  TEEC_Session s{};
  ASSERT_EQ(open(&s), TEEC_SUCCESS);
  uint32_t origin = 0;
  for (int i = 0; i < 6; ++i) {
    const size_t size = (i % 2 == 0) ? 9000 : 5000;  // two size classes, alternating
    std::vector<uint8_t> buf(size, static_cast<uint8_t>(i + 1));
    TEEC_Operation op{};
    op.paramTypes =
        TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INOUT, TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE);
    op.params[0].tmpref = {buf.data(), size};
    ASSERT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_INVERT, &op, &origin), TEEC_SUCCESS);
    EXPECT_EQ(op.params[1].value.a, (i + 1) * size);
    EXPECT_EQ(std::count(buf.begin(), buf.end(), static_cast<uint8_t>(~(i + 1))),
              static_cast<long>(size));
  }
  // An output-only memref larger than what the TA writes: the rest of the
  // client's buffer stays as it was.
  std::vector<uint8_t> in(5000, 0x42), out(9000, 'x');
  TEEC_Operation op{};
  op.paramTypes =
      TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_OUTPUT, TEEC_NONE, TEEC_NONE);
  op.params[0].tmpref = {in.data(), in.size()};
  op.params[1].tmpref = {out.data(), out.size()};
  ASSERT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_COPY, &op, &origin), TEEC_SUCCESS);
  EXPECT_EQ(op.params[1].tmpref.size, in.size());
  EXPECT_EQ(std::count(out.begin(), out.begin() + 5000, 0x42), 5000);
  EXPECT_EQ(std::count(out.begin() + 5000, out.end(), 'x'), 4000);
  // Too small: SHORT_BUFFER with the required size, the buffer untouched.
  op.params[1].tmpref = {out.data(), 4500};
  std::fill(out.begin(), out.end(), 'y');
  EXPECT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_COPY, &op, &origin), TEEC_ERROR_SHORT_BUFFER);
  EXPECT_EQ(op.params[1].tmpref.size, in.size());
  EXPECT_EQ(std::count(out.begin(), out.end(), 'y'), 9000);
  TEEC_CloseSession(&s);
}

// Whatever the TA does with an input memref, the client's buffer does not
// change: inline copies are the TA's own, and memory objects of input
// memrefs are mapped read-only (a write kills the TA).
TEST_F(TeecMemory, InputMemrefsAreNeverWrittenBack) {
  struct Case {
    const char *what;
    bool dies;
  };
  std::vector<uint8_t> user(32 * 1024, 0x33);
  auto run = [&](const Case &c, TEEC_Operation &op) {
    SCOPED_TRACE(c.what);
    TEEC_Session s{};
    ASSERT_EQ(open(&s), TEEC_SUCCESS);
    uint32_t origin = 0;
    TEEC_Result r = TEEC_InvokeCommand(&s, TEEC_TEST_CMD_WRITE_INPUT, &op, &origin);
    EXPECT_EQ(r, c.dies ? TEEC_ERROR_TARGET_DEAD : TEEC_SUCCESS);
    TEEC_CloseSession(&s);
  };
  TEEC_Operation op{};
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
  op.params[0].tmpref = {user.data(), 16};
  run({"small temporary", false}, op);
  op.params[0].tmpref = {user.data(), user.size()};
  run({"large temporary", true}, op);
  EXPECT_EQ(std::count(user.begin(), user.end(), 0x33), static_cast<long>(user.size()));

  for (uint32_t flags : {TEEC_MEM_INPUT, TEEC_MEM_INPUT | TEEC_MEM_OUTPUT}) {
    for (size_t size : {size_t{64}, user.size()}) {
      TEEC_SharedMemory shm{};
      shm.buffer = user.data();
      shm.size = size;
      shm.flags = flags;
      ASSERT_EQ(TEEC_RegisterSharedMemory(&ctx_, &shm), TEEC_SUCCESS);
      op.paramTypes =
          TEEC_PARAM_TYPES(flags == TEEC_MEM_INPUT ? TEEC_MEMREF_WHOLE : TEEC_MEMREF_PARTIAL_INPUT,
                           TEEC_NONE, TEEC_NONE, TEEC_NONE);
      op.params[0].memref = {&shm, size, 0};
      run({size > 4096 ? "large registered" : "small registered", size > 4096}, op);
      TEEC_ReleaseSharedMemory(&shm);
      EXPECT_EQ(std::count(user.begin(), user.end(), 0x33), static_cast<long>(user.size()));
    }
  }
  TEEC_SharedMemory alloc{};
  alloc.size = user.size();
  alloc.flags = TEEC_MEM_INPUT | TEEC_MEM_OUTPUT;
  ASSERT_EQ(TEEC_AllocateSharedMemory(&ctx_, &alloc), TEEC_SUCCESS);
  std::memset(alloc.buffer, 0x33, alloc.size);
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_MEMREF_PARTIAL_INPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
  op.params[0].memref = {&alloc, alloc.size, 0};
  run({"allocated, partial input", true}, op);
  auto *a = static_cast<uint8_t *>(alloc.buffer);
  EXPECT_EQ(std::count(a, a + alloc.size, 0x33), static_cast<long>(alloc.size));
  TEEC_ReleaseSharedMemory(&alloc);
}

// TEE_CheckMemoryAccessRights inside the TA, with the memrefs as inline
// copies and as memory objects.
TEST_F(TeecMemory, CheckMemoryAccessRightsInsideTheTa) {
  TEEC_Session s{};
  ASSERT_EQ(open(&s), TEEC_SUCCESS);
  auto check = [&](const char *what, TEEC_Operation &op) {
    SCOPED_TRACE(what);
    uint32_t origin = 0;
    ASSERT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_ACCESS_RIGHTS, &op, &origin), TEEC_SUCCESS);
    EXPECT_EQ(op.params[2].value.a, 0u) << "bit n set: check n in teec_test_ta.c failed";
    EXPECT_EQ(op.params[2].value.b, uint32_t{TEEC_TEST_ACCESS_RIGHTS_CHECKS});
  };
  uint8_t in[16] = {1}, inout[16] = {2};
  TEEC_Operation op{};
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_INOUT,
                                   TEEC_VALUE_OUTPUT, TEEC_VALUE_INPUT);
  op.params[0].tmpref = {in, sizeof in};
  op.params[1].tmpref = {inout, sizeof inout};
  op.params[3].value.a = 0;
  check("temporary memrefs", op);

  std::vector<uint8_t> user_in(32 * 1024, 1), user_inout(32 * 1024, 2);
  for (bool allocate : {true, false}) {
    TEEC_SharedMemory a{}, b{};
    a.size = user_in.size();
    a.flags = TEEC_MEM_INPUT;
    b.size = user_inout.size();
    b.flags = TEEC_MEM_INPUT | TEEC_MEM_OUTPUT;
    if (allocate) {
      ASSERT_EQ(TEEC_AllocateSharedMemory(&ctx_, &a), TEEC_SUCCESS);
      ASSERT_EQ(TEEC_AllocateSharedMemory(&ctx_, &b), TEEC_SUCCESS);
    } else {
      a.buffer = user_in.data();
      b.buffer = user_inout.data();
      ASSERT_EQ(TEEC_RegisterSharedMemory(&ctx_, &a), TEEC_SUCCESS);
      ASSERT_EQ(TEEC_RegisterSharedMemory(&ctx_, &b), TEEC_SUCCESS);
    }
    op.paramTypes = TEEC_PARAM_TYPES(TEEC_MEMREF_PARTIAL_INPUT, TEEC_MEMREF_PARTIAL_INOUT,
                                     TEEC_VALUE_OUTPUT, TEEC_VALUE_INPUT);
    // A window over 4 KiB travels in a memory object (a copy of it, or the
    // allocated object itself): the rest of its last page is client memory
    // too. The 16-byte window travels inline.
    op.params[0].memref = {&a, 5000, 0};
    op.params[1].memref = {&b, 16, 64};
    op.params[3].value.a = 1;  // the bytes after params[0]'s window are shared too
    check(allocate ? "allocated memory" : "registered memory", op);
    TEEC_ReleaseSharedMemory(&a);
    TEEC_ReleaseSharedMemory(&b);
  }
  TEEC_CloseSession(&s);
}

TEST_F(TeecMemory, MemrefsOverForeignOrReleasedMemoryAreApiErrors) {
  TEEC_Session s{};
  ASSERT_EQ(open(&s), TEEC_SUCCESS);
  TEEC_Context other{};
  ASSERT_EQ(TEEC_InitializeContext(nullptr, &other), TEEC_SUCCESS);
  std::vector<uint8_t> user(8 * 1024);
  TEEC_SharedMemory foreign{};
  foreign.buffer = user.data();
  foreign.size = user.size();
  foreign.flags = TEEC_MEM_INPUT | TEEC_MEM_OUTPUT;
  ASSERT_EQ(TEEC_RegisterSharedMemory(&other, &foreign), TEEC_SUCCESS);
  TEEC_Operation op{};
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_MEMREF_WHOLE, TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE);
  op.params[0].memref.parent = &foreign;
  uint32_t origin = 0;
  EXPECT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_MEMREF_INFO, &op, &origin),
            TEEC_ERROR_BAD_PARAMETERS);
  EXPECT_EQ(origin, TEEC_ORIGIN_API);
  TEEC_ReleaseSharedMemory(&foreign);
  TEEC_FinalizeContext(&other);

  TEEC_SharedMemory shm{};
  shm.buffer = user.data();
  shm.size = user.size();
  shm.flags = TEEC_MEM_INPUT | TEEC_MEM_OUTPUT;
  ASSERT_EQ(TEEC_RegisterSharedMemory(&ctx_, &shm), TEEC_SUCCESS);
  op.paramTypes =
      TEEC_PARAM_TYPES(TEEC_MEMREF_PARTIAL_INPUT, TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE);
  op.params[0].memref = {&shm, 1, user.size()};  // one byte past the end
  EXPECT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_MEMREF_INFO, &op, &origin),
            TEEC_ERROR_BAD_PARAMETERS);
  op.params[0].memref = {&shm, 0, user.size()};  // an empty window at the end is fine
  EXPECT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_MEMREF_INFO, &op, &origin), TEEC_SUCCESS);
  EXPECT_EQ(op.params[1].value.b, 0u);
  TEEC_ReleaseSharedMemory(&shm);
  op.params[0].memref = {&shm, 16, 0};  // released
  EXPECT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_MEMREF_INFO, &op, &origin),
            TEEC_ERROR_BAD_PARAMETERS);
  EXPECT_EQ(origin, TEEC_ORIGIN_API);
  TEEC_CloseSession(&s);
}

}  // namespace
