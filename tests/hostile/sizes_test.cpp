// Oversize counts and sizes: frames that claim more arguments, data,
// descriptors or releases than agreed close that one connection; service
// arguments that ask for too much are answered with errors; credentials
// objects that lie about their length are refused without being believed.
#include <sys/mman.h>

#include "CMemoryService.h"
#include "IIO.hpp"
#include "IMemoryService.h"
#include "IMemoryService.hpp"
#include "hostile_fixture.hpp"

using namespace captee;
using namespace captee::test;

namespace {

std::string u32(uint32_t v) {
  return std::string(reinterpret_cast<const char *>(&v), 4);
}

// A request frame for IClientEnv.open(memory) as bytes, to corrupt.
std::vector<uint8_t> open_frame(uint32_t seq) {
  uint32_t uid = CMemoryService_UID;
  wire::BufIn bi[] = {{&uid, 4}};
  wire::Encoded e;
  wire::encode_request(1, wire::kPrimordialHandle, IClientEnv_OP_open,
                       ObjectCounts_pack(1, 0, 0, 1), bi, {}, {}, 0, e);
  wire::set_seq(e, seq);
  return e.flatten();
}

// An IIO whose length and reads are whatever the test says.
class LyingIO final : public iface::IIOSkeleton {
 public:
  LyingIO(uint64_t len, size_t read_len) : len_(len), read_len_(read_len) {}
  int32_t getLength(uint64_t &len) override {
    len = len_;
    return Object_OK;
  }
  int32_t readAtOffset(uint64_t, std::span<std::byte> d, size_t &len) override {
    len = std::min(read_len_, d.size());
    std::memset(d.data(), 0xA2, len);
    return Object_OK;
  }
  int32_t writeAtOffset(uint64_t, std::span<const std::byte>) override { return Object_ERROR; }

 private:
  uint64_t len_;
  size_t read_len_;
};

}  // namespace

TEST_F(HostileTest, MoreArgumentsThanAgreedCloseTheConnection) {
  wire::Limits two;
  two.max_args = 2;
  auto p = peer(two);
  ASSERT_TRUE(p->request(1, wire::kPrimordialHandle, IClientEnv_OP_open, {"a", "b", "c"}, {}));
  EXPECT_TRUE(p->closed_by_peer());
}

TEST_F(HostileTest, BuffersOutsideTheFrameOrOverTheDataLimitCloseTheConnection) {
  {  // BI offset past the end of the frame
    auto p = peer();
    auto bytes = open_frame(1);
    uint32_t far = 1 << 20;
    std::memcpy(bytes.data() + wire::kHeaderSize + 8, &far, 4);
    ASSERT_TRUE(p->send_bytes(bytes));
    EXPECT_TRUE(p->closed_by_peer());
  }
  {  // BI size running past the end
    auto p = peer();
    auto bytes = open_frame(1);
    uint32_t size = 0xFFFFFFF0u;
    std::memcpy(bytes.data() + wire::kHeaderSize + 12, &size, 4);
    ASSERT_TRUE(p->send_bytes(bytes));
    EXPECT_TRUE(p->closed_by_peer());
  }
  {  // output capacities adding up to more than the 4 MiB agreed
    auto p = peer();
    ASSERT_TRUE(
        p->request(1, wire::kPrimordialHandle, IClientEnv_OP_open, {u32(1)}, {3u << 20, 3u << 20}));
    EXPECT_TRUE(p->closed_by_peer());
  }
  {  // one record larger than the 64 KiB a record may be
    auto p = peer();
    ASSERT_TRUE(
        p->request(1, wire::kPrimordialHandle, IClientEnv_OP_open, {std::string(70000, 'x')}, {}));
    EXPECT_TRUE(p->closed_by_peer());
  }
}

TEST_F(HostileTest, OutOfBandBodiesThatLieCloseTheConnection) {
  auto header_only = [](std::vector<uint8_t> frame, uint32_t claimed) {
    frame.resize(wire::kHeaderSize);
    std::memcpy(frame.data(), &claimed, 4);
    frame[5] |= wire::kFlagOutOfBand;
    frame[6] = 1;
    return frame;
  };
  auto body = [](size_t size) {
    int fd = ::memfd_create("body", MFD_CLOEXEC);
    EXPECT_EQ(::ftruncate(fd, off_t(size)), 0);
    return fd;
  };
  const auto frame = open_frame(1);
  struct Case {
    uint32_t claimed;
    int fd;
  } cases[] = {
      {uint32_t(100u << 20), body(100u << 20)},      // over the agreed size
      {uint32_t(frame.size()), body(frame.size())},  // body 24 bytes longer than claimed
      {uint32_t(frame.size()), body(1)},             // shorter
  };
  for (const Case &c : cases) {
    auto p = peer();
    ASSERT_TRUE(p->send_bytes(header_only(frame, c.claimed), {c.fd}));
    EXPECT_TRUE(p->closed_by_peer()) << c.claimed;
    ::close(c.fd);
  }
  int pipe_fds[2];
  ASSERT_EQ(::pipe2(pipe_fds, O_CLOEXEC), 0);
  auto p = peer();
  ASSERT_TRUE(p->send_bytes(header_only(frame, uint32_t(frame.size())), {pipe_fds[0]}));
  EXPECT_TRUE(p->closed_by_peer()) << "a pipe is not a body";
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
}

