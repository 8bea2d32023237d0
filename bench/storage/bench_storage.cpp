// The durable storage engine's figures (bench/storage/summary.json): a 4 KiB
// write and read on a 1 MiB object, creating a small object, and a durable
// 1 MiB write against writing and fsyncing 1 MiB to a plain file in the same
// directory, interleaved in the same run.
//
// The store lives under $CAPTEE_BENCH_DIR, else /var/tmp: fsync on tmpfs
// costs nothing and would flatter the store.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "captee/tee/storage/durable_object_store.hpp"

namespace {

using namespace captee::tee::storage;
using Clock = std::chrono::steady_clock;

struct BenchStore {
  explicit BenchStore(RollbackAnchor anchor = RollbackAnchor::kOverlapped) {
    const char *base = getenv("CAPTEE_BENCH_DIR");
    std::string tmpl = std::string(base ? base : "/var/tmp") + "/captee-bench-store-XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr)
      std::abort();
    dir = tmpl;
    DurableStoreOptions o;
    o.state_dir = dir + "/state";
    o.rpmb_path = dir + "/rpmb";
    o.quota_bytes = 1ull << 30;
    o.anchor = anchor;
    std::string why;
    store = open_durable_object_store(o, &why);
    if (!store || !why.empty())
      std::abort();
    owner.authority = captee::tee::apps::TaAuthority::ta_dir();
    owner.uuid.fill(0x42);
  }
  ~BenchStore() {
    store.reset();
    std::filesystem::remove_all(dir);
  }
  std::string dir;
  std::unique_ptr<ObjectStore> store;
  Owner owner;
};

Bytes filled(size_t n, uint8_t v) {
  return Bytes(n, v);
}

const Bytes kId = {'b', 'e', 'n', 'c', 'h'};

void BM_StorageWrite4k(benchmark::State &state) {
  BenchStore b;
  if (b.store->create(b.owner, Namespace::kRee, kId, {}, {}, filled(1 << 20, 1), false) !=
      StoreStatus::kOk)
    std::abort();
  const Bytes data = filled(4096, 2);
  uint64_t i = 0;
  for (auto _ : state) {
    const uint64_t offset = (i++ * 37 % 256) * 4096;
    if (b.store->write(b.owner, Namespace::kRee, kId, offset, data) != StoreStatus::kOk)
      std::abort();
  }
}
BENCHMARK(BM_StorageWrite4k)->UseRealTime()->MinTime(1.0);

void BM_StorageRead4k(benchmark::State &state) {
  BenchStore b;
  if (b.store->create(b.owner, Namespace::kRee, kId, {}, {}, filled(1 << 20, 1), false) !=
      StoreStatus::kOk)
    std::abort();
  Bytes out;
  uint64_t i = 0;
  for (auto _ : state) {
    const uint64_t offset = (i++ * 37 % 256) * 4096;
    if (b.store->read(b.owner, Namespace::kRee, kId, offset, 4096, &out) != StoreStatus::kOk ||
        out.size() != 4096)
      std::abort();
  }
}
BENCHMARK(BM_StorageRead4k)->UseRealTime();

void BM_StorageCreateSmall(benchmark::State &state) {
  BenchStore b;
  const Bytes data = filled(32, 3);
  uint64_t i = 0;
  for (auto _ : state) {
    const std::string id = "small-" + std::to_string(i++ % 256);
    if (b.store->create(b.owner, Namespace::kRee, Bytes(id.begin(), id.end()), {}, {}, data,
                        true) != StoreStatus::kOk)
      std::abort();
  }
}
BENCHMARK(BM_StorageCreateSmall)->UseRealTime()->MinTime(1.0);

// The store's durable 1 MiB write and a plain file's write + fsync of 1 MiB,
// alternately, so both see the same disk at the same moment.
void write1m_vs_fsync_file(benchmark::State &state, RollbackAnchor anchor) {
  BenchStore b(anchor);
  const Bytes data = filled(1 << 20, 4);
  if (b.store->create(b.owner, Namespace::kRee, kId, {}, {}, data, false) != StoreStatus::kOk)
    std::abort();
  const std::string plain = b.dir + "/plain";
  const int fd = open(plain.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0 || pwrite(fd, data.data(), data.size(), 0) != static_cast<ssize_t>(data.size()) ||
      fsync(fd) != 0)
    std::abort();
  double store_s = 0;
  double file_s = 0;
  for (auto _ : state) {
    const auto t0 = Clock::now();
    if (b.store->write(b.owner, Namespace::kRee, kId, 0, data) != StoreStatus::kOk)
      std::abort();
    const auto t1 = Clock::now();
    if (pwrite(fd, data.data(), data.size(), 0) != static_cast<ssize_t>(data.size()) ||
        fsync(fd) != 0)
      std::abort();
    const auto t2 = Clock::now();
    store_s += std::chrono::duration<double>(t1 - t0).count();
    file_s += std::chrono::duration<double>(t2 - t1).count();
  }
  close(fd);
  state.counters["ratio"] = store_s / file_s;
  state.counters["store_ms"] = 1000 * store_s / static_cast<double>(state.iterations());
  state.counters["file_ms"] = 1000 * file_s / static_cast<double>(state.iterations());
}
void BM_StorageWrite1M_VsFsyncFile(benchmark::State &state) {
  write1m_vs_fsync_file(state, RollbackAnchor::kOverlapped);
}
BENCHMARK(BM_StorageWrite1M_VsFsyncFile)->UseRealTime()->MinTime(2.0);

// The same with --storage-anchor strict: the root's write after the commit.
void BM_StorageWrite1MStrict_VsFsyncFile(benchmark::State &state) {
  write1m_vs_fsync_file(state, RollbackAnchor::kStrict);
}
BENCHMARK(BM_StorageWrite1MStrict_VsFsyncFile)->UseRealTime()->MinTime(2.0);

}  // namespace

BENCHMARK_MAIN();
