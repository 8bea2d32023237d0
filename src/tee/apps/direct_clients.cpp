#include "direct_clients.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <utility>

#include "captee/channel.hpp"

namespace captee::tee::apps::detail {

namespace {

bool connected_seqpacket(int fd) {
  int type = 0;
  socklen_t len = sizeof type;
  sockaddr_storage peer{};
  socklen_t plen = sizeof peer;
  return ::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_SEQPACKET &&
         ::getpeername(fd, reinterpret_cast<sockaddr *>(&peer), &plen) == 0;
}

// A handshake only polls and exchanges two small frames: a small stack keeps
// pending handshakes cheap under RLIMIT_DATA (the serving threads the
// channel starts afterwards get the default stack, for TA code).
constexpr size_t kHandshakeStack = 512 * 1024;
constexpr auto kPendingWait = std::chrono::milliseconds(100);
constexpr auto kReclaimPoll = std::chrono::milliseconds(5);

}  // namespace

struct DirectClients::Slot {
  int fd = -1;     // the host's socket, until the handshake thread takes it
  int watch = -1;  // a duplicate to poll while the handshake is pending
  bool given_back = false;
  Ref served;
  std::shared_ptr<State> state;
};

struct DirectClients::State {
  std::mutex mu;
  std::condition_variable freed;  // a slot was given back
  unsigned used = 0;              // slots taken: pending handshakes and open channels
  std::vector<std::shared_ptr<Slot>> pending;

  void give_back_locked(const std::shared_ptr<Slot> &s) {
    if (s->watch >= 0) {
      ::close(s->watch);
      s->watch = -1;
    }
    std::erase(pending, s);
    if (!s->given_back) {
      s->given_back = true;
      --used;
      freed.notify_all();
    }
  }
  void give_back(const std::shared_ptr<Slot> &s) {
    std::lock_guard lk(mu);
    give_back_locked(s);
  }
  // Pending handshakes whose client already hung up (it keeps one channel
  // per TA and closed this duplicate, or it died) can never complete: their
  // slots are free now, not when their handshake threads notice.
  void reclaim_locked() {
    std::vector<std::shared_ptr<Slot>> gone;
    for (const auto &s : pending) {
      pollfd p{s->watch, POLLIN, 0};
      if (::poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR)) != 0) {
        gone.push_back(s);
      }
    }
    for (const auto &s : gone) {
      give_back_locked(s);
    }
  }
};

DirectClients::DirectClients(unsigned max_channels, std::shared_ptr<SelfDeadline> deadline)
    : max_(max_channels), deadline_(std::move(deadline)), state_(std::make_shared<State>()) {}

unsigned DirectClients::used() const {
  std::lock_guard lk(state_->mu);
  return state_->used;
}

void *DirectClients::handshake(void *arg) {
  std::shared_ptr<Slot> s(*static_cast<std::shared_ptr<Slot> *>(arg));
  delete static_cast<std::shared_ptr<Slot> *>(arg);
  ChannelOptions o;
  o.pool_threads = 2;  // as capteed gives each client connection
  o.accept_channel_refs = false;
  int fd = std::exchange(s->fd, -1);
  std::shared_ptr<Channel> ch = start_channel(fd, std::move(s->served), o);
  std::shared_ptr<State> state = s->state;
  bool keep = false;
  {
    std::lock_guard lk(state->mu);
    if (s->watch >= 0) {
      ::close(s->watch);
      s->watch = -1;
    }
    std::erase(state->pending, s);
    // Failed, or reclaimed meanwhile because the client had hung up (a
    // channel that started anyway has nobody at the other end).
    keep = ch && !s->given_back;
    if (!keep) {
      state->give_back_locked(s);
    }
  }
  if (!keep) {
    if (ch) {
      ch->close();
    }
    return nullptr;
  }
  ch->on_close([s] { s->state->give_back(s); });
  return nullptr;
}

int32_t DirectClients::attach(int sock, Object target) {
  if (Object_isNull(target) || !connected_seqpacket(sock)) {
    return Object_ERROR_INVALID;
  }
  auto s = std::make_shared<Slot>();
  s->state = state_;
  {
    std::unique_lock lk(state_->mu);
    // At the limit, a pending handshake usually resolves within moments (the
    // client that closed a duplicate may not have been the last to hold its
    // end: the sender's copy goes just after the send). Wait a little for
    // one before sending the client the forwarded way.
    const auto until = std::chrono::steady_clock::now() + kPendingWait;
    while (state_->used >= max_) {
      state_->reclaim_locked();
      if (state_->used < max_ || state_->pending.empty()) {
        break;  // a slot is free, or open channels hold them all
      }
      const auto now = std::chrono::steady_clock::now();
      if (now >= until) {
        break;
      }
      state_->freed.wait_until(lk, std::min(until, now + kReclaimPoll));
    }
    if (state_->used >= max_) {
      return Object_ERROR_NOSLOTS;
    }
    s->fd = ::fcntl(sock, F_DUPFD_CLOEXEC, 3);
    s->watch = s->fd >= 0 ? ::fcntl(sock, F_DUPFD_CLOEXEC, 3) : -1;
    if (s->watch < 0) {
      if (s->fd >= 0) {
        ::close(s->fd);
      }
      return Object_ERROR_NOSLOTS;  // RLIMIT_NOFILE
    }
    ++state_->used;
    state_->pending.push_back(s);
  }
  s->served = deadline_ ? deadline_->guard(target) : Ref::share(target);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, kHandshakeStack);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_t t;
  auto *arg = new std::shared_ptr<Slot>(s);
  const int rc = pthread_create(&t, &attr, &DirectClients::handshake, arg);
  pthread_attr_destroy(&attr);
  if (rc != 0) {
    delete arg;
    ::close(std::exchange(s->fd, -1));
    s->served.reset();
    state_->give_back(s);
    return Object_ERROR_NOSLOTS;
  }
  return Object_OK;
}

}  // namespace captee::tee::apps::detail
