// The transport's out-of-band bodies (src/channel/socket_io.hpp): a large
// body whose memfd the sender sealed is mapped instead of copied; every
// other body is copied, so a sender that keeps a way to change it changes
// nothing the receiver already has.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "raw_peer.hpp"
#include "socket_io.hpp"

namespace captee::detail {
namespace {

// A request carrying one BI of `bi_size` bytes of `fill`: encoded (its
// pieces point into `payload`) and flat.
struct Request {
  std::vector<uint8_t> payload;
  wire::Encoded encoded;
  std::vector<uint8_t> flat;
  Request(size_t bi_size, uint8_t fill) : payload(bi_size, fill) {
    wire::BufIn bi[] = {{payload.data(), payload.size()}};
    EXPECT_TRUE(wire::encode_request(1, wire::kPrimordialHandle, 1, ObjectCounts_pack(1, 0, 0, 0),
                                     bi, {}, {}, 0, encoded));
    wire::set_seq(encoded, 1);
    flat = encoded.flatten();
  }
};

std::vector<uint8_t> frame_of(size_t bi_size, uint8_t fill) {
  return Request(bi_size, fill).flat;
}

class Pair {
 public:
  Pair() {
    int sv[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
    sender_ = std::make_unique<test::RawPeer>(sv[0]);
    receiver_ = std::make_unique<FrameSocket>(sv[1], false, 0);
  }
  int sender() const { return sender_->fd(); }
  RecvStatus receive(RecvBuffer &buf) {
    FdList fds;
    FrameOrigin origin;
    const char *why = nullptr;
    return receiver_->receive(size_t{8} << 20, buf, fds, origin, &why);
  }
  // Sends `frame` as a header-only record with its body in `body`, the way
  // a peer (well-behaved or not) does by hand.
  bool send_out_of_band(const std::vector<uint8_t> &frame, int body) {
    std::vector<uint8_t> header(frame.begin(), frame.begin() + wire::kHeaderSize);
    header[5] |= wire::kFlagOutOfBand;
    header[6] = uint8_t(header[6] + 1);  // the body's descriptor
    return sender_->send_with_fds(header, {body});
  }

 private:
  std::unique_ptr<test::RawPeer> sender_;
  std::unique_ptr<FrameSocket> receiver_;
};

// A memfd holding the frame's body (all but its header).
int body_of(const std::vector<uint8_t> &frame) {
  const int fd = ::memfd_create("body", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  const size_t n = frame.size() - wire::kHeaderSize;
  EXPECT_EQ(::write(fd, frame.data() + wire::kHeaderSize, n), ssize_t(n));
  return fd;
}

// The frame received is the frame sent, but for the header's out-of-band
// flag and descriptor count (bytes 5 and 6), which the transport sets.
bool same(const RecvBuffer &buf, const std::vector<uint8_t> &frame) {
  const auto got = buf.bytes();
  return got.size() == frame.size() && std::memcmp(got.data(), frame.data(), 5) == 0 &&
         std::memcmp(got.data() + 7, frame.data() + 7, frame.size() - 7) == 0;
}

TEST(SocketIo, ALargeFrameArrivesMappedAndWhole) {
  Pair p;
  Request r(size_t{1} << 20, 0x3c);
  FrameSocket sender(::dup(p.sender()), false, 0);
  ASSERT_EQ(sender.send(r.encoded, {}), 0);
  RecvBuffer buf;
  ASSERT_EQ(p.receive(buf), RecvStatus::kOk);
  EXPECT_NE(buf.mapped, nullptr);
  EXPECT_TRUE(same(buf, r.flat));
  buf.trim();
  EXPECT_EQ(buf.mapped, nullptr);
}

TEST(SocketIo, ABodyBelowTheMappingSizeIsCopied) {
  Pair p;
  const auto frame = frame_of(kMapBodyMin / 2, 0x11);
  const int body = body_of(frame);
  ASSERT_EQ(::fcntl(body, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW), 0);
  ASSERT_TRUE(p.send_out_of_band(frame, body));
  ::close(body);
  RecvBuffer buf;
  ASSERT_EQ(p.receive(buf), RecvStatus::kOk);
  EXPECT_EQ(buf.mapped, nullptr);
  EXPECT_TRUE(same(buf, frame));
}

// The attacker keeps a way to change the body after sending it: no seal,
// seals that still allow writes, or a future-write seal over a shared
// writable mapping it holds. Each body is copied, and what the attacker
// writes afterwards is not in the frame received.
TEST(SocketIo, ABodyTheSenderCanStillChangeIsCopiedNotMapped) {
  const auto frame = frame_of(size_t{512} << 10, 0x5a);
  const size_t body_len = frame.size() - wire::kHeaderSize;
  struct Case {
    const char *what;
    int seals;
    bool writable_map;
  } cases[] = {
      {"no seals", 0, false},
      {"size seals only", F_SEAL_SHRINK | F_SEAL_GROW, false},
      {"future-write seal over a writable mapping",
       F_SEAL_FUTURE_WRITE | F_SEAL_SHRINK | F_SEAL_GROW, true},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(c.what);
    Pair p;
    const int body = body_of(frame);
    void *map = c.writable_map
                    ? ::mmap(nullptr, body_len, PROT_READ | PROT_WRITE, MAP_SHARED, body, 0)
                    : MAP_FAILED;
    if (c.writable_map) {
      ASSERT_NE(map, MAP_FAILED);
    }
    if (c.seals != 0) {
      ASSERT_EQ(::fcntl(body, F_ADD_SEALS, c.seals), 0);
    }
    ASSERT_TRUE(p.send_out_of_band(frame, body));
    RecvBuffer buf;
    ASSERT_EQ(p.receive(buf), RecvStatus::kOk);
    EXPECT_EQ(buf.mapped, nullptr);
    // The attacker rewrites the body it sent.
    const std::vector<uint8_t> other(body_len, 0xee);
    if (map != MAP_FAILED) {
      std::memcpy(map, other.data(), other.size());
      ::munmap(map, body_len);
    } else {
      ASSERT_EQ(::pwrite(body, other.data(), other.size(), 0), ssize_t(other.size()));
    }
    EXPECT_TRUE(same(buf, frame));
    ::close(body);
  }
}

// Sealed against writes and resizing, the body is mapped: the attacker can
// neither write to it nor shrink it under the receiver (no SIGBUS).
TEST(SocketIo, ASealedBodyIsMappedAndStaysAsSent) {
  Pair p;
  const auto frame = frame_of(size_t{512} << 10, 0x77);
  const int body = body_of(frame);
  ASSERT_EQ(::fcntl(body, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW), 0);
  ASSERT_TRUE(p.send_out_of_band(frame, body));
  RecvBuffer buf;
  ASSERT_EQ(p.receive(buf), RecvStatus::kOk);
  EXPECT_NE(buf.mapped, nullptr);
  const char x = 1;
  EXPECT_EQ(::pwrite(body, &x, 1, 0), -1);
  EXPECT_EQ(::ftruncate(body, 0), -1);
  EXPECT_EQ(::mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, body, 0), MAP_FAILED);
  EXPECT_TRUE(same(buf, frame));
  ::close(body);
}

}  // namespace
}  // namespace captee::detail
