// Moving whole frames over a SOCK_SEQPACKET socket: one frame per record,
// descriptors via SCM_RIGHTS. Frames too big for one record travel
// "out of band": the record holds only the header and the body is in a memfd
// attached as the first descriptor.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "captee/wire.hpp"

namespace captee::detail {

// Largest record sent inline; bigger frames go out of band.
inline constexpr size_t kInlineRecordMax = 64 * 1024;

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
struct RecvBuffer {
  std::unique_ptr<uint8_t[]> data;
  size_t cap = 0;
  size_t len = 0;  // bytes of the last frame received
  std::span<const uint8_t> bytes() const { return {data.get(), len}; }
  // Drops storage larger than an inline record (an out-of-band body), so
  // recycled buffers never pin megabytes.
  void trim() {
    if (cap > kInlineRecordMax) {
      data.reset();
      cap = 0;
    }
    len = 0;
  }
};

// Who sent a frame, for a channel that records senders (SO_PASSCRED on).
struct FrameSender {
  // Bytes of every record read so far on the socket; each call advances it.
  uint64_t stream_bytes = 0;
  // Out: the pid SCM_CREDENTIALS attached to the frame's records; 0 if a
  // record had none or its records (a notice and its frame) disagree.
  pid_t pid = 0;
  // Out: where the frame's first record starts in the byte stream.
  uint64_t first_byte = 0;
};

// Receives one frame into `buf`. On kOk, buf.bytes() is the whole frame
// (out-of-band bodies read in) and `fds` holds the descriptors that belong to
// its object references. On kViolation `*why` names the problem.
// `fd_notices` (both sides offered wire version 2): records are read with
// recv(2), no control buffer, except the one after a kFdNotice record, which
// this call reads too. That is only sound while one thread at a time reads
// the socket, which the channel guarantees.
// `sender` (may be null): every record is read with a control buffer for
// its SCM_CREDENTIALS, which are reported there; descriptors attached to a
// record no notice announced are closed, as the kernel would have dropped
// them without a control buffer.
RecvStatus recv_frame(int sock, size_t max_frame, RecvBuffer &buf, FdList &fds, bool fd_notices,
                      const char **why, FrameSender *sender = nullptr);

// Sends one frame with `fds` attached (borrowed), preceded by a kFdNotice
// record if there are descriptors and `fd_notices`. The caller serialises
// senders (the notice and its record must be adjacent). Returns 0 or an
// errno value.
int send_frame(int sock, wire::Encoded &frame, std::span<const int> fds, bool fd_notices);

}  // namespace captee::detail
