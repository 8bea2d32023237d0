// The floors under storage.write1m.ratio_fsync_file (decision 0033): what a
// durable 1 MiB overwrite costs in the stores issue 16 allows (SQLite in WAL
// mode, LMDB, or files replaced by fsync and rename) with nothing of captee's on top (no sealing,
// no capteed, no rollback root), and what sealing 1 MiB and copying it once cost alone. Each
// figure's benchmark times its subject and the plain-file baseline of bench/storage (1 MiB
// rewritten at offset 0 and fsync'd) alternately in the same loop, so both see the same disk at the
// same moment; counter `ratio` is subject time over baseline time.
//
// A store that keeps captee's guarantees pays at least one store floor, plus
// the sealing (which may overlap only what runs beside it), plus one copy
// across the TA's process boundary: the sum is the least the end-to-end
// ratio can be on this machine.
//
// Files live under $CAPTEE_BENCH_DIR, else /var/tmp (tmpfs would make every
// flush free).
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#ifdef CAPTEE_FLOOR_LMDB
#include <lmdb.h>
#endif

namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kMiB = size_t(1) << 20;
constexpr size_t kRecord = 4096;  // the store's sealed chunk
constexpr size_t kTag = 16;

[[noreturn]] void fail(const char *what) {
  std::fprintf(stderr, "bench_storage_floor: %s\n", what);
  std::abort();
}

struct ScratchDir {
  ScratchDir() {
    const char *base = getenv("CAPTEE_BENCH_DIR");
    std::string tmpl = std::string(base ? base : "/var/tmp") + "/captee-floor-XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr)
      fail("mkdtemp");
    path = tmpl;
  }
  ~ScratchDir() { std::filesystem::remove_all(path); }
  std::string path;
};

// bench/storage's baseline: the same 1 MiB rewritten in place, then fsync.
class PlainFile {
 public:
  PlainFile(const std::string &path, const std::vector<unsigned char> &data) : data_(data) {
    fd_ = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0)
      fail("open plain file");
    rewrite();
  }
  ~PlainFile() { close(fd_); }
  void rewrite() {
    if (pwrite(fd_, data_.data(), data_.size(), 0) != static_cast<ssize_t>(data_.size()) ||
        fsync(fd_) != 0)
      fail("plain file write");
  }

 private:
  const std::vector<unsigned char> &data_;
  int fd_ = -1;
};

// Runs `subject` and the baseline in turns and reports their ratio.
template <typename Subject>
void against_plain_file(benchmark::State &state, const ScratchDir &dir, Subject &&subject) {
  const std::vector<unsigned char> data(kMiB, 0x5a);
  PlainFile plain(dir.path + "/plain", data);
  double subject_s = 0;
  double file_s = 0;
  for (auto _ : state) {
    const auto t0 = Clock::now();
    subject();
    const auto t1 = Clock::now();
    plain.rewrite();
    const auto t2 = Clock::now();
    subject_s += std::chrono::duration<double>(t1 - t0).count();
    file_s += std::chrono::duration<double>(t2 - t1).count();
  }
  const double n = static_cast<double>(state.iterations());
  state.counters["ratio"] = subject_s / file_s;
  state.counters["subject_ms"] = 1000 * subject_s / n;
  state.counters["file_ms"] = 1000 * file_s / n;
}

