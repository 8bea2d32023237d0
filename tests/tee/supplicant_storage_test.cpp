// capteed's supplicant storage backend in-process (supplicant_storage.hpp,
// supplicant_files.hpp), with captee-supplicant's own storage listener
// serving directories this test controls, so each case happens exactly when
// the test says: a re-registration that brings back the files from just
// before the last write, inside decision 0029's window, and a listener whose
// process stops answering, reached over a real channel.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "IListenerCBO.hpp"
#include "captee/channel.hpp"
#include "captee/detail/little_endian.hpp"
#include "captee/memory.hpp"
#include "captee/storage_listener_protocol.h"
#include "captee/tee/apps/listeners.hpp"
#include "captee/tee/storage/durable_object_store.hpp"
#include "../storage/storage_fixture.hpp"
#include "storage_listener.hpp"
#include "supplicant_files.hpp"
#include "supplicant_storage.hpp"

namespace captee::tee {
namespace {

using storage::Bytes;
using storage::ObjectStore;
using storage::StoreStatus;

constexpr auto kLimit = std::chrono::milliseconds(200);

storage::Owner owner() {
  storage::Owner o;
  o.authority = apps::TaAuthority::ta_dir();
  o.uuid.fill(0x16);
  return o;
}

storage::ByteView view(const std::string &s) {
  return {reinterpret_cast<const uint8_t *>(s.data()), s.size()};
}

// A listener that forwards to another until it is declared dead, then
// answers every call (the table's liveness probe included) DEFUNCT, as a
// dead supplicant's proxy does.
class Mortal final : public LocalObject {
 public:
  explicit Mortal(Ref inner) : inner_(std::move(inner)) {}
  int32_t on_invoke(uint32_t, ObjectOp op, ObjectArg *args, ObjectCounts k) override {
    if (dead) {
      return Object_ERROR_DEFUNCT;
    }
    return Object_invoke(inner_.get(), op, args, k);
  }
  std::atomic<bool> dead{false};

 private:
  Ref inner_;
};

// One captee-supplicant storage listener over a directory, registered in
// `table` behind a Mortal.
struct Registration {
  Ref region = MemoryObject::create(CAPTEE_STORAGE_REGION_SIZE);
  Ref listener;
  Mortal *mortal = nullptr;

  Registration(apps::ListenerTable &table, const std::string &dir) {
    std::string why;
    std::shared_ptr<supplicant::StorageDir> d = supplicant::StorageDir::open(dir, &why);
    EXPECT_TRUE(d) << why;
    listener = make_object<Mortal>(
        supplicant::make_storage_listener(d, region, [](const std::string &) {}, {}));
    mortal = LocalObject::from_as<Mortal>(listener.get());
    EXPECT_EQ(table.add(CAPTEE_STORAGE_LISTENER_ID, listener.get(), region.get()), Object_OK);
  }
};

class SupplicantStorageWindow : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::DurableStoreOptions o = storage::testing::options_in(dir_);
    // Overlapped, and never idle long enough to confirm by itself: the
    // last change stays an intent until something confirms it.
    o.anchor = storage::RollbackAnchor::kOverlapped;
    o.anchor_idle_ms = 600000;
    store_ = make_supplicant_object_store(table_, o, kLimit, {});
  }
  void TearDown() override { store_.reset(); }
  StoreStatus put(const std::string &id, const std::string &data) {
    return store_->create(owner(), storage::Namespace::kRee, view(id), storage::ObjectMeta{}, {},
                          view(data), true);
  }
  std::string get(const std::string &id, StoreStatus *status) {
    Bytes out;
    *status = store_->read(owner(), storage::Namespace::kRee, view(id), 0, 4096, &out);
    return std::string(out.begin(), out.end());
  }

  storage::testing::ScratchDir scratch_;
  const std::string &dir_ = scratch_.path();
  std::shared_ptr<apps::ListenerTable> table_ = std::make_shared<apps::ListenerTable>();
  std::shared_ptr<ObjectStore> store_;
};

// Decision 0029's window: right after a write returns, the rollback root is
// an intent over the generation before it. A supplicant that re-registers
// at once with its files from just before that write must not get the write
// undone: the re-registration confirms the old store's last change first,
// so the older files are a rollback.
TEST_F(SupplicantStorageWindow, AReRegistrationInsideTheWindowCannotUndoTheLastWrite) {
  Registration first(*table_, dir_ + "/files");
  ASSERT_EQ(put("obj", "before"), StoreStatus::kOk);
  // The supplicant keeps its files as they were before the next write.
  std::filesystem::copy(dir_ + "/files", dir_ + "/older");
  ASSERT_EQ(put("obj", "after"), StoreStatus::kOk);
  first.mortal->dead = true;
  Registration again(*table_, dir_ + "/older");
  StoreStatus status = StoreStatus::kOk;
  const std::string got = get("obj", &status);
  EXPECT_EQ(status, StoreStatus::kRollback) << "served \"" << got << "\"";
  EXPECT_NE(got, "before");
}

