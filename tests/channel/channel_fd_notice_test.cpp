// Descriptor notices (wire version 2): between two version-2 sides, records
// are read without a control buffer and every record that carries
// descriptors is announced by a kFdNotice record. A version-1 peer is served
// as before. Both ends in one process; labelled `tsan`.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>

#include <mutex>
#include <thread>

#include "raw_peer.hpp"
#include "test_objects.hpp"

using namespace captee;
using namespace captee::test;

namespace {

// A real channel serving a Service, and a raw peer on the other end.
struct RawClient {
  std::shared_ptr<Channel> server;
  std::unique_ptr<RawPeer> raw;
  std::mutex mu;
  std::vector<std::string> log;
  explicit RawClient(uint16_t version) {
    int sv[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
    ChannelOptions o;
    o.log = [this](const std::string &l) {
      std::lock_guard lk(mu);
      log.push_back(l);
    };
    std::thread t([&] { server = start_channel(sv[1], make_object<Service>(), o); });
    raw = std::make_unique<RawPeer>(sv[0]);
    EXPECT_TRUE(raw->hello(false, version));
    t.join();
    EXPECT_TRUE(server);
  }
  std::string last_log() {
    std::lock_guard lk(mu);
    return log.empty() ? "" : log.back();
  }
};

// A 4-byte memfd holding 1, 2, 3, 4.
// Sealed against shrinking, as memory must be for a receiver to map it.
int small_memfd() {
  int fd = ::memfd_create("notice-test", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  const uint8_t bytes[] = {1, 2, 3, 4};
  EXPECT_EQ(::write(fd, bytes, sizeof bytes), 4);
  EXPECT_EQ(::fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW), 0);
  return fd;
}

// kMapRead on the primordial with one memory reference.
wire::Encoded map_read_request() {
  wire::ObjRef oi[] = {{wire::RefType::kFd, wire::kRightRead, 0}};
  uint32_t caps[] = {16};
  wire::Encoded e;
  wire::encode_request(11, wire::kPrimordialHandle, kMapRead, ObjectCounts_pack(0, 1, 1, 0), {},
                       caps, oi, 1, e);
  return e;
}

uint64_t sum_in(const wire::Message &m, const std::vector<uint8_t> &frame) {
  uint64_t sum = 0;
  std::memcpy(&sum, frame.data() + m.bi[0].offset, sizeof sum);
  return sum;
}

}  // namespace

TEST(ChannelFdNotices, AnAnnouncedDescriptorArrives) {
  RawClient c(wire::kVersionFdNotices);
  int fd = small_memfd();
  auto e = map_read_request();
  ASSERT_TRUE(c.raw->notice(1));
  ASSERT_TRUE(c.raw->send_frame_with_fds(e, {fd}));
  ::close(fd);
  wire::Message m;
  ASSERT_TRUE(c.raw->recv(m));
  ASSERT_EQ(m.header.kind, wire::Kind::kSuccess) << c.last_log();
  EXPECT_EQ(sum_in(m, c.raw->last()), 10u);
}

TEST(ChannelFdNotices, AVersionOnePeerSendsDescriptorsAsBefore) {
  RawClient c(wire::kVersion);
  int fd = small_memfd();
  auto e = map_read_request();
  ASSERT_TRUE(c.raw->send_frame_with_fds(e, {fd}));
  ::close(fd);
  wire::Message m;
  ASSERT_TRUE(c.raw->recv(m));
  ASSERT_EQ(m.header.kind, wire::Kind::kSuccess) << c.last_log();
  EXPECT_EQ(sum_in(m, c.raw->last()), 10u);
}

TEST(ChannelFdNotices, UnannouncedDescriptorsCloseTheConnection) {
  RawClient c(wire::kVersionFdNotices);
  int fd = small_memfd();
  auto e = map_read_request();
  ASSERT_TRUE(c.raw->send_frame_with_fds(e, {fd}));  // no notice: the kernel drops the fd
  ::close(fd);
  EXPECT_TRUE(c.raw->closed_by_peer());
  wait_closed(c.server);
  EXPECT_NE(c.last_log().find("descriptor count"), std::string::npos) << c.last_log();
}

TEST(ChannelFdNotices, ANoticeThatDoesNotMatchItsRecordClosesTheConnection) {
  RawClient c(wire::kVersionFdNotices);
  int fd = small_memfd();
  auto e = map_read_request();
  ASSERT_TRUE(c.raw->notice(2));
  ASSERT_TRUE(c.raw->send_frame_with_fds(e, {fd}));
  ::close(fd);
  EXPECT_TRUE(c.raw->closed_by_peer());
  wait_closed(c.server);
  EXPECT_NE(c.last_log().find("notice does not match"), std::string::npos) << c.last_log();
}

TEST(ChannelFdNotices, AMalformedNoticeClosesTheConnection) {
  RawClient c(wire::kVersionFdNotices);
  std::vector<uint8_t> b(wire::kHeaderSize + 8);
  wire::encode_fd_notice(1, b.data());
  ASSERT_TRUE(c.raw->send_raw(b));  // a notice must be a bare header
  EXPECT_TRUE(c.raw->closed_by_peer());
  wait_closed(c.server);
  EXPECT_NE(c.last_log().find("malformed descriptor notice"), std::string::npos) << c.last_log();
}

TEST(ChannelFdNotices, ANoticeOnAVersionOneConnectionIsRejected) {
  RawClient c(wire::kVersion);
  ASSERT_TRUE(c.raw->notice(1));
  EXPECT_TRUE(c.raw->closed_by_peer());
  wait_closed(c.server);
  EXPECT_NE(c.last_log().find("notice"), std::string::npos) << c.last_log();
}

TEST(ChannelFdNotices, TheChannelAnnouncesToAVersionTwoPeer) {
  // A real client sends a memory object to a raw server that speaks v2.
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
  std::shared_ptr<Channel> client;
  std::thread t([&] { client = start_channel(sv[0], Ref()); });
  RawPeer raw(sv[1]);
  ASSERT_TRUE(raw.hello(/*primordial=*/true, wire::kVersionFdNotices));
  t.join();
  ASSERT_TRUE(client);
  Ref root = client->peer_primordial();
  Ref mem = MemoryObject::create(4096);
  std::thread caller([&] { (void)root.invoke(kMapRead, in(mem)); });
  // First the notice, then the request with its descriptor.
  std::vector<uint8_t> rec(256);
  ssize_t n = ::recv(raw.fd(), rec.data(), rec.size(), 0);
  ASSERT_EQ(n, ssize_t(wire::kHeaderSize));
  wire::Header h;
  ASSERT_TRUE(wire::peek_header(std::span(rec.data(), size_t(n)), h));
  EXPECT_EQ(h.kind, wire::Kind::kFdNotice);
  EXPECT_EQ(h.aux, 1u);
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 4)];
  iovec iov{rec.data(), rec.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  n = ::recvmsg(raw.fd(), &msg, MSG_CMSG_CLOEXEC);
  ASSERT_GT(n, 0);
  cmsghdr *c = CMSG_FIRSTHDR(&msg);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->cmsg_type, SCM_RIGHTS);
  int got = -1;
  std::memcpy(&got, CMSG_DATA(c), sizeof got);
  EXPECT_GE(got, 0);
  ::close(got);
  ASSERT_TRUE(wire::peek_header(std::span(rec.data(), size_t(n)), h));
  EXPECT_EQ(h.kind, wire::Kind::kRequest);
  EXPECT_EQ(h.fd_count, 1u);
  client->close();
  caller.join();
}
