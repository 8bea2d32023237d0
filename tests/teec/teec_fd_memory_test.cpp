// TEEC_RegisterSharedMemoryFileDescriptor (tee_client_api_extensions.h)
// against a real capteed: a sealable memfd shared without a copy, other
// descriptors shared as copies of each call's window, the memory kept alive
// after the caller closes its descriptor, and every malformed registration
// refused.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <thread>

#include "tee_client_api_extensions.h"
#include "teec_fixture.hpp"
#include "teec_test_ta.h"

namespace {

class TeecFdMemory : public captee::test::Teec {};

// A memfd of `size` bytes and the caller's own mapping of it.
struct Memfd {
  int fd = -1;
  uint8_t *bytes = nullptr;
  size_t size = 0;
  Memfd(size_t n, unsigned flags) : size(n) {
    fd = ::memfd_create("teec-fd-test", MFD_CLOEXEC | flags);
    if (fd >= 0 && ::ftruncate(fd, static_cast<off_t>(n)) == 0 && n != 0) {
      void *p = ::mmap(nullptr, n, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
      bytes = p == MAP_FAILED ? nullptr : static_cast<uint8_t *>(p);
    }
  }
  ~Memfd() {
    if (bytes != nullptr) {
      ::munmap(bytes, size);
    }
    if (fd >= 0) {
      ::close(fd);
    }
  }
  void close_fd() {
    ::close(fd);
    fd = -1;
  }
};

TEST_F(TeecFdMemory, SealableMemfdIsSharedWithoutACopy) {
  TEEC_Session s{};
  ASSERT_EQ(open(&s), TEEC_SUCCESS);
  Memfd m(64 * 1024, MFD_ALLOW_SEALING);
  ASSERT_NE(m.bytes, nullptr);
  TEEC_SharedMemory shm{};
  shm.flags = TEEC_MEM_INPUT | TEEC_MEM_OUTPUT;
  ASSERT_EQ(TEEC_RegisterSharedMemoryFileDescriptor(&ctx_, &shm, m.fd), TEEC_SUCCESS);
  EXPECT_EQ(shm.size, m.size) << "size 0 means the whole descriptor";
  EXPECT_EQ(shm.buffer, nullptr) << "as OP-TEE: the caller uses its own mapping";
  EXPECT_NE(::fcntl(m.fd, F_GET_SEALS) & F_SEAL_SHRINK, 0);
  m.close_fd();  // libteec keeps the memory alive

  auto *b = static_cast<volatile uint8_t *>(m.bytes);
  b[0] = 0;
  b[1] = 0;
  TEEC_Operation op{};
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_MEMREF_WHOLE, TEEC_NONE, TEEC_NONE, TEEC_NONE);
  op.params[0].memref.parent = &shm;
  uint32_t origin = 0;
  TEEC_Result r = 0;
  std::thread t([&] { r = TEEC_InvokeCommand(&s, TEEC_TEST_CMD_SEE_LIVE_WRITE, &op, &origin); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  b[0] = 0x5A;  // seen by the TA during its call only if it maps the same pages
  t.join();
  EXPECT_EQ(r, TEEC_SUCCESS);
  EXPECT_EQ(b[1], 0xA5);
  TEEC_ReleaseSharedMemory(&shm);
  TEEC_CloseSession(&s);
}

TEST_F(TeecFdMemory, UnsealableDescriptorsTravelAsCopiesOfTheWindow) {
  TEEC_Session s{};
  ASSERT_EQ(open(&s), TEEC_SUCCESS);
  Memfd m(8192, 0);  // no MFD_ALLOW_SEALING: a TA must never map it
  ASSERT_NE(m.bytes, nullptr);
  for (size_t i = 0; i < m.size; ++i) {
    m.bytes[i] = static_cast<uint8_t>(i * 3);
  }
  TEEC_SharedMemory shm{};
  shm.size = 6000;  // only the first 6000 bytes are shared
  shm.flags = TEEC_MEM_INPUT | TEEC_MEM_OUTPUT;
  ASSERT_EQ(TEEC_RegisterSharedMemoryFileDescriptor(&ctx_, &shm, m.fd), TEEC_SUCCESS);
  EXPECT_EQ(shm.size, 6000u);
  TEEC_Operation op{};
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_MEMREF_WHOLE, TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE);
  op.params[0].memref.parent = &shm;
  uint32_t origin = 0;
  ASSERT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_INVERT, &op, &origin), TEEC_SUCCESS);
  EXPECT_EQ(op.params[1].value.b, 6000u);
  for (size_t i = 0; i < m.size; ++i) {
    const auto orig = static_cast<uint8_t>(i * 3);
    ASSERT_EQ(m.bytes[i], i < 6000 ? static_cast<uint8_t>(~orig) : orig) << i;
  }
  // A window: only [100, 110) changes back.
  op.paramTypes =
      TEEC_PARAM_TYPES(TEEC_MEMREF_PARTIAL_INOUT, TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE);
  op.params[0].memref = {&shm, 10, 100};
  ASSERT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_INVERT, &op, &origin), TEEC_SUCCESS);
  EXPECT_EQ(m.bytes[99], static_cast<uint8_t>(~(99 * 3)));
  EXPECT_EQ(m.bytes[100], static_cast<uint8_t>(100 * 3));
  EXPECT_EQ(m.bytes[110], static_cast<uint8_t>(~(110 * 3)));
  // A window past the registered size is refused before anything travels.
  op.params[0].memref = {&shm, 10, 5995};
  EXPECT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_INVERT, &op, &origin), TEEC_ERROR_BAD_PARAMETERS);
  EXPECT_EQ(origin, TEEC_ORIGIN_API);
  TEEC_ReleaseSharedMemory(&shm);
  TEEC_CloseSession(&s);
}