// The honest case beside it: the files as they are, re-registered at once
// (a copy: the dead registration still holds its directory's lock), serve
// the last write.
TEST_F(SupplicantStorageWindow, AReRegistrationWithTheCurrentFilesServesTheLastWrite) {
  Registration first(*table_, dir_ + "/files");
  ASSERT_EQ(put("obj", "before"), StoreStatus::kOk);
  ASSERT_EQ(put("obj", "after"), StoreStatus::kOk);
  std::filesystem::copy(dir_ + "/files", dir_ + "/current");
  first.mortal->dead = true;
  Registration again(*table_, dir_ + "/current");
  StoreStatus status = StoreStatus::kOk;
  EXPECT_EQ(get("obj", &status), "after");
  EXPECT_EQ(status, StoreStatus::kOk);
}

// A listener that answers only once released (or after 30 s).
class Stuck final : public iface::IListenerCBOSkeleton {
 public:
  int32_t request(std::span<uint32_t>, size_t &n, uint32_t &, Ref &, Ref &, Ref &, Ref &) override {
    n = 0;
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(30), [&] { return released_; });
    return Object_OK;
  }
  int32_t wait() override { return Object_OK; }
  void release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool released_ = false;
};

// One request (a SIZE of the database) through `files`.
bool size_request(SupplicantFiles &files) {
  std::vector<uint8_t> request(CAPTEE_STORAGE_HEADER_SIZE);
  detail::store_le32(request.data() + CAPTEE_STORAGE_OFF_OP, CAPTEE_STORAGE_OP_SIZE);
  std::vector<uint8_t> reply(CAPTEE_STORAGE_HEADER_SIZE);
  return files.call(request, reply);
}

// The listener is another process's (here: across a real channel) and stops
// answering: the request fails at the deadline, the registration is revoked
// and its connection closed, and the next request fails at once.
TEST(SupplicantFilesDeadline, AListenerThatStopsAnsweringIsCutOffAtTheDeadline) {
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
  Ref stuck_ref = make_object<Stuck>();
  Stuck *stuck = LocalObject::from_as<Stuck>(stuck_ref.get());
  std::shared_ptr<Channel> supplicant_side;
  std::thread t([&] { supplicant_side = start_channel(sv[1], stuck_ref); });
  std::shared_ptr<Channel> capteed_side = start_channel(sv[0], Ref());
  t.join();
  ASSERT_TRUE(supplicant_side && capteed_side);
  Ref region = MemoryObject::create(CAPTEE_STORAGE_REGION_SIZE);
  apps::ListenerTable::Entry entry{capteed_side->peer_primordial(),
                                   apps::make_mem_region(region.get()),
                                   std::make_shared<std::mutex>()};
  std::vector<std::string> log;
  SupplicantFiles files(entry, kLimit, [&](const std::string &line) { log.push_back(line); });

  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(size_request(files));
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, kLimit);
  EXPECT_LT(took, kLimit + std::chrono::seconds(5));
  EXPECT_TRUE(files.revoked());
  EXPECT_TRUE(capteed_side->closed());
  ASSERT_EQ(log.size(), 1u);
  EXPECT_NE(log[0].find("its connection closed"), std::string::npos) << log[0];

  const auto again = std::chrono::steady_clock::now();
  EXPECT_FALSE(size_request(files));
  EXPECT_LT(std::chrono::steady_clock::now() - again, kLimit);
  stuck->release();
}

// An answer within the deadline is taken, and nothing is revoked.
TEST(SupplicantFilesDeadline, AnAnswerInTimeIsTaken) {
  storage::testing::ScratchDir scratch;
  apps::ListenerTable table;
  {
    Registration r(table, scratch.path() + "/files");
    SupplicantFiles files(table.find(CAPTEE_STORAGE_LISTENER_ID), kLimit, {});
    for (int i = 0; i < 20; ++i) {
      EXPECT_TRUE(size_request(files));
    }
    EXPECT_FALSE(files.revoked());
  }
}

}  // namespace
}  // namespace captee::tee
