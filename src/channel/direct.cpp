// Direct connections (three-party hand-off): a DirectObject sent as a CHANNEL
// reference, and a received CHANNEL reference becoming a channel of its own
// whose primordial is the object (include/captee/channel.hpp, docs/WIRE.md).
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <utility>

#include "channel_impl.hpp"

namespace captee::detail {
namespace {

// A CHANNEL reference between its arrival and its handshake. Lives only in a
// frame's object slots: resolve_channels replaces it before anyone sees it.
class PendingChannel final : public LocalObject {
 public:
  static Object make(int sock, uint32_t key) {
    return (new PendingChannel(sock, key))->as_object();
  }
  int take_fd() { return std::exchange(sock_, -1); }
  uint32_t key() const { return key_; }

 protected:
  int32_t on_invoke(uint32_t, ObjectOp, ObjectArg *, ObjectCounts) override {
    return Object_ERROR_UNAVAIL;
  }

 private:
  PendingChannel(int sock, uint32_t key) : sock_(sock), key_(key) {}
  ~PendingChannel() override {
    if (sock_ >= 0) {
      ::close(sock_);
    }
  }
  int sock_;
  uint32_t key_;
};

// What a CHANNEL reference becomes when its domain is gone before the
// handshake: every op but retain/release answers Object_ERROR_DEFUNCT.
int32_t defunct_invoke(ObjectCxt, ObjectOp op, ObjectArg *, ObjectCounts k) {
  const uint32_t method = ObjectOp_methodID(op);
  if (method == Object_OP_retain || method == Object_OP_release) {
    return k == 0 ? Object_OK : Object_ERROR_INVALID;
  }
  return Object_ERROR_DEFUNCT;
}

Object defunct_object() {
  return Object{&defunct_invoke, nullptr};
}

bool is_seqpacket_socket(int fd) {
  int type = 0;
  int domain = 0;
  socklen_t len = sizeof type;
  socklen_t dlen = sizeof domain;
  sockaddr_un peer{};
  socklen_t plen = sizeof peer;
  return ::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_SEQPACKET &&
         ::getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &dlen) == 0 && domain == AF_UNIX &&
         ::getpeername(fd, reinterpret_cast<sockaddr *>(&peer), &plen) == 0;
}

}  // namespace

bool ChannelImpl::send_direct(DirectObject *d, wire::ObjRef &ref, int *fds, size_t &nfds,
                              OwnedFds &owned) {
  uint32_t key = 0;
  int sock = d->open_direct(key);
  if (sock < 0) {
    return false;
  }
  owned.fd[owned.n++] = sock;
  ref = wire::ObjRef{wire::RefType::kChannel, 0, key};
  fds[nfds++] = sock;
  return true;
}

Object ChannelImpl::receive_channel_ref(int sock, uint32_t key, const char **violation) {
  if (!opts_.accept_channel_refs) {
    ::close(sock);
    *violation = "channel reference on a connection that does not accept them";
    return Object_NULL;
  }
  if (!is_seqpacket_socket(sock)) {
    ::close(sock);
    *violation = "channel reference that is not a connected SEQPACKET socket";
    return Object_NULL;
  }
  // The handshake waits for the far end: it runs once this frame is out
  // of the ordering turn (resolve_channels), never here.
  return PendingChannel::make(sock, key);
}

void ChannelImpl::resolve_channels(Object *objs, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    auto *pending = LocalObject::from_as<PendingChannel>(objs[i]);
    if (pending == nullptr) {
      continue;
    }
    Object resolved = open_channel_ref(pending->take_fd(), pending->key());
    Object_release(objs[i]);
    objs[i] = resolved;
  }
}

Object ChannelImpl::open_channel_ref(int sock, uint32_t key) {
  if (key != 0) {
    std::lock_guard lk(direct_mu_);
    auto it = direct_.find(key);
    if (it != direct_.end()) {
      if (auto ch = it->second.lock(); ch && !ch->closed()) {
        if (Ref r = ch->peer_primordial(); r) {
          ::close(sock);  // the domain is already reachable: keep one channel
          return r.detach();
        }
      }
    }
  }
  ChannelOptions o = opts_;
  o.accept_channel_refs = false;
  o.closed_error = Object_ERROR_DEFUNCT;
  std::string why;
  std::shared_ptr<Channel> ch = start_channel(sock, Ref(), o, &why);
  Ref r = ch ? ch->peer_primordial() : Ref();
  if (!r) {
    // The far end died before it answered (or exports nothing): as if the
    // object's domain were already gone.
    if (ch) {
      ch->close();
    }
    return defunct_object();
  }
  if (key != 0) {
    std::lock_guard lk(direct_mu_);
    std::erase_if(direct_, [](const auto &e) { return e.second.expired(); });
    direct_[key] = ch;
  }
  return r.detach();
}

}  // namespace captee::detail
