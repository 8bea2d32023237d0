// Owners, their keys, the manifest, and each commit of the durable store (durable_store.hpp).
#include <openssl/crypto.h>

#include "durable_store.hpp"

namespace captee::tee::storage::durable {

// ---- helpers ----

StoreStatus DurableObjectStore::context(const Owner &owner, Context *ctx) {
  const Bytes encoded = encode_owner(owner);
  if (!hmac_sha256(store_name_, encoded, &ctx->owner_tag))
    return StoreStatus::kIoError;
  auto &slot = keys_[ctx->owner_tag];
  if (!slot) {
    auto keys = std::make_unique<OwnerKeys>();
    if (!derive_key(secret_.view(), "owner-seal", encoded, &keys->seal) ||
        !derive_key(secret_.view(), "owner-name", encoded, &keys->name)) {
      keys_.erase(ctx->owner_tag);
      return StoreStatus::kIoError;
    }
    keys->chunk_sealer = std::make_unique<Sealer>(keys->seal);
    slot = std::move(keys);
  }
  ctx->keys = slot.get();
  auto it = owners_.find(ctx->owner_tag);
  if (it == owners_.end())
    owners_[ctx->owner_tag] = {owner, false};
  return StoreStatus::kOk;
}

bool DurableObjectStore::row_key(const Context &ctx, Namespace ns, ByteView id, Hash32 *out) const {
  Bytes message;
  message.push_back(static_cast<uint8_t>(ns));
  message.insert(message.end(), id.begin(), id.end());
  return hmac_sha256(ctx.keys->name, message, out);
}

StoreStatus DurableObjectStore::ensure_owner_row(const Context &ctx) {
  OwnerInfo &info = owners_[ctx.owner_tag];
  if (info.persisted)
    return StoreStatus::kOk;
  // An owner row is fixed for its tag, so it needs no generation: it is
  // written (idempotently) before the first object that names it.
  std::vector<uint8_t> sealed;
  if (!seal(store_seal_, owner_aad(ctx.owner_tag), encode_owner(info.owner), &sealed))
    return StoreStatus::kIoError;
  SqliteStatement put(*stmts_, "INSERT OR REPLACE INTO owners(tag, blob) VALUES (?, ?)");
  put.bind(1, ctx.owner_tag);
  put.bind(2, sealed);
  const int rc = put.step();
  if (rc != SQLITE_DONE)
    return status_from_sqlite(rc) == StoreStatus::kOk ? StoreStatus::kIoError
                                                      : status_from_sqlite(rc);
  info.persisted = true;
  return StoreStatus::kOk;
}

const ManifestEntry *DurableObjectStore::find(const Hash32 &key) const {
  const Bucket &b = buckets_[bucket_of(key)];
  auto it = b.find(key);
  return it == b.end() ? nullptr : &it->second;
}

Bucket &DurableObjectStore::touch(Pending &p, const Hash32 &key) {
  const size_t b = bucket_of(key);
  auto it = p.buckets.find(b);
  if (it == p.buckets.end())
    it = p.buckets.emplace(b, buckets_[b]).first;
  return it->second;
}

StoreStatus DurableObjectStore::quota_check(const Context &ctx, uint64_t old_bytes,
                                            uint64_t new_bytes) const {
  if (new_bytes <= old_bytes)
    return StoreStatus::kOk;
  uint64_t used = 0;
  for (const auto &bucket : buckets_)
    for (const auto &[key, e] : bucket)
      if (e.owner_tag == ctx.owner_tag)
        used += e.bytes;
  for (const auto &[key, e] : rpmb_area_)
    if (e.owner_tag == ctx.owner_tag)
      used += e.bytes;
  const uint64_t growth = new_bytes - old_bytes;
  if (used > options_.quota_bytes || growth > options_.quota_bytes - used)
    return StoreStatus::kNoSpace;
  return StoreStatus::kOk;
}

StoreStatus DurableObjectStore::commit(SqliteTransaction &txn, Pending &p, uint64_t generation) {
  StateRecord next = state_;
  next.generation = generation;
  std::vector<uint8_t> sealed;
  for (auto &[b, bucket] : p.buckets) {
    next.bucket_generation[b] = generation;
    if (!seal(store_seal_, bucket_aad(b, generation), encode_bucket(bucket), &sealed))
      return StoreStatus::kIoError;
    SqliteStatement put(*stmts_, "INSERT OR REPLACE INTO buckets(b, blob) VALUES (?, ?)");
    put.bind(1, static_cast<int64_t>(b));
    put.bind(2, sealed);
    if (int rc = put.step(); rc != SQLITE_DONE)
      return status_from_sqlite(rc);
  }
  if (!seal(store_seal_, state_aad(), encode_state(next), &sealed))
    return StoreStatus::kIoError;
  SqliteStatement put(*stmts_, "INSERT OR REPLACE INTO state(k, blob) VALUES (0, ?)");
  put.bind(1, sealed);
  if (int rc = put.step(); rc != SQLITE_DONE)
    return status_from_sqlite(rc);
  const StoreStatus s = commit_and_anchor(txn, generation);
  if (s != StoreStatus::kOk)
    return s;
  state_ = next;
  for (auto &[b, bucket] : p.buckets)
    buckets_[b] = std::move(bucket);
  return StoreStatus::kOk;
}

}  // namespace captee::tee::storage::durable
