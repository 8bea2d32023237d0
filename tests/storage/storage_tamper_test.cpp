// Tamper, from the attacker's side: someone with the state directory (a
// backup, a stolen disk, root in the normal world) edits, truncates, swaps,
// copies and restores what the store keeps. Every attack must end in the
// documented result - kCorrupt (the object deleted), kIoError (SQLite's own
// damage), kRollback - and never in wrong data.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "storage_fixture.hpp"

namespace captee::tee::storage::testing {
namespace {

namespace fs = std::filesystem;

struct ModelObject {
  Owner owner;
  Bytes id;
  Bytes attributes;
  Bytes data;
};

Bytes file_bytes(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(in)), {});
}

void put_file(const std::string &path, const Bytes &b) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char *>(b.data()), static_cast<std::streamsize>(b.size()));
}

// What an attack may lead to, per object.
struct Outcomes {
  int intact = 0, corrupt = 0, io_error = 0, rollback = 0, unopenable = 0;
};

// Opens the store and reads every model object: each must be exactly as
// stored or refused with a documented status. Returns false on wrong data.
bool check_no_wrong_data(const DurableStoreOptions &o, const std::vector<ModelObject> &model,
                         Outcomes *out, std::string *failure) {
  std::string why;
  auto store = open_durable_object_store(o, &why);
  if (!store) {
    ++out->unopenable;
    return true;
  }
  if (!why.empty()) {
    // Opened untrusted: every call must refuse, with the documented status.
    ++out->unopenable;
    ObjectHead head;
    const StoreStatus s = store->head(model[0].owner, Namespace::kRee, model[0].id, &head);
    if (s != StoreStatus::kCorrupt && s != StoreStatus::kIoError && s != StoreStatus::kRollback) {
      *failure =
          "an untrusted store answered " + std::to_string(static_cast<int>(s)) + " (" + why + ")";
      return false;
    }
    return true;
  }
  for (const auto &m : model) {
    ObjectHead head;
    Bytes data;
    StoreStatus s = store->head(m.owner, Namespace::kRee, m.id, &head);
    if (s == StoreStatus::kOk)
      s = store->read(m.owner, Namespace::kRee, m.id, 0, 1 << 24, &data);
    switch (s) {
      case StoreStatus::kOk:
        if (data != m.data || head.attributes != m.attributes || head.data_size != m.data.size()) {
          *failure = "wrong data for an object";
          return false;
        }
        ++out->intact;
        break;
      case StoreStatus::kCorrupt:
        ++out->corrupt;
        // GP: a corrupt object is deleted.
        if (StoreStatus again = store->head(m.owner, Namespace::kRee, m.id, &head);
            again != StoreStatus::kNotFound) {
          *failure = "a corrupt object was not deleted: " + std::to_string(static_cast<int>(again));
          return false;
        }
        break;
      case StoreStatus::kIoError:
        ++out->io_error;
        break;
      case StoreStatus::kRollback:
        ++out->rollback;
        break;
      default:
        *failure = "undocumented status " + std::to_string(static_cast<int>(s));
        return false;
    }
  }
  return true;
}

class Tamper : public ::testing::Test {
 protected:
  void SetUp() override {
    opts_ = options_in(dir_.path());
    opts_.rpmb_blocks = 16;
    auto store = open_store(opts_);
    ASSERT_TRUE(store);
    const Owner a = ta_owner(1);
    const Owner b = ta_owner(2);
    // Ids in creation order, so the head rows' ids are 1, 2, 3, ...
    model_ = {{a, bytes_of("same"), bytes_of("attrs-a"), pattern(9000, 1)},
              {b, bytes_of("same"), bytes_of("attrs-b"), pattern(9000, 2)},
              {a, bytes_of("small"), {}, pattern(100, 3)},
              {b, bytes_of("empty"), bytes_of("only attributes"), {}},
              {a, bytes_of("big"), {}, pattern(20000, 5)}};
    for (const auto &m : model_)
      ASSERT_EQ(store->create(m.owner, Namespace::kRee, m.id, {}, m.attributes, m.data, false),
                StoreStatus::kOk);
  }
  std::string db() const { return opts_.state_dir + "/store.db"; }
  void sql(const std::string &statement) {
    sqlite3 *h = nullptr;
    ASSERT_EQ(sqlite3_open(db().c_str(), &h), SQLITE_OK);
    char *err = nullptr;
    EXPECT_EQ(sqlite3_exec(h, statement.c_str(), nullptr, nullptr, &err), SQLITE_OK)
        << (err ? err : "");
    sqlite3_free(err);
    sqlite3_close(h);
  }
  Outcomes expect_no_wrong_data() {
    Outcomes o;
    std::string failure;
    EXPECT_TRUE(check_no_wrong_data(opts_, model_, &o, &failure)) << failure;
    return o;
  }

