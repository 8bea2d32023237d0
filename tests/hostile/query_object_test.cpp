// Issue 20, finding 9: IMemoryService.queryObject on descriptors of every
// odd kind. capteed calls a descriptor a (shared-pool) memory object only if
// it is one: a memfd whose size is sealed, open for reading. Its rights are
// what the descriptor really allows, never more than the rights byte the
// client sent; anything else is ERROR_NOT_MEMORY_OBJECT.
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif

#include "CMemoryService.h"
#include "IMemoryService.h"
#include "hostile_fixture.hpp"

using namespace captee;
using namespace captee::test;

namespace {

constexpr uint8_t kRW = wire::kRightRead | wire::kRightWrite;
constexpr uint32_t kRead = IMemoryService_RIGHT_READ;
constexpr uint32_t kReadWrite = IMemoryService_RIGHT_READ | IMemoryService_RIGHT_WRITE;

struct Answer {
  int32_t rv = Object_ERROR_UNAVAIL;
  IMemoryService_ObjectInfo info{};
};

// queryObject(memObj = `fd`, sent with the rights byte `rights`).
Answer query(HostilePeer &p, uint32_t mem, int fd, uint8_t rights) {
  Answer a;
  const uint32_t id = p.next_id();
  Received r;
  if (!p.request(id, mem, IMemoryService_OP_queryObject, {}, {sizeof(IMemoryService_ObjectInfo)},
                 {{wire::RefType::kFd, rights, 0}}, 0, {fd}) ||
      !p.reply_for(id, r)) {
    return a;
  }
  if (r.msg.header.kind == wire::Kind::kError) {
    a.rv = r.msg.error;
    return a;
  }
  a.rv = Object_OK;
  const std::string b = r.buffer(0);
  if (b.size() == sizeof a.info) {
    std::memcpy(&a.info, b.data(), sizeof a.info);
  } else {
    a.rv = Object_ERROR_SIZE_OUT;
  }
  return a;
}

int memfd(size_t size, unsigned seals) {
  int fd = ::memfd_create("query", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd >= 0 &&
      (::ftruncate(fd, off_t(size)) != 0 || (seals != 0 && ::fcntl(fd, F_ADD_SEALS, seals) != 0))) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// `fd` opened again through /proc with `flags` (another access mode).
int reopen(int fd, int flags) {
  return ::open(("/proc/self/fd/" + std::to_string(fd)).c_str(), flags | O_CLOEXEC);
}

constexpr unsigned kSizeSeals = F_SEAL_SHRINK | F_SEAL_GROW;

}  // namespace

TEST_F(HostileTest, QueryObjectCallsOnlySealedMemfdsMemory) {
  auto p = peer();
  const uint32_t mem = p->open(CMemoryService_UID);
  ASSERT_NE(mem, 0u);
  char file_tmpl[] = "/tmp/captee-query-XXXXXX";
  const int file = ::mkstemp(file_tmpl);
  ASSERT_GE(file, 0);
  ::unlink(file_tmpl);
  ASSERT_EQ(::ftruncate(file, 8192), 0);
  int pipe_fds[2];
  ASSERT_EQ(::pipe2(pipe_fds, O_CLOEXEC), 0);
  int pair[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), 0);
  const int sealed = memfd(8192, kSizeSeals);
  struct Odd {
    const char *what;
    int fd;
  } odd[] = {
      {"an O_PATH descriptor of a sealed memfd", reopen(sealed, O_PATH)},
      {"an O_PATH descriptor of a file", ::open("/etc/hostname", O_PATH | O_CLOEXEC)},
      {"a plain file", file},
      {"an unsealed memfd", memfd(8192, 0)},
      {"a memfd sealed against shrinking only", memfd(8192, F_SEAL_SHRINK)},
      {"an empty sealed memfd", memfd(0, kSizeSeals)},
      {"a write-only descriptor of a sealed memfd", reopen(sealed, O_WRONLY)},
      {"a pipe", pipe_fds[0]},
      {"a socket", pair[0]},
      {"an eventfd", ::eventfd(0, EFD_CLOEXEC)},
      {"/dev/null", ::open("/dev/null", O_RDWR | O_CLOEXEC)},
      {"a directory", ::open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC)},
  };
  for (const Odd &o : odd) {
    ASSERT_GE(o.fd, 0) << o.what;
    EXPECT_EQ(query(*p, mem, o.fd, kRW).rv, IMemoryService_ERROR_NOT_MEMORY_OBJECT) << o.what;
  }
  for (const Odd &o : odd) {
    ::close(o.fd);
  }
  ::close(pipe_fds[1]);
  ::close(pair[1]);
  ::close(sealed);
}

TEST_F(HostileTest, QueryObjectReportsTheRightsTheDescriptorReallyHas) {
  auto p = peer();
  const uint32_t mem = p->open(CMemoryService_UID);
  ASSERT_NE(mem, 0u);
  const int rw = memfd(3 * 4096, kSizeSeals);
  const int ro = reopen(rw, O_RDONLY);
  const int view = memfd(4096, kSizeSeals | F_SEAL_FUTURE_WRITE);
  const int frozen = memfd(4096, kSizeSeals | F_SEAL_WRITE);
  ASSERT_GE(rw, 0);
  ASSERT_GE(ro, 0);
  ASSERT_GE(view, 0);
  ASSERT_GE(frozen, 0);
  struct Case {
    const char *what;
    int fd;
    uint8_t sent;
    uint32_t rights;
    uint64_t size;
  } cases[] = {
      {"read-write, sent read-write", rw, kRW, kReadWrite, 3 * 4096},
      {"read-write, sent read-only", rw, wire::kRightRead, kRead, 3 * 4096},
      {"opened read-only, sent read-write", ro, kRW, kRead, 3 * 4096},
      {"sealed against future writes, sent read-write", view, kRW, kRead, 4096},
      {"sealed against writes, sent read-write", frozen, kRW, kRead, 4096},
  };
  for (const Case &c : cases) {
    Answer a = query(*p, mem, c.fd, c.sent);
    ASSERT_EQ(a.rv, Object_OK) << c.what;
    EXPECT_EQ(a.info.pool, IMemoryService_POOL_SHARED) << c.what;
    EXPECT_EQ(a.info.rights, c.rights) << c.what;
    EXPECT_EQ(a.info.size, c.size) << c.what;
  }
  for (int fd : {rw, ro, view, frozen}) {
    ::close(fd);
  }
}
