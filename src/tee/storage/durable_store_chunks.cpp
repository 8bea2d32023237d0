// The durable store's REE objects: heads and chunks (durable_store.hpp).
#include <openssl/crypto.h>
#include <algorithm>
#include "durable_store.hpp"

namespace captee::tee::storage::durable {

// ---- REE objects: heads and chunks ----

StoreStatus DurableObjectStore::drop_corrupt(const Hash32 &key) {
  // The object failed authentication: GP says it is deleted. Its rows go
  // (those we can find), and the manifest forgets it.
  SqliteTransaction txn(db_);
  if (txn.begin_rc() != SQLITE_OK)
    return status_from_sqlite(txn.begin_rc());
  SqliteStatement q(*stmts_, "SELECT id FROM heads WHERE row_key = ?");
  q.bind(1, key);
  if (q.step() == SQLITE_ROW) {
    if (StoreStatus s = delete_rows(q.column_int(0)); s != StoreStatus::kOk)
      return s;
  }
  Pending p;
  touch(p, key).erase(key);
  const StoreStatus s = commit(txn, p, state_.generation + 1);
  return s == StoreStatus::kOk ? StoreStatus::kCorrupt : s;
}

StoreStatus DurableObjectStore::load_head(const Context &ctx, Namespace ns, ByteView id,
                                          const Hash32 &key, LoadedHead *out) {
  const ManifestEntry *e = find(key);
  if (e == nullptr || e->owner_tag != ctx.owner_tag || e->ns != ns)
    return StoreStatus::kNotFound;
  SqliteStatement q(*stmts_, "SELECT id, blob FROM heads WHERE row_key = ?");
  q.bind(1, key);
  const int rc = q.step();
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return status_from_sqlite(rc);
  SecretBytes plain;
  HeadRecord head;
  // The manifest says it exists at this version: a missing row, a row that
  // does not open under (owner, row key, version), or one claiming another
  // id or size, is tampering.
  const bool good = rc == SQLITE_ROW &&
                    open_sealed(ctx.keys->seal, head_aad(ctx.owner_tag, key, e->version),
                                q.column_blob(1), &plain) &&
                    decode_head(plain.view(), &head) && head.ns == ns &&
                    std::equal(head.id.begin(), head.id.end(), id.begin(), id.end()) &&
                    e->bytes == head.id.size() + head.attributes.size() + head.data_size;
  if (!good)
    return drop_corrupt(key);
  out->row_id = q.column_int(0);
  out->head = std::move(head);
  return StoreStatus::kOk;
}

StoreStatus DurableObjectStore::load_chunk(const Context &ctx, const LoadedHead &h, uint64_t index,
                                           SecretBytes *out) {
  const uint64_t version = h.head.chunk_versions[index];
  out->wipe();
  if (version == 0)
    return StoreStatus::kOk;  // never written: zeros
  SqliteStatement q(*stmts_, "SELECT blob FROM chunks WHERE k = ?");
  q.bind(1, chunk_row(h.row_id, index));
  const int rc = q.step();
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return status_from_sqlite(rc);
  if (rc != SQLITE_ROW ||
      !open_sealed(ctx.keys->seal, chunk_aad(h.head.object_nonce, index, version), q.column_blob(0),
                   out) ||
      out->size() > kChunkSize)
    return StoreStatus::kCorrupt;
  return StoreStatus::kOk;
}

StoreStatus DurableObjectStore::put_chunk(const Context &ctx, int64_t head_row,
                                          const HeadRecord &head, uint64_t index,
                                          ByteView plaintext, uint64_t version) {
  std::vector<uint8_t> sealed;
  if (!ctx.keys->chunk_sealer->seal(chunk_aad(head.object_nonce, index, version), plaintext,
                                    &sealed))
    return StoreStatus::kIoError;
  SqliteStatement put(*stmts_, "INSERT OR REPLACE INTO chunks(k, blob) VALUES (?, ?)");
  put.bind(1, chunk_row(head_row, index));
  put.bind(2, sealed);
  const int rc = put.step();
  return rc == SQLITE_DONE ? StoreStatus::kOk : status_from_sqlite(rc);
}

StoreStatus DurableObjectStore::put_head(const Context &ctx, int64_t head_row, const Hash32 &key,
                                         const HeadRecord &head, uint64_t version) {
  SecretBytes plain;
  encode_head(head, &plain);
  std::vector<uint8_t> sealed;
  if (!seal(ctx.keys->seal, head_aad(ctx.owner_tag, key, version), plain.view(), &sealed))
    return StoreStatus::kIoError;
  SqliteStatement put(*stmts_, "UPDATE heads SET row_key = ?, blob = ? WHERE id = ?");
  put.bind(1, key);
  put.bind(2, sealed);
  put.bind(3, head_row);
  const int rc = put.step();
  return rc == SQLITE_DONE ? StoreStatus::kOk : status_from_sqlite(rc);
}

StoreStatus DurableObjectStore::insert_head(const Context &ctx, const Hash32 &key,
                                            const HeadRecord &head, uint64_t version,
                                            int64_t *row) {
  // A placeholder first: the head's row id names its chunks.
  SqliteStatement ins(*stmts_, "INSERT INTO heads(row_key, blob) VALUES (?, x'')");
  ins.bind(1, key);
  if (int rc = ins.step(); rc != SQLITE_DONE)
    return status_from_sqlite(rc);
  *row = sqlite3_last_insert_rowid(db_);
  if (static_cast<uint64_t>(*row) >= (uint64_t{1} << (63 - kChunkIndexBits)))
    return StoreStatus::kNoSpace;
  return put_head(ctx, *row, key, head, version);
}

StoreStatus DurableObjectStore::delete_rows(int64_t head_row) {
  SqliteStatement chunks(*stmts_, "DELETE FROM chunks WHERE k BETWEEN ? AND ?");
  chunks.bind(1, chunk_row(head_row, 0));
  chunks.bind(2, chunk_row(head_row, (uint64_t{1} << kChunkIndexBits) - 1));
  if (int rc = chunks.step(); rc != SQLITE_DONE)
    return status_from_sqlite(rc);
  SqliteStatement head(*stmts_, "DELETE FROM heads WHERE id = ?");
  head.bind(1, head_row);
  const int rc = head.step();
  return rc == SQLITE_DONE ? StoreStatus::kOk : status_from_sqlite(rc);
}

// Writes `data` at `offset` into the object's chunks (the head's size and
// chunk versions follow); `old` gives the chunks' current contents.
StoreStatus DurableObjectStore::write_data(const Context &ctx, int64_t head_row, HeadRecord *head,
                                           const LoadedHead *old, uint64_t offset, ByteView data,
                                           uint64_t version) {
  const uint64_t end = offset + data.size();  // the caller checked the bound
  if (end > head->data_size) {
    head->data_size = end;
    head->chunk_versions.resize(chunk_count_for(end), 0);
  }
  SecretBytes chunk;
  for (uint64_t index = offset / kChunkSize; index * kChunkSize < end; ++index) {
    const uint64_t chunk_start = index * kChunkSize;
    const uint64_t from = std::max(offset, chunk_start);
    const uint64_t to = std::min(end, chunk_start + kChunkSize);
    // Keep what the chunk held outside [from, to), unless the write covers
    // all it held (a whole-chunk overwrite needs no decryption).
    const uint64_t held_end =
        old != nullptr ? std::min(old->head.data_size, chunk_start + kChunkSize) : chunk_start;
    const bool covers = from == chunk_start && to >= held_end;
    if (covers) {
      // The chunk becomes exactly these bytes of the caller's: sealed from
      // where they are, with no plaintext copy to make and wipe (a 1 MiB
      // write is 256 such chunks).
      const ByteView whole =
          data.subspan(static_cast<size_t>(from - offset), static_cast<size_t>(to - from));
      if (StoreStatus s = put_chunk(ctx, head_row, *head, index, whole, version);
          s != StoreStatus::kOk)
        return s;
      head->chunk_versions[index] = version;
      continue;
    }
    if (old != nullptr && index < old->head.chunk_versions.size()) {
      if (StoreStatus s = load_chunk(ctx, *old, index, &chunk); s != StoreStatus::kOk)
        return s;
    } else {
      chunk.wipe();
    }
    const size_t needed = static_cast<size_t>(to - chunk_start);
    if (chunk.size() < needed)
      chunk.raw().resize(needed, 0);
    std::copy(data.begin() + static_cast<ptrdiff_t>(from - offset),
              data.begin() + static_cast<ptrdiff_t>(to - offset),
              chunk.data() + (from - chunk_start));
    if (StoreStatus s = put_chunk(ctx, head_row, *head, index, chunk.view(), version);
        s != StoreStatus::kOk)
      return s;
    head->chunk_versions[index] = version;
  }
  return StoreStatus::kOk;
}

// Cuts or extends the stream to `size`. Extending costs nothing (missing
// chunks read as zeros); cutting inside a chunk rewrites it shorter, so
// bytes past the cut never come back on a later extension.
StoreStatus DurableObjectStore::resize_data(const Context &ctx, const LoadedHead &old,
                                            HeadRecord *head, uint64_t size, uint64_t version) {
  const uint64_t chunks = chunk_count_for(size);
  if (size < head->data_size) {
    SqliteStatement del(*stmts_, "DELETE FROM chunks WHERE k BETWEEN ? AND ?");
    del.bind(1, chunk_row(old.row_id, chunks));
    del.bind(2, chunk_row(old.row_id, (uint64_t{1} << kChunkIndexBits) - 1));
    if (int rc = del.step(); rc != SQLITE_DONE)
      return status_from_sqlite(rc);
    if (size % kChunkSize != 0) {
      SecretBytes chunk;
      const uint64_t last = chunks - 1;
      if (StoreStatus s = load_chunk(ctx, old, last, &chunk); s != StoreStatus::kOk)
        return s;
      if (chunk.size() > size % kChunkSize) {
        chunk.raw().resize(size % kChunkSize);
        if (StoreStatus s = put_chunk(ctx, old.row_id, *head, last, chunk.view(), version);
            s != StoreStatus::kOk)
          return s;
        head->chunk_versions[last] = version;
      }
    }
  }
  head->chunk_versions.resize(chunks, 0);
  head->data_size = size;
  return StoreStatus::kOk;
}

}  // namespace captee::tee::storage::durable
