// Fuzzes a real Channel from its peer's side: the input is a fake peer's
// script (peer_script.hpp) of a handshake and raw frames, with descriptors
// attached where the fuzzer says, played into a channel over a socketpair.
// The channel exports an object that echoes, makes children, calls back,
// keeps and returns objects, so frames reach every table and the callback
// path. Whatever arrives, the channel must never crash; once the fake peer
// hangs up it must close within a bound (no hang), let go of every object
// it held (no leak) and of every descriptor (no fd leak).
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

#include "captee/channel.hpp"
#include "captee/memory.hpp"
#include "peer_script.hpp"

using namespace captee;
using namespace captee::fuzz;

namespace {

std::atomic<int> g_live_targets{0};

[[noreturn]] void fail(const char *what) {
  std::fprintf(stderr, "fuzz_channel_peer: %s\n", what);
  std::abort();
}

class Target final : public LocalObject {
 public:
  Target() { g_live_targets.fetch_add(1); }
  ~Target() override { g_live_targets.fetch_sub(1); }
  void drop_kept() {
    std::vector<Ref> k;
    std::lock_guard lk(mu_);
    k.swap(kept_);
  }

 protected:
  int32_t on_invoke(uint32_t method, ObjectOp, ObjectArg *a, ObjectCounts k) override {
    Args args(a, k);
    const size_t nbi = ObjectCounts_numBI(k), nbo = ObjectCounts_numBO(k),
                 noi = ObjectCounts_numOI(k), noo = ObjectCounts_numOO(k);
    switch (method) {
      case kEcho:
        for (size_t i = 0; i < nbo; ++i) {
          ObjectBuf &b = args.bo(i);
          size_t n = i < nbi ? std::min(b.size, args.bi(i).size()) : 0;
          if (n != 0) {
            std::memcpy(b.ptr, args.bi(i).data(), n);
          }
          b.size = n;
        }
        return Object_OK;
      case kMakeChildren:
        for (size_t i = 0; i < noo; ++i) {
          args.oo(i) = make_object<Target>().detach();
        }
        return Object_OK;
      case kCallBack:
        for (size_t i = 0; i < noi; ++i) {
          if (Object_isNull(args.oi(i))) {
            continue;  // a NULL reference is a legal input, and not callable
          }
          if (auto m = Mapping::map(args.oi(i), FdObject::kRead)) {
            volatile std::byte first = m->bytes()[0];
            (void)first;
            continue;
          }
          char reply[16];
          ObjectArg cb[2];
          cb[0].bi = {"ping", 4};
          cb[1].b = {reply, sizeof reply};
          (void)Object_invoke(args.oi(i), 0, cb, ObjectCounts_pack(1, 1, 0, 0));
        }
        return Object_OK;
      case kKeep: {
        std::lock_guard lk(mu_);
        for (size_t i = 0; i < noi && kept_.size() < 64; ++i) {
          // Proxies and descriptors only: a Target keeping a Target (itself,
          // sent home) would be a cycle of this harness, not of the channel.
          if (LocalObject::from_as<Target>(args.oi(i)) == nullptr) {
            kept_.push_back(Ref::share(args.oi(i)));
          }
        }
        return Object_OK;
      }
      case kReturn:
        for (size_t i = 0; i < noo; ++i) {
          args.oo(i) = i < noi ? Ref::share(args.oi(i)).detach() : Object_NULL;
        }
        return Object_OK;
      case kDropKept:
        drop_kept();
        return Object_OK;
      default:
        return Object_ERROR_INVALID;
    }
  }

