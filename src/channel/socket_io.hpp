// The transport: whole frames over a channel's SOCK_SEQPACKET socket, one
// frame per record, descriptors via SCM_RIGHTS. Frames too big for one
// record travel "out of band": the record holds only the header and the body
// is in a memfd attached as the first descriptor. A FrameSocket reads a
// frame, its descriptors and (if asked) who sent it in one call; decoding the
// bytes is the codec's job (wire::decode), afterwards.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "captee/wire.hpp"

#pragma GCC visibility push(hidden)

namespace captee::detail {

// Largest record sent inline; bigger frames go out of band.
inline constexpr size_t kInlineRecordMax = 64 * 1024;
// Out-of-band bodies from this size on are mapped when sealed (RecvBuffer);
// below it a copy costs less than setting up and tearing down a mapping.
inline constexpr size_t kMapBodyMin = 128 * 1024;

// A descriptor list that closes whatever was not taken (set to -1).
struct FdList {
  std::vector<int> fds;
  FdList() = default;
  FdList(const FdList &) = delete;
  FdList &operator=(const FdList &) = delete;
  ~FdList();
  int take(size_t i) {
    int fd = fds[i];
    fds[i] = -1;
    return fd;
  }
};

enum class RecvStatus { kOk, kClosed, kViolation };

// Where a record lands. The storage is left uninitialised on purpose: the
// kernel writes only the bytes a record has, so a reader's idle buffer costs
// address space, not resident pages. Receiving straight into it (no copy) is
// what lets the channel reuse one per frame.
//
// A large out-of-band body whose memfd the sender sealed against writes and
// resizing is mapped instead (MappedFrame): its pages are the sender's, so
// the frame costs no allocation and no copy, and the seals make it as
// immutable as a private copy (what is checked is what is used).
struct MappedFrame {
  void *base = nullptr;  // the whole reservation, unmapped on destruction
  size_t len = 0;
  MappedFrame() = default;
  MappedFrame(const MappedFrame &) = delete;
  MappedFrame &operator=(const MappedFrame &) = delete;
  ~MappedFrame();
};

struct RecvBuffer {
  std::unique_ptr<uint8_t[]> data;
  size_t cap = 0;
  size_t len = 0;  // bytes of the last frame received
  // A mapped body's frame (header included), when the last frame had one.
  std::unique_ptr<MappedFrame> mapped;
  const uint8_t *mapped_frame = nullptr;
  const uint8_t *frame() const { return mapped_frame != nullptr ? mapped_frame : data.get(); }
  std::span<const uint8_t> bytes() const { return {frame(), len}; }
  // Drops storage larger than an inline record (an out-of-band body), so
  // recycled buffers never pin megabytes.
  void trim() {
    if (cap > kInlineRecordMax) {
      data.reset();
      cap = 0;
    }
    mapped.reset();
    mapped_frame = nullptr;
    len = 0;
  }
};

// Who sent a frame, on a socket that records senders (SO_PASSCRED on).
struct FrameOrigin {
  // The pid SCM_CREDENTIALS attached to the frame's records; 0 if a record
  // had none or its records (a notice and its frame) disagree.
  pid_t pid = 0;
  // The frame starts within the socket's first `early_bytes` bytes.
  bool early = false;
};

// A channel's connected SOCK_SEQPACKET socket, owned (closed on destruction).
class FrameSocket {
 public:
  // `record_senders`: every record is read with a control buffer for its
  // SCM_CREDENTIALS (the caller turned SO_PASSCRED on), which receive()
  // reports; descriptors attached to a record no notice announced are then
  // closed here, as the kernel would have dropped them without a control
  // buffer. Frames starting in the first `early_bytes` bytes are early.
  FrameSocket(int sock, bool record_senders, uint64_t early_bytes)
      : sock_(sock), record_senders_(record_senders), early_bytes_(early_bytes) {}
  ~FrameSocket();
  FrameSocket(const FrameSocket &) = delete;
  FrameSocket &operator=(const FrameSocket &) = delete;

  int fd() const { return sock_; }

  // Both sides offered wire version 2: records carrying descriptors are
  // announced by a kFdNotice record, and every other record is read with
  // recv(2), without a control buffer. Set once, after the handshake and
  // before the socket is shared between threads. Reading without a control
  // buffer is only sound while one thread at a time reads the socket, which
  // the channel guarantees (see pool_loop).
  void use_fd_notices() { fd_notices_ = true; }

  // Sends one frame with `fds` attached (borrowed), preceded by a kFdNotice
  // record if there are descriptors and notices are in use. The caller
  // serialises senders (the notice and its record must be adjacent).
  // Returns 0 or an errno value.
  int send(wire::Encoded &frame, std::span<const int> fds);

  // Receives one frame into `buf`: reads its record (and the notice before
  // it, and an out-of-band body), so that on kOk buf.bytes() is the whole
  // frame and `fds` holds the descriptors that belong to its object
  // references; `origin` is filled in if senders are recorded. An
  // out-of-band frame larger than `max_frame` is refused (an inline record
  // is at most kInlineRecordMax). On kViolation `*why` names the problem.
  // The bytes are not decoded: that is wire::decode()'s job.
  RecvStatus receive(size_t max_frame, RecvBuffer &buf, FdList &fds, FrameOrigin &origin,
                     const char **why);

 private:
  const int sock_;
  bool fd_notices_ = false;
  const bool record_senders_;
  const uint64_t early_bytes_;
  // With record_senders_: bytes of every record read so far. Only the one
  // reading thread touches it; atomic for the hand-over between readers.
  std::atomic<uint64_t> stream_bytes_{0};
};

}  // namespace captee::detail

#pragma GCC visibility pop