// Raw SQLite as the store runs it (WAL, synchronous=FULL, 4 KiB pages): one
// transaction replacing 1 MiB held as rows of `row` bytes.
void BM_Floor_SqliteWal(benchmark::State &state) {
  const size_t row = static_cast<size_t>(state.range(0));
  ScratchDir dir;
  sqlite3 *db = nullptr;
  if (sqlite3_open((dir.path + "/floor.db").c_str(), &db) != SQLITE_OK ||
      sqlite3_exec(db,
                   "PRAGMA page_size=4096; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                   "CREATE TABLE chunk(k INTEGER PRIMARY KEY, v BLOB);",
                   nullptr, nullptr, nullptr) != SQLITE_OK)
    fail("sqlite setup");
  sqlite3_stmt *put = nullptr;
  if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO chunk VALUES(?, ?)", -1, &put, nullptr) !=
      SQLITE_OK)
    fail("sqlite prepare");
  std::vector<unsigned char> value(kMiB, 0x11);
  unsigned char round = 0;
  const auto replace_all = [&] {
    value[0] = ++round;  // a real change each time
    bool ok = sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr) == SQLITE_OK;
    for (size_t i = 0; ok && i < kMiB / row; ++i) {
      ok = sqlite3_bind_int64(put, 1, static_cast<sqlite3_int64>(i)) == SQLITE_OK &&
           sqlite3_bind_blob(put, 2, value.data() + i * row, static_cast<int>(row),
                             SQLITE_STATIC) == SQLITE_OK &&
           sqlite3_step(put) == SQLITE_DONE && sqlite3_reset(put) == SQLITE_OK;
    }
    if (!ok || sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK)
      fail("sqlite write");
  };
  replace_all();
  against_plain_file(state, dir, replace_all);
  sqlite3_finalize(put);
  sqlite3_close(db);
}
BENCHMARK(BM_Floor_SqliteWal)->Arg(4096)->Arg(65536)->UseRealTime()->MinTime(1.0);

// AES-256-GCM over 1 MiB in the store's 4 KiB records (counted nonces, a
// tag each), by one thread or split over two. Not the store's own
// storage::Sealer: that one returns each record in a vector of its own,
// and a floor seals in place, into whatever buffer the store would write.
// Only the cost is wanted here, so the fixed key and the two threads'
// overlapping nonce counts do not matter.
class Sealer {
 public:
  Sealer() {
    ctx_ = EVP_CIPHER_CTX_new();
    const unsigned char key[32] = {7};
    if (ctx_ == nullptr || EVP_EncryptInit_ex(ctx_, EVP_aes_256_gcm(), nullptr, key, nullptr) != 1)
      fail("cipher setup");
  }
  ~Sealer() { EVP_CIPHER_CTX_free(ctx_); }
  Sealer(const Sealer &) = delete;
  Sealer &operator=(const Sealer &) = delete;
  void seal(const unsigned char *in, unsigned char *out, size_t first, size_t end) {
    for (size_t r = first; r < end; ++r) {
      unsigned char iv[12] = {};
      ++counter_;
      std::memcpy(iv, &counter_, sizeof counter_);
      int len = 0;
      unsigned char *dst = out + r * (kRecord + kTag);
      if (EVP_EncryptInit_ex(ctx_, nullptr, nullptr, nullptr, iv) != 1 ||
          EVP_EncryptUpdate(ctx_, dst, &len, in + r * kRecord, int(kRecord)) != 1 ||
          EVP_EncryptFinal_ex(ctx_, dst + len, &len) != 1 ||
          EVP_CIPHER_CTX_ctrl(ctx_, EVP_CTRL_GCM_GET_TAG, int(kTag), dst + kRecord) != 1)
        fail("seal");
    }
  }

 private:
  EVP_CIPHER_CTX *ctx_ = nullptr;
  uint64_t counter_ = 0;
};

#ifdef CAPTEE_FLOOR_LMDB
// An LMDB environment in a directory of its own with its main database
// open; every failure ends the program. Closed on destruction.
class Lmdb {
 public:
  Lmdb(const std::string &dir, unsigned flags) {
    MDB_txn *txn = nullptr;
    if (mdb_env_create(&env_) != 0 || mdb_env_set_mapsize(env_, size_t(256) << 20) != 0 ||
        mdb_env_open(env_, dir.c_str(), flags, 0600) != 0 || mdb_env_get_fd(env_, &fd_) != 0 ||
        mdb_txn_begin(env_, nullptr, 0, &txn) != 0 || mdb_dbi_open(txn, nullptr, 0, &dbi_) != 0 ||
        mdb_txn_commit(txn) != 0)
      fail("lmdb setup");
  }
  ~Lmdb() { mdb_env_close(env_); }
  Lmdb(const Lmdb &) = delete;
  Lmdb &operator=(const Lmdb &) = delete;

