// The durable ObjectStore's members and its factory (durable_store.hpp has
// the class; decision 0023 the design).
#include <openssl/crypto.h>

#include <algorithm>
#include <functional>

#include "durable_store.hpp"

namespace captee::tee::storage {
namespace durable {

// ---- the members ----

static bool valid_id(ByteView id) {
  return id.size() <= kMaxObjectIdLength;
}

StoreStatus DurableObjectStore::locate(const Owner &owner, Namespace ns, ByteView id, Context *ctx,
                                       Hash32 *key) {
  if (health_ != StoreStatus::kOk)
    return health_;
  if (StoreStatus s = context(owner, ctx); s != StoreStatus::kOk)
    return s;
  return row_key(*ctx, ns, id, key) ? StoreStatus::kOk : StoreStatus::kIoError;
}

// Seals `object` under `key` into `area` (rpmb_area_ as the caller changed
// it) and writes the area; the object's plaintext is wiped either way.
StoreStatus DurableObjectStore::rpmb_save(const Context &ctx, const Hash32 &key, RpmbObject &object,
                                          RpmbArea area) {
  const StoreStatus s = rpmb_put(ctx, key, object, &area);
  OPENSSL_cleanse(object.data.data(), object.data.size());
  return s == StoreStatus::kOk ? rpmb_store(std::move(area)) : s;
}

// One transaction: `change` rewrites the stream's chunks into `head`, then the
// head and the manifest entry (`new_bytes`) follow at the next version.
StoreStatus DurableObjectStore::change_stream(
    const Context &ctx, Namespace ns, const Hash32 &key, const LoadedHead &h, uint64_t new_bytes,
    const std::function<StoreStatus(HeadRecord *, uint64_t)> &change) {
  const uint64_t version = state_.generation + 1;
  // The root's flush runs while the chunks are sealed and committed.
  IntentScope intent(*this, version);
  StoreStatus s;
  {
    SqliteTransaction txn(db_);
    if (txn.begin_rc() != SQLITE_OK)
      return status_from_sqlite(txn.begin_rc());
    HeadRecord head = h.head;
    s = change(&head, version);
    if (s == StoreStatus::kOk)
      s = put_head(ctx, h.row_id, key, head, version);
    if (s == StoreStatus::kOk) {
      Pending p;
      touch(p, key)[key] = ManifestEntry{ctx.owner_tag, ns, version, new_bytes};
      return commit(txn, p, version);
    }
  }
  // A chunk failed authentication: with this transaction rolled back, the
  // object is deleted in a transaction of its own.
  return s == StoreStatus::kCorrupt ? drop_corrupt(key) : s;
}

StoreStatus DurableObjectStore::create(const Owner &owner, Namespace ns, ByteView id,
                                       const ObjectMeta &meta, ByteView attributes, ByteView data,
                                       bool overwrite) {
  if (!valid_id(id) || data.size() > kMaxDataPosition)
    return StoreStatus::kInvalid;
  std::lock_guard lock(mu_);
  Context ctx;
  Hash32 key;
  if (StoreStatus s = locate(owner, ns, id, &ctx, &key); s != StoreStatus::kOk)
    return s;
  const uint64_t bytes = id.size() + attributes.size() + data.size();
  if (StoreStatus s = ensure_owner_row(ctx); s != StoreStatus::kOk)
    return s;

  if (ns == Namespace::kRpmb) {
    auto it = rpmb_area_.find(key);
    const bool exists = it != rpmb_area_.end() && it->second.owner_tag == ctx.owner_tag;
    if (exists && !overwrite)
      return StoreStatus::kExists;
    if (StoreStatus s = quota_check(ctx, exists ? it->second.bytes : 0, bytes);
        s != StoreStatus::kOk)
      return s;
    RpmbObject object{Bytes(id.begin(), id.end()), meta,
                      Bytes(attributes.begin(), attributes.end()), Bytes(data.begin(), data.end())};
    return rpmb_save(ctx, key, object, rpmb_area_);
  }

  const ManifestEntry *old = find(key);
  const bool exists = old != nullptr && old->owner_tag == ctx.owner_tag && old->ns == ns;
  if (exists && !overwrite)
    return StoreStatus::kExists;
  if (StoreStatus s = quota_check(ctx, exists ? old->bytes : 0, bytes); s != StoreStatus::kOk)
    return s;
  const uint64_t version = state_.generation + 1;
  IntentScope intent(*this, version);  // as in change_stream
  SqliteTransaction txn(db_);
  if (txn.begin_rc() != SQLITE_OK)
    return status_from_sqlite(txn.begin_rc());
  // Overwrite: the old rows go in the same transaction, whatever their state.
  SqliteStatement q(*stmts_, "SELECT id FROM heads WHERE row_key = ?");
  q.bind(1, key);
  if (int rc = q.step(); rc == SQLITE_ROW) {
    if (StoreStatus s = delete_rows(q.column_int(0)); s != StoreStatus::kOk)
      return s;
  } else if (rc != SQLITE_DONE) {
    return status_from_sqlite(rc);
  }
  HeadRecord head;
  head.ns = ns;
  head.id.assign(id.begin(), id.end());
  head.meta = meta;
  head.attributes.assign(attributes.begin(), attributes.end());
  if (!random_bytes(head.object_nonce))
    return StoreStatus::kIoError;
  int64_t row = 0;
  if (StoreStatus s = insert_head(ctx, key, head, version, &row); s != StoreStatus::kOk)
    return s;
  if (!data.empty()) {
    if (StoreStatus s = write_data(ctx, row, &head, nullptr, 0, data, version);
        s != StoreStatus::kOk)
      return s;
    if (StoreStatus s = put_head(ctx, row, key, head, version); s != StoreStatus::kOk)
      return s;
  }
  Pending p;
  touch(p, key)[key] = ManifestEntry{ctx.owner_tag, ns, version, bytes};
  return commit(txn, p, version);
}

StoreStatus DurableObjectStore::head(const Owner &owner, Namespace ns, ByteView id,
                                     ObjectHead *out) {
  if (!valid_id(id))
    return StoreStatus::kInvalid;
  std::lock_guard lock(mu_);
  Context ctx;
  Hash32 key;
  if (StoreStatus s = locate(owner, ns, id, &ctx, &key); s != StoreStatus::kOk)
    return s;
  if (ns == Namespace::kRpmb) {
    RpmbObject o;
    if (StoreStatus s = rpmb_load(ctx, key, &o); s != StoreStatus::kOk)
      return s;
    *out = ObjectHead{o.meta, std::move(o.attributes), o.data.size()};
    OPENSSL_cleanse(o.data.data(), o.data.size());
    return StoreStatus::kOk;
  }
  LoadedHead h;
  if (StoreStatus s = load_head(ctx, ns, id, key, &h); s != StoreStatus::kOk)
    return s;
  *out = ObjectHead{h.head.meta, std::move(h.head.attributes), h.head.data_size};
  return StoreStatus::kOk;
}

StoreStatus DurableObjectStore::read(const Owner &owner, Namespace ns, ByteView id, uint64_t offset,
                                     size_t length, Bytes *out) {
  if (!valid_id(id))
    return StoreStatus::kInvalid;
  std::lock_guard lock(mu_);
  Context ctx;
  Hash32 key;
  if (StoreStatus s = locate(owner, ns, id, &ctx, &key); s != StoreStatus::kOk)
    return s;
  if (ns == Namespace::kRpmb) {
    RpmbObject o;
    if (StoreStatus s = rpmb_load(ctx, key, &o); s != StoreStatus::kOk)
      return s;
    out->clear();
    if (offset < o.data.size()) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(length, o.data.size() - offset));
      out->assign(o.data.begin() + static_cast<ptrdiff_t>(offset),
                  o.data.begin() + static_cast<ptrdiff_t>(offset + n));
    }
    OPENSSL_cleanse(o.data.data(), o.data.size());
    return StoreStatus::kOk;
  }
  LoadedHead h;
  if (StoreStatus s = load_head(ctx, ns, id, key, &h); s != StoreStatus::kOk)
    return s;
  Bytes result;
  if (offset < h.head.data_size) {
    const uint64_t end = offset + std::min<uint64_t>(length, h.head.data_size - offset);
    result.assign(static_cast<size_t>(end - offset), 0);
    SecretBytes chunk;
    for (uint64_t index = offset / kChunkSize; index * kChunkSize < end; ++index) {
      if (StoreStatus s = load_chunk(ctx, h, index, &chunk); s != StoreStatus::kOk) {
        OPENSSL_cleanse(result.data(), result.size());
        return s == StoreStatus::kCorrupt ? drop_corrupt(key) : s;
      }
      const uint64_t chunk_start = index * kChunkSize;
      const uint64_t from = std::max(offset, chunk_start);
      const uint64_t to = std::min({end, chunk_start + kChunkSize, chunk_start + chunk.size()});
      // Past what the chunk holds (an extension) the result keeps its zeros.
      if (to > from)
        std::copy(chunk.data() + (from - chunk_start), chunk.data() + (to - chunk_start),
                  result.begin() + static_cast<ptrdiff_t>(from - offset));
    }
  }
  *out = std::move(result);
  return StoreStatus::kOk;
}

