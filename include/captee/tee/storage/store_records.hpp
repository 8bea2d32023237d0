// The durable store's records: what each SQLite row and the RPMB area hold,
// encoded and decoded (decision 0023 has the layout and why).
//
// Internal to captee_tee_storage; public only so tests and fuzz/storage_records
// reach it. Every decoder takes hostile bytes (a row from a file anyone with
// the state directory could have edited, after it passed AES-GCM, or before,
// in the fuzzer): it checks every length with overflow-checked arithmetic and
// returns false on anything malformed, never reading out of bounds.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <span>
#include <vector>

#include "captee/tee/storage/object_store.hpp"
#include "captee/tee/storage/storage_crypto.hpp"

namespace captee::tee::storage {

using Hash32 = std::array<uint8_t, 32>;

// Plaintext data is kept in chunks of this many bytes, each sealed alone, so
// a 4 KiB write re-encrypts and rewrites one or two chunks, not the object.
inline constexpr uint32_t kChunkSize = 4096;
// Manifest buckets (by the row key's first byte): a commit rewrites one
// bucket, not the whole manifest.
inline constexpr size_t kBucketCount = 64;
inline constexpr size_t kObjectNonceSize = 16;
inline constexpr size_t kStoreIdSize = 16;

// The canonical bytes of an owner (authority kind, uid, key, UUID): what the
// owner's keys are derived from and what AADs bind.
Bytes encode_owner(const Owner &owner);
bool decode_owner(ByteView bytes, Owner *out);

// A REE object's head row, sealed under the owner's key.
struct HeadRecord {
  Namespace ns = Namespace::kRee;
  Bytes id;
  ObjectMeta meta;
  std::array<uint8_t, kObjectNonceSize> object_nonce{};  // binds its chunks
  uint64_t data_size = 0;
  Bytes attributes;
  // chunk_versions[i]: the object version that last wrote chunk i (bound in
  // that chunk's AAD, so an older copy of a chunk row is refused).
  std::vector<uint64_t> chunk_versions;
};
void encode_head(const HeadRecord &head, SecretBytes *out);
bool decode_head(ByteView bytes, HeadRecord *out);
// How many chunks hold `data_size` bytes.
uint64_t chunk_count_for(uint64_t data_size);

// The one state row, sealed under the store key: which store this is, its
// generation (the rollback root's counterpart) and each bucket's generation.
struct StateRecord {
  std::array<uint8_t, kStoreIdSize> store_id{};
  uint64_t generation = 0;
  std::array<uint64_t, kBucketCount> bucket_generation{};
};
Bytes encode_state(const StateRecord &state);
bool decode_state(ByteView bytes, StateRecord *out);

// One object in the manifest: which owner, which namespace, the version its
// head must carry and the bytes the quota counts.
struct ManifestEntry {
  Hash32 owner_tag{};
  Namespace ns = Namespace::kRee;
  uint64_t version = 0;
  uint64_t bytes = 0;
};
using Bucket = std::map<Hash32, ManifestEntry>;  // by row key
Bytes encode_bucket(const Bucket &bucket);
bool decode_bucket(ByteView bytes, Bucket *out);

// An RPMB object: everything in one sealed record (they are small).
struct RpmbObject {
  Bytes id;
  ObjectMeta meta;
  Bytes attributes;
  Bytes data;
};
void encode_rpmb_object(const RpmbObject &object, SecretBytes *out);
bool decode_rpmb_object(ByteView bytes, RpmbObject *out);

// The RPMB objects area: per object its row key, owner tag, quota bytes and
// sealed record.
struct RpmbEntry {
  Hash32 owner_tag{};
  uint64_t bytes = 0;
  Bytes sealed;
};
using RpmbArea = std::map<Hash32, RpmbEntry>;
Bytes encode_rpmb_area(const RpmbArea &area);
bool decode_rpmb_area(ByteView bytes, RpmbArea *out);

// Additional authenticated data of each sealed record: a record opens only
// in the place (owner, namespace, id, version, chunk index) it was sealed for.
Bytes head_aad(const Hash32 &owner_tag, const Hash32 &row_key, uint64_t version);
Bytes chunk_aad(const std::array<uint8_t, kObjectNonceSize> &object_nonce, uint64_t index,
                uint64_t chunk_version);
Bytes state_aad();
Bytes bucket_aad(size_t bucket, uint64_t bucket_generation);
Bytes owner_aad(const Hash32 &owner_tag);
Bytes rpmb_object_aad(const Hash32 &owner_tag, const Hash32 &row_key);

}  // namespace captee::tee::storage