  int fd() const { return fd_; }
  // Where the map starts (for MDB_WRITEMAP: file offset = address - map).
  const unsigned char *map() const {
    MDB_envinfo info{};
    if (mdb_env_info(env_, &info) != 0)
      fail("lmdb info");
    return static_cast<const unsigned char *>(info.me_mapaddr);
  }
  MDB_txn *begin() {
    MDB_txn *t = nullptr;
    if (mdb_txn_begin(env_, nullptr, 0, &t) != 0)
      fail("lmdb begin");
    return t;
  }
  // Puts `v` under key `i`; with MDB_RESERVE, v.mv_data is then where the
  // value's bytes go.
  void put(MDB_txn *t, uint64_t i, MDB_val &v, unsigned flags) {
    MDB_val k{sizeof i, &i};
    if (mdb_put(t, dbi_, &k, &v, flags) != 0)
      fail("lmdb put");
  }
  void commit(MDB_txn *t) {
    if (mdb_txn_commit(t) != 0)
      fail("lmdb commit");
  }

 private:
  MDB_env *env_ = nullptr;
  MDB_dbi dbi_ = 0;
  int fd_ = -1;
};

// LMDB with its default, durable commit: 1 MiB replaced as values of `row`
// bytes in one transaction. Its copy-on-write pages are reused two commits
// later, so a large value lands where the write before last did.
void BM_Floor_Lmdb(benchmark::State &state) {
  const size_t row = static_cast<size_t>(state.range(0));
  ScratchDir dir;
  Lmdb db(dir.path, 0);
  std::vector<unsigned char> value(kMiB, 0x22);
  unsigned char round = 0;
  const auto replace_all = [&] {
    value[0] = ++round;
    MDB_txn *t = db.begin();
    for (size_t i = 0; i < kMiB / row; ++i) {
      MDB_val v{row, value.data() + i * row};
      db.put(t, i, v, 0);
    }
    db.commit(t);
  };
  replace_all();
  against_plain_file(state, dir, replace_all);
}
BENCHMARK(BM_Floor_Lmdb)->Arg(4096)->Arg(65536)->Arg(1048576)->UseRealTime()->MinTime(1.0);

// Sealing and LMDB together, as a store on LMDB would do it: each 64 KiB
// of the 1 MiB sealed straight into a value LMDB reserves (MDB_RESERVE, so
// no copy), then the durable commit. With `overlap`, the map is written in
// place (MDB_WRITEMAP) and each value's pages are handed to the disk
// (sync_file_range) as soon as they are sealed, so that the sealing runs
// while the disk writes what was sealed before.
void BM_Floor_LmdbSealed(benchmark::State &state) {
  const bool overlap = state.range(0) == 1;
  constexpr size_t kRow = 65536;
  constexpr size_t kRecords = kRow / kRecord;
  constexpr size_t kSealedRow = kRecords * (kRecord + kTag);
  ScratchDir dir;
  Lmdb db(dir.path, overlap ? MDB_WRITEMAP : 0);
  const std::vector<unsigned char> plain(kMiB, 0x66);
  Sealer sealer;
  const auto replace_all = [&] {
    MDB_txn *t = db.begin();
    const unsigned char *map = db.map();
    for (size_t i = 0; i < kMiB / kRow; ++i) {
      MDB_val v{kSealedRow, nullptr};
      db.put(t, i, v, MDB_RESERVE);
      auto *out = static_cast<unsigned char *>(v.mv_data);
      sealer.seal(plain.data() + i * kRow, out, 0, kRecords);
      if (overlap) {
        const size_t page = 4096;
        const size_t first = size_t(out - map) / page * page;
        const size_t end = (size_t(out - map) + kSealedRow + page - 1) / page * page;
        if (sync_file_range(db.fd(), off_t(first), off_t(end - first), SYNC_FILE_RANGE_WRITE) != 0)
          fail("sync_file_range");
      }
    }
    db.commit(t);
  };
  replace_all();
  against_plain_file(state, dir, replace_all);
}
BENCHMARK(BM_Floor_LmdbSealed)->Arg(0)->Arg(1)->UseRealTime()->MinTime(1.0);
#endif