  ScratchDir dir_;
  DurableStoreOptions opts_;
  std::vector<ModelObject> model_;
};

TEST_F(Tamper, FlippingBytesOfTheDatabaseNeverGivesWrongData) {
  const Bytes pristine = file_bytes(db());
  const Bytes rpmb = file_bytes(opts_.rpmb_path);
  ASSERT_GT(pristine.size(), 4096u);
  Outcomes total;
  int trials = 0;
  // A dense sample: a stride coprime to the page size visits every offset
  // within a page across pages; every byte of the first page (the header).
  std::vector<size_t> offsets;
  for (size_t i = 0; i < 100; ++i)
    offsets.push_back(i);
  for (size_t i = 100; i < pristine.size(); i += 37)
    offsets.push_back(i);
  for (size_t at : offsets) {
    Bytes flipped = pristine;
    flipped[at] ^= static_cast<uint8_t>(1u << (at % 8));
    put_file(db(), flipped);
    put_file(opts_.rpmb_path, rpmb);
    std::string failure;
    ASSERT_TRUE(check_no_wrong_data(opts_, model_, &total, &failure))
        << failure << " (byte " << at << ")";
    ++trials;
  }
  RecordProperty("flips", trials);
  std::printf("flips %d: intact reads %d, corrupt %d, io_error %d, rollback %d, store refused %d\n",
              trials, total.intact, total.corrupt, total.io_error, total.rollback,
              total.unopenable);
  EXPECT_GT(total.corrupt + total.io_error, 0);
}

TEST_F(Tamper, TruncatingTheDatabaseNeverGivesWrongData) {
  const Bytes pristine = file_bytes(db());
  const Bytes rpmb = file_bytes(opts_.rpmb_path);
  for (size_t size : {size_t{0}, size_t{1}, size_t{100}, size_t{4096}, pristine.size() / 2,
                      pristine.size() - 4096, pristine.size() - 1}) {
    put_file(db(), Bytes(pristine.begin(), pristine.begin() + static_cast<ptrdiff_t>(size)));
    put_file(opts_.rpmb_path, rpmb);
    Outcomes o;
    std::string failure;
    ASSERT_TRUE(check_no_wrong_data(opts_, model_, &o, &failure))
        << failure << " (size " << size << ")";
    EXPECT_EQ(o.intact, size == 0 ? 0 : o.intact);
  }
}

TEST_F(Tamper, SwappingTwoObjectsRowsIsCorrupt) {
  // The head rows of "same"(a) and "small"(a): same owner, other objects.
  sql("CREATE TEMP TABLE t AS SELECT id, blob FROM heads WHERE id IN (1, 3);"
      "UPDATE heads SET blob = (SELECT blob FROM t WHERE t.id = 4 - heads.id) WHERE id IN (1, 3)");
  const Outcomes o = expect_no_wrong_data();
  EXPECT_EQ(o.corrupt, 2);
  EXPECT_EQ(o.intact, 3);
}

TEST_F(Tamper, SwappingChunkRowsBetweenObjectsIsCorrupt) {
  // Chunk 0 of object 1 and of object 2 (rows 1<<20 and 2<<20).
  sql("CREATE TEMP TABLE t AS SELECT k, blob FROM chunks WHERE k IN (1048576, 2097152);"
      "UPDATE chunks SET blob = (SELECT blob FROM t WHERE t.k = 3145728 - chunks.k) WHERE k IN "
      "(1048576, 2097152)");
  const Outcomes o = expect_no_wrong_data();
  EXPECT_EQ(o.corrupt, 2);
}

TEST_F(Tamper, CopyingOneOwnersRowsOverAnothersIsCorrupt) {
  // b's "same" gets a's "same": head and chunks.
  sql("UPDATE heads SET blob = (SELECT blob FROM heads WHERE id = 1) WHERE id = 2;"
      "DELETE FROM chunks WHERE k BETWEEN 2097152 AND 3145727;"
      "INSERT INTO chunks(k, blob) SELECT k + 1048576, blob FROM chunks WHERE k BETWEEN 1048576 "
      "AND 2097151;");
  const Outcomes o = expect_no_wrong_data();
  EXPECT_EQ(o.corrupt, 1);
  EXPECT_EQ(o.intact, 4);
}

