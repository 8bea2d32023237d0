// The durable ObjectStore's class, shared by its source files (internal to
// captee_tee_storage; decision 0023 has the design and why): SQLite in WAL
// mode holds sealed records, an authenticated manifest says which objects
// exist and at which version, and the emulated RPMB holds the rollback root
// and the Namespace::kRpmb objects.
//
// durable_store_open.cpp     opening: secret, RPMB, database, rollback check
// durable_store_anchor.cpp   the rollback root: its format, writes, confirmation
// durable_store_commit.cpp   owners, keys, the manifest and each commit
// durable_store_chunks.cpp   REE objects' heads and chunks
// durable_store_rpmb.cpp     Namespace::kRpmb objects in the RPMB area
// durable_object_store.cpp   the ObjectStore members and the factory
#pragma once

#include <array>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "captee/detail/little_endian.hpp"
#include "captee/tee/storage/durable_object_store.hpp"
#include "captee/tee/storage/rpmb.hpp"
#include "anchor_thread.hpp"
#include "coalescing_vfs.hpp"
#include "captee/tee/storage/store_records.hpp"
#include "sqlite_db.hpp"

namespace captee::tee::storage::durable {

using captee::detail::load_le64;
using captee::detail::store_le64;

// The rollback root in RPMB block 0: magic, store id, then generations.
// Version 1 held one generation; version 2 holds the intent and the last
// confirmed generation (decision 0029). Both are read; 2 is written.
inline constexpr char kRootMagicV1[8] = {'C', 'P', 'T', 'R', 'O', 'O', 'T', '1'};
inline constexpr char kRootMagicV2[8] = {'C', 'P', 'T', 'R', 'O', 'O', 'T', '2'};
inline constexpr uint16_t kRootBlock = 0;
inline constexpr uint16_t kAreaBlock = 1;  // the kRpmb objects area starts here

inline constexpr const char *kSchema =
    "CREATE TABLE IF NOT EXISTS state(k INTEGER PRIMARY KEY, blob BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS buckets(b INTEGER PRIMARY KEY, blob BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS owners(tag BLOB PRIMARY KEY, blob BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS heads(id INTEGER PRIMARY KEY, row_key BLOB NOT NULL UNIQUE, blob "
    "BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS chunks(k INTEGER PRIMARY KEY, blob BLOB NOT NULL);";

// A chunk row's key: the head row's id and the chunk index (up to 2^20
// chunks of 4 KiB make TEE_DATA_MAX_POSITION).
inline constexpr int kChunkIndexBits = 20;
inline int64_t chunk_row(int64_t head_id, uint64_t index) {
  return static_cast<int64_t>((static_cast<uint64_t>(head_id) << kChunkIndexBits) | index);
}

inline size_t bucket_of(const Hash32 &row_key) {
  return row_key[0] % kBucketCount;
}

// The owner's keys, derived from the device secret and the owner's bytes.
struct OwnerKeys {
  Key32 seal;  // AES-256-GCM of heads, chunks and RPMB records
  Key32 name;  // HMAC of (namespace, id): the row key
  // `seal`, set up once: chunks are sealed through it (storage_crypto.hpp).
  std::unique_ptr<Sealer> chunk_sealer;
};

// One object read and authenticated.
struct LoadedHead {
  int64_t row_id = 0;
  HeadRecord head;
};

class DurableObjectStore final : public ObjectStore {
 public:
  explicit DurableObjectStore(const DurableStoreOptions &options) : options_(options) {}
  ~DurableObjectStore() override;

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
  void settle() override;

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
  // The root's block for (intent, confirmed); only reads the store id.
  bool write_root(uint64_t intent, uint64_t confirmed);
  // With mu_ held: (generation, generation), once the store holds it.
  void confirm_root();
  // On the anchor thread: confirm_root() unless a caller holds mu_.
  bool confirm_when_idle();
  // Commits `txn` and writes the root for `generation` in the order
  // options_.anchor says. kOk once both are durable.
  StoreStatus commit_and_anchor(SqliteTransaction &txn, uint64_t generation);
  // Overlapped only (else no-ops): starts the root's intent for
  // `generation` on the anchor thread, so its flush runs while the change
  // is sealed and committed; and waits for it (false: the root is unknown,
  // and the store fails with kIoError). A change that starts an intent
  // finishes it on every path (IntentScope).
  void start_intent(uint64_t generation);
  bool finish_intent();
  struct IntentScope {
    DurableObjectStore &store;
    IntentScope(DurableObjectStore &s, uint64_t generation) : store(s) {
      store.start_intent(generation);
    }
    ~IntentScope() { store.finish_intent(); }
  };

  StoreStatus context(const Owner &owner, Context *ctx);
  // With mu_ held: the store's health, then the owner's context and the
  // object's row key (kIoError if that cannot be computed).
  StoreStatus locate(const Owner &owner, Namespace ns, ByteView id, Context *ctx, Hash32 *key);
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
  StoreStatus change_stream(const Context &ctx, Namespace ns, const Hash32 &key,
                            const LoadedHead &h, uint64_t new_bytes,
                            const std::function<StoreStatus(HeadRecord *, uint64_t)> &change);

  // Namespace::kRpmb
  StoreStatus rpmb_load(const Context &ctx, const Hash32 &key, RpmbObject *out);
  StoreStatus rpmb_store(RpmbArea area);
  StoreStatus rpmb_put(const Context &ctx, const Hash32 &key, const RpmbObject &object,
                       RpmbArea *area);
  StoreStatus rpmb_save(const Context &ctx, const Hash32 &key, RpmbObject &object, RpmbArea area);
  uint64_t quota_bytes(const RpmbObject &o) const {
    return o.id.size() + o.attributes.size() + o.data.size();
  }

  DurableStoreOptions options_;
  std::mutex mu_;
  StoreStatus health_ = StoreStatus::kOk;
  // Declared before the connection and its statements, so it is
  // unregistered only once they are gone (coalescing_vfs.hpp).
  std::unique_ptr<CoalescingVfs> gather_vfs_;
  sqlite3 *db_ = nullptr;
  std::unique_ptr<StatementCache> stmts_;
  SecretBytes secret_;
  Key32 store_seal_;  // the state row, buckets and owner rows
  Key32 store_name_;  // owner tags
  Key32 rpmb_key_;    // programmed into the RPMB device
  std::unique_ptr<EmulatedRpmb> device_;
  std::unique_ptr<RpmbDriver> driver_;
  // What the RPMB's root says, as last written (or read at open); known
  // once the open has checked the store against it.
  bool root_known_ = false;
  uint64_t root_intent_ = 0;
  uint64_t root_confirmed_ = 0;
  std::unique_ptr<AnchorThread> anchor_;  // kOverlapped only
  bool intent_pending_ = false;           // started, not yet finished
  uint64_t pending_intent_ = 0;
  uint64_t pending_confirmed_ = 0;
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

}  // namespace captee::tee::storage::durable
