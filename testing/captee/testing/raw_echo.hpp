// The baseline every IPC benchmark is measured against: a child process that
// echoes each AF_UNIX SOCK_SEQPACKET record it receives, with no framework in
// between. For benchmarks only.
#pragma once

#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstddef>

namespace captee::testing {

// Forks the echo child on construction; closes and reaps it on destruction.
// `fd` is -1 if the socket pair could not be made.
struct RawEcho {
  pid_t pid = -1;
  int fd = -1;

  RawEcho() {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
      return;
    }
    pid = ::fork();
    if (pid == 0) {
      ::close(sv[0]);
      char buf[4096];
      for (;;) {
        ssize_t n = ::recv(sv[1], buf, sizeof buf, 0);
        if (n <= 0 || ::send(sv[1], buf, size_t(n), MSG_NOSIGNAL) != n) {
          ::_exit(0);
        }
      }
    }
    ::close(sv[1]);
    fd = sv[0];
  }
  ~RawEcho() {
    ::close(fd);
    int status;
    if (pid > 0) {
      ::waitpid(pid, &status, 0);
    }
  }
  RawEcho(const RawEcho &) = delete;
  RawEcho &operator=(const RawEcho &) = delete;

  // One round trip of `len` bytes (at most 4096) through the echo.
  bool round_trip(void *buf, size_t len) const {
    return ::send(fd, buf, len, 0) == static_cast<ssize_t>(len) &&
           ::recv(fd, buf, len, 0) == static_cast<ssize_t>(len);
  }
};

// Pins the calling thread, and the children it forks from now on, to the CPU
// it runs on; restores the old mask on destruction.
struct PinToOneCpu {
  cpu_set_t old{};
  PinToOneCpu() {
    sched_getaffinity(0, sizeof old, &old);
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(sched_getcpu(), &one);
    sched_setaffinity(0, sizeof one, &one);
  }
  ~PinToOneCpu() { sched_setaffinity(0, sizeof old, &old); }
  PinToOneCpu(const PinToOneCpu &) = delete;
  PinToOneCpu &operator=(const PinToOneCpu &) = delete;
};

}  // namespace captee::testing
