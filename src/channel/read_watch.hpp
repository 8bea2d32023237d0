// Waiting for a channel's socket to become readable without reading it, in a
// way another thread can switch off: the serving pool's idle reader waits
// here instead of inside recvmsg, so that a thread waiting for the reply to
// its own invoke can read that reply itself (disarm, read, arm) and nobody
// else is woken for it. A thread blocked in recvmsg cannot be told that.
#pragma once

#include <cstdint>

#pragma GCC visibility push(hidden)

namespace captee::detail {

class ReadWatch {
 public:
  enum class Wake {
    kReadable,  // the socket has a record (or its peer is gone)
    kKicked,    // kick() was called
    kFailed,    // epoll_wait failed: read the socket instead
  };

  ReadWatch() = default;
  ReadWatch(const ReadWatch &) = delete;
  ReadWatch &operator=(const ReadWatch &) = delete;
  ~ReadWatch();  // closes the epoll and event descriptors (never the socket)

  // Starts watching `sock` (not owned; it must outlive this object), disarmed.
  // False if the descriptors cannot be created (e.g. at RLIMIT_NOFILE): the
  // caller then reads the socket directly, as before.
  bool open(int sock);
  bool is_open() const { return ep_ >= 0; }

  // Arms the watch for one readable event (one-shot: wait() consumes it), or
  // switches it off. Each is one epoll_ctl; a pending record makes an armed
  // watch fire at once.
  void arm();
  void disarm();
  // Wakes the thread inside wait() whether armed or not.
  void kick();
  // Blocks until readable (while armed) or kicked.
  Wake wait();

 private:
  void set_socket_events(uint32_t events);  // one-shot, as arm() says
  int sock_ = -1;
  int ep_ = -1;
  int event_ = -1;
};

}  // namespace captee::detail

#pragma GCC visibility pop
