// captee wire format: the bytes two channel endpoints exchange.
//
// A channel carries frames over an AF_UNIX SOCK_SEQPACKET socket, one frame
// per record, file descriptors attached with SCM_RIGHTS. This header is the
// whole format: a fixed 24-byte little-endian header, then a kind-specific
// body. docs/WIRE.md describes it byte by byte.
//
// Encoding and decoding are pure functions over byte spans (plus the number of
// descriptors that arrived with the record). Decoding treats every byte as
// hostile: it checks every size, offset, count, object-reference kind and fd
// index before it produces a view, and it never reads outside the span.
// Table-level checks (is this handle live?) belong to the channel
// (ExportTable::validate_handle).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "captee/detail/little_endian.hpp"

namespace captee::wire {

inline constexpr uint32_t kMagic = 0x57545043;  // "CPTW" little-endian
inline constexpr uint16_t kVersion = 1;
// Later versions add to version 1 without changing it, and the highest
// version a side offers says what it can receive:
//  - 2: descriptor notices. A side that offered 2 reads records without a
//    control buffer (recv(2) is markedly cheaper than recvmsg(2)), so a peer
//    that also offered 2 precedes every record carrying descriptors with a
//    kFdNotice record; sent to a version-1 peer, descriptors go as before.
//  - 3: CHANNEL object references (RefType::kChannel) are accepted; a side
//    sends them only to a peer that offered 3.
inline constexpr uint16_t kVersionFdNotices = 2;
inline constexpr uint16_t kVersionChannelRefs = 3;
inline constexpr size_t kHeaderSize = 24;
inline constexpr size_t kHelloBodySize = 32;
inline constexpr size_t kArgSize = 8;
// Upper bound on fds in one record (the kernel caps SCM_RIGHTS at 253).
inline constexpr uint32_t kMaxFdsPerFrame = 64;
// Upper bound on entries in one batched release.
inline constexpr uint32_t kMaxBatch = 4096;

enum class Kind : uint8_t {
  kHello = 1,
  kRequest = 2,
  kSuccess = 3,
  kError = 4,
  kRelease = 5,
  kReleaseBatch = 6,
  // Transport only (version 2): "the next record carries `aux` descriptors".
  // A bare 24-byte header (invoke id, seq, flags 0); the receiver reads the
  // next record with a control buffer. Never reaches decode().
  kFdNotice = 7,
};

// Header flag: the frame body travels in a memfd (first fd), not in the record.
inline constexpr uint8_t kFlagOutOfBand = 0x01;
// Header flag (requests): the sender has other invokes in flight on this
// channel, so the receiver should serve requests in parallel right away.
inline constexpr uint8_t kFlagConcurrent = 0x02;

// How an object reference names its object.
enum class RefType : uint8_t {
  kNull = 0,
  kSenderHosted = 1,    // handle indexes the sender's export table
  kReceiverHosted = 2,  // handle indexes the receiver's export table (going home)
  kFd = 4,              // fd-backed memory: handle is an index into the attached fds
  // A connected SOCK_SEQPACKET socket (the next attached fd, in order like
  // kFd) to the domain that hosts the object: the receiver starts a channel
  // on it and the object is that channel's primordial. `handle` is a key the
  // sender chose (0: none): references with the same non-zero key on one
  // connection name the same domain and object, so the receiver may keep one
  // channel for all of them. Only to peers that offered kVersionChannelRefs.
  kChannel = 8,
};

// Rights carried by fd references.
inline constexpr uint8_t kRightRead = 0x1;
inline constexpr uint8_t kRightWrite = 0x2;

struct ObjRef {
  RefType type = RefType::kNull;
  uint8_t rights = 0;  // kFd only
  uint32_t handle = 0;
};

// Limits both sides agree on in the handshake (the smaller of each pair).
struct Limits {
  uint32_t max_args = 15;        // per argument kind, at most 15
  uint32_t max_data = 4u << 20;  // BI bytes + BO capacities per message
  uint32_t max_exports = 1024;   // export table entries per side
  uint32_t max_fds = 15;         // descriptors per frame
};

struct Hello {
  uint16_t min_version = kVersion;
  uint16_t max_version = kVersion;
  Limits limits;
  uint64_t nonce = 0;           // breaks the symmetry of invoke-id spaces
  bool has_primordial = false;  // the sender exports a first object (handle kPrimordialHandle)
};

// The primordial object's handle: the one handle a peer names without being
// sent it. Every other handle is opaque to the peer; how handles encode
// export-table slots, and the one check of a handle the peer sends, are the
// channel's (src/channel/handle_table.hpp, which derives this value).
inline constexpr uint32_t kPrimordialHandle = 0x10000;

struct Header {
  uint32_t size = 0;  // whole frame, header included
  Kind kind = Kind::kHello;
  uint8_t flags = 0;
  uint8_t fd_count = 0;
  uint32_t invoke_id = 0;
  uint32_t aux = 0;  // request: target handle; success: counts; error: code; release(batch): n
  // Per-direction frame sequence number (hello 0, then 1, 2, ...). Several
  // threads may read one socket at once; the receiver resolves object
  // references and releases in this order, so a reference sent home is never
  // overtaken by a later release of the same handle.
  uint32_t seq = 0;
};

// A buffer payload inside a decoded frame.
struct Slice {
  uint32_t offset = 0;
  uint32_t size = 0;
};

// Decoded REQUEST or SUCCESS; spans point into the frame given to decode().
struct Message {
  Header header;
  uint32_t handle = 0;  // request target
  uint32_t op = 0;
  uint32_t counts = 0;            // ObjectCounts (success: BI = OI = 0)
  std::vector<Slice> bi;          // request: inputs; success: outputs (BO)
  std::vector<uint32_t> bo_caps;  // request only: output capacities
  std::vector<ObjRef> objs;       // request: OI; success: OO
  int32_t error = 0;              // kError
  struct Release {
    uint32_t handle;
    uint32_t count;
  };
  std::vector<Release> releases;  // kRelease / kReleaseBatch
  Hello hello;                    // kHello
};

// Why a frame was rejected (static strings, for the one log line).
struct DecodeError {
  const char *why = nullptr;
  explicit operator bool() const { return why != nullptr; }
};

// Reads the header of a record without validating the body.
// Returns false if fewer than kHeaderSize bytes are given. Inline: the
// transport reads the header of every record it receives (descriptor
// notices, out-of-band bodies) without a call into this library.
inline bool peek_header(std::span<const uint8_t> bytes, Header &out) {
  if (bytes.size() < kHeaderSize) {
    return false;
  }
  out.size = detail::load_le32(bytes.data());
  out.kind = Kind(bytes[4]);
  out.flags = bytes[5];
  out.fd_count = bytes[6];
  out.invoke_id = detail::load_le32(bytes.data() + 8);
  out.aux = detail::load_le32(bytes.data() + 12);
  out.seq = detail::load_le32(bytes.data() + 16);
  return true;
}

// Decodes and validates one whole frame. `fds` is the number of descriptors
// that arrived with it (after removing the out-of-band body fd, if any).
// On error `out` is unspecified. Never reads outside `bytes`.
DecodeError decode(std::span<const uint8_t> frame, size_t fds, const Limits &limits, Message &out);

// One contiguous piece of an encoded frame (scatter list for sendmsg/writev).
struct Piece {
  const void *ptr;
  size_t len;
};

// An encoded frame: `head` holds header, argument table and small payloads;
// `pieces` lists head and large payloads in order (with padding pieces).
struct Encoded {
  std::vector<uint8_t> head;
  std::vector<Piece> pieces;
  size_t size = 0;
  // Copies the pieces into one buffer (tests, fuzzing, out-of-band bodies).
  std::vector<uint8_t> flatten() const;
};

struct BufIn {
  const void *ptr;
  size_t size;
};

// Stamps a sequence number into an encoded frame's header.
void set_seq(Encoded &frame, uint32_t seq);
// ORs header flags (e.g. kFlagConcurrent) into an encoded frame.
void add_flags(Encoded &frame, uint8_t flags);

// Encoders. Sizes must already respect the limits (the channel checks them and
// returns Object_ERROR_MAXARGS/MAXDATA first); they return false on overflow.
bool encode_hello(const Hello &h, Encoded &out);
bool encode_request(uint32_t invoke_id, uint32_t handle, uint32_t op, uint32_t counts,
                    std::span<const BufIn> bi, std::span<const uint32_t> bo_caps,
                    std::span<const ObjRef> oi, uint8_t fd_count, Encoded &out);
bool encode_success(uint32_t invoke_id, uint32_t counts, std::span<const BufIn> bo,
                    std::span<const ObjRef> oo, uint8_t fd_count, Encoded &out);
bool encode_error(uint32_t invoke_id, int32_t code, Encoded &out);
bool encode_release(std::span<const Message::Release> entries, Encoded &out);
// The 24 bytes of a descriptor notice for a record carrying `fds` (1..255).
void encode_fd_notice(uint8_t fds, uint8_t out[kHeaderSize]);

// Payloads up to this size are copied into `head`; larger ones are referenced.
inline constexpr size_t kInlineCopyMax = 4096;

}  // namespace captee::wire
