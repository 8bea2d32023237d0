#include "socket_io.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <new>

#include "captee/detail/write_all.hpp"

namespace captee::detail {

FdList::~FdList() {
  for (int fd : fds) {
    if (fd >= 0) {
      ::close(fd);
    }
  }
}

namespace {

constexpr size_t kMaxRecordFds = wire::kMaxFdsPerFrame + 1;

bool read_all_at(int fd, uint8_t *dst, size_t len) {
  size_t done = 0;
  while (done < len) {
    ssize_t n = ::pread(fd, dst + done, len - done, off_t(done));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return false;
    }
    done += size_t(n);
  }
  return true;
}

int send_record(int sock, const iovec *iov, size_t niov, std::span<const int> fds,
                bool fd_notices) {
  if (!fds.empty() && fd_notices) {
    uint8_t notice[wire::kHeaderSize];
    wire::encode_fd_notice(uint8_t(fds.size()), notice);
    iovec n{notice, sizeof notice};
    if (int rc = send_record(sock, &n, 1, {}, false); rc != 0) {
      return rc;
    }
  }
  if (niov == 1 && fds.empty()) {
    // The common small frame: send(2) skips copying a msghdr and an iovec
    // array in from user space.
    for (;;) {
      ssize_t n = ::send(sock, iov[0].iov_base, iov[0].iov_len, MSG_NOSIGNAL);
      if (n >= 0) {
        return 0;
      }
      if (errno != EINTR) {
        return errno;
      }
    }
  }
  msghdr msg{};
  msg.msg_iov = const_cast<iovec *>(iov);
  msg.msg_iovlen = niov;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxRecordFds)];
  if (!fds.empty()) {
    msg.msg_control = control;
    msg.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
    // The padding CMSG_SPACE adds after the descriptors goes to the kernel
    // too: zero it rather than hand it stack garbage (Valgrind's finding).
    std::memset(control, 0, msg.msg_controllen);
    cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
    std::memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
  }
  for (;;) {
    ssize_t n = ::sendmsg(sock, &msg, MSG_NOSIGNAL);
    if (n >= 0) {
      return 0;
    }
    if (errno != EINTR) {
      return errno;
    }
  }
}

}  // namespace

namespace {

// One record with a control buffer. Returns the record length, 0 at EOF (no
// descriptors either), -1 on error; *flags gets msg_flags, and *pid (if
// given) the sender's pid from SCM_CREDENTIALS, or 0.
ssize_t recv_with_fds(int sock, RecvBuffer &buf, FdList &fds, int *flags, pid_t *pid = nullptr) {
  constexpr size_t kRightsSpace = CMSG_SPACE(sizeof(int) * kMaxRecordFds);
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(ucred)) + kRightsSpace];
  iovec iov{buf.data.get(), kInlineRecordMax};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  // Without credentials to receive, room for descriptors only: the same
  // limit (MSG_CTRUNC beyond it) whether or not senders are recorded.
  msg.msg_controllen = pid != nullptr ? sizeof control : kRightsSpace;
  ssize_t n;
  do {
    n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    return -1;
  }
  if (pid != nullptr) {
    *pid = 0;
  }
  if (msg.msg_controllen > 0) {
    for (cmsghdr *c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
        size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < count; ++i) {
          int fd;
          std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
          fds.fds.push_back(fd);
        }
      } else if (pid != nullptr && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS &&
                 c->cmsg_len == CMSG_LEN(sizeof(ucred))) {
        ucred cred;
        std::memcpy(&cred, CMSG_DATA(c), sizeof cred);
        *pid = cred.pid;
      }
    }
  }
  *flags = msg.msg_flags;
  return n;
}

// A frame's sender as receiving its records finds it (FrameSocket::receive
// keeps the running count and turns first_byte into FrameOrigin::early).
struct FrameSender {
  // Bytes of every record read so far on the socket; each call advances it.
  uint64_t stream_bytes = 0;
  // Out: the pid SCM_CREDENTIALS attached to the frame's records; 0 if a
  // record had none or its records (a notice and its frame) disagree.
  pid_t pid = 0;
  // Out: where the frame's first record starts in the byte stream.
  uint64_t first_byte = 0;
};

// Accounts for one record of `n` bytes from `pid`. The first record of a
// frame sets its sender and where it starts; a later one (the record after
// a notice) must agree, or the frame's sender is unknown (0).
void note_record(FrameSender *sender, ssize_t n, pid_t pid, bool first) {
  if (sender == nullptr || n < 0) {
    return;
  }
  if (first) {
    sender->first_byte = sender->stream_bytes;
    sender->pid = pid;
  } else if (sender->pid != pid) {
    sender->pid = 0;
  }
  sender->stream_bytes += uint64_t(n);
}

constexpr int kImmutableSeals = F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW;

