// Moving whole frames over a SOCK_SEQPACKET socket: one frame per record,
// descriptors via SCM_RIGHTS. Frames too big for one record travel
// "out of band": the record holds only the header and the body is in a memfd
// attached as the first descriptor.
#pragma once

#include <cstddef>
#include <cstdint>
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

// Receives one record. On kOk, `bytes` is the whole frame (out-of-band bodies
// read in) and `fds` the descriptors that belong to its object references.
// On kViolation `*why` names the problem.
RecvStatus recv_frame(int sock, size_t max_frame, std::vector<uint8_t> &bytes, FdList &fds,
                      const char **why);

// Sends one frame with `fds` attached (borrowed). Returns 0 or an errno value.
int send_frame(int sock, wire::Encoded &frame, std::span<const int> fds);

}  // namespace captee::detail