 private:
  std::mutex mu_;
  std::vector<Ref> kept_;
};

// Threads of this process (/proc/self/status).
size_t thread_count() {
  FILE *f = std::fopen("/proc/self/status", "r");
  size_t n = 0;
  char line[256];
  while (f != nullptr && std::fgets(line, sizeof line, f) != nullptr) {
    if (std::sscanf(line, "Threads: %zu", &n) == 1) {
      break;
    }
  }
  if (f != nullptr) {
    std::fclose(f);
  }
  return n;
}

size_t open_fds() {
  size_t n = 0;
  DIR *d = ::opendir("/proc/self/fd");
  if (d == nullptr) {
    return 0;
  }
  while (dirent *e = ::readdir(d)) {
    n += e->d_name[0] != '.';
  }
  ::closedir(d);
  return n - 1;  // the directory's own descriptor
}

// Reads what the channel sent (closing any descriptors that came along) and
// remembers the last request's invoke id, so the script can answer callbacks.
class Drain {
 public:
  explicit Drain(int fd) : fd_(fd) {}
  // Reads every frame available now; if `wait_ms` > 0, first waits that long
  // for one. Returns false once the channel has hung up.
  bool run(int wait_ms) {
    if (wait_ms > 0) {
      pollfd p{fd_, POLLIN, 0};
      (void)::poll(&p, 1, wait_ms);
    }
    for (;;) {
      alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 70)];
      iovec iov{buf_, sizeof buf_};
      msghdr msg{};
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      msg.msg_control = control;
      msg.msg_controllen = sizeof control;
      ssize_t n = ::recvmsg(fd_, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
      for (cmsghdr *c = CMSG_FIRSTHDR(&msg); n >= 0 && c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
          size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
          for (size_t i = 0; i < count; ++i) {
            int fd;
            std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
            ::close(fd);
          }
        }
      }
      if (n == 0) {
        return false;
      }
      if (n < 0) {
        return errno == EAGAIN || errno == EINTR;
      }
      if (n >= 24 && buf_[4] == uint8_t(wire::Kind::kRequest)) {
        std::memcpy(&last_request_id_, buf_ + 8, 4);
      }
    }
  }
  uint32_t last_request_id() const { return last_request_id_; }

 private:
  int fd_;
  uint8_t buf_[1 << 16];
  uint32_t last_request_id_ = 0;
};

int make_fd(FdKind kind) {
  switch (kind) {
    case kMemfdSealed: {
      int fd = ::memfd_create("fuzz-mem", MFD_CLOEXEC | MFD_ALLOW_SEALING);
      if (fd >= 0 && (::ftruncate(fd, 4096) != 0 ||
                      ::fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) != 0)) {
        ::close(fd);
        return -1;
      }
      return fd;
    }
    case kDevNull:
      return ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    case kPipe: {
      int p[2];
      if (::pipe2(p, O_CLOEXEC) != 0) {
        return -1;
      }
      ::close(p[1]);
      return p[0];
    }
    case kMemfdEmpty:
      return ::memfd_create("fuzz-empty", MFD_CLOEXEC);
  }
  return -1;
}

bool send_record(int sock, const uint8_t *data, size_t len, const std::vector<int> &fds) {
  iovec iov{const_cast<uint8_t *>(data), len};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 8)] = {};
  if (!fds.empty()) {
    msg.msg_control = control;
    msg.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
    cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
    std::memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
  }
  return ::sendmsg(sock, &msg, MSG_NOSIGNAL | MSG_DONTWAIT) >= 0;
}

class Input {
 public:
  Input(const uint8_t *d, size_t n) : d_(d), n_(n) {}
  bool empty() const { return at_ >= n_; }
  uint8_t u8() { return at_ < n_ ? d_[at_++] : 0; }
  uint16_t u16() {
    uint16_t lo = u8();
    return uint16_t(lo | (u8() << 8));
  }
  std::vector<uint8_t> bytes(size_t len) {
    len = std::min(len, n_ - std::min(at_, n_));
    std::vector<uint8_t> v(d_ + at_, d_ + at_ + len);
    at_ += len;
    return v;
  }

 private:
  const uint8_t *d_;
  size_t n_;
  size_t at_ = 0;
};

// Sends the fake peer's hello; false if the script hangs up instead.
bool send_hello(int sock, Input &in) {
  const uint8_t mode = in.u8() & 3;
  if (mode == kNone) {
    return false;
  }
  if (mode == kRaw) {
    auto b = in.bytes(in.u16());
    return send_record(sock, b.data(), b.size(), {});
  }
  wire::Hello h;
  h.nonce = 0x5eed;
  h.has_primordial = false;
  h.limits.max_args = in.u8();
  h.limits.max_data = uint32_t(in.u8()) << 10;
  h.limits.max_exports = in.u8();
  h.limits.max_fds = in.u8();
  wire::Encoded e;
  wire::encode_hello(h, e);
  auto b = e.flatten();
  std::vector<int> fds;
  if (mode == kWithFds) {
    fds.push_back(make_fd(kDevNull));
  }
  bool ok = send_record(sock, b.data(), b.size(), fds);
  for (int fd : fds) {
    ::close(fd);
  }
  return ok;
}