TEST_F(HostileTest, OversizeReleaseBatchesCloseTheConnection) {
  {  // 4096 releases of handles never given: nothing to drop, the connection stays
    auto p = peer();
    std::vector<wire::Message::Release> r;
    for (uint32_t i = 0; i < wire::kMaxBatch; ++i) {
      r.push_back({0x00050000u + i, 1});
    }
    wire::Encoded e;
    ASSERT_TRUE(wire::encode_release(r, e));
    ASSERT_TRUE(p->send(e));
    int32_t rv = -1;
    p->open(CMemoryService_UID, &rv);
    EXPECT_EQ(rv, Object_OK);
  }
  {  // a batch whose count says 5000
    auto p = peer();
    std::vector<wire::Message::Release> r(wire::kMaxBatch, {0x00050000u, 1});
    wire::Encoded e;
    ASSERT_TRUE(wire::encode_release(r, e));
    wire::set_seq(e, 1);
    auto bytes = e.flatten();
    uint32_t n = 5000;
    std::memcpy(bytes.data() + 12, &n, 4);
    ASSERT_TRUE(p->send_bytes(bytes));
    EXPECT_TRUE(p->closed_by_peer());
  }
}

TEST_F(HostileTest, MemoryRequestsBeyondTheLimitsAreErrors) {
  Ref m = d_.open(CMemoryService_UID);
  iface::IMemoryService mem(m);
  const uint32_t rw = IMemoryService_RIGHT_READ | IMemoryService_RIGHT_WRITE;
  Ref out;
  for (uint64_t size : {uint64_t(0), uint64_t(64ull << 20) + 1, uint64_t(1) << 63, ~uint64_t(0)}) {
    EXPECT_EQ(mem.allocate(IMemoryService_POOL_SHARED, size, rw, out),
              IMemoryService_ERROR_TOO_LARGE)
        << size;
    EXPECT_EQ(mem.allocate(IMemoryService_POOL_TEE_PRIVATE, size, rw, out),
              IMemoryService_ERROR_TOO_LARGE)
        << size;
  }
  EXPECT_EQ(mem.allocate(7, 4096, rw, out), IMemoryService_ERROR_NO_SUCH_POOL);
  EXPECT_EQ(mem.allocate(IMemoryService_POOL_SHARED, 4096, 0x80, out),
            IMemoryService_ERROR_BAD_RIGHTS);
  EXPECT_EQ(mem.allocate(IMemoryService_POOL_SHARED, 4096, rw | IMemoryService_RIGHT_EXECUTE, out),
            IMemoryService_ERROR_BAD_RIGHTS);
  // The TEE-private pool (256 MiB) runs out, and comes back when released.
  std::vector<Ref> held;
  for (int i = 0; i < 4; ++i) {
    Ref chunk;
    ASSERT_EQ(mem.allocate(IMemoryService_POOL_TEE_PRIVATE, 64ull << 20, rw, chunk), Object_OK);
    held.push_back(std::move(chunk));
  }
  EXPECT_EQ(mem.allocate(IMemoryService_POOL_TEE_PRIVATE, 4096, rw, out),
            IMemoryService_ERROR_POOL_EXHAUSTED);
  held.clear();
  EXPECT_TRUE(eventually([&] {
    Ref again;
    return mem.allocate(IMemoryService_POOL_TEE_PRIVATE, 64ull << 20, rw, again) == Object_OK;
  }));
}

TEST_F(HostileTest, CredentialsThatLieAboutTheirLengthAreRefused) {
  Ref root = connect(d_.socket());
  ASSERT_FALSE(root.is_null());
  struct Case {
    uint64_t len;
    size_t read_len;
  } cases[] = {{uint64_t(1) << 40, 16}, {~uint64_t(0), 16}, {0, 0}, {64, 0}, {17, 3}};
  for (const Case &c : cases) {
    Ref env;
    int32_t rv =
        iface::IClientEnv(root).registerAsClient(make_object<LyingIO>(c.len, c.read_len), env);
    EXPECT_NE(rv, Object_OK) << c.len << " " << c.read_len;
    EXPECT_TRUE(env.is_null());
  }
  Ref env;
  EXPECT_EQ(iface::IClientEnv(root).registerAsClient(Ref(), env), Object_OK);
}