// The third way: a whole new file written and fsync'd, renamed over
// the old one, and the directory fsync'd.
void BM_Floor_RenamedFile(benchmark::State &state) {
  ScratchDir dir;
  const std::vector<unsigned char> value(kMiB, 0x55);
  const std::string live = dir.path + "/object";
  const std::string next = dir.path + "/object.new";
  const int dir_fd = open(dir.path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0)
    fail("open directory");
  const auto replace = [&] {
    const int fd = open(next.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || pwrite(fd, value.data(), kMiB, 0) != static_cast<ssize_t>(kMiB) ||
        fsync(fd) != 0 || close(fd) != 0 || rename(next.c_str(), live.c_str()) != 0 ||
        fsync(dir_fd) != 0)
      fail("renamed file");
  };
  replace();
  against_plain_file(state, dir, replace);
  close(dir_fd);
}
BENCHMARK(BM_Floor_RenamedFile)->UseRealTime()->MinTime(1.0);

void BM_Floor_Seal(benchmark::State &state) {
  const bool shared = state.range(0) == 2;
  constexpr size_t kRecords = kMiB / kRecord;
  ScratchDir dir;
  const std::vector<unsigned char> in(kMiB, 0x33);
  std::vector<unsigned char> out(kRecords * (kRecord + kTag));
  Sealer mine, helpers;
  // With two threads, both take records from one counter: the helper is
  // woken when a round starts and sleeps between rounds (so it does not
  // disturb the baseline), and whatever it has not taken by the time it
  // wakes, this thread seals. Waking a halted vCPU costs tens of
  // microseconds on this VM, so a fixed half each would wait for it.
  std::atomic<uint64_t> round{0};
  std::atomic<size_t> next{kRecords}, sealed{0};
  std::atomic<bool> stop{false};
  const auto take_records = [&](Sealer &sealer) {
    for (size_t r; (r = next.fetch_add(1, std::memory_order_relaxed)) < kRecords;) {
      sealer.seal(in.data(), out.data(), r, r + 1);
      sealed.fetch_add(1, std::memory_order_release);
    }
  };
  std::thread helper;
  if (shared) {
    helper = std::thread([&] {
      for (uint64_t seen = 0;;) {
        round.wait(seen, std::memory_order_acquire);
        if (stop.load())
          return;
        seen = round.load(std::memory_order_acquire);
        take_records(helpers);
      }
    });
  }
  against_plain_file(state, dir, [&] {
    if (!shared) {
      mine.seal(in.data(), out.data(), 0, kRecords);
      return;
    }
    sealed.store(0, std::memory_order_relaxed);
    next.store(0, std::memory_order_release);
    round.fetch_add(1, std::memory_order_release);
    round.notify_one();
    take_records(mine);
    while (sealed.load(std::memory_order_acquire) != kRecords) {
    }
  });
  if (shared) {
    stop = true;
    round.fetch_add(1);
    round.notify_one();
    helper.join();
  }
}
BENCHMARK(BM_Floor_Seal)->Arg(1)->Arg(2)->UseRealTime()->MinTime(1.0);

// One copy of 1 MiB: the least that moving a TA's buffer into capteed costs
// (a channel frame today costs more: channel.buf1m.gbps).
void BM_Floor_Copy(benchmark::State &state) {
  ScratchDir dir;
  const std::vector<unsigned char> in(kMiB, 0x44);
  std::vector<unsigned char> out(kMiB);
  against_plain_file(state, dir, [&] {
    std::memcpy(out.data(), in.data(), kMiB);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  });
}
BENCHMARK(BM_Floor_Copy)->UseRealTime()->MinTime(1.0);

}  // namespace

BENCHMARK_MAIN();