StoreStatus DurableObjectStore::write(const Owner &owner, Namespace ns, ByteView id,
                                      uint64_t offset, ByteView data) {
  if (!valid_id(id) || offset > kMaxDataPosition || data.size() > kMaxDataPosition - offset)
    return StoreStatus::kInvalid;
  std::lock_guard lock(mu_);
  Context ctx;
  Hash32 key;
  if (StoreStatus s = locate(owner, ns, id, &ctx, &key); s != StoreStatus::kOk)
    return s;
  if (ns == Namespace::kRpmb) {
    RpmbObject o;
    if (StoreStatus s = rpmb_load(ctx, key, &o); s != StoreStatus::kOk)
      return s;
    const uint64_t old_bytes = quota_bytes(o);
    const uint64_t end = offset + data.size();
    if (end > o.data.size()) {
      if (StoreStatus s = quota_check(ctx, old_bytes, old_bytes + (end - o.data.size()));
          s != StoreStatus::kOk)
        return s;
      if (end > rpmb_image_.size())
        return StoreStatus::kNoSpace;
      o.data.resize(static_cast<size_t>(end), 0);
    }
    std::copy(data.begin(), data.end(), o.data.begin() + static_cast<ptrdiff_t>(offset));
    return rpmb_save(ctx, key, o, rpmb_area_);
  }
  LoadedHead h;
  if (StoreStatus s = load_head(ctx, ns, id, key, &h); s != StoreStatus::kOk)
    return s;
  const ManifestEntry entry = *find(key);
  const uint64_t end = offset + data.size();
  const uint64_t new_bytes = entry.bytes + (end > h.head.data_size ? end - h.head.data_size : 0);
  if (StoreStatus s = quota_check(ctx, entry.bytes, new_bytes); s != StoreStatus::kOk)
    return s;
  return change_stream(ctx, ns, key, h, new_bytes, [&](HeadRecord *head, uint64_t v) {
    return write_data(ctx, h.row_id, head, &h, offset, data, v);
  });
}