TEST_F(Tamper, RestoringAnOlderCopyOfOneObjectIsCorrupt) {
  const std::string old_db = dir_.path() + "/old.db";
  fs::copy_file(db(), old_db);
  {
    auto store = open_store(opts_);
    ASSERT_EQ(store->write(model_[0].owner, Namespace::kRee, model_[0].id, 10, pattern(10, 9)),
              StoreStatus::kOk);
    ASSERT_EQ(store->write(model_[4].owner, Namespace::kRee, model_[4].id, 5000, pattern(10, 9)),
              StoreStatus::kOk);
  }
  std::copy_n(pattern(10, 9).begin(), 10, model_[0].data.begin() + 10);
  std::copy_n(pattern(10, 9).begin(), 10, model_[4].data.begin() + 5000);
  // Object 1 gets its whole older self back (head and chunks); object 5 one
  // older chunk only.
  sql("ATTACH '" + old_db +
      "' AS old;"
      "UPDATE heads SET blob = (SELECT blob FROM old.heads WHERE id = 1) WHERE id = 1;"
      "DELETE FROM chunks WHERE k BETWEEN 1048576 AND 2097151;"
      "INSERT INTO chunks SELECT * FROM old.chunks WHERE k BETWEEN 1048576 AND 2097151;"
      "UPDATE chunks SET blob = (SELECT blob FROM old.chunks WHERE k = 5242881) WHERE k = "
      "5242881;");
  const Outcomes o = expect_no_wrong_data();
  EXPECT_EQ(o.corrupt, 2);
  EXPECT_EQ(o.intact, 3);
}

TEST_F(Tamper, WritingOrTruncatingIntoATamperedChunkIsCorruptAndDeletes) {
  // Chunk 1 of "big" (head row 5) and chunk 0 of "same"(a) (head row 1).
  sql("UPDATE chunks SET blob = (SELECT blob FROM chunks WHERE k = 5242880) WHERE k = 5242881;"
      "UPDATE chunks SET blob = (SELECT blob FROM chunks WHERE k = 1048577) WHERE k = 1048576;");
  auto store = open_store(opts_);
  ObjectHead head;
  // A write that keeps part of the damaged chunk must read it first.
  EXPECT_EQ(store->write(model_[4].owner, Namespace::kRee, model_[4].id, 4100, pattern(10, 1)),
            StoreStatus::kCorrupt);
  EXPECT_EQ(store->head(model_[4].owner, Namespace::kRee, model_[4].id, &head),
            StoreStatus::kNotFound);
  EXPECT_EQ(store->truncate(model_[0].owner, Namespace::kRee, model_[0].id, 100),
            StoreStatus::kCorrupt);
  EXPECT_EQ(store->head(model_[0].owner, Namespace::kRee, model_[0].id, &head),
            StoreStatus::kNotFound);
  // The others are untouched, and the store goes on.
  Bytes out;
  ASSERT_EQ(store->read(model_[1].owner, Namespace::kRee, model_[1].id, 0, 1 << 20, &out),
            StoreStatus::kOk);
  EXPECT_EQ(out, model_[1].data);
  EXPECT_EQ(
      store->create(model_[0].owner, Namespace::kRee, model_[0].id, {}, {}, pattern(5, 5), false),
      StoreStatus::kOk);
}

TEST_F(Tamper, RestoringAnOlderStateDirectoryIsRollback) {
  const std::string old_dir = dir_.path() + "/old-state";
  fs::copy(opts_.state_dir, old_dir, fs::copy_options::recursive);
  {
    auto store = open_store(opts_);
    ASSERT_EQ(store->remove(model_[2].owner, Namespace::kRee, model_[2].id), StoreStatus::kOk);
  }
  fs::remove_all(opts_.state_dir);
  fs::copy(old_dir, opts_.state_dir, fs::copy_options::recursive);
  std::string why;
  auto store = open_durable_object_store(opts_, &why);
  ASSERT_TRUE(store);
  EXPECT_NE(why.find("older"), std::string::npos) << why;
  // Every call reports it; nothing old is served.
  Bytes out;
  std::vector<Bytes> ids;
  EXPECT_EQ(store->read(model_[2].owner, Namespace::kRee, model_[2].id, 0, 10, &out),
            StoreStatus::kRollback);
  EXPECT_EQ(store->list(model_[2].owner, Namespace::kRee, &ids), StoreStatus::kRollback);
  EXPECT_EQ(store->create(model_[2].owner, Namespace::kRee, bytes_of("n"), {}, {}, {}, false),
            StoreStatus::kRollback);
  store.reset();
  // The administrator's explicit acceptance (a deliberate restore).
  DurableStoreOptions accept = opts_;
  accept.accept_rollback = true;
  store = open_durable_object_store(accept, &why);
  ASSERT_TRUE(store);
  EXPECT_TRUE(why.empty()) << why;
  ASSERT_EQ(store->read(model_[2].owner, Namespace::kRee, model_[2].id, 0, 1000, &out),
            StoreStatus::kOk);
  EXPECT_EQ(out, model_[2].data);
  store.reset();
  EXPECT_TRUE(why.empty());
  store = open_durable_object_store(opts_, &why);  // anchored now
  EXPECT_TRUE(why.empty()) << why;
}

