#include "read_watch.hpp"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

namespace captee::detail {
namespace {

// epoll_event.data.u32 of each watched descriptor.
constexpr uint32_t kSocketTag = 1;
constexpr uint32_t kEventTag = 2;

}  // namespace

ReadWatch::~ReadWatch() {
  if (ep_ >= 0) {
    ::close(ep_);
  }
  if (event_ >= 0) {
    ::close(event_);
  }
}

bool ReadWatch::open(int sock) {
  if (ep_ >= 0) {
    return true;
  }
  const int ep = ::epoll_create1(EPOLL_CLOEXEC);
  const int ev = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  epoll_event s{};
  s.events = EPOLLONESHOT;  // registered disarmed
  s.data.u32 = kSocketTag;
  epoll_event e{};
  e.events = EPOLLIN;
  e.data.u32 = kEventTag;
  if (ep < 0 || ev < 0 || ::epoll_ctl(ep, EPOLL_CTL_ADD, sock, &s) != 0 ||
      ::epoll_ctl(ep, EPOLL_CTL_ADD, ev, &e) != 0) {
    if (ep >= 0) {
      ::close(ep);
    }
    if (ev >= 0) {
      ::close(ev);
    }
    return false;
  }
  sock_ = sock;
  ep_ = ep;
  event_ = ev;
  return true;
}

void ReadWatch::arm() {
  set_socket_events(EPOLLIN);
}

void ReadWatch::disarm() {
  // No readable bit: the kernel still reports a hang-up or an error (it
  // always does), which only makes the waiter look again and find the
  // channel closing.
  set_socket_events(0);
}

void ReadWatch::set_socket_events(uint32_t events) {
  epoll_event s{};
  s.events = events | EPOLLONESHOT;
  s.data.u32 = kSocketTag;
  (void)::epoll_ctl(ep_, EPOLL_CTL_MOD, sock_, &s);
}

void ReadWatch::kick() {
  const uint64_t one = 1;
  (void)!::write(event_, &one, sizeof one);
}

ReadWatch::Wake ReadWatch::wait() {
  for (;;) {
    epoll_event got[2];
    const int n = ::epoll_wait(ep_, got, 2, -1);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return Wake::kFailed;
    }
    bool kicked = false;
    bool readable = false;
    for (int i = 0; i < n; ++i) {
      kicked |= got[i].data.u32 == kEventTag;
      readable |= got[i].data.u32 == kSocketTag;
    }
    if (kicked) {
      uint64_t count = 0;
      (void)!::read(event_, &count, sizeof count);
    }
    return readable ? Wake::kReadable : Wake::kKicked;
  }
}

}  // namespace captee::detail