StoreStatus DurableObjectStore::truncate(const Owner &owner, Namespace ns, ByteView id,
                                         uint64_t size) {
  if (!valid_id(id) || size > kMaxDataPosition)
    return StoreStatus::kInvalid;
  std::lock_guard lock(mu_);
  Context ctx;
  Hash32 key;
  if (StoreStatus s = locate(owner, ns, id, &ctx, &key); s != StoreStatus::kOk)
    return s;
  if (ns == Namespace::kRpmb) {
    RpmbObject o;
    if (StoreStatus s = rpmb_load(ctx, key, &o); s != StoreStatus::kOk)
      return s;
    const uint64_t old_bytes = quota_bytes(o);
    if (size > o.data.size()) {
      if (StoreStatus s = quota_check(ctx, old_bytes, old_bytes + (size - o.data.size()));
          s != StoreStatus::kOk)
        return s;
      if (size > rpmb_image_.size())
        return StoreStatus::kNoSpace;
    }
    o.data.resize(static_cast<size_t>(size), 0);
    return rpmb_save(ctx, key, o, rpmb_area_);
  }
  LoadedHead h;
  if (StoreStatus s = load_head(ctx, ns, id, key, &h); s != StoreStatus::kOk)
    return s;
  const ManifestEntry entry = *find(key);
  const uint64_t new_bytes = entry.bytes - h.head.data_size + size;
  if (StoreStatus s = quota_check(ctx, entry.bytes, new_bytes); s != StoreStatus::kOk)
    return s;
  return change_stream(ctx, ns, key, h, new_bytes, [&](HeadRecord *head, uint64_t v) {
    return resize_data(ctx, h, head, size, v);
  });
}

