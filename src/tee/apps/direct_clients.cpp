#include "direct_clients.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <system_error>
#include <thread>

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

}  // namespace

DirectClients::DirectClients(unsigned max_channels, std::shared_ptr<SelfDeadline> deadline)
    : max_(max_channels), deadline_(std::move(deadline)) {}

int32_t DirectClients::attach(int sock, Object target) {
  if (Object_isNull(target) || !connected_seqpacket(sock)) {
    return Object_ERROR_INVALID;
  }
  unsigned n = state_->live.load(std::memory_order_acquire);
  do {
    if (n >= max_) {
      return Object_ERROR_NOSLOTS;
    }
  } while (!state_->live.compare_exchange_weak(n, n + 1, std::memory_order_acq_rel));
  auto state = state_;
  auto give_back = [state] { state->live.fetch_sub(1, std::memory_order_acq_rel); };
  int fd = ::fcntl(sock, F_DUPFD_CLOEXEC, 3);
  if (fd < 0) {
    give_back();
    return Object_ERROR_NOSLOTS;  // RLIMIT_NOFILE
  }
  Ref served = deadline_ ? deadline_->guard(target) : Ref::share(target);
  try {
    std::thread([fd, served = std::move(served), give_back]() mutable {
      ChannelOptions o;
      o.pool_threads = 2;  // as capteed gives each client connection
      o.accept_channel_refs = false;
      std::string why;
      auto ch = start_channel(fd, std::move(served), o, &why);
      if (!ch) {
        give_back();  // the client never answered (or went away)
        return;
      }
      ch->on_close(give_back);
    }).detach();
  } catch (const std::system_error &) {
    ::close(fd);
    give_back();
    return Object_ERROR_NOSLOTS;
  }
  return Object_OK;
}

}  // namespace captee::tee::apps::detail
