// A hand-driven capteed client for the hostile suite: speaks the wire format
// itself (like tests/channel/raw_peer.hpp, plus descriptors, sequence
// control and the capteed ops it needs), so a test can send what no captee
// library would: forged handles, stale handles, bad counts, extra
// descriptors, callbacks answered with more callbacks.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "IClientEnv.h"
#include "captee/object.h"
#include "captee/wire.hpp"

namespace captee::test {

inline int raw_connect(const std::string &path) {
  int fd = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path.c_str());
  if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// One received frame: the record's bytes, its decoded view and how many
// descriptors came with it (they are closed on arrival).
struct Received {
  std::vector<uint8_t> bytes;
  wire::Message msg;
  size_t fds = 0;
  std::string buffer(size_t i) const {
    const wire::Slice &s = msg.bi.at(i);
    return std::string(reinterpret_cast<const char *>(bytes.data()) + s.offset, s.size);
  }
};

class HostilePeer {
 public:
  explicit HostilePeer(const std::string &socket) : fd_(raw_connect(socket)) {}
  // Takes over `fd`, a socket connected to capteed (perhaps by another
  // process that shares it).
  struct Adopt {};
  HostilePeer(int fd, Adopt) : fd_(fd) {}
  ~HostilePeer() { close(); }
  HostilePeer(const HostilePeer &) = delete;
  HostilePeer &operator=(const HostilePeer &) = delete;