StoreStatus DurableObjectStore::set_usage(const Owner &owner, Namespace ns, ByteView id,
                                          uint32_t usage) {
  if (!valid_id(id))
    return StoreStatus::kInvalid;
  std::lock_guard lock(mu_);
  Context ctx;
  Hash32 key;
  if (StoreStatus s = locate(owner, ns, id, &ctx, &key); s != StoreStatus::kOk)
    return s;
  if (ns == Namespace::kRpmb) {
    RpmbObject o;
    if (StoreStatus s = rpmb_load(ctx, key, &o); s != StoreStatus::kOk)
      return s;
    o.meta.object_usage = usage;
    return rpmb_save(ctx, key, o, rpmb_area_);
  }
  LoadedHead h;
  if (StoreStatus s = load_head(ctx, ns, id, key, &h); s != StoreStatus::kOk)
    return s;
  const ManifestEntry entry = *find(key);
  const uint64_t version = state_.generation + 1;
  SqliteTransaction txn(db_);
  if (txn.begin_rc() != SQLITE_OK)
    return status_from_sqlite(txn.begin_rc());
  h.head.meta.object_usage = usage;
  if (StoreStatus s = put_head(ctx, h.row_id, key, h.head, version); s != StoreStatus::kOk)
    return s;
  Pending p;
  touch(p, key)[key] = ManifestEntry{ctx.owner_tag, ns, version, entry.bytes};
  return commit(txn, p, version);
}

StoreStatus DurableObjectStore::rename(const Owner &owner, Namespace ns, ByteView from,
                                       ByteView to) {
  if (!valid_id(from) || !valid_id(to))
    return StoreStatus::kInvalid;
  std::lock_guard lock(mu_);
  if (health_ != StoreStatus::kOk)
    return health_;
  Context ctx;
  Hash32 from_key;
  Hash32 to_key;
  if (StoreStatus s = context(owner, &ctx); s != StoreStatus::kOk)
    return s;
  if (!row_key(ctx, ns, from, &from_key) || !row_key(ctx, ns, to, &to_key))
    return StoreStatus::kIoError;
  if (ns == Namespace::kRpmb) {
    RpmbObject o;
    if (StoreStatus s = rpmb_load(ctx, from_key, &o); s != StoreStatus::kOk)
      return s;
    if (auto it = rpmb_area_.find(to_key);
        it != rpmb_area_.end() && it->second.owner_tag == ctx.owner_tag)
      return StoreStatus::kExists;
    const uint64_t old_bytes = quota_bytes(o);
    o.id.assign(to.begin(), to.end());
    if (StoreStatus s = quota_check(ctx, old_bytes, quota_bytes(o)); s != StoreStatus::kOk)
      return s;
    RpmbArea area = rpmb_area_;
    area.erase(from_key);
    return rpmb_save(ctx, to_key, o, std::move(area));
  }
  LoadedHead h;
  if (StoreStatus s = load_head(ctx, ns, from, from_key, &h); s != StoreStatus::kOk)
    return s;
  if (const ManifestEntry *e = find(to_key);
      e != nullptr && e->owner_tag == ctx.owner_tag && e->ns == ns)
    return StoreStatus::kExists;
  const ManifestEntry entry = *find(from_key);
  const uint64_t new_bytes = entry.bytes - from.size() + to.size();
  if (StoreStatus s = quota_check(ctx, entry.bytes, new_bytes); s != StoreStatus::kOk)
    return s;
  const uint64_t version = state_.generation + 1;
  SqliteTransaction txn(db_);
  if (txn.begin_rc() != SQLITE_OK)
    return status_from_sqlite(txn.begin_rc());
  // A stray head row under the new key (not in the manifest) must go first.
  SqliteStatement stray(*stmts_, "SELECT id FROM heads WHERE row_key = ?");
  stray.bind(1, to_key);
  if (int rc = stray.step(); rc == SQLITE_ROW) {
    if (StoreStatus s = delete_rows(stray.column_int(0)); s != StoreStatus::kOk)
      return s;
  }
  // The chunks are bound to the object's nonce, not its id: only the head
  // is sealed again.
  h.head.id.assign(to.begin(), to.end());
  if (StoreStatus s = put_head(ctx, h.row_id, to_key, h.head, version); s != StoreStatus::kOk)
    return s;
  Pending p;
  touch(p, from_key).erase(from_key);
  touch(p, to_key)[to_key] = ManifestEntry{ctx.owner_tag, ns, version, new_bytes};
  return commit(txn, p, version);
}

