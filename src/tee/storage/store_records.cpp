#include "captee/tee/storage/store_records.hpp"

#include <string_view>

#include "captee/detail/little_endian.hpp"

namespace captee::tee::storage {
namespace {

using captee::detail::load_le32;
using captee::detail::load_le64;
using captee::detail::store_le32;
using captee::detail::store_le64;

// Appends little-endian fields.
class Writer {
 public:
  explicit Writer(std::vector<uint8_t> *out) : out_(out) {}
  void u8(uint8_t v) { out_->push_back(v); }
  void u32(uint32_t v) {
    uint8_t b[4];
    store_le32(b, v);
    out_->insert(out_->end(), b, b + 4);
  }
  void u64(uint64_t v) {
    uint8_t b[8];
    store_le64(b, v);
    out_->insert(out_->end(), b, b + 8);
  }
  void raw(ByteView v) { out_->insert(out_->end(), v.begin(), v.end()); }
  void blob(ByteView v) {
    u32(static_cast<uint32_t>(v.size()));
    raw(v);
  }

 private:
  std::vector<uint8_t> *out_;
};

// Reads fields from hostile bytes: every read checks what is left first.
class Reader {
 public:
  explicit Reader(ByteView in) : in_(in) {}
  bool u8(uint8_t *v) {
    if (left() < 1)
      return false;
    *v = in_[pos_++];
    return true;
  }
  bool u32(uint32_t *v) {
    if (left() < 4)
      return false;
    *v = load_le32(in_.data() + pos_);
    pos_ += 4;
    return true;
  }
  bool u64(uint64_t *v) {
    if (left() < 8)
      return false;
    *v = load_le64(in_.data() + pos_);
    pos_ += 8;
    return true;
  }
  bool raw(uint8_t *dst, size_t n) {
    if (left() < n)
      return false;
    std::copy(in_.begin() + static_cast<ptrdiff_t>(pos_),
              in_.begin() + static_cast<ptrdiff_t>(pos_ + n), dst);
    pos_ += n;
    return true;
  }
  bool blob(Bytes *v, size_t max) {
    uint32_t n = 0;
    if (!u32(&n) || n > max || left() < n)
      return false;
    v->assign(in_.begin() + static_cast<ptrdiff_t>(pos_),
              in_.begin() + static_cast<ptrdiff_t>(pos_ + n));
    pos_ += n;
    return true;
  }
  size_t left() const { return in_.size() - pos_; }
  bool done() const { return pos_ == in_.size(); }

