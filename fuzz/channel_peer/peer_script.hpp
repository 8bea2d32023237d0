// The input format of fuzz_channel_peer, shared by the target and the seed
// generator: a fake peer's script, played into a real Channel over a
// socketpair.
//
//   u8  hello mode (HelloMode, low 2 bits) and, for kValid, 4 limit bytes:
//       max_args, max_data (KiB, u8), max_exports, max_fds
//   u16 hello length + bytes, for kRaw only
//   then records until the input ends:
//     u8  ctl (the kCtl* bits below; bits 5-7: descriptors to attach, 0-7)
//     u8  descriptor kinds (2 bits each, FdKind), present only if ctl attaches fds
//     u16 length (little-endian), then that many bytes (clipped to what is left)
//
// Fix-ups let the fuzzer reach past the decoder without guessing sizes and
// sequence numbers; without them the bytes go out exactly as given.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace captee::fuzz {

enum HelloMode : uint8_t {
  kValid = 0,    // a well-formed hello with the given limits
  kRaw = 1,      // the given bytes as the first record
  kNone = 2,     // hang up without a hello
  kWithFds = 3,  // a valid hello carrying a descriptor
};

enum FdKind : uint8_t {
  kMemfdSealed = 0,  // 4 KiB memfd, size sealed (what a memory object is)
  kDevNull = 1,      // not memory at all
  kPipe = 2,         // read end of a pipe (cannot be mapped)
  kMemfdEmpty = 3,   // empty, unsealed memfd
};

inline constexpr uint8_t kCtlFixSize = 0x01;    // header size = record length
inline constexpr uint8_t kCtlFixSeq = 0x02;     // header seq = next sequence number
inline constexpr uint8_t kCtlReplyId = 0x04;    // invoke id = last request id the channel sent
inline constexpr uint8_t kCtlOutOfBand = 0x08;  // body in a memfd, header flag and fd count set
inline constexpr uint8_t kCtlWait = 0x10;       // wait (briefly) for a frame from the channel first

// Methods of the object the channel exports to the fake peer.
enum TargetMethod : uint32_t {
  kEcho = 0,          // BI[i] copied into BO[i]
  kMakeChildren = 1,  // every OO slot gets a new object
  kCallBack = 2,      // invokes every OI (echo-shaped), maps fd objects
  kKeep = 3,          // keeps every OI (bounded)
  kReturn = 4,        // OO[i] = OI[i]
  kDropKept = 5,      // releases what kKeep kept
};

// Builds scripts (the seed generator and tests).
struct ScriptWriter {
  std::vector<uint8_t> bytes;
  void hello_valid(uint8_t max_args = 15, uint8_t max_data_kib = 255, uint8_t max_exports = 64,
                   uint8_t max_fds = 15) {
    bytes.insert(bytes.end(), {kValid, max_args, max_data_kib, max_exports, max_fds});
  }
  void record(uint8_t ctl, const std::vector<uint8_t> &body, uint8_t fd_kinds = 0) {
    bytes.push_back(ctl);
    if ((ctl >> 5) != 0) {
      bytes.push_back(fd_kinds);
    }
    bytes.push_back(uint8_t(body.size()));
    bytes.push_back(uint8_t(body.size() >> 8));
    bytes.insert(bytes.end(), body.begin(), body.end());
  }
};

}  // namespace captee::fuzz