// An input-only registration hands the TA nothing it can write: a TA writing
// its input dies on the read-only pages (zero-copy) or writes a copy that
// never comes back.
TEST_F(TeecFdMemory, InputOnlyMemoryNeverChangesUnderTheTa) {
  for (unsigned seal : {0u, unsigned{MFD_ALLOW_SEALING}}) {
    SCOPED_TRACE(seal ? "sealable" : "unsealable");
    Memfd m(4096, seal);
    ASSERT_NE(m.bytes, nullptr);
    std::memset(m.bytes, 0x33, m.size);
    TEEC_SharedMemory shm{};
    shm.flags = TEEC_MEM_INPUT;
    ASSERT_EQ(TEEC_RegisterSharedMemoryFileDescriptor(&ctx_, &shm, m.fd), TEEC_SUCCESS);
    TEEC_Session s{};
    ASSERT_EQ(open(&s), TEEC_SUCCESS);
    TEEC_Operation op{};
    op.paramTypes = TEEC_PARAM_TYPES(TEEC_MEMREF_WHOLE, TEEC_NONE, TEEC_NONE, TEEC_NONE);
    op.params[0].memref.parent = &shm;
    uint32_t origin = 0;
    const TEEC_Result r = TEEC_InvokeCommand(&s, TEEC_TEST_CMD_WRITE_INPUT, &op, &origin);
    EXPECT_EQ(r, seal ? TEEC_ERROR_TARGET_DEAD : TEEC_SUCCESS);
    EXPECT_EQ(std::count(m.bytes, m.bytes + m.size, 0x33), static_cast<long>(m.size));
    TEEC_CloseSession(&s);
    TEEC_ReleaseSharedMemory(&shm);
  }
}

TEST_F(TeecFdMemory, MalformedRegistrationsAreRefused) {
  Memfd m(4096, MFD_ALLOW_SEALING);
  ASSERT_GE(m.fd, 0);
  TEEC_SharedMemory shm{};
  shm.flags = TEEC_MEM_INPUT;
  EXPECT_EQ(TEEC_RegisterSharedMemoryFileDescriptor(nullptr, &shm, m.fd),
            TEEC_ERROR_BAD_PARAMETERS);
  EXPECT_EQ(TEEC_RegisterSharedMemoryFileDescriptor(&ctx_, nullptr, m.fd),
            TEEC_ERROR_BAD_PARAMETERS);
  EXPECT_EQ(TEEC_RegisterSharedMemoryFileDescriptor(&ctx_, &shm, -1), TEEC_ERROR_BAD_PARAMETERS);
  shm.flags = 0;
  EXPECT_EQ(TEEC_RegisterSharedMemoryFileDescriptor(&ctx_, &shm, m.fd), TEEC_ERROR_BAD_PARAMETERS);
  shm.flags = 0x10 | TEEC_MEM_INPUT;
  EXPECT_EQ(TEEC_RegisterSharedMemoryFileDescriptor(&ctx_, &shm, m.fd), TEEC_ERROR_BAD_PARAMETERS);
  shm.flags = TEEC_MEM_INPUT;
  shm.size = 4097;  // more than the descriptor has
  EXPECT_EQ(TEEC_RegisterSharedMemoryFileDescriptor(&ctx_, &shm, m.fd), TEEC_ERROR_BAD_PARAMETERS);
  shm.size = 0;
  Memfd empty(0, MFD_ALLOW_SEALING);
  EXPECT_EQ(TEEC_RegisterSharedMemoryFileDescriptor(&ctx_, &shm, empty.fd),
            TEEC_ERROR_BAD_PARAMETERS);
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  EXPECT_EQ(TEEC_RegisterSharedMemoryFileDescriptor(&ctx_, &shm, pipe_fds[0]),
            TEEC_ERROR_BAD_PARAMETERS);
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
  Memfd huge(17u << 20, 0);
  EXPECT_EQ(TEEC_RegisterSharedMemoryFileDescriptor(&ctx_, &shm, huge.fd),
            TEEC_ERROR_OUT_OF_MEMORY);
  // None of the refusals registered anything: a release is a no-op.
  TEEC_ReleaseSharedMemory(&shm);
}

}  // namespace