 private:
  ByteView in_;
  size_t pos_ = 0;
};

// Labels keep the AADs of different record kinds apart.
Bytes labelled(std::string_view label) {
  return Bytes(label.begin(), label.end());
}

void write_meta(Writer &w, const ObjectMeta &m) {
  w.u32(m.object_type);
  w.u32(m.object_size);
  w.u32(m.max_object_size);
  w.u32(m.object_usage);
  w.u32(m.data_flags);
}

bool read_meta(Reader &r, ObjectMeta *m) {
  return r.u32(&m->object_type) && r.u32(&m->object_size) && r.u32(&m->max_object_size) &&
         r.u32(&m->object_usage) && r.u32(&m->data_flags);
}

bool valid_namespace(uint8_t v) {
  return v == static_cast<uint8_t>(Namespace::kRee) || v == static_cast<uint8_t>(Namespace::kRpmb);
}

// Attributes are opaque to the store; this bounds what a record may claim.
constexpr size_t kMaxAttributes = 1u << 20;
constexpr size_t kMaxOwnerKey = 1024;
// The RPMB area is small; its records are bounded by it.
constexpr size_t kMaxRpmbRecord = 1u << 20;

}  // namespace

Bytes encode_owner(const Owner &owner) {
  Bytes out;
  Writer w(&out);
  w.u8(static_cast<uint8_t>(owner.authority.kind));
  w.u32(static_cast<uint32_t>(owner.authority.uid));
  w.blob(
      {reinterpret_cast<const uint8_t *>(owner.authority.key.data()), owner.authority.key.size()});
  w.raw(owner.uuid);
  return out;
}

bool decode_owner(ByteView bytes, Owner *out) {
  Reader r(bytes);
  uint8_t kind = 0;
  uint32_t uid = 0;
  Bytes key;
  Owner o;
  if (!r.u8(&kind) || kind < 1 || kind > 3 || !r.u32(&uid) || !r.blob(&key, kMaxOwnerKey) ||
      !r.raw(o.uuid.data(), o.uuid.size()) || !r.done())
    return false;
  o.authority.kind = static_cast<apps::TaAuthorityKind>(kind);
  o.authority.uid = static_cast<uid_t>(uid);
  o.authority.key.assign(key.begin(), key.end());
  *out = std::move(o);
  return true;
}

uint64_t chunk_count_for(uint64_t data_size) {
  return data_size / kChunkSize + (data_size % kChunkSize != 0);
}

void encode_head(const HeadRecord &head, SecretBytes *out) {
  out->wipe();
  Writer w(&out->raw());
  w.u8(static_cast<uint8_t>(head.ns));
  w.blob(head.id);
  write_meta(w, head.meta);
  w.raw(head.object_nonce);
  w.u64(head.data_size);
  w.blob(head.attributes);
  w.u32(static_cast<uint32_t>(head.chunk_versions.size()));
  for (uint64_t v : head.chunk_versions)
    w.u64(v);
}

bool decode_head(ByteView bytes, HeadRecord *out) {
  Reader r(bytes);
  HeadRecord h;
  uint8_t ns = 0;
  uint32_t chunks = 0;
  if (!r.u8(&ns) || !valid_namespace(ns) || !r.blob(&h.id, kMaxObjectIdLength) ||
      !read_meta(r, &h.meta) || !r.raw(h.object_nonce.data(), h.object_nonce.size()) ||
      !r.u64(&h.data_size) || h.data_size > kMaxDataPosition ||
      !r.blob(&h.attributes, kMaxAttributes) || !r.u32(&chunks))
    return false;
  // The chunk list must match the size exactly, and be really there (8 bytes
  // each) before anything is allocated for it.
  if (chunks != chunk_count_for(h.data_size) || r.left() / 8 < chunks ||
      r.left() != uint64_t{chunks} * 8)
    return false;
  h.chunk_versions.resize(chunks);
  for (auto &v : h.chunk_versions)
    r.u64(&v);
  h.ns = static_cast<Namespace>(ns);
  *out = std::move(h);
  return true;
}

Bytes encode_state(const StateRecord &state) {
  Bytes out;
  Writer w(&out);
  w.raw(state.store_id);
  w.u64(state.generation);
  for (uint64_t g : state.bucket_generation)
    w.u64(g);
  return out;
}

bool decode_state(ByteView bytes, StateRecord *out) {
  Reader r(bytes);
  StateRecord s;
  if (!r.raw(s.store_id.data(), s.store_id.size()) || !r.u64(&s.generation))
    return false;
  for (auto &g : s.bucket_generation) {
    // A bucket can never be newer than the store.
    if (!r.u64(&g) || g > s.generation)
      return false;
  }
  if (!r.done())
    return false;
  *out = s;
  return true;
}

Bytes encode_bucket(const Bucket &bucket) {
  Bytes out;
  Writer w(&out);
  w.u32(static_cast<uint32_t>(bucket.size()));
  for (const auto &[row_key, e] : bucket) {
    w.raw(row_key);
    w.raw(e.owner_tag);
    w.u8(static_cast<uint8_t>(e.ns));
    w.u64(e.version);
    w.u64(e.bytes);
  }
  return out;
}

bool decode_bucket(ByteView bytes, Bucket *out) {
  constexpr size_t kEntrySize = 32 + 32 + 1 + 8 + 8;
  Reader r(bytes);
  uint32_t count = 0;
  if (!r.u32(&count) || r.left() / kEntrySize < count || r.left() != size_t{count} * kEntrySize)
    return false;
  Bucket b;
  for (uint32_t i = 0; i < count; ++i) {
    Hash32 row_key;
    ManifestEntry e;
    uint8_t ns = 0;
    r.raw(row_key.data(), row_key.size());
    r.raw(e.owner_tag.data(), e.owner_tag.size());
    r.u8(&ns);
    r.u64(&e.version);
    r.u64(&e.bytes);
    if (!valid_namespace(ns))
      return false;
    e.ns = static_cast<Namespace>(ns);
    // Duplicates would make the quota and the manifest disagree.
    if (!b.emplace(row_key, e).second)
      return false;
  }
  *out = std::move(b);
  return true;
}

void encode_rpmb_object(const RpmbObject &object, SecretBytes *out) {
  out->wipe();
  Writer w(&out->raw());
  w.blob(object.id);
  write_meta(w, object.meta);
  w.blob(object.attributes);
  w.blob(object.data);
}

bool decode_rpmb_object(ByteView bytes, RpmbObject *out) {
  Reader r(bytes);
  RpmbObject o;
  if (!r.blob(&o.id, kMaxObjectIdLength) || !read_meta(r, &o.meta) ||
      !r.blob(&o.attributes, kMaxRpmbRecord) || !r.blob(&o.data, kMaxRpmbRecord) || !r.done())
    return false;
  *out = std::move(o);
  return true;
}

Bytes encode_rpmb_area(const RpmbArea &area) {
  Bytes out;
  Writer w(&out);
  w.u32(static_cast<uint32_t>(area.size()));
  for (const auto &[row_key, e] : area) {
    w.raw(row_key);
    w.raw(e.owner_tag);
    w.u64(e.bytes);
    w.blob(e.sealed);
  }
  return out;
}

bool decode_rpmb_area(ByteView bytes, RpmbArea *out) {
  Reader r(bytes);
  uint32_t count = 0;
  // Each entry takes at least 76 bytes: a count that cannot fit is hostile.
  if (!r.u32(&count) || r.left() / 76 < count)
    return false;
  RpmbArea area;
  for (uint32_t i = 0; i < count; ++i) {
    Hash32 row_key;
    RpmbEntry e;
    if (!r.raw(row_key.data(), row_key.size()) || !r.raw(e.owner_tag.data(), e.owner_tag.size()) ||
        !r.u64(&e.bytes) || !r.blob(&e.sealed, kMaxRpmbRecord) || e.sealed.size() < kSealOverhead)
      return false;
    if (!area.emplace(row_key, std::move(e)).second)
      return false;
  }
  // The area is padded to whole blocks with zeros after its entries.
  *out = std::move(area);
  return true;
}

Bytes head_aad(const Hash32 &owner_tag, const Hash32 &row_key, uint64_t version) {
  Bytes out = labelled("captee.head");
  Writer w(&out);
  w.raw(owner_tag);
  w.raw(row_key);
  w.u64(version);
  return out;
}

Bytes chunk_aad(const std::array<uint8_t, kObjectNonceSize> &object_nonce, uint64_t index,
                uint64_t chunk_version) {
  Bytes out = labelled("captee.chunk");
  Writer w(&out);
  w.raw(object_nonce);
  w.u64(index);
  w.u64(chunk_version);
  return out;
}

Bytes state_aad() {
  return labelled("captee.state");
}

Bytes bucket_aad(size_t bucket, uint64_t bucket_generation) {
  Bytes out = labelled("captee.bucket");
  Writer w(&out);
  w.u64(bucket);
  w.u64(bucket_generation);
  return out;
}

Bytes owner_aad(const Hash32 &owner_tag) {
  Bytes out = labelled("captee.owner");
  Writer(&out).raw(owner_tag);
  return out;
}

Bytes rpmb_object_aad(const Hash32 &owner_tag, const Hash32 &row_key) {
  Bytes out = labelled("captee.rpmb");
  Writer w(&out);
  w.raw(owner_tag);
  w.raw(row_key);
  return out;
}

}  // namespace captee::tee::storage
