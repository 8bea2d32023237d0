// Descriptors where none are expected, too many descriptors, and memory
// objects that are not what they claim: capteed closes every descriptor it
// was sent (the fixture checks /proc/<capteed>/fd), answers with an error
// or closes that one connection, and never maps memory whose size the
// sender can still change.
#include <fcntl.h>
#include <sys/mman.h>

#include <atomic>
#include <fstream>
#include <iterator>
#include <thread>

#include "../tee_apps/upper_listener.hpp"
#include "CAppLoader.h"
#include "CMemoryService.h"
#include "CRegisterListenerCBO.h"
#include "IAppController.hpp"
#include "IAppLoader.hpp"
#include "IMemoryService.h"
#include "IRegisterListenerCBO.hpp"
#include "ITestTa.hpp"
#include "hostile_fixture.hpp"

using namespace captee;
using namespace captee::test;

namespace {

std::vector<std::byte> read_file(const char *path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> raw{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  std::vector<std::byte> out(raw.size());
  std::memcpy(out.data(), raw.data(), raw.size());
  return out;
}

std::string u32(uint32_t v) {
  return std::string(reinterpret_cast<const char *>(&v), 4);
}

std::vector<int> dev_nulls(size_t n) {
  std::vector<int> fds;
  for (size_t i = 0; i < n; ++i) {
    fds.push_back(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  }
  return fds;
}

void close_all(const std::vector<int> &fds) {
  for (int fd : fds) {
    ::close(fd);
  }
}

wire::ObjRef fd_ref(uint32_t index, uint8_t rights = wire::kRightRead) {
  return {wire::RefType::kFd, rights, index};
}

// queryObject(memObj = the descriptor) on the memory service at `mem`.
int32_t query_object(HostilePeer &p, uint32_t mem, int fd, uint8_t rights = wire::kRightRead) {
  uint32_t id = p.next_id();
  Received r;
  if (!p.request(id, mem, IMemoryService_OP_queryObject, {}, {sizeof(IMemoryService_ObjectInfo)},
                 {fd_ref(0, rights)}, 0, {fd}) ||
      !p.reply_for(id, r)) {
    return Object_ERROR_UNAVAIL;
  }
  return r.msg.header.kind == wire::Kind::kError ? r.msg.error : Object_OK;
}

}  // namespace

TEST_F(HostileTest, DescriptorsTheHeaderDoesNotCountCloseTheConnection) {
  auto fds = dev_nulls(3);
  {  // attached, but the header says none
    auto p = peer();
    wire::Encoded e;
    std::string uid = u32(CMemoryService_UID);
    wire::BufIn bi[] = {{uid.data(), 4}};
    wire::encode_request(1, wire::kPrimordialHandle, IClientEnv_OP_open,
                         ObjectCounts_pack(1, 0, 0, 1), bi, {}, {}, 0, e);
    ASSERT_TRUE(p->send(e, fds));
    EXPECT_TRUE(p->closed_by_peer());
  }
  {  // counted and attached, but no reference uses them
    auto p = peer();
    std::string uid = u32(CMemoryService_UID);
    wire::BufIn bi[] = {{uid.data(), 4}};
    wire::Encoded e;
    wire::encode_request(1, wire::kPrimordialHandle, IClientEnv_OP_open,
                         ObjectCounts_pack(1, 0, 0, 1), bi, {}, {}, 3, e);
    ASSERT_TRUE(p->send(e, fds));
    EXPECT_TRUE(p->closed_by_peer());
  }
  {  // on a release
    auto p = peer();
    wire::Message::Release r[] = {{0x00050000u, 1}};
    wire::Encoded e;
    wire::encode_release(r, e);
    ASSERT_TRUE(p->send(e, fds));
    EXPECT_TRUE(p->closed_by_peer());
  }
  {  // on the hello
    HostilePeer p(d_.socket());
    wire::Hello h;
    h.nonce = 9;
    wire::Encoded e;
    wire::encode_hello(h, e);
    ASSERT_TRUE(p.send_bytes(e.flatten(), fds));
    EXPECT_TRUE(p.closed_by_peer());
  }
  close_all(fds);
}

TEST_F(HostileTest, DescriptorObjectsAMethodDoesNotTakeAreRefused) {
  auto p = peer();
  auto fds = dev_nulls(3);
  // open(uid) takes no objects: three descriptor objects are an INVALID call.
  uint32_t id = p->next_id();
  Received r;
  ASSERT_TRUE(p->request(id, wire::kPrimordialHandle, IClientEnv_OP_open, {u32(CMemoryService_UID)},
                         {}, {fd_ref(0), fd_ref(1), fd_ref(2)}, 1, fds));
  ASSERT_TRUE(p->reply_for(id, r));
  EXPECT_EQ(r.msg.header.kind, wire::Kind::kError);
  close_all(fds);
  // Descriptors of the wrong kind where memory is expected.
  int32_t rv = -1;
  uint32_t mem = p->open(CMemoryService_UID, &rv);
  ASSERT_EQ(rv, Object_OK);
  int pipe_fds[2];
  ASSERT_EQ(::pipe2(pipe_fds, O_CLOEXEC), 0);
  int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  int sock_pair[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sock_pair), 0);
  EXPECT_EQ(query_object(*p, mem, pipe_fds[0]), IMemoryService_ERROR_NOT_MEMORY_OBJECT);
  EXPECT_EQ(query_object(*p, mem, null_fd), IMemoryService_ERROR_NOT_MEMORY_OBJECT);
  EXPECT_EQ(query_object(*p, mem, sock_pair[0]), IMemoryService_ERROR_NOT_MEMORY_OBJECT);
  // Its own socket, passed back to it.
  EXPECT_EQ(query_object(*p, mem, p->fd()), IMemoryService_ERROR_NOT_MEMORY_OBJECT);
  int sealed = sealed_memfd(8192);
  EXPECT_EQ(query_object(*p, mem, sealed, wire::kRightRead | wire::kRightWrite), Object_OK);
  close_all({pipe_fds[0], pipe_fds[1], null_fd, sock_pair[0], sock_pair[1], sealed});
}

TEST_F(HostileTest, TooManyDescriptorsCloseTheConnection) {
  for (size_t n : {size_t(16), size_t(64), size_t(100), size_t(250)}) {
    auto p = peer();
    auto fds = dev_nulls(n);
    std::string uid = u32(CMemoryService_UID);
    wire::BufIn bi[] = {{uid.data(), 4}};
    wire::Encoded e;
    wire::encode_request(1, wire::kPrimordialHandle, IClientEnv_OP_open,
                         ObjectCounts_pack(1, 0, 0, 1), bi, {}, {}, uint8_t(n), e);
    ASSERT_TRUE(p->send(e, fds)) << n;
    EXPECT_TRUE(p->closed_by_peer()) << n;
    close_all(fds);
  }
  // The most a frame may carry (15) in one call that takes none: refused,
  // every one closed.
  auto p = peer();
  auto fds = dev_nulls(15);
  std::vector<wire::ObjRef> refs;
  for (uint32_t i = 0; i < 15; ++i) {
    refs.push_back(fd_ref(i));
  }
  uint32_t id = p->next_id();
  Received r;
  ASSERT_TRUE(p->request(id, wire::kPrimordialHandle, IClientEnv_OP_notifyDomainChange, {}, {},
                         refs, 0, fds));
  ASSERT_TRUE(p->reply_for(id, r));
  EXPECT_EQ(r.msg.header.kind, wire::Kind::kError);
  close_all(fds);
}

// A TA image in a memfd whose size the client keeps changing while capteed
// reads it: mapping such memory would let the client pull pages out from
// under capteed (SIGBUS). Only memory whose size is sealed is mapped.
TEST_F(HostileTest, MemoryWhoseSizeTheSenderControlsIsNotMapped) {
  std::ifstream in(CAPTEE_TEST_TA, std::ios::binary);
  std::vector<char> image{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  ASSERT_FALSE(image.empty());
  constexpr size_t kSize = 16u << 20;
  int fd = ::memfd_create("shrinking-ta", MFD_CLOEXEC);
  ASSERT_EQ(::ftruncate(fd, kSize), 0);
  ASSERT_EQ(::pwrite(fd, image.data(), image.size(), 0), ssize_t(image.size()));
  std::atomic<bool> stop{false};
  std::thread shrinker([&] {
    while (!stop.load()) {
      (void)!::ftruncate(fd, 4096);
      (void)!::ftruncate(fd, kSize);
    }
  });
  Ref root = connect(d_.socket());
  Ref loader, ctrl;
  ASSERT_EQ(iface::IClientEnv(root).open(CAppLoader_UID, loader), Object_OK);
  for (int i = 0; i < 20; ++i) {
    Ref mem = FdObject::adopt(::dup(fd), FdObject::kRead);
    EXPECT_EQ(iface::IAppLoader(loader).loadFromRegion(mem, ctrl), IAppLoader_ERROR_INVALID_BUFFER);
  }
  stop = true;
  shrinker.join();
  // Sealed, the same image loads.
  int sealed = ::memfd_create("sealed-ta", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  ASSERT_EQ(::pwrite(sealed, image.data(), image.size(), 0), ssize_t(image.size()));
  ASSERT_EQ(::fcntl(sealed, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW), 0);
  EXPECT_EQ(
      iface::IAppLoader(loader).loadFromRegion(FdObject::adopt(sealed, FdObject::kRead), ctrl),
      Object_OK);
  ctrl.reset();
  ::close(fd);
}

// A listener's shared region is memory capteed maps and copies into when a
// TA calls IMemRegion.setData. If the client could shrink it afterwards, the
// copy would touch pages that are gone and capteed would die of SIGBUS.
TEST_F(HostileTest, AListenerRegionTheClientCouldShrinkIsRefused) {
  Ref root = connect(d_.socket());
  Ref registrar, loader, controller, app;
  ASSERT_EQ(iface::IClientEnv(root).open(CRegisterListenerCBO_UID, registrar), Object_OK);
  int fd = ::memfd_create("shrinkable-region", MFD_CLOEXEC);
  ASSERT_EQ(::ftruncate(fd, 4096), 0);
  Ref region = FdObject::adopt(fd, FdObject::kRead | FdObject::kWrite);
  Ref cbo = make_object<UpperListener>(MemoryObject::create(4096));
  int32_t rv = iface::IRegisterListenerCBO(registrar).register_(0x10, cbo, region);
  ASSERT_EQ(::ftruncate(fd, 0), 0);  // the pages capteed mapped are gone
  ASSERT_EQ(iface::IClientEnv(root).open(CAppLoader_UID, loader), Object_OK);
  ASSERT_EQ(iface::IAppLoader(loader).loadFromBuffer(read_file(CAPTEE_TEST_TA), controller),
            Object_OK);
  ASSERT_EQ(iface::IAppController(controller).getAppObject(app), Object_OK);
  const std::string req = "read block 7";
  std::vector<std::byte> resp(64);
  size_t len = 0;
  int32_t call = iface::ITestTa(app).callListener(0x10, std::as_bytes(std::span(req)), resp, len);
  EXPECT_EQ(rv, Object_ERROR_INVALID) << "an unsealed region must be refused";
  EXPECT_NE(call, Object_OK);
  EXPECT_GT(d_.counters().connections, 0u) << "capteed died";
}