void play_records(int sock, Input &in, Drain &drain) {
  uint32_t seq = 1;
  while (!in.empty()) {
    const uint8_t ctl = in.u8();
    const unsigned nfds = ctl >> 5;
    const uint8_t kinds = nfds != 0 ? in.u8() : 0;
    std::vector<uint8_t> rec = in.bytes(in.u16());
    if (!drain.run((ctl & kCtlWait) != 0 ? 5 : 0)) {
      return;  // the channel hung up: nothing more to say
    }
    std::vector<int> fds;
    if ((ctl & kCtlOutOfBand) != 0 && rec.size() > wire::kHeaderSize) {
      int body = ::memfd_create("fuzz-body", MFD_CLOEXEC);
      if (body >= 0 && ::write(body, rec.data() + wire::kHeaderSize,
                               rec.size() - wire::kHeaderSize) != ssize_t(rec.size() - 24)) {
        ::close(body);
        body = -1;
      }
      if (body >= 0) {
        fds.push_back(body);
      }
    }
    for (unsigned i = 0; i < nfds; ++i) {
      if (int fd = make_fd(FdKind((kinds >> (2 * (i % 4))) & 3)); fd >= 0) {
        fds.push_back(fd);
      }
    }
    if (rec.size() >= wire::kHeaderSize) {
      uint8_t *h = rec.data();
      if ((ctl & kCtlFixSize) != 0) {
        uint32_t size = uint32_t(rec.size());
        std::memcpy(h, &size, 4);
      }
      if ((ctl & kCtlFixSeq) != 0) {
        std::memcpy(h + 16, &seq, 4);
        ++seq;
      }
      if ((ctl & kCtlReplyId) != 0) {
        uint32_t id = drain.last_request_id();
        std::memcpy(h + 8, &id, 4);
      }
      if ((ctl & kCtlOutOfBand) != 0 && !fds.empty()) {
        h[5] |= wire::kFlagOutOfBand;
        h[6] = uint8_t(fds.size());
        rec.resize(wire::kHeaderSize);
      }
    }
    bool sent = send_record(sock, rec.data(), rec.size(), fds);
    for (int fd : fds) {
      ::close(fd);
    }
    if (!sent && errno != EAGAIN) {
      return;
    }
  }
  drain.run(0);
}

template <class F>
bool within(std::chrono::milliseconds limit, F done) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > end) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const size_t base_fds = open_fds();
  const size_t base_threads = thread_count();
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
    fail("socketpair failed");
  }
  Input in(data, size);
  Ref root = make_object<Target>();
  auto *target = LocalObject::from_as<Target>(root.get());
  {
    // The fake peer speaks first (the socket buffers it), so the handshake
    // runs on this thread; a peer that hangs up instead shuts its side.
    if (!send_hello(sv[0], in)) {
      ::shutdown(sv[0], SHUT_WR);
    }
    ChannelOptions opts;
    opts.pool_threads = 2;
    opts.handshake_timeout_ms = 1000;
    opts.log = [](const std::string &) {};
    std::shared_ptr<Channel> ch = start_channel(sv[1], root, opts);
    std::weak_ptr<Channel> weak = ch;
    if (ch) {
      Drain drain(sv[0]);
      play_records(sv[0], in, drain);
    }
    ::close(sv[0]);  // the fake peer hangs up
    if (ch && !within(std::chrono::seconds(5), [&] { return ch->closed(); })) {
      fail("the channel did not close within 5 s of its peer hanging up");
    }
    target->drop_kept();
    ch.reset();
    if (!within(std::chrono::seconds(5), [&] { return weak.expired(); })) {
      fail("the channel's threads still hold it 5 s after it closed");
    }
    // And have exited (their thread-local buffers freed), so every input
    // ends with as many allocations as it began with: libFuzzer then needs
    // no leak check of its own per input. The process-wide stall watch
    // thread, started by the first channel, stays.
    if (!within(std::chrono::seconds(5), [&] { return thread_count() <= base_threads + 1; })) {
      fail("the channel's threads did not exit within 5 s of its close");
    }
  }
  // A close while a Target's callback (kCallBack, asked while serving) was
  // pending releases the exports on a thread of their own (channel.hpp),
  // which may still be at work here.
  if (!within(std::chrono::seconds(5),
              [&] { return g_live_targets.load() == 1 && target->ref_count() == 1; })) {
    fail("objects the channel held were not released");
  }
  root.reset();
  if (!within(std::chrono::seconds(1), [&] { return open_fds() == base_fds; })) {
    fail("descriptors leaked");
  }
  return 0;
}
