// The durable ObjectStore (decision 0023 has the design and why): SQLite in
// WAL mode holds sealed records, an authenticated manifest says which objects
// exist and at which version, and the emulated RPMB holds the rollback root
// and the Namespace::kRpmb objects.
#include "captee/tee/storage/durable_object_store.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <openssl/crypto.h>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <set>

#include "captee/detail/little_endian.hpp"
#include "captee/tee/storage/device_secret.hpp"
#include "captee/tee/storage/rpmb.hpp"
#include "captee/tee/storage/store_records.hpp"
#include "sqlite_db.hpp"

namespace captee::tee::storage {
namespace {

using captee::detail::load_le64;
using captee::detail::store_le64;

constexpr char kRootMagic[8] = {'C', 'P', 'T', 'R', 'O', 'O', 'T', '1'};
constexpr uint16_t kRootBlock = 0;
constexpr uint16_t kAreaBlock = 1;  // the kRpmb objects area starts here

constexpr const char *kSchema =
    "CREATE TABLE IF NOT EXISTS state(k INTEGER PRIMARY KEY, blob BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS buckets(b INTEGER PRIMARY KEY, blob BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS owners(tag BLOB PRIMARY KEY, blob BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS heads(id INTEGER PRIMARY KEY, row_key BLOB NOT NULL UNIQUE, blob "
    "BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS chunks(k INTEGER PRIMARY KEY, blob BLOB NOT NULL);";

// A chunk row's key: the head row's id and the chunk index (up to 2^20
// chunks of 4 KiB make TEE_DATA_MAX_POSITION).
constexpr int kChunkIndexBits = 20;
int64_t chunk_row(int64_t head_id, uint64_t index) {
  return static_cast<int64_t>((static_cast<uint64_t>(head_id) << kChunkIndexBits) | index);
}

size_t bucket_of(const Hash32 &row_key) {
  return row_key[0] % kBucketCount;
}

// The owner's keys, derived from the device secret and the owner's bytes.
struct OwnerKeys {
  Key32 seal;  // AES-256-GCM of heads, chunks and RPMB records
  Key32 name;  // HMAC of (namespace, id): the row key
};

// One object read and authenticated.
struct LoadedHead {
  int64_t row_id = 0;
  HeadRecord head;
};

class DurableObjectStore final : public ObjectStore {
 public:
  explicit DurableObjectStore(const DurableStoreOptions &options) : options_(options) {}
  ~DurableObjectStore() override {
    if (db_ != nullptr)
      sqlite3_close_v2(db_);
  }

  // Returns false (store unusable) with `*why`; sets health_ for the
  // opened-but-untrusted cases.
  bool open(std::string *why);

  StoreStatus create(const Owner &owner, Namespace ns, ByteView id, const ObjectMeta &meta,
                     ByteView attributes, ByteView data, bool overwrite) override;
  StoreStatus head(const Owner &owner, Namespace ns, ByteView id, ObjectHead *out) override;
  StoreStatus read(const Owner &owner, Namespace ns, ByteView id, uint64_t offset, size_t length,
                   Bytes *out) override;
  StoreStatus write(const Owner &owner, Namespace ns, ByteView id, uint64_t offset,
                    ByteView data) override;
  StoreStatus truncate(const Owner &owner, Namespace ns, ByteView id, uint64_t size) override;
  StoreStatus set_usage(const Owner &owner, Namespace ns, ByteView id, uint32_t usage) override;
  StoreStatus rename(const Owner &owner, Namespace ns, ByteView from, ByteView to) override;
  StoreStatus remove(const Owner &owner, Namespace ns, ByteView id) override;
  StoreStatus list(const Owner &owner, Namespace ns, std::vector<Bytes> *ids) override;
  StoreStatus usage(std::vector<OwnerUsage> *out) override;

 private:
  // What a call works on: the owner's tag and keys.
  struct Context {
    Hash32 owner_tag{};
    const OwnerKeys *keys = nullptr;
  };

  // Changes of one commit, applied to memory only once SQLite committed.
  struct Pending {
    std::map<size_t, Bucket> buckets;  // touched buckets, whole
  };