StoreStatus DurableObjectStore::remove(const Owner &owner, Namespace ns, ByteView id) {
  if (!valid_id(id))
    return StoreStatus::kInvalid;
  std::lock_guard lock(mu_);
  Context ctx;
  Hash32 key;
  if (StoreStatus s = locate(owner, ns, id, &ctx, &key); s != StoreStatus::kOk)
    return s;
  if (ns == Namespace::kRpmb) {
    auto it = rpmb_area_.find(key);
    if (it == rpmb_area_.end() || it->second.owner_tag != ctx.owner_tag)
      return StoreStatus::kNotFound;
    RpmbArea area = rpmb_area_;
    area.erase(key);
    return rpmb_store(std::move(area));
  }
  const ManifestEntry *e = find(key);
  if (e == nullptr || e->owner_tag != ctx.owner_tag || e->ns != ns)
    return StoreStatus::kNotFound;
  SqliteTransaction txn(db_);
  if (txn.begin_rc() != SQLITE_OK)
    return status_from_sqlite(txn.begin_rc());
  SqliteStatement q(*stmts_, "SELECT id FROM heads WHERE row_key = ?");
  q.bind(1, key);
  if (int rc = q.step(); rc == SQLITE_ROW) {
    if (StoreStatus s = delete_rows(q.column_int(0)); s != StoreStatus::kOk)
      return s;
  } else if (rc != SQLITE_DONE) {
    return status_from_sqlite(rc);
  }
  Pending p;
  touch(p, key).erase(key);
  return commit(txn, p, state_.generation + 1);
}

StoreStatus DurableObjectStore::list(const Owner &owner, Namespace ns, std::vector<Bytes> *ids) {
  std::lock_guard lock(mu_);
  if (health_ != StoreStatus::kOk)
    return health_;
  Context ctx;
  if (StoreStatus s = context(owner, &ctx); s != StoreStatus::kOk)
    return s;
  std::vector<Bytes> result;
  if (ns == Namespace::kRpmb) {
    std::vector<Hash32> keys;
    for (const auto &[key, e] : rpmb_area_)
      if (e.owner_tag == ctx.owner_tag)
        keys.push_back(key);
    for (const Hash32 &key : keys) {
      RpmbObject o;
      const StoreStatus s = rpmb_load(ctx, key, &o);
      OPENSSL_cleanse(o.data.data(), o.data.size());
      if (s == StoreStatus::kOk)
        result.push_back(std::move(o.id));
      else if (s != StoreStatus::kCorrupt)
        return s;  // a corrupt object is deleted and not listed
    }
  } else {
    std::vector<Hash32> keys;
    for (const auto &bucket : buckets_)
      for (const auto &[key, e] : bucket)
        if (e.owner_tag == ctx.owner_tag && e.ns == ns)
          keys.push_back(key);
    for (const Hash32 &key : keys) {
      // The id is only in the sealed head; open it to list it.
      SqliteStatement q(*stmts_, "SELECT blob FROM heads WHERE row_key = ?");
      q.bind(1, key);
      const int rc = q.step();
      if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return status_from_sqlite(rc);
      SecretBytes plain;
      HeadRecord head;
      Hash32 check;
      const ManifestEntry *e = find(key);
      if (rc == SQLITE_ROW &&
          open_sealed(ctx.keys->seal, head_aad(ctx.owner_tag, key, e->version), q.column_blob(0),
                      &plain) &&
          decode_head(plain.view(), &head) && head.ns == ns && row_key(ctx, ns, head.id, &check) &&
          check == key) {
        result.push_back(std::move(head.id));
      } else if (StoreStatus s = drop_corrupt(key); s != StoreStatus::kCorrupt) {
        return s;
      }
    }
  }
  std::sort(result.begin(), result.end());
  *ids = std::move(result);
  return StoreStatus::kOk;
}

StoreStatus DurableObjectStore::usage(std::vector<OwnerUsage> *out) {
  std::lock_guard lock(mu_);
  if (health_ != StoreStatus::kOk)
    return health_;
  std::map<Hash32, OwnerUsage> totals;
  auto add = [&](const Hash32 &tag, uint64_t bytes) {
    auto &u = totals[tag];
    u.owner = owners_[tag].owner;
    ++u.objects;
    u.bytes += bytes;
  };
  for (const auto &bucket : buckets_)
    for (const auto &[key, e] : bucket)
      add(e.owner_tag, e.bytes);
  for (const auto &[key, e] : rpmb_area_)
    add(e.owner_tag, e.bytes);
  out->clear();
  for (auto &[tag, u] : totals)
    out->push_back(std::move(u));
  return StoreStatus::kOk;
}

}  // namespace durable

std::unique_ptr<ObjectStore> open_durable_object_store(const DurableStoreOptions &options,
                                                       std::string *why) {
  why->clear();
  auto store = std::make_unique<durable::DurableObjectStore>(options);
  if (!store->open(why))
    return nullptr;
  return store;
}

}  // namespace captee::tee::storage
