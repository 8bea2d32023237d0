// A hand-driven channel peer for hostile-input tests: speaks the wire format
// directly so tests can send forged handles and malformed frames.
#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "captee/object.h"
#include "captee/wire.hpp"

namespace captee::test {

class RawPeer {
 public:
  explicit RawPeer(int fd) : fd_(fd) {}
  ~RawPeer() { ::close(fd_); }
  int fd() const { return fd_; }

  // `max_version` 1 speaks the original format; 2 promises (and expects)
  // descriptor notices.
  bool hello(bool primordial = false, uint16_t max_version = wire::kVersion) {
    wire::Hello h;
    h.nonce = 0x5eed;
    h.has_primordial = primordial;
    h.max_version = max_version;
    wire::Encoded e;
    wire::encode_hello(h, e);
    auto bytes = e.flatten();
    if (::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) < 0) {
      return false;
    }
    wire::Message m;
    return recv(m) && m.header.kind == wire::Kind::kHello;
  }
  bool send_raw(const std::vector<uint8_t> &bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == ssize_t(bytes.size());
  }
  bool send_frame(wire::Encoded &e) {
    wire::set_seq(e, seq_++);
    return send_raw(e.flatten());
  }
  // Sends a frame with descriptors attached (borrowed) in one record.
  bool send_frame_with_fds(wire::Encoded &e, const std::vector<int> &fds) {
    wire::set_seq(e, seq_++);
    return send_with_fds(e.flatten(), fds);
  }
  bool send_with_fds(const std::vector<uint8_t> &bytes, const std::vector<int> &fds) {
    iovec iov{const_cast<uint8_t *>(bytes.data()), bytes.size()};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 16)];
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    if (!fds.empty()) {
      msg.msg_control = control;
      msg.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
      cmsghdr *c = CMSG_FIRSTHDR(&msg);
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_RIGHTS;
      c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
      std::memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
    }
    return ::sendmsg(fd_, &msg, MSG_NOSIGNAL) == ssize_t(bytes.size());
  }
  // A descriptor notice for a record with `n` descriptors (version 2).
  bool notice(uint8_t n) {
    std::vector<uint8_t> b(wire::kHeaderSize);
    wire::encode_fd_notice(n, b.data());
    return send_raw(b);
  }
  bool request(uint32_t id, uint32_t handle, uint32_t op, const std::string &data, uint32_t cap) {
    wire::BufIn bi[] = {{data.data(), data.size()}};
    uint32_t caps[] = {cap};
    wire::Encoded e;
    wire::encode_request(id, handle, op, ObjectCounts_pack(1, 1, 0, 0), bi, caps, {}, 0, e);
    return send_frame(e);
  }
  // Receives one frame (no descriptors expected); false on EOF or timeout.
  bool recv(wire::Message &m, int timeout_ms = 5000) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) {
      return false;
    }
    buf_.resize(1 << 17);
    ssize_t n = ::recv(fd_, buf_.data(), buf_.size(), 0);
    if (n <= 0) {
      return false;
    }
    buf_.resize(size_t(n));
    return !wire::decode(buf_, 0, wire::Limits{}, m);
  }
  // True once the peer has closed the connection.
  bool closed_by_peer(int timeout_ms = 5000) {
    pollfd p{fd_, POLLIN, 0};
    while (::poll(&p, 1, timeout_ms) > 0) {
      char b[256];
      ssize_t n = ::recv(fd_, b, sizeof b, MSG_DONTWAIT);
      if (n == 0 || (n < 0 && errno != EAGAIN)) {
        return true;
      }
    }
    return false;
  }
  const std::vector<uint8_t> &last() const { return buf_; }

 private:
  int fd_;
  uint32_t seq_ = 1;
  std::vector<uint8_t> buf_;
};

}  // namespace captee::test