  bool fail_open(StoreStatus s, std::string message, std::string *why) {
    health_ = s;
    *why = std::move(message);
    return true;
  }
  bool open_database(std::string *why);
  bool open_rpmb(std::string *why);
  bool load_state(std::string *why);
  bool write_root(uint64_t generation);

  StoreStatus context(const Owner &owner, Context *ctx);
  bool row_key(const Context &ctx, Namespace ns, ByteView id, Hash32 *out) const;
  StoreStatus ensure_owner_row(const Context &ctx);
  Bucket &touch(Pending &p, const Hash32 &row_key);
  StoreStatus quota_check(const Context &ctx, uint64_t old_bytes, uint64_t new_bytes) const;
  const ManifestEntry *find(const Hash32 &row_key) const;
  // Writes the touched buckets and the state row, commits, then applies to
  // memory and advances the RPMB root.
  StoreStatus commit(SqliteTransaction &txn, Pending &p, uint64_t generation);

  StoreStatus load_head(const Context &ctx, Namespace ns, ByteView id, const Hash32 &key,
                        LoadedHead *out);
  StoreStatus drop_corrupt(const Hash32 &row_key);
  StoreStatus load_chunk(const Context &ctx, const LoadedHead &h, uint64_t index, SecretBytes *out);
  StoreStatus put_chunk(const Context &ctx, int64_t head_row, const HeadRecord &head,
                        uint64_t index, ByteView plaintext, uint64_t version);
  StoreStatus put_head(const Context &ctx, int64_t head_row, const Hash32 &key,
                       const HeadRecord &head, uint64_t version);
  StoreStatus delete_rows(int64_t head_row);
  StoreStatus insert_head(const Context &ctx, const Hash32 &key, const HeadRecord &head,
                          uint64_t version, int64_t *row);
  StoreStatus write_data(const Context &ctx, int64_t head_row, HeadRecord *head,
                         const LoadedHead *old, uint64_t offset, ByteView data, uint64_t version);
  StoreStatus resize_data(const Context &ctx, const LoadedHead &old, HeadRecord *head,
                          uint64_t size, uint64_t version);

  // Namespace::kRpmb
  StoreStatus rpmb_load(const Context &ctx, const Hash32 &key, RpmbObject *out);
  StoreStatus rpmb_store(RpmbArea area);
  StoreStatus rpmb_put(const Context &ctx, const Hash32 &key, const RpmbObject &object,
                       RpmbArea *area);
  uint64_t quota_bytes(const RpmbObject &o) const {
    return o.id.size() + o.attributes.size() + o.data.size();
  }

