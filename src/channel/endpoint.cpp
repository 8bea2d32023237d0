// Filesystem endpoints: Listener (bind/accept) and connect().
#include <fcntl.h>
#include <linux/sockios.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <utility>

#include "captee/channel.hpp"

namespace captee {

namespace {
bool make_address(const std::string &path, sockaddr_un &addr, std::string *why) {
  addr = {};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof addr.sun_path) {
    if (why != nullptr) {
      *why = "socket path is empty or too long: " + path;
    }
    return false;
  }
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return true;
}

void set_why(std::string *why, const std::string &what) {
  if (why != nullptr) {
    *why = what + ": " + std::strerror(errno);
  }
}

// Linux 6.5; older libc headers lack the constant (the value is the same on
// every architecture).
#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif

int peer_pidfd(int sock, pid_t pid, bool &exact) {
  int fd = -1;
  socklen_t len = sizeof fd;
  if (::getsockopt(sock, SOL_SOCKET, SO_PEERPIDFD, &fd, &len) == 0 && fd >= 0) {
    exact = true;
    return fd;
  }
  exact = false;
#ifdef SYS_pidfd_open
  if (pid > 0) {
    return int(::syscall(SYS_pidfd_open, pid, 0));
  }
#endif
  (void)pid;
  return -1;
}

// A pidfd polls readable once its process has exited.
bool alive(int pidfd) {
  pollfd p{pidfd, POLLIN, 0};
  return ::poll(&p, 1, 0) == 0;
}

// What the connecting process is, taken before anything it sent is read, in
// two steps. First, on the accepting thread, what cannot block: SO_PASSCRED
// (so that every record sent from then on carries its sender's pid) and the
// process's pidfd.
void take_peer_process(int sock, AcceptedPeer &peer) {
  int on = 1;
  (void)::setsockopt(sock, SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
  peer.pidfd = peer_pidfd(sock, peer.cred.pid, peer.pidfd_exact);
}

// Then, on the connection's own thread (opening the executable may wait on
// a filesystem the peer controls, e.g. FUSE, and must hold up nobody else):
// its executable, and how much the peer had sent by then.
void take_peer_executable(int sock, AcceptedPeer &peer) {
  if (peer.pidfd >= 0) {
    const std::string exe = "/proc/" + std::to_string(peer.cred.pid) + "/exe";
    peer.exe = ::open(exe.c_str(), O_RDONLY | O_CLOEXEC);
    // Opened while the pidfd's process was alive: /proc/<pid> was that
    // process, not a later one with its pid.
    if (peer.exe >= 0 && !alive(peer.pidfd)) {
      ::close(peer.exe);
      peer.exe = -1;
    }
  }
  int queued = 0;
  if (::ioctl(sock, SIOCINQ, &queued) != 0) {
    peer.early_bytes = UINT64_MAX;  // unknown: count everything as early
  } else if (queued > 0) {
    peer.early_bytes = uint64_t(queued);
  }
}
}  // namespace

AcceptedPeer::AcceptedPeer(AcceptedPeer &&o) noexcept
    : cred(o.cred),
      pidfd(std::exchange(o.pidfd, -1)),
      pidfd_exact(o.pidfd_exact),
      exe(std::exchange(o.exe, -1)),
      early_bytes(o.early_bytes) {}

AcceptedPeer &AcceptedPeer::operator=(AcceptedPeer &&o) noexcept {
  std::swap(cred, o.cred);
  std::swap(pidfd, o.pidfd);
  std::swap(pidfd_exact, o.pidfd_exact);
  std::swap(exe, o.exe);
  std::swap(early_bytes, o.early_bytes);
  return *this;
}

AcceptedPeer::~AcceptedPeer() {
  if (pidfd >= 0) {
    ::close(pidfd);
  }
  if (exe >= 0) {
    ::close(exe);
  }
}

// Handshakes waiting for their peer's hello, per uid and in all, and the
// connections open per uid. Shared with the handshake threads and the
// channels' close notifiers, which may outlive the Listener.
//
// It also tracks the handshake threads themselves, which are detached: the
// Listener's destructor waits for them, so none still runs the factory or the
// sink once the Listener is gone (at a daemon's exit, one that did touched
// statics already destroyed). Each thread's socket is watched through a
// duplicate descriptor of its own, so shut_down() can end a silent peer's
// handshake at once rather than at its timeout without ever touching a
// descriptor number that may have been reused.
struct PendingHandshakes {
  std::mutex mu;
  std::map<uid_t, unsigned> by_uid;
  unsigned total = 0;
  std::map<uid_t, unsigned> open_by_uid;
  std::condition_variable idle;
  std::set<int> handshaking;  // duplicates of the sockets still in their handshake
  unsigned threads = 0;       // handshake threads not yet finished
  bool cut = false;           // shut down: no new thread, pending ones cut short

