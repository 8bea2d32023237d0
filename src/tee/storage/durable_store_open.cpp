// Opening the durable store: the device secret, the RPMB, the database, and the rollback root's
// check (durable_store.hpp).
#include <openssl/crypto.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <set>

#include "captee/tee/storage/device_secret.hpp"
#include "durable_store.hpp"

namespace captee::tee::storage::durable {

// ---- opening ----

static bool ensure_dir(const std::string &path, std::string *why) {
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
  if (!open_rpmb(why) || !open_database(why) || !load_state(why))
    return false;
  if (health_ == StoreStatus::kOk && options_.anchor == RollbackAnchor::kOverlapped)
    anchor_ = std::make_unique<AnchorThread>(std::chrono::milliseconds(options_.anchor_idle_ms),
                                             [this] { return confirm_when_idle(); });
  return true;
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
  // The files go through SQLite's default VFS or the one named, with the
  // WAL's appends gathered into a few large writes per commit
  // (coalescing_vfs.hpp); without the wrapper if it cannot be registered.
  const char *named = options_.sqlite_vfs.empty() ? nullptr : options_.sqlite_vfs.c_str();
  gather_vfs_ = CoalescingVfs::over(named);
  const char *vfs = gather_vfs_ != nullptr ? gather_vfs_->name() : named;
  const int rc = sqlite3_open_v2(
      path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, vfs);
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
  // A VFS of another process's files (listener_vfs.hpp) serves only the
  // database, its WAL and journal: SQLite's temporary files stay in memory.
  if (src == SQLITE_OK && !options_.sqlite_vfs.empty())
    src = sqlite3_exec(db_, "PRAGMA temp_store=MEMORY;", nullptr, nullptr, nullptr);
  if (src == SQLITE_OK)
    src = sqlite3_exec(db_, kSchema, nullptr, nullptr, nullptr);
  if (src != SQLITE_OK)
    return fail_open(status_from_sqlite(src),
                     std::string("cannot use ") + path + ": " + sqlite3_errstr(src), why);
  return true;
}

bool DurableObjectStore::load_state(std::string *why) {
  if (health_ != StoreStatus::kOk)
    return true;
  Bytes root;
  if (driver_->read(kRootBlock, 1, &root) != RpmbStatus::kOk) {
    *why = "cannot read the rollback root";
    return false;
  }
  const bool root_v1 = std::memcmp(root.data(), kRootMagicV1, 8) == 0;
  const bool root_set = root_v1 || std::memcmp(root.data(), kRootMagicV2, 8) == 0;
  // A version 1 root is one generation, confirmed.
  const uint64_t root_intent = load_le64(root.data() + 8 + kStoreIdSize);
  const uint64_t root_confirmed =
      root_v1 ? root_intent : load_le64(root.data() + 16 + kStoreIdSize);

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
    if (!write_root(0, 0)) {
      *why = "cannot write the rollback root";
      return false;
    }
    root_known_ = true;
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
  // Decision 0029: the states a crash between this store's two flushes can
  // leave, in either order. The store at the intent (in step); one above
  // it (SQLite committed, the root's write did not land: only a committed
  // change makes a state row one ahead, since nobody else can seal one);
  // or at the confirmed generation under an intent one above it (the
  // overlapped root landed, SQLite's commit did not). Anything older is a
  // rollback. Each accepted state is then confirmed, which also ends the
  // overlapped mode's window for the last change.
  const uint64_t generation = state_.generation;
  const bool in_step = generation == root_intent;
  const bool one_ahead = generation > root_intent && generation - root_intent == 1;
  const bool under_intent = generation == root_confirmed && root_intent > root_confirmed &&
                            root_intent - root_confirmed == 1;
  if ((same_store && (in_step || one_ahead || under_intent)) || options_.accept_rollback) {
    if ((!same_store || root_intent != generation || root_confirmed != generation) &&
        !write_root(generation, generation)) {
      *why = same_store ? "cannot advance the rollback root" : "cannot write the rollback root";
      return false;
    }
    root_intent_ = root_confirmed_ = generation;
    root_known_ = true;
  } else {
    return fail_open(StoreStatus::kRollback,
                     root_set
                         ? (same_store ? "the store is older than its rollback root "
                                         "(generation " +
                                             std::to_string(generation) + ", root " +
                                             std::to_string(root_intent) + ", confirmed " +
                                             std::to_string(root_confirmed) + ")"
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

}  // namespace captee::tee::storage::durable