// Maps the out-of-band body in `body` (its size already checked: the frame's
// `size` less the header) behind the header already in `buf`, if the
// sender sealed it against writes and resizing and it is worth mapping;
// false leaves `buf` as it was, for a copy. Read-only: a frame is never
// written to where it was received (and a writable private mapping would be
// populated by copying every page).
bool map_sealed_body(int body, RecvBuffer &buf, size_t size) {
  const size_t body_len = size - wire::kHeaderSize;
  const int seals = ::fcntl(body, F_GET_SEALS);
  if (body_len < kMapBodyMin || seals < 0 || (seals & kImmutableSeals) != kImmutableSeals) {
    return false;
  }
  const size_t page = size_t(::sysconf(_SC_PAGESIZE));
  // One page for the header in front, then the body's pages.
  const size_t total = page + (body_len + page - 1) / page * page;
  void *base = ::mmap(nullptr, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED) {
    return false;
  }
  auto mapped = std::make_unique<MappedFrame>();
  mapped->base = base;
  mapped->len = total;
  auto *front = static_cast<uint8_t *>(base);
  if (::mmap(front + page, body_len, PROT_READ, MAP_PRIVATE | MAP_FIXED | MAP_POPULATE, body, 0) ==
      MAP_FAILED) {
    return false;
  }
  uint8_t *frame = front + page - wire::kHeaderSize;
  std::memcpy(frame, buf.data.get(), wire::kHeaderSize);
  buf.mapped = std::move(mapped);
  buf.mapped_frame = frame;
  return true;
}

// Receives one frame (FrameSocket::receive) with `sender` as its bookkeeping.
RecvStatus recv_frame(int sock, size_t max_frame, RecvBuffer &buf, FdList &fds, bool fd_notices,
                      const char **why, FrameSender *sender) {
  if (buf.cap < kInlineRecordMax) {
    buf.data.reset(new uint8_t[kInlineRecordMax]);
    buf.cap = kInlineRecordMax;
  }
  buf.len = 0;
  buf.mapped.reset();
  buf.mapped_frame = nullptr;
  ssize_t n;
  int flags = 0;
  pid_t pid = 0;
  pid_t *want_pid = sender != nullptr ? &pid : nullptr;
  // The header of the record that holds the frame, once read (each record's
  // header is parsed once here; decode() checks the rest of it later).
  wire::Header h;
  bool have_header = false;
  if (fd_notices) {
    // The peer announces every record that carries descriptors, so this one
    // needs no control buffer. MSG_TRUNC: the real length, to catch records
    // that do not fit. Descriptors attached without a notice are discarded
    // by the kernel, and the frame's descriptor count then fails decode().
    if (sender == nullptr) {
      do {
        n = ::recv(sock, buf.data.get(), kInlineRecordMax, MSG_TRUNC);
      } while (n < 0 && errno == EINTR);
    } else {
      // The credentials need a control buffer: descriptors that come along
      // unannounced are closed here instead, and a record cut short is
      // reported by its flags rather than by its length.
      FdList unannounced;
      n = recv_with_fds(sock, buf, unannounced, &flags, want_pid);
      if (n > 0 && (flags & MSG_TRUNC) != 0) {
        n = ssize_t(kInlineRecordMax) + 1;
      }
      flags = 0;
      note_record(sender, n, pid, true);
    }
    if (n <= 0) {
      return RecvStatus::kClosed;  // error, or orderly shutdown (SEQPACKET EOF)
    }
    if (size_t(n) > kInlineRecordMax) {
      *why = "record larger than the inline limit";
      return RecvStatus::kViolation;
    }
    have_header = wire::peek_header(std::span(buf.data.get(), size_t(n)), h);
    if (have_header && h.kind == wire::Kind::kFdNotice) {
      const wire::Header notice = h;
      have_header = false;  // the frame is the next record
      if (size_t(n) != wire::kHeaderSize || notice.size != wire::kHeaderSize || notice.aux == 0 ||
          notice.aux > kMaxRecordFds) {
        *why = "malformed descriptor notice";
        return RecvStatus::kViolation;
      }
      n = recv_with_fds(sock, buf, fds, &flags, want_pid);
      if (n < 0) {
        return RecvStatus::kClosed;
      }
      note_record(sender, n, pid, false);
      if (fds.fds.size() != notice.aux) {
        *why = "descriptor notice does not match the record";
        return RecvStatus::kViolation;
      }
    }
  } else {
    n = recv_with_fds(sock, buf, fds, &flags, want_pid);
    if (n < 0) {
      return RecvStatus::kClosed;
    }
    note_record(sender, n, pid, true);
  }
  if (n == 0 && fds.fds.empty()) {
    return RecvStatus::kClosed;  // orderly shutdown (SEQPACKET EOF)
  }
  if (flags & MSG_TRUNC) {
    *why = "record larger than the inline limit";
    return RecvStatus::kViolation;
  }
  if (flags & MSG_CTRUNC) {
    *why = "too many descriptors in one record";
    return RecvStatus::kViolation;
  }
  if (!have_header && !wire::peek_header(std::span(buf.data.get(), size_t(n)), h)) {
    *why = "record shorter than a frame header";
    return RecvStatus::kViolation;
  }
  if ((h.flags & wire::kFlagOutOfBand) == 0) {
    buf.len = size_t(n);
    return RecvStatus::kOk;
  }
  // Out-of-band body: the record is the bare header, the body is in fds[0].
  if (size_t(n) != wire::kHeaderSize || fds.fds.empty()) {
    *why = "out-of-band frame without its body descriptor";
    return RecvStatus::kViolation;
  }
  if (h.size <= wire::kHeaderSize || h.size > max_frame) {
    *why = "out-of-band frame size outside the agreed limit";
    return RecvStatus::kViolation;
  }
  int body = fds.take(0);
  fds.fds.erase(fds.fds.begin());
  struct stat st {};
  bool ok = ::fstat(body, &st) == 0 && S_ISREG(st.st_mode) &&
            uint64_t(st.st_size) == uint64_t(h.size) - wire::kHeaderSize;
  if (ok && map_sealed_body(body, buf, h.size)) {
    ::close(body);
    buf.len = h.size;
    return RecvStatus::kOk;
  }
  if (ok) {
    std::unique_ptr<uint8_t[]> whole(new (std::nothrow) uint8_t[h.size]);
    ok = whole != nullptr;
    if (ok) {
      std::memcpy(whole.get(), buf.data.get(), wire::kHeaderSize);
      ok = read_all_at(body, whole.get() + wire::kHeaderSize, h.size - wire::kHeaderSize);
      buf.data = std::move(whole);
      buf.cap = h.size;
    }
  }
  ::close(body);
  if (!ok) {
    *why = "out-of-band body does not match the frame size";
    return RecvStatus::kViolation;
  }
  buf.len = h.size;
  return RecvStatus::kOk;
}

}  // namespace

