#include "captee/wire.hpp"

#include <cstring>

#include "captee/detail/little_endian.hpp"
#include "captee/object.h"

namespace captee::wire {
namespace {

constexpr size_t align8(size_t n) {
  return (n + 7) & ~size_t(7);
}
const uint8_t kZeros[8] = {};

void put_header(uint8_t *p, const Header &h) {
  detail::store_le32(p, h.size);
  p[4] = uint8_t(h.kind);
  p[5] = h.flags;
  p[6] = h.fd_count;
  p[7] = 0;
  detail::store_le32(p + 8, h.invoke_id);
  detail::store_le32(p + 12, h.aux);
  detail::store_le32(p + 16, h.seq);
  detail::store_le32(p + 20, 0);
}

void put_ref(uint8_t *p, const ObjRef &r) {
  p[0] = uint8_t(r.type);
  p[1] = r.rights;
  detail::store_le16(p + 2, 0);
  detail::store_le32(p + 4, r.handle);
}

// Lays out a frame: header + fixed body + table, then payloads (8-aligned).
// Small payloads are copied into head; large ones become their own pieces.
class Builder {
 public:
  Builder(Encoded &out, size_t table_bytes) : out_(out) {
    out_.head.clear();
    out_.pieces.clear();
    head_fixed_ = kHeaderSize + table_bytes;
    out_.head.resize(head_fixed_);
    size_ = head_fixed_;
  }
  uint8_t *table() { return out_.head.data() + kHeaderSize; }
  // Adds a payload; returns its frame offset, or false on overflow.
  bool add_payload(const void *ptr, size_t len, uint32_t &offset) {
    size_t padded = align8(len);
    if (padded < len || size_ + padded > UINT32_MAX) {
      return false;
    }
    offset = uint32_t(size_);
    if (len <= kInlineCopyMax && big_.empty()) {
      size_t at = out_.head.size();
      out_.head.resize(at + padded);
      if (len > 0) {
        std::memcpy(out_.head.data() + at, ptr, len);
      }
      std::memset(out_.head.data() + at + len, 0, padded - len);
    } else {
      big_.push_back({ptr, len});
      if (padded != len) {
        big_.push_back({kZeros, padded - len});
      }
    }
    size_ += padded;
    return true;
  }
  void finish(const Header &h) {
    Header hh = h;
    hh.size = uint32_t(size_);
    put_header(out_.head.data(), hh);
    out_.pieces.clear();
    out_.pieces.push_back({out_.head.data(), out_.head.size()});
    for (const Piece &p : big_) {
      out_.pieces.push_back(p);
    }
    out_.size = size_;
  }

