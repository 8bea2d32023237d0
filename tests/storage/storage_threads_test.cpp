// Several threads on one durable store, on the same and on different
// objects: every member is thread-safe, and each object ends as one of the
// writers left it, never a mix within one call (run under TSan by the
// "tsan" label).
#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "storage_fixture.hpp"

namespace captee::tee::storage::testing {
namespace {

TEST(StorageThreads, ConcurrentCallsOnSharedAndOwnObjects) {
  ScratchDir dir;
  auto store = open_store(options_in(dir.path()));
  ASSERT_TRUE(store);
  const Owner shared_owner = ta_owner(1);
  const Bytes shared = bytes_of("shared");
  ASSERT_EQ(store->create(shared_owner, Namespace::kRee, shared, {}, {}, Bytes(8192, 0), false),
            StoreStatus::kOk);
  constexpr int kThreads = 4;
  constexpr int kRounds = 6;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const Owner own = ta_owner(static_cast<uint8_t>(10 + t));
      const Bytes mine = bytes_of("mine");
      const Namespace ns = t % 2 ? Namespace::kRpmb : Namespace::kRee;
      for (int r = 0; r < kRounds; ++r) {
        const Bytes fill(8192, static_cast<uint8_t>(t + 1));
        EXPECT_EQ(store->write(shared_owner, Namespace::kRee, shared, 0, fill), StoreStatus::kOk);
        EXPECT_EQ(store->create(own, ns, mine, {}, {}, pattern(300, static_cast<uint8_t>(r)), true),
                  StoreStatus::kOk);
        Bytes out;
        EXPECT_EQ(store->read(own, ns, mine, 0, 1000, &out), StoreStatus::kOk);
        EXPECT_EQ(out, pattern(300, static_cast<uint8_t>(r)));
        EXPECT_EQ(store->read(shared_owner, Namespace::kRee, shared, 0, 8192, &out),
                  StoreStatus::kOk);
        // One writer's bytes throughout: a write is never seen half done.
        ASSERT_EQ(out.size(), 8192u);
        EXPECT_EQ(std::count(out.begin(), out.end(), out[0]), 8192);
        std::vector<OwnerUsage> usage;
        EXPECT_EQ(store->usage(&usage), StoreStatus::kOk);
      }
    });
  }
  for (auto &th : threads)
    th.join();
  std::vector<OwnerUsage> usage;
  ASSERT_EQ(store->usage(&usage), StoreStatus::kOk);
  EXPECT_EQ(usage.size(), static_cast<size_t>(kThreads + 1));
}

}  // namespace
}  // namespace captee::tee::storage::testing