MappedFrame::~MappedFrame() {
  if (base != nullptr) {
    ::munmap(base, len);
  }
}

FrameSocket::~FrameSocket() {
  ::close(sock_);
}

RecvStatus FrameSocket::receive(size_t max_frame, RecvBuffer &buf, FdList &fds, FrameOrigin &origin,
                                const char **why) {
  FrameSender sender;
  if (record_senders_) {
    sender.stream_bytes = stream_bytes_.load(std::memory_order_relaxed);
  }
  // One call site, so recv_frame is inlined here.
  auto st =
      recv_frame(sock_, max_frame, buf, fds, fd_notices_, why, record_senders_ ? &sender : nullptr);
  if (record_senders_) {
    stream_bytes_.store(sender.stream_bytes, std::memory_order_relaxed);
    origin.pid = sender.pid;
    origin.early = sender.first_byte < early_bytes_;
  }
  return st;
}

int FrameSocket::send(wire::Encoded &frame, std::span<const int> fds) {
  const int sock = sock_;
  const bool fd_notices = fd_notices_;
  if (frame.size <= kInlineRecordMax) {
    iovec iov[2 * 64 + 4];
    size_t n = 0;
    for (const wire::Piece &p : frame.pieces) {
      if (n == std::size(iov)) {
        return EMSGSIZE;
      }
      iov[n++] = iovec{const_cast<void *>(p.ptr), p.len};
    }
    return send_record(sock, iov, n, fds, fd_notices);
  }
  int body = ::memfd_create("captee-frame", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (body < 0) {
    return errno;
  }
  bool ok = true;
  for (size_t i = 0; ok && i < frame.pieces.size(); ++i) {
    const auto *p = static_cast<const uint8_t *>(frame.pieces[i].ptr);
    size_t len = frame.pieces[i].len;
    if (i == 0) {  // skip the header: it goes in the record itself
      p += wire::kHeaderSize;
      len -= wire::kHeaderSize;
    }
    ok = write_all(body, p, len) == 0;
  }
  // Sealed, the receiver may map the body rather than copy it (RecvBuffer).
  // The kernel can refuse F_SEAL_WRITE with EBUSY while something briefly
  // holds a reference to the pages; the body then goes unsealed and the
  // receiver copies it, which costs time but never the frame.
  if (ok && ::fcntl(body, F_ADD_SEALS, kImmutableSeals | F_SEAL_SEAL) != 0 && errno != EBUSY) {
    ok = false;
  }
  if (!ok) {
    int e = errno;
    ::close(body);
    return e != 0 ? e : EIO;
  }
  uint8_t header[wire::kHeaderSize];
  std::memcpy(header, frame.head.data(), sizeof header);
  header[5] |= wire::kFlagOutOfBand;
  header[6] = uint8_t(header[6] + 1);
  int all[kMaxRecordFds];
  all[0] = body;
  size_t nfds = 1;
  for (int fd : fds) {
    all[nfds++] = fd;
  }
  iovec iov{header, sizeof header};
  int rc = send_record(sock, &iov, 1, std::span(all, nfds), fd_notices);
  ::close(body);
  return rc;
}

}  // namespace captee::detail