 private:
  Encoded &out_;
  size_t head_fixed_;
  size_t size_;
  std::vector<Piece> big_;
};

DecodeError fail(const char *why) {
  return DecodeError{why};
}

bool valid_ref_type(uint8_t t) {
  return t == uint8_t(RefType::kNull) || t == uint8_t(RefType::kSenderHosted) ||
         t == uint8_t(RefType::kReceiverHosted) || t == uint8_t(RefType::kFd) ||
         t == uint8_t(RefType::kChannel);
}

// Decodes `n` object references at `p`; fd and channel references must use
// the attached descriptors in order, each exactly once.
DecodeError decode_refs(const uint8_t *p, size_t n, size_t &fd_next, std::vector<ObjRef> &out) {
  out.clear();
  for (size_t i = 0; i < n; ++i, p += kArgSize) {
    if (!valid_ref_type(p[0])) {
      return fail("unknown object reference type");
    }
    if (detail::load_le16(p + 2) != 0) {
      return fail("reserved bits set in object reference");
    }
    ObjRef r{RefType(p[0]), p[1], detail::load_le32(p + 4)};
    switch (r.type) {
      case RefType::kNull:
        if (r.handle != 0 || r.rights != 0) {
          return fail("NULL object reference with a handle");
        }
        break;
      case RefType::kSenderHosted:
      case RefType::kReceiverHosted:
        if (r.handle == 0 || r.rights != 0) {
          return fail("object reference with handle 0 or rights");
        }
        break;
      case RefType::kFd:
        if (r.handle != fd_next) {
          return fail("fd reference out of order");
        }
        if (r.rights != kRightRead && r.rights != (kRightRead | kRightWrite)) {
          return fail("fd reference with invalid rights");
        }
        ++fd_next;
        break;
      case RefType::kChannel:
        // The socket is the next attached descriptor; the handle is the
        // sender's key, any value.
        if (r.rights != 0) {
          return fail("channel reference with rights");
        }
        ++fd_next;
        break;
    }
    out.push_back(r);
  }
  return {};
}

// Checks a payload slice: 8-aligned, after the table, inside the frame.
DecodeError check_slice(uint32_t off, uint32_t size, size_t table_end, size_t frame_size) {
  if (off % 8 != 0) {
    return fail("misaligned buffer offset");
  }
  if (off < table_end) {
    return fail("buffer overlaps the argument table");
  }
  size_t end = 0;
  if (__builtin_add_overflow(size_t(off), size_t(size), &end) || end > frame_size) {
    return fail("buffer outside the frame");
  }
  return {};
}

bool counts_ok(uint32_t counts, const Limits &l) {
  if (counts > 0xFFFF) {
    return false;
  }
  return ObjectCounts_numBI(counts) <= l.max_args && ObjectCounts_numBO(counts) <= l.max_args &&
         ObjectCounts_numOI(counts) <= l.max_args && ObjectCounts_numOO(counts) <= l.max_args;
}

}  // namespace

std::vector<uint8_t> Encoded::flatten() const {
  std::vector<uint8_t> v;
  v.reserve(size);
  for (const Piece &p : pieces) {
    const auto *b = static_cast<const uint8_t *>(p.ptr);
    v.insert(v.end(), b, b + p.len);
  }
  return v;
}

void set_seq(Encoded &frame, uint32_t seq) {
  detail::store_le32(frame.head.data() + 16, seq);
}

void add_flags(Encoded &frame, uint8_t flags) {
  frame.head[5] |= flags;
}

DecodeError decode(std::span<const uint8_t> frame, size_t fds, const Limits &limits, Message &m) {
  if (!peek_header(frame, m.header)) {
    return fail("frame shorter than its header");
  }
  const Header &h = m.header;
  if (h.size != frame.size()) {
    return fail("frame size field does not match the record");
  }
  if (frame[7] != 0 || detail::load_le32(frame.data() + 20) != 0 ||
      (h.flags & ~(kFlagOutOfBand | kFlagConcurrent)) != 0) {
    return fail("reserved header bits set");
  }
  if (h.fd_count > kMaxFdsPerFrame) {
    return fail("too many descriptors declared");
  }
  size_t body_fds = (h.flags & kFlagOutOfBand) ? 1 : 0;
  if (size_t(h.fd_count) != fds + body_fds) {
    return fail("descriptor count does not match the record");
  }
  if (fds > limits.max_fds) {
    return fail("more descriptors than the agreed limit");
  }
  const uint8_t *p = frame.data();
  const size_t n = frame.size();
  size_t fd_next = 0;
  switch (h.kind) {
    case Kind::kHello: {
      if (n != kHeaderSize + kHelloBodySize || fds != 0 || h.invoke_id != 0 || h.aux > 1 ||
          h.seq != 0) {
        return fail("malformed hello");
      }
      const uint8_t *b = p + kHeaderSize;
      if (detail::load_le32(b) != kMagic) {
        return fail("hello magic mismatch");
      }
      m.hello.min_version = detail::load_le16(b + 4);
      m.hello.max_version = detail::load_le16(b + 6);
      m.hello.limits.max_args = detail::load_le32(b + 8);
      m.hello.limits.max_data = detail::load_le32(b + 12);
      m.hello.limits.max_exports = detail::load_le32(b + 16);
      m.hello.limits.max_fds = detail::load_le32(b + 20);
      m.hello.nonce = detail::load_le64(b + 24);
      m.hello.has_primordial = h.aux == 1;
      if (m.hello.min_version > m.hello.max_version) {
        return fail("hello version range is empty");
      }
      return {};
    }
    case Kind::kError:
      if (n != kHeaderSize || fds != 0) {
        return fail("malformed error reply");
      }
      m.error = int32_t(h.aux);
      if (m.error == 0) {
        return fail("error reply with code 0");
      }
      return {};
    case Kind::kRelease:
    case Kind::kReleaseBatch: {
      uint32_t count = h.aux;
      if (count == 0 || count > kMaxBatch || (h.kind == Kind::kRelease && count != 1)) {
        return fail("bad release count");
      }
      if (fds != 0 || n != kHeaderSize + size_t(count) * kArgSize) {
        return fail("release size mismatch");
      }
      m.releases.clear();
      for (uint32_t i = 0; i < count; ++i) {
        const uint8_t *e = p + kHeaderSize + size_t(i) * kArgSize;
        Message::Release r{detail::load_le32(e), detail::load_le32(e + 4)};
        if (r.handle == 0 || r.count == 0) {
          return fail("release of handle 0 or count 0");
        }
        m.releases.push_back(r);
      }
      return {};
    }
    case Kind::kRequest: {
      if (n < kHeaderSize + 8) {
        return fail("request shorter than its fixed part");
      }
      m.handle = h.aux;
      m.op = detail::load_le32(p + kHeaderSize);
      m.counts = detail::load_le32(p + kHeaderSize + 4);
      if (m.handle == 0) {
        return fail("request to handle 0");
      }
      if (!counts_ok(m.counts, limits)) {
        return fail("argument counts exceed the agreed limit");
      }
      size_t nbi = ObjectCounts_numBI(m.counts), nbo = ObjectCounts_numBO(m.counts),
             noi = ObjectCounts_numOI(m.counts);
      size_t table = kHeaderSize + 8;
      size_t table_end = table + (nbi + nbo + noi) * kArgSize;
      if (table_end > n) {
        return fail("argument table outside the frame");
      }
      uint64_t data = 0;
      m.bi.clear();
      m.bo_caps.clear();
      for (size_t i = 0; i < nbi; ++i) {
        Slice s{detail::load_le32(p + table + i * 8), detail::load_le32(p + table + i * 8 + 4)};
        if (auto e = check_slice(s.offset, s.size, table_end, n)) {
          return e;
        }
        data += s.size;
        m.bi.push_back(s);
      }
      for (size_t i = 0; i < nbo; ++i) {
        const uint8_t *e = p + table + (nbi + i) * 8;
        if (detail::load_le32(e + 4) != 0) {
          return fail("reserved bits set in output buffer entry");
        }
        data += detail::load_le32(e);
        m.bo_caps.push_back(detail::load_le32(e));
      }
      if (data > limits.max_data) {
        return fail("buffer data exceeds the agreed limit");
      }
      if (auto e = decode_refs(p + table + (nbi + nbo) * 8, noi, fd_next, m.objs)) {
        return e;
      }
      if (fd_next != fds) {
        return fail("descriptors not claimed by fd references");
      }
      return {};
    }
    case Kind::kSuccess: {
      m.counts = h.aux;
      if (!counts_ok(m.counts, limits) || ObjectCounts_numBI(m.counts) != 0 ||
          ObjectCounts_numOI(m.counts) != 0) {
        return fail("bad reply counts");
      }
      size_t nbo = ObjectCounts_numBO(m.counts), noo = ObjectCounts_numOO(m.counts);
      size_t table = kHeaderSize;
      size_t table_end = table + (nbo + noo) * kArgSize;
      if (table_end > n) {
        return fail("reply table outside the frame");
      }
      uint64_t data = 0;
      m.bi.clear();
      for (size_t i = 0; i < nbo; ++i) {
        Slice s{detail::load_le32(p + table + i * 8), detail::load_le32(p + table + i * 8 + 4)};
        if (auto e = check_slice(s.offset, s.size, table_end, n)) {
          return e;
        }
        data += s.size;
        m.bi.push_back(s);
      }
      if (data > limits.max_data) {
        return fail("reply data exceeds the agreed limit");
      }
      if (auto e = decode_refs(p + table + nbo * 8, noo, fd_next, m.objs)) {
        return e;
      }
      if (fd_next != fds) {
        return fail("descriptors not claimed by fd references");
      }
      return {};
    }
    case Kind::kFdNotice:
      return fail("descriptor notice where a frame belongs");
  }
  return fail("unknown message kind");
}

bool encode_hello(const Hello &hello, Encoded &out) {
  Builder b(out, kHelloBodySize);
  uint8_t *t = b.table();
  detail::store_le32(t, kMagic);
  detail::store_le16(t + 4, hello.min_version);
  detail::store_le16(t + 6, hello.max_version);
  detail::store_le32(t + 8, hello.limits.max_args);
  detail::store_le32(t + 12, hello.limits.max_data);
  detail::store_le32(t + 16, hello.limits.max_exports);
  detail::store_le32(t + 20, hello.limits.max_fds);
  detail::store_le64(t + 24, hello.nonce);
  b.finish(Header{0, Kind::kHello, 0, 0, 0, hello.has_primordial ? 1u : 0u});
  return true;
}

bool encode_request(uint32_t invoke_id, uint32_t handle, uint32_t op, uint32_t counts,
                    std::span<const BufIn> bi, std::span<const uint32_t> bo_caps,
                    std::span<const ObjRef> oi, uint8_t fd_count, Encoded &out) {
  Builder b(out, 8 + (bi.size() + bo_caps.size() + oi.size()) * kArgSize);
  uint8_t *t = b.table();
  detail::store_le32(t, op);
  detail::store_le32(t + 4, counts);
  t += 8;
  for (const BufIn &x : bi) {
    uint32_t off = 0;
    if (x.size > UINT32_MAX || !b.add_payload(x.ptr, x.size, off)) {
      return false;
    }
    t = b.table() + 8 + size_t(&x - bi.data()) * kArgSize;
    detail::store_le32(t, off);
    detail::store_le32(t + 4, uint32_t(x.size));
  }
  t = b.table() + 8 + bi.size() * kArgSize;
  for (uint32_t cap : bo_caps) {
    detail::store_le32(t, cap);
    detail::store_le32(t + 4, 0);
    t += kArgSize;
  }
  for (const ObjRef &r : oi) {
    put_ref(t, r);
    t += kArgSize;
  }
  b.finish(Header{0, Kind::kRequest, 0, fd_count, invoke_id, handle});
  return true;
}

bool encode_success(uint32_t invoke_id, uint32_t counts, std::span<const BufIn> bo,
                    std::span<const ObjRef> oo, uint8_t fd_count, Encoded &out) {
  Builder b(out, (bo.size() + oo.size()) * kArgSize);
  for (size_t i = 0; i < bo.size(); ++i) {
    uint32_t off = 0;
    if (bo[i].size > UINT32_MAX || !b.add_payload(bo[i].ptr, bo[i].size, off)) {
      return false;
    }
    uint8_t *t = b.table() + i * kArgSize;
    detail::store_le32(t, off);
    detail::store_le32(t + 4, uint32_t(bo[i].size));
  }
  uint8_t *t = b.table() + bo.size() * kArgSize;
  for (const ObjRef &r : oo) {
    put_ref(t, r);
    t += kArgSize;
  }
  b.finish(Header{0, Kind::kSuccess, 0, fd_count, invoke_id, counts});
  return true;
}

bool encode_error(uint32_t invoke_id, int32_t code, Encoded &out) {
  Builder b(out, 0);
  b.finish(Header{0, Kind::kError, 0, 0, invoke_id, uint32_t(code)});
  return true;
}

void encode_fd_notice(uint8_t fds, uint8_t out[kHeaderSize]) {
  put_header(out, Header{uint32_t(kHeaderSize), Kind::kFdNotice, 0, 0, 0, fds});
}

bool encode_release(std::span<const Message::Release> entries, Encoded &out) {
  if (entries.empty() || entries.size() > kMaxBatch) {
    return false;
  }
  Builder b(out, entries.size() * kArgSize);
  uint8_t *t = b.table();
  for (const auto &e : entries) {
    detail::store_le32(t, e.handle);
    detail::store_le32(t + 4, e.count);
    t += kArgSize;
  }
  Kind k = entries.size() == 1 ? Kind::kRelease : Kind::kReleaseBatch;
  b.finish(Header{0, k, 0, 0, 0, uint32_t(entries.size())});
  return true;
}

}  // namespace captee::wire
