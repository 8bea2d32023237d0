// Starting a channel: the hello exchange that settles the wire version and
// the limits (docs/WIRE.md, "Handshake"), and the primordial export.
#include <poll.h>
#include <sys/random.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include "channel_impl.hpp"

namespace captee {
namespace detail {

bool ChannelImpl::handshake(Ref primordial, std::string *why) {
  auto fail = [&](const char *w) {
    if (why != nullptr) {
      *why = w;
    }
    return false;
  };
  const int fd = io_.fd();
  socklen_t len = sizeof cred_;
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred_, &len) != 0) {
    cred_ = ucred{0, uint32_t(-1), uint32_t(-1)};
  }
  if (opts_.record_senders) {
    // A Listener has done this already, before it took the peer's identity.
    int on = 1;
    if (::setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof on) != 0) {
      return fail("cannot record senders (SO_PASSCRED)");
    }
  }
  wire::Hello mine;
  mine.limits = opts_.limits;
  mine.limits.max_args = std::min<uint32_t>(mine.limits.max_args, 15);
  mine.limits.max_exports = std::clamp<uint32_t>(mine.limits.max_exports, 1, kMaxTableEntries);
  mine.limits.max_fds = std::min<uint32_t>(mine.limits.max_fds, 15);
  mine.limits.max_data = std::min<uint32_t>(mine.limits.max_data, 64u << 20);
  mine.has_primordial = !primordial.is_null();
  mine.max_version =
      opts_.accept_channel_refs ? wire::kVersionChannelRefs : wire::kVersionFdNotices;
  while (mine.nonce == 0) {
    if (::getrandom(&mine.nonce, sizeof mine.nonce, 0) != sizeof mine.nonce) {
      return fail("getrandom failed");
    }
  }
  wire::Encoded e;
  wire::encode_hello(mine, e);
  if (io_.send(e, {}) != 0) {  // no descriptor notices yet
    return fail("peer closed before the handshake");
  }
  pollfd p{fd, POLLIN, 0};
  int r;
  do {
    r = ::poll(&p, 1, opts_.handshake_timeout_ms);
  } while (r < 0 && errno == EINTR);
  if (r <= 0) {
    return fail("handshake timed out");
  }
  RecvBuffer bytes;
  FdList fds;
  FrameOrigin origin;
  const char *w = nullptr;
  if (io_.receive(wire::kHeaderSize + wire::kHelloBodySize, bytes, fds, origin, &w) !=
      RecvStatus::kOk) {
    return fail(w != nullptr ? w : "peer closed during the handshake");
  }
  wire::Message m;
  if (auto err = wire::decode(bytes.bytes(), fds.fds.size(), mine.limits, m)) {
    return fail(err.why);
  }
  if (m.header.kind != wire::Kind::kHello) {
    return fail("first frame is not a hello");
  }
  const wire::Hello &peer = m.hello;
  if (std::max(peer.min_version, mine.min_version) > std::min(peer.max_version, mine.max_version)) {
    return fail("no common wire version");
  }
  peer_accepts_channels_ = peer.max_version >= wire::kVersionChannelRefs;
  if (peer.max_version >= wire::kVersionFdNotices) {
    io_.use_fd_notices();
  }
  if (peer.nonce == mine.nonce) {
    return fail("peer echoed our nonce");
  }
  limits_.max_args = std::min(mine.limits.max_args, peer.limits.max_args);
  limits_.max_data = std::min(mine.limits.max_data, peer.limits.max_data);
  limits_.max_exports =
      std::max<uint32_t>(1, std::min(mine.limits.max_exports, peer.limits.max_exports));
  limits_.max_fds = std::min(mine.limits.max_fds, peer.limits.max_fds);
  my_tag_ = mine.nonce > peer.nonce ? 0x80000000u : 0;
  peer_has_primordial_ = peer.has_primordial;
  if (!primordial.is_null()) {
    uint32_t h = 0;
    // The first slot of the fresh export table: kPrimordialHandle. Its one
    // remote reference stands for the peer's peer_primordial().
    if (export_object(primordial.get(), h) != Object_OK || h != kPrimordialHandle) {
      return fail("cannot export the primordial object");
    }
  }
  return true;
}

}  // namespace detail

std::shared_ptr<Channel> start_channel(int fd, Ref primordial, const ChannelOptions &opts,
                                       std::string *why) {
  if (fd < 0) {
    if (why != nullptr) {
      *why = "invalid socket";
    }
    return nullptr;
  }
  auto ch = std::make_shared<detail::ChannelImpl>(fd, opts);
  if (!ch->handshake(std::move(primordial), why)) {
    ch->close();
    return nullptr;
  }
  return ch;
}

}  // namespace captee