  // A handshake thread is about to start on the socket `watch` duplicates;
  // false (and `watch` closed) once shut down.
  bool start_thread(int watch) {
    std::lock_guard lk(mu);
    if (cut) {
      ::close(watch);
      return false;
    }
    handshaking.insert(watch);
    ++threads;
    return true;
  }
  // The handshake is over, whatever its outcome: shut_down() no longer
  // touches that socket (a channel that came of it lives on).
  void handshake_over(int watch) {
    std::lock_guard lk(mu);
    handshaking.erase(watch);
    ::close(watch);
  }
  // The thread's last step.
  void thread_done() {
    std::lock_guard lk(mu);
    --threads;
    idle.notify_all();
  }
  void cut_short() {
    std::lock_guard lk(mu);
    cut = true;
    for (int fd : handshaking) {
      ::shutdown(fd, SHUT_RDWR);  // the peer's hello can no longer come
    }
  }
  void wait_for_threads() {
    std::unique_lock lk(mu);
    idle.wait(lk, [this] { return threads == 0; });
  }

  bool enter(uid_t uid) {
    std::lock_guard lk(mu);
    if (total >= Listener::kMaxPending || !take(by_uid, uid, Listener::kMaxPendingPerUid)) {
      return false;
    }
    ++total;
    return true;
  }
  void leave(uid_t uid) {
    std::lock_guard lk(mu);
    give_back(by_uid, uid);
    --total;
  }
  // A connection of `uid` opens, unless `max` (0: no cap) are open already.
  bool open(uid_t uid, unsigned max) {
    std::lock_guard lk(mu);
    return take(open_by_uid, uid, max);
  }
  void closed(uid_t uid) {
    std::lock_guard lk(mu);
    give_back(open_by_uid, uid);
  }

 private:
  // One more for `uid` unless it has `max` already (0: no cap); a uid with
  // none has no entry.
  static bool take(std::map<uid_t, unsigned> &counts, uid_t uid, unsigned max) {
    auto it = counts.find(uid);
    const unsigned n = it == counts.end() ? 0 : it->second;
    if (max != 0 && n >= max) {
      return false;
    }
    ++counts[uid];
    return true;
  }
  static void give_back(std::map<uid_t, unsigned> &counts, uid_t uid) {
    if (--counts[uid] == 0) {
      counts.erase(uid);
    }
  }
};

struct Listener::Impl {
  std::atomic<bool> shut{false};
  std::thread server;
  std::shared_ptr<PendingHandshakes> pending = std::make_shared<PendingHandshakes>();
};

Listener::Listener(int fd, std::string path, PeerFactory f, ChannelOptions opts)
    : fd_(fd),
      path_(std::move(path)),
      factory_(std::move(f)),
      opts_(std::move(opts)),
      impl_(std::make_unique<Impl>()) {}

std::unique_ptr<Listener> Listener::bind(const std::string &path, PrimordialFactory primordial,
                                         const ChannelOptions &opts, unsigned mode,
                                         std::string *why) {
  PeerFactory by_peer;
  if (primordial) {
    by_peer = [f = std::move(primordial)](AcceptedPeer &peer) { return f(peer.cred); };
  }
  return bind(path, std::move(by_peer), opts, mode, why);
}

std::unique_ptr<Listener> Listener::bind(const std::string &path, PeerFactory primordial,
                                         const ChannelOptions &opts, unsigned mode,
                                         std::string *why) {
  sockaddr_un addr;
  if (!make_address(path, addr, why)) {
    return nullptr;
  }
  int fd = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    set_why(why, "socket");
    return nullptr;
  }
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) {
    ::unlink(path.c_str());
  }
  // Create the socket file with the final mode: no window where others could
  // connect with looser permissions.
  mode_t old = ::umask(0777 & ~mode);
  int rc = ::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr);
  ::umask(old);
  if (rc != 0 || ::chmod(path.c_str(), mode) != 0 || ::listen(fd, 64) != 0) {
    set_why(why, "bind " + path);
    ::close(fd);
    return nullptr;
  }
  return std::unique_ptr<Listener>(new Listener(fd, path, std::move(primordial), opts));
}

Listener::~Listener() {
  shut_down();
  if (impl_->server.joinable()) {
    impl_->server.join();
  }
  impl_->pending->wait_for_threads();
  ::close(fd_);
  ::unlink(path_.c_str());
}

// Waits for a connection; returns its socket and what the peer is (see
// AcceptedPeer), or -1 once shut down or on error.
int Listener::accept_socket(AcceptedPeer &peer, std::string *why) {
  for (;;) {
    if (impl_->shut.load()) {
      return -1;
    }
    int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) {
      if (errno == EINTR || errno == ECONNABORTED) {
        continue;
      }
      set_why(why, "accept");
      return -1;
    }
    if (impl_->shut.load()) {
      ::close(c);
      return -1;
    }
    socklen_t len = sizeof peer.cred;
    if (::getsockopt(c, SOL_SOCKET, SO_PEERCRED, &peer.cred, &len) != 0) {
      set_why(why, "SO_PEERCRED");
      ::close(c);
      continue;
    }
    if (opts_.record_senders) {
      take_peer_process(c, peer);
    }
    return c;
  }
}