TEST_F(Tamper, RemovingTheStateDirectoryIsRollback) {
  fs::remove_all(opts_.state_dir);
  fs::create_directories(opts_.state_dir);
  std::string why;
  // The secret is gone too: the RPMB answers to no key this store can make.
  EXPECT_FALSE(open_durable_object_store(opts_, &why));
}

TEST_F(Tamper, AnEmptiedDatabaseIsRollback) {
  fs::remove(db());
  std::string why;
  auto store = open_durable_object_store(opts_, &why);
  ASSERT_TRUE(store);
  Bytes out;
  EXPECT_EQ(store->read(model_[0].owner, Namespace::kRee, model_[0].id, 0, 1, &out),
            StoreStatus::kRollback);
}

TEST_F(Tamper, ACrashBeforeTheRootWriteIsToldApartFromARollback) {
  const Bytes rpmb_before = file_bytes(opts_.rpmb_path);
  {
    auto store = open_store(opts_);
    ASSERT_EQ(store->remove(model_[2].owner, Namespace::kRee, model_[2].id), StoreStatus::kOk);
  }
  // The database committed, the RPMB did not hear of it: one step ahead.
  const Bytes rpmb_after = file_bytes(opts_.rpmb_path);
  put_file(opts_.rpmb_path, rpmb_before);
  {
    std::string why;
    auto store = open_durable_object_store(opts_, &why);
    ASSERT_TRUE(store);
    EXPECT_TRUE(why.empty()) << why;
    ObjectHead head;
    EXPECT_EQ(store->head(model_[2].owner, Namespace::kRee, model_[2].id, &head),
              StoreStatus::kNotFound);
    ASSERT_EQ(store->remove(model_[3].owner, Namespace::kRee, model_[3].id), StoreStatus::kOk);
  }
  // Two steps behind is not a crash window.
  put_file(opts_.rpmb_path, rpmb_before);
  std::string why;
  auto store = open_durable_object_store(opts_, &why);
  ASSERT_TRUE(store);
  ObjectHead head;
  EXPECT_EQ(store->head(model_[0].owner, Namespace::kRee, model_[0].id, &head),
            StoreStatus::kRollback);
}

TEST_F(Tamper, TamperedManifestOrStateMakesTheStoreRefuse) {
  // Byte 21 changed for certain: overwriting it with a fixed value would
  // leave the bucket as it was whenever that byte (random nonce or
  // ciphertext) already held the value, one run in 256.
  sql("UPDATE buckets SET blob = substr(blob, 1, 20) || "
      "CASE WHEN substr(blob, 21, 1) = x'00' THEN x'01' ELSE x'00' END || substr(blob, 22) "
      "WHERE b = (SELECT min(b) FROM buckets)");
  std::string why;
  auto store = open_durable_object_store(opts_, &why);
  ASSERT_TRUE(store);
  ObjectHead head;
  EXPECT_EQ(store->head(model_[0].owner, Namespace::kRee, model_[0].id, &head),
            StoreStatus::kCorrupt);
  EXPECT_NE(why.find("manifest"), std::string::npos) << why;
}

TEST(TamperRpmb, ARestoredOlderRpmbAreaIsRefusedByTheDevice) {
  // The kRpmb objects live in the device; an older copy of the device file is
  // the only way back, and it carries an older write counter, which the
  // store's next authenticated write reveals (the device and store disagree).
  ScratchDir dir;
  DurableStoreOptions o = options_in(dir.path());
  auto store = open_store(o);
  const Owner a = ta_owner(1);
  ASSERT_EQ(store->create(a, Namespace::kRpmb, bytes_of("k"), {}, {}, pattern(100, 1), false),
            StoreStatus::kOk);
  store.reset();
  // Flipping bytes of the device file: either the copy fails its checksum
  // (the other copy is used) or the device refuses to open.
  const Bytes device = file_bytes(o.rpmb_path);
  for (size_t at = 0; at < device.size(); at += 211) {
    Bytes flipped = device;
    flipped[at] ^= 0x40;
    put_file(o.rpmb_path, flipped);
    std::string why;
    auto s = open_durable_object_store(o, &why);
    if (!s)
      continue;
    Bytes out;
    const StoreStatus st = s->read(a, Namespace::kRpmb, bytes_of("k"), 0, 1000, &out);
    if (st == StoreStatus::kOk) {
      EXPECT_EQ(out, pattern(100, 1)) << "byte " << at;
    } else {
      EXPECT_TRUE(st == StoreStatus::kCorrupt || st == StoreStatus::kRollback ||
                  st == StoreStatus::kNotFound)
          << static_cast<int>(st) << " at " << at;
    }
  }
}

}  // namespace
}  // namespace captee::tee::storage::testing