  int fd() const { return fd_; }
  bool connected() const { return fd_ >= 0; }
  void close() {
    if (fd_ >= 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }

  // Sends a hello (optionally announcing a primordial object of ours) and
  // reads capteed's. `limits` are the ones proposed.
  bool hello(wire::Limits limits = {}, bool primordial = false) {
    return send_hello(limits, primordial) && recv_hello();
  }
  // The two halves of hello(): a peer may send its hello (and more) before
  // it has read capteed's.
  bool send_hello(wire::Limits limits = {}, bool primordial = false) {
    wire::Hello h;
    h.nonce = 0x5eed;
    h.has_primordial = primordial;
    h.limits = limits;
    wire::Encoded e;
    wire::encode_hello(h, e);
    return send_bytes(e.flatten());
  }
  bool recv_hello() {
    Received r;
    return recv(r) && r.msg.header.kind == wire::Kind::kHello;
  }

  // Sends a frame with the next sequence number and `fds` attached.
  bool send(wire::Encoded &e, const std::vector<int> &fds = {}) {
    wire::set_seq(e, seq_++);
    return send_bytes(e.flatten(), fds);
  }
  bool send_bytes(const std::vector<uint8_t> &bytes, const std::vector<int> &fds = {}) {
    iovec iov{const_cast<uint8_t *>(bytes.data()), bytes.size()};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    std::vector<char> control(CMSG_SPACE(sizeof(int) * fds.size()));
    if (!fds.empty()) {
      msg.msg_control = control.data();
      msg.msg_controllen = control.size();
      cmsghdr *c = CMSG_FIRSTHDR(&msg);
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_RIGHTS;
      c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
      std::memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
    }
    return ::sendmsg(fd_, &msg, MSG_NOSIGNAL) == ssize_t(bytes.size());
  }

  // A request: BI buffers, BO capacities, OI references, OO count.
  bool request(uint32_t id, uint32_t handle, uint32_t op, const std::vector<std::string> &bi,
               const std::vector<uint32_t> &bo_caps, const std::vector<wire::ObjRef> &oi = {},
               size_t noo = 0, const std::vector<int> &fds = {}) {
    std::vector<wire::BufIn> in;
    for (const auto &b : bi) {
      in.push_back({b.data(), b.size()});
    }
    wire::Encoded e;
    wire::encode_request(id, handle, op,
                         ObjectCounts_pack(bi.size(), bo_caps.size(), oi.size(), noo), in, bo_caps,
                         oi, uint8_t(fds.size()), e);
    return send(e, fds);
  }
  bool reply_error(uint32_t id, int32_t code) {
    wire::Encoded e;
    wire::encode_error(id, code, e);
    return send(e);
  }
  bool release(uint32_t handle, uint32_t count) {
    wire::Message::Release r[] = {{handle, count}};
    wire::Encoded e;
    wire::encode_release(r, e);
    return send(e);
  }

  // Receives one frame; false on EOF, timeout or an undecodable frame.
  bool recv(Received &r, int timeout_ms = 10000) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) {
      return false;
    }
    r.bytes.resize(1 << 17);
    iovec iov{r.bytes.data(), r.bytes.size()};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 70)];
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n = ::recvmsg(fd_, &msg, MSG_CMSG_CLOEXEC);
    r.fds = 0;
    for (cmsghdr *c = CMSG_FIRSTHDR(&msg); n >= 0 && c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
        size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < count; ++i) {
          int fd;
          std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
          ::close(fd);
        }
        r.fds += count;
      }
    }
    if (n <= 0) {
      return false;
    }
    r.bytes.resize(size_t(n));
    return !wire::decode(r.bytes, r.fds, wire::Limits{}, r.msg);
  }
  // Receives until the reply (success or error) for `id` arrives, answering
  // nothing else. capteed serves a connection's requests on more than one
  // thread, so replies to pipelined requests may come in any order: replies
  // for other ids are kept for their own reply_for(); other frames
  // (releases, requests) are collected in `others`.
  bool reply_for(uint32_t id, Received &r, std::vector<Received> *others = nullptr) {
    if (auto it = early_.find(id); it != early_.end()) {
      r = std::move(it->second);
      early_.erase(it);
      return true;
    }
    for (;;) {
      if (!recv(r)) {
        return false;
      }
      const wire::Kind k = r.msg.header.kind;
      if (k == wire::Kind::kSuccess || k == wire::Kind::kError) {
        if (r.msg.header.invoke_id == id) {
          return true;
        }
        early_[r.msg.header.invoke_id] = r;
      } else if (others != nullptr) {
        others->push_back(r);
      }
    }
  }
  // True once capteed has closed the connection (reading whatever is left).
  bool closed_by_peer(int timeout_ms = 10000) {
    pollfd p{fd_, POLLIN, 0};
    while (::poll(&p, 1, timeout_ms) > 0) {
      char b[512];
      ssize_t n = ::recv(fd_, b, sizeof b, MSG_DONTWAIT);
      if (n == 0 || (n < 0 && errno != EAGAIN)) {
        return true;
      }
    }
    return false;
  }

  // IClientEnv.open(uid) on capteed's root: the service's handle in capteed's
  // export table, or 0 with the error in *rv.
  uint32_t open(uint32_t uid, int32_t *rv = nullptr, uint32_t id = 0) {
    if (id == 0) {
      id = next_id_++;
    }
    Received r;
    if (!send_open(uid, id) || !reply_for(id, r)) {
      if (rv != nullptr) {
        *rv = Object_ERROR_UNAVAIL;
      }
      return 0;
    }
    if (r.msg.header.kind == wire::Kind::kError) {
      if (rv != nullptr) {
        *rv = r.msg.error;
      }
      return 0;
    }
    if (rv != nullptr) {
      *rv = Object_OK;
    }
    return r.msg.objs.size() == 1 && r.msg.objs[0].type == wire::RefType::kSenderHosted
               ? r.msg.objs[0].handle
               : 0;
  }
  // The request half of open(), for a peer that reads the reply elsewhere.
  bool send_open(uint32_t uid, uint32_t id) {
    std::string b(reinterpret_cast<const char *>(&uid), 4);
    return request(id, wire::kPrimordialHandle, IClientEnv_OP_open, {b}, {}, {}, 1);
  }
  // Invokes `handle` with one BO of `cap` bytes and nothing else (the shape
  // of IDiagnosticsCaptee.queryCounters and friends); the error, or OK.
  int32_t call_out(uint32_t handle, uint32_t op, uint32_t cap, Received *out = nullptr) {
    uint32_t id = next_id_++;
    Received r;
    if (!request(id, handle, op, {}, {cap}) || !reply_for(id, r)) {
      return Object_ERROR_UNAVAIL;
    }
    if (out != nullptr) {
      *out = r;
    }
    return r.msg.header.kind == wire::Kind::kError ? r.msg.error : Object_OK;
  }
  uint32_t next_id() { return next_id_++; }

 private:
  int fd_;
  uint32_t seq_ = 1;
  uint32_t next_id_ = 1;
  std::map<uint32_t, Received> early_;  // replies that overtook the one awaited
};

// Descriptors of kinds a client might attach.
inline int sealed_memfd(size_t size) {
  int fd = ::memfd_create("hostile", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd >= 0 && (::ftruncate(fd, off_t(size)) != 0 ||
                  ::fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) != 0)) {
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace captee::test