std::shared_ptr<Channel> Listener::accept(std::string *why) {
  AcceptedPeer peer;
  int c = accept_socket(peer, why);
  if (c < 0) {
    return nullptr;
  }
  if (opts_.record_senders) {
    take_peer_executable(c, peer);
  }
  Ref primordial = factory_ ? factory_(peer) : Ref();
  ChannelOptions opts = opts_;
  opts.early_bytes = peer.early_bytes;
  return start_channel(c, std::move(primordial), opts, why);
}

void Listener::serve_in_background(ChannelSink on_channel, ListenerLimits limits) {
  if (impl_->server.joinable()) {
    return;
  }
  impl_->server = std::thread([this, sink = std::move(on_channel), limits] {
    while (!impl_->shut.load()) {
      AcceptedPeer peer;
      std::string why;
      int c = accept_socket(peer, &why);
      if (c < 0) {
        if (!impl_->shut.load() && opts_.log) {
          opts_.log("captee listener: " + why);
        }
        continue;
      }
      const ucred cred = peer.cred;
      const unsigned cap = limits.root_unlimited && cred.uid == 0 ? 0 : limits.max_open_per_uid;
      // The handshake runs on its own thread: a peer that connects and stays
      // silent must not hold up everyone else. `watch` lets shut_down() cut
      // that handshake short.
      std::string refused;
      int watch = -1;
      if (!impl_->pending->open(cred.uid, cap)) {
        refused = "too many connections open from uid " + std::to_string(cred.uid) + " (at most " +
                  std::to_string(cap) + ")";
      } else if (!impl_->pending->enter(cred.uid)) {
        impl_->pending->closed(cred.uid);
        refused = "too many handshakes pending from uid " + std::to_string(cred.uid);
      } else if ((watch = ::fcntl(c, F_DUPFD_CLOEXEC, 0)) < 0 ||
                 !impl_->pending->start_thread(watch)) {
        impl_->pending->leave(cred.uid);
        impl_->pending->closed(cred.uid);
        refused = watch < 0 ? "no descriptor to watch the handshake with"
                            : "the listener is shutting down";
      }
      if (!refused.empty()) {
        ::close(c);
        if (sink) {
          sink(nullptr, refused);
        } else if (opts_.log) {
          opts_.log("captee listener: " + refused);
        }
        continue;
      }
      std::thread([c, watch, cred, peer = std::move(peer), factory = factory_, opts = opts_, sink,
                   pending = impl_->pending]() mutable {
        if (opts.record_senders) {
          take_peer_executable(c, peer);
          opts.early_bytes = peer.early_bytes;
        }
        Ref primordial = factory ? factory(peer) : Ref();
        peer = AcceptedPeer();  // closes what the factory did not take
        std::string w;
        std::shared_ptr<Channel> ch = start_channel(c, std::move(primordial), opts, &w);
        pending->handshake_over(watch);
        pending->leave(cred.uid);
        if (ch) {
          // Runs at once if the channel has closed already.
          ch->on_close([pending, uid = cred.uid] { pending->closed(uid); });
        } else {
          pending->closed(cred.uid);
        }
        if (sink) {
          sink(std::move(ch), w);
        } else if (!ch && opts.log) {
          opts.log("captee listener: handshake failed: " + w);
        }
        // Nothing of the caller's may run once the Listener is gone: its
        // callbacks go before the thread says it is done.
        factory = nullptr;
        sink = nullptr;
        opts = ChannelOptions();
        pending->thread_done();
      }).detach();
    }
  });
}

void Listener::shut_down() {
  if (impl_->shut.exchange(true)) {
    return;
  }
  ::shutdown(fd_, SHUT_RDWR);  // wakes accept()
  impl_->pending->cut_short();
}

bool Listener::is_shut_down() const {
  return impl_->shut.load();
}

Ref connect(const std::string &path, const ChannelOptions &opts, std::string *why) {
  sockaddr_un addr;
  if (!make_address(path, addr, why)) {
    return {};
  }
  int fd = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    set_why(why, "socket");
    return {};
  }
  int rc;
  do {
    rc = ::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    set_why(why, "connect " + path);
    ::close(fd);
    return {};
  }
  auto ch = start_channel(fd, Ref(), opts, why);
  if (!ch) {
    return {};
  }
  Ref root = ch->peer_primordial();
  if (root.is_null() && why != nullptr) {
    *why = "peer at " + path + " exports no primordial object";
  }
  return root;
}

}  // namespace captee