  DurableStoreOptions options_;
  std::mutex mu_;
  StoreStatus health_ = StoreStatus::kOk;
  sqlite3 *db_ = nullptr;
  std::unique_ptr<StatementCache> stmts_;
  SecretBytes secret_;
  Key32 store_seal_;  // the state row, buckets and owner rows
  Key32 store_name_;  // owner tags
  Key32 rpmb_key_;    // programmed into the RPMB device
  std::unique_ptr<EmulatedRpmb> device_;
  std::unique_ptr<RpmbDriver> driver_;
  StateRecord state_;
  std::array<Bucket, kBucketCount> buckets_;
  RpmbArea rpmb_area_;
  Bytes rpmb_image_;  // the area's blocks as last read or written
  struct OwnerInfo {
    Owner owner;
    bool persisted = false;
  };
  std::map<Hash32, OwnerInfo> owners_;
  std::map<Hash32, std::unique_ptr<OwnerKeys>> keys_;
};

// ---- opening ----

bool ensure_dir(const std::string &path, std::string *why) {
  if (mkdir(path.c_str(), 0700) == 0 || errno == EEXIST) {
    struct stat st {};
    if (stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
      return true;
  }
  *why = "cannot create the state directory " + path + ": " + std::strerror(errno);
  return false;
}

bool DurableObjectStore::open(std::string *why) {
  if (options_.state_dir.empty()) {
    *why = "the durable store needs a state directory";
    return false;
  }
  while (options_.state_dir.size() > 1 && options_.state_dir.back() == '/')
    options_.state_dir.pop_back();
  if (!ensure_dir(options_.state_dir, why))
    return false;
  const bool own_secret = options_.secret_path.empty();
  const std::string secret_path =
      own_secret ? options_.state_dir + "/device-secret" : options_.secret_path;
  if (!load_or_create_device_secret(secret_path, own_secret, &secret_, why))
    return false;
  if (!derive_key(secret_.view(), "store-seal", {}, &store_seal_) ||
      !derive_key(secret_.view(), "store-name", {}, &store_name_) ||
      !derive_key(secret_.view(), "rpmb-key", {}, &rpmb_key_)) {
    *why = "cannot derive the store's keys";
    return false;
  }
  if (!open_rpmb(why) || !open_database(why))
    return false;
  return load_state(why);
}

bool DurableObjectStore::open_rpmb(std::string *why) {
  const std::string path =
      options_.rpmb_path.empty() ? options_.state_dir + ".rpmb" : options_.rpmb_path;
  device_ = EmulatedRpmb::open(path, options_.rpmb_blocks, why);
  if (!device_)
    return false;
  if (device_->blocks() < 2) {
    *why = "the RPMB device " + path + " is too small";
    return false;
  }
  driver_ = std::make_unique<RpmbDriver>(device_.get(), rpmb_key_);
  uint32_t counter = 0;
  RpmbStatus s = driver_->read_counter(&counter);
  // A new device gets its key once, as a factory programs an eMMC's RPMB.
  if (s == RpmbStatus::kNotProgrammed)
    s = driver_->program_key() == RpmbStatus::kOk ? driver_->read_counter(&counter) : s;
  if (s != RpmbStatus::kOk) {
    *why = "the RPMB device " + path + " does not answer to this device secret's key";
    return false;
  }
  if (driver_->read(kAreaBlock, static_cast<uint16_t>(device_->blocks() - kAreaBlock),
                    &rpmb_image_) != RpmbStatus::kOk) {
    *why = "cannot read the RPMB device " + path;
    return false;
  }
  return true;
}

bool DurableObjectStore::open_database(std::string *why) {
  const std::string path = options_.state_dir + "/store.db";
  const int rc = sqlite3_open_v2(
      path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
      options_.sqlite_vfs.empty() ? nullptr : options_.sqlite_vfs.c_str());
  if (rc != SQLITE_OK) {
    *why = "cannot open " + path + ": " + (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
    return false;
  }
  chmod(path.c_str(), 0600);
  stmts_ = std::make_unique<StatementCache>(db_);
  // WAL with synchronous=FULL: a commit returns once the WAL is fsynced, so
  // kOk is durable. Exclusive locking: one capteed owns the store (a second
  // opener gets SQLITE_BUSY, kIoError), and no shared-memory file is needed.
  const char *setup =
      "PRAGMA locking_mode=EXCLUSIVE; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
      "PRAGMA cell_size_check=ON; PRAGMA wal_autocheckpoint=4096; PRAGMA "
      "journal_size_limit=16777216;";
  int src = sqlite3_exec(db_, setup, nullptr, nullptr, nullptr);
  if (src == SQLITE_OK)
    src = sqlite3_exec(db_, kSchema, nullptr, nullptr, nullptr);
  if (src != SQLITE_OK)
    return fail_open(status_from_sqlite(src),
                     std::string("cannot use ") + path + ": " + sqlite3_errstr(src), why);
  return true;
}

bool DurableObjectStore::write_root(uint64_t generation) {
  uint8_t block[kRpmbBlockSize] = {};
  std::memcpy(block, kRootMagic, 8);
  std::memcpy(block + 8, state_.store_id.data(), kStoreIdSize);
  store_le64(block + 8 + kStoreIdSize, generation);
  return driver_->write(kRootBlock, block) == RpmbStatus::kOk;
}

bool DurableObjectStore::load_state(std::string *why) {
  if (health_ != StoreStatus::kOk)
    return true;
  Bytes root;
  if (driver_->read(kRootBlock, 1, &root) != RpmbStatus::kOk) {
    *why = "cannot read the rollback root";
    return false;
  }
  const bool root_set = std::memcmp(root.data(), kRootMagic, 8) == 0;
  const uint64_t root_generation = load_le64(root.data() + 8 + kStoreIdSize);

  SqliteStatement get(*stmts_, "SELECT blob FROM state WHERE k = 0");
  const int rc = get.step();
  if (rc == SQLITE_DONE) {
    // No store yet. If the RPMB already anchors one, the directory was
    // removed or replaced: that is a rollback too (to nothing).
    if (root_set && !options_.accept_rollback)
      return fail_open(StoreStatus::kRollback,
                       "the state directory holds no store but the RPMB anchors one", why);
    if (!random_bytes(state_.store_id)) {
      *why = "no randomness for the store id";
      return false;
    }
    std::vector<uint8_t> sealed;
    SqliteTransaction txn(db_);
    SqliteStatement put(*stmts_, "INSERT INTO state(k, blob) VALUES (0, ?)");
    if (txn.begin_rc() != SQLITE_OK ||
        !seal(store_seal_, state_aad(), encode_state(state_), &sealed)) {
      *why = "cannot create the store";
      return false;
    }
    put.bind(1, sealed);
    if (put.step() != SQLITE_DONE || txn.commit() != SQLITE_OK)
      return fail_open(StoreStatus::kIoError, "cannot create the store", why);
    if (!write_root(0)) {
      *why = "cannot write the rollback root";
      return false;
    }
    return true;
  }
  if (rc != SQLITE_ROW)
    return fail_open(status_from_sqlite(rc),
                     std::string("cannot read the store: ") + sqlite3_errstr(rc), why);
  SecretBytes plain;
  if (!open_sealed(store_seal_, state_aad(), get.column_blob(0), &plain) ||
      !decode_state(plain.view(), &state_))
    return fail_open(StoreStatus::kCorrupt, "the store's state record fails authentication", why);

  const bool same_store =
      root_set && std::equal(state_.store_id.begin(), state_.store_id.end(), root.begin() + 8);
  if (same_store && state_.generation == root_generation) {
    // In step with the root.
  } else if (same_store && state_.generation == root_generation + 1) {
    // A crash between SQLite's commit and the root's write: the database is
    // one step ahead, which only a committed change can make. Catch up.
    if (!write_root(state_.generation)) {
      *why = "cannot advance the rollback root";
      return false;
    }
  } else if (options_.accept_rollback) {
    if (!write_root(state_.generation)) {
      *why = "cannot write the rollback root";
      return false;
    }
  } else {
    return fail_open(StoreStatus::kRollback,
                     root_set
                         ? (same_store ? "the store is older than its rollback root (generation " +
                                             std::to_string(state_.generation) + ", root " +
                                             std::to_string(root_generation) + ")"
                                       : std::string("the store is not the one the RPMB anchors"))
                         : std::string("the RPMB anchors no store (a new or reset RPMB device)"),
                     why);
  }

  // The manifest: every bucket must open under its generation.
  SqliteStatement buckets(*stmts_, "SELECT b, blob FROM buckets");
  std::array<bool, kBucketCount> seen{};
  int brc;
  while ((brc = buckets.step()) == SQLITE_ROW) {
    const int64_t b = buckets.column_int(0);
    if (b < 0 || b >= static_cast<int64_t>(kBucketCount) || state_.bucket_generation[b] == 0)
      continue;
    Bucket bucket;
    if (!open_sealed(store_seal_, bucket_aad(static_cast<size_t>(b), state_.bucket_generation[b]),
                     buckets.column_blob(1), &plain) ||
        !decode_bucket(plain.view(), &bucket))
      return fail_open(StoreStatus::kCorrupt, "a manifest bucket fails authentication", why);
    for (const auto &[key, e] : bucket) {
      if (bucket_of(key) != static_cast<size_t>(b))
        return fail_open(StoreStatus::kCorrupt, "a manifest entry is in the wrong bucket", why);
    }
    buckets_[b] = std::move(bucket);
    seen[b] = true;
  }
  if (brc != SQLITE_DONE)
    return fail_open(status_from_sqlite(brc), "cannot read the manifest", why);
  for (size_t b = 0; b < kBucketCount; ++b) {
    if (state_.bucket_generation[b] != 0 && !seen[b])
      return fail_open(StoreStatus::kCorrupt, "a manifest bucket is missing", why);
  }
  if (!decode_rpmb_area(rpmb_image_, &rpmb_area_))
    return fail_open(StoreStatus::kCorrupt, "the RPMB objects area does not decode", why);

  // Owners: each tag must open to an owner whose tag it is.
  std::set<Hash32> tags;
  for (const auto &bucket : buckets_)
    for (const auto &[key, e] : bucket)
      tags.insert(e.owner_tag);
  for (const auto &[key, e] : rpmb_area_)
    tags.insert(e.owner_tag);
  for (const Hash32 &tag : tags) {
    SqliteStatement q(*stmts_, "SELECT blob FROM owners WHERE tag = ?");
    q.bind(1, tag);
    const int orc = q.step();
    Owner owner;
    Hash32 check;
    if (orc != SQLITE_ROW && orc != SQLITE_DONE)
      return fail_open(status_from_sqlite(orc), "cannot read the owners", why);
    if (orc != SQLITE_ROW || !open_sealed(store_seal_, owner_aad(tag), q.column_blob(0), &plain) ||
        !decode_owner(plain.view(), &owner) ||
        !hmac_sha256(store_name_, encode_owner(owner), &check) || check != tag)
      return fail_open(StoreStatus::kCorrupt, "an owner record fails authentication", why);
    owners_[tag] = {std::move(owner), true};
  }
  return true;
}

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
  if (int rc = txn.commit(); rc != SQLITE_OK)
    return status_from_sqlite(rc) == StoreStatus::kOk ? StoreStatus::kIoError
                                                      : status_from_sqlite(rc);
  // Committed and synced: memory follows, then the root. A crash before the
  // root's write leaves the database one generation ahead, which the next
  // open accepts; a failed root write leaves the store unusable until then,
  // since a second commit would put it two ahead.
  state_ = next;
  for (auto &[b, bucket] : p.buckets)
    buckets_[b] = std::move(bucket);
  if (!write_root(generation)) {
    health_ = StoreStatus::kIoError;
    return StoreStatus::kIoError;
  }
  return StoreStatus::kOk;
}

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
  if (!seal(ctx.keys->seal, chunk_aad(head.object_nonce, index, version), plaintext, &sealed))
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
    if (old != nullptr && index < old->head.chunk_versions.size() && !covers) {
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

// ---- RPMB objects ----

StoreStatus DurableObjectStore::rpmb_load(const Context &ctx, const Hash32 &key, RpmbObject *out) {
  auto it = rpmb_area_.find(key);
  if (it == rpmb_area_.end() || it->second.owner_tag != ctx.owner_tag)
    return StoreStatus::kNotFound;
  SecretBytes plain;
  if (!open_sealed(ctx.keys->seal, rpmb_object_aad(ctx.owner_tag, key), it->second.sealed,
                   &plain) ||
      !decode_rpmb_object(plain.view(), out) || it->second.bytes != quota_bytes(*out)) {
    RpmbArea area = rpmb_area_;
    area.erase(key);
    const StoreStatus s = rpmb_store(std::move(area));
    return s == StoreStatus::kOk ? StoreStatus::kCorrupt : s;
  }
  return StoreStatus::kOk;
}

StoreStatus DurableObjectStore::rpmb_put(const Context &ctx, const Hash32 &key,
                                         const RpmbObject &object, RpmbArea *area) {
  SecretBytes plain;
  encode_rpmb_object(object, &plain);
  RpmbEntry e;
  e.owner_tag = ctx.owner_tag;
  e.bytes = quota_bytes(object);
  if (!seal(ctx.keys->seal, rpmb_object_aad(ctx.owner_tag, key), plain.view(), &e.sealed))
    return StoreStatus::kIoError;
  (*area)[key] = std::move(e);
  return StoreStatus::kOk;
}

StoreStatus DurableObjectStore::rpmb_store(RpmbArea area) {
  Bytes image = encode_rpmb_area(area);
  if (image.size() > rpmb_image_.size())
    return StoreStatus::kNoSpace;
  image.resize(rpmb_image_.size(), 0);
  // Only the blocks that changed, in one authenticated (atomic) write.
  size_t first = 0;
  while (first < image.size() && image[first] == rpmb_image_[first])
    ++first;
  if (first == image.size()) {
    rpmb_area_ = std::move(area);
    return StoreStatus::kOk;
  }
  size_t last = image.size();
  while (image[last - 1] == rpmb_image_[last - 1])
    --last;
  const size_t from = first / kRpmbBlockSize * kRpmbBlockSize;
  const size_t to = (last + kRpmbBlockSize - 1) / kRpmbBlockSize * kRpmbBlockSize;
  if (driver_->write(static_cast<uint16_t>(kAreaBlock + from / kRpmbBlockSize),
                     ByteView(image).subspan(from, to - from)) != RpmbStatus::kOk)
    return StoreStatus::kIoError;
  rpmb_image_ = std::move(image);
  rpmb_area_ = std::move(area);
  return StoreStatus::kOk;
}

// ---- the members ----

bool valid_id(ByteView id) {
  return id.size() <= kMaxObjectIdLength;
}

StoreStatus DurableObjectStore::create(const Owner &owner, Namespace ns, ByteView id,
                                       const ObjectMeta &meta, ByteView attributes, ByteView data,
                                       bool overwrite) {
  if (!valid_id(id) || data.size() > kMaxDataPosition)
    return StoreStatus::kInvalid;
  std::lock_guard lock(mu_);
  if (health_ != StoreStatus::kOk)
    return health_;
  Context ctx;
  Hash32 key;
  if (StoreStatus s = context(owner, &ctx); s != StoreStatus::kOk)
    return s;
  if (!row_key(ctx, ns, id, &key))
    return StoreStatus::kIoError;
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
    RpmbArea area = rpmb_area_;
    if (StoreStatus s = rpmb_put(ctx, key, object, &area); s != StoreStatus::kOk)
      return s;
    OPENSSL_cleanse(object.data.data(), object.data.size());
    return rpmb_store(std::move(area));
  }

  const ManifestEntry *old = find(key);
  const bool exists = old != nullptr && old->owner_tag == ctx.owner_tag && old->ns == ns;
  if (exists && !overwrite)
    return StoreStatus::kExists;
  if (StoreStatus s = quota_check(ctx, exists ? old->bytes : 0, bytes); s != StoreStatus::kOk)
    return s;
  const uint64_t version = state_.generation + 1;
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
  if (health_ != StoreStatus::kOk)
    return health_;
  Context ctx;
  Hash32 key;
  if (StoreStatus s = context(owner, &ctx); s != StoreStatus::kOk)
    return s;
  if (!row_key(ctx, ns, id, &key))
    return StoreStatus::kIoError;
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
  if (health_ != StoreStatus::kOk)
    return health_;
  Context ctx;
  Hash32 key;
  if (StoreStatus s = context(owner, &ctx); s != StoreStatus::kOk)
    return s;
  if (!row_key(ctx, ns, id, &key))
    return StoreStatus::kIoError;
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
  if (health_ != StoreStatus::kOk)
    return health_;
  Context ctx;
  Hash32 key;
  if (StoreStatus s = context(owner, &ctx); s != StoreStatus::kOk)
    return s;
  if (!row_key(ctx, ns, id, &key))
    return StoreStatus::kIoError;
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
    RpmbArea area = rpmb_area_;
    if (StoreStatus s = rpmb_put(ctx, key, o, &area); s != StoreStatus::kOk)
      return s;
    OPENSSL_cleanse(o.data.data(), o.data.size());
    return rpmb_store(std::move(area));
  }
  LoadedHead h;
  if (StoreStatus s = load_head(ctx, ns, id, key, &h); s != StoreStatus::kOk)
    return s;
  const ManifestEntry entry = *find(key);
  const uint64_t end = offset + data.size();
  const uint64_t new_bytes = entry.bytes + (end > h.head.data_size ? end - h.head.data_size : 0);
  if (StoreStatus s = quota_check(ctx, entry.bytes, new_bytes); s != StoreStatus::kOk)
    return s;
  const uint64_t version = state_.generation + 1;
  StoreStatus s;
  {
    SqliteTransaction txn(db_);
    if (txn.begin_rc() != SQLITE_OK)
      return status_from_sqlite(txn.begin_rc());
    HeadRecord head = h.head;
    s = write_data(ctx, h.row_id, &head, &h, offset, data, version);
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

StoreStatus DurableObjectStore::truncate(const Owner &owner, Namespace ns, ByteView id,
                                         uint64_t size) {
  if (!valid_id(id) || size > kMaxDataPosition)
    return StoreStatus::kInvalid;
  std::lock_guard lock(mu_);
  if (health_ != StoreStatus::kOk)
    return health_;
  Context ctx;
  Hash32 key;
  if (StoreStatus s = context(owner, &ctx); s != StoreStatus::kOk)
    return s;
  if (!row_key(ctx, ns, id, &key))
    return StoreStatus::kIoError;
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
    RpmbArea area = rpmb_area_;
    if (StoreStatus s = rpmb_put(ctx, key, o, &area); s != StoreStatus::kOk)
      return s;
    OPENSSL_cleanse(o.data.data(), o.data.size());
    return rpmb_store(std::move(area));
  }
  LoadedHead h;
  if (StoreStatus s = load_head(ctx, ns, id, key, &h); s != StoreStatus::kOk)
    return s;
  const ManifestEntry entry = *find(key);
  const uint64_t new_bytes = entry.bytes - h.head.data_size + size;
  if (StoreStatus s = quota_check(ctx, entry.bytes, new_bytes); s != StoreStatus::kOk)
    return s;
  const uint64_t version = state_.generation + 1;
  StoreStatus s;
  {
    SqliteTransaction txn(db_);
    if (txn.begin_rc() != SQLITE_OK)
      return status_from_sqlite(txn.begin_rc());
    HeadRecord head = h.head;
    s = resize_data(ctx, h, &head, size, version);
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

StoreStatus DurableObjectStore::set_usage(const Owner &owner, Namespace ns, ByteView id,
                                          uint32_t usage) {
  if (!valid_id(id))
    return StoreStatus::kInvalid;
  std::lock_guard lock(mu_);
  if (health_ != StoreStatus::kOk)
    return health_;
  Context ctx;
  Hash32 key;
  if (StoreStatus s = context(owner, &ctx); s != StoreStatus::kOk)
    return s;
  if (!row_key(ctx, ns, id, &key))
    return StoreStatus::kIoError;
  if (ns == Namespace::kRpmb) {
    RpmbObject o;
    if (StoreStatus s = rpmb_load(ctx, key, &o); s != StoreStatus::kOk)
      return s;
    o.meta.object_usage = usage;
    RpmbArea area = rpmb_area_;
    if (StoreStatus s = rpmb_put(ctx, key, o, &area); s != StoreStatus::kOk)
      return s;
    OPENSSL_cleanse(o.data.data(), o.data.size());
    return rpmb_store(std::move(area));
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
    if (StoreStatus s = rpmb_put(ctx, to_key, o, &area); s != StoreStatus::kOk)
      return s;
    OPENSSL_cleanse(o.data.data(), o.data.size());
    return rpmb_store(std::move(area));
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
  if (health_ != StoreStatus::kOk)
    return health_;
  Context ctx;
  Hash32 key;
  if (StoreStatus s = context(owner, &ctx); s != StoreStatus::kOk)
    return s;
  if (!row_key(ctx, ns, id, &key))
    return StoreStatus::kIoError;
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

}  // namespace

std::unique_ptr<ObjectStore> open_durable_object_store(const DurableStoreOptions &options,
                                                       std::string *why) {
  why->clear();
  auto store = std::make_unique<DurableObjectStore>(options);
  if (!store->open(why))
    return nullptr;
  return store;
}

}  // namespace captee::tee::storage
