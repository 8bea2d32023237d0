// The ITrustedStorage binding, called through the generated proxy as a TA's
// runtime calls it, and as a hostile TA would: GP's sharing rules across the
// bindings of one owner, handles closed with their binding, owners apart,
// and every malformed argument an error for that call alone.
#include "captee/tee/storage/trusted_storage.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "../support/trusted_storage_binding.hpp"
#include "IOpener.hpp"
#include "ITrustedStorage.hpp"
#include "captee/ta_sdk.h"
#include "captee/tee/apps/ta_environment.hpp"
#include "captee/tee/storage/memory_object_store.hpp"
#include "tee_api_defines.h"

namespace captee::tee::storage {
namespace {

using namespace binding_calls;  // the binding's calls, owners and flags
using iface::ITrustedStorage;

constexpr uint32_t kMeta = TEE_DATA_FLAG_ACCESS_WRITE_META;

const Owner kUsersCopy{apps::TaAuthority::user(1000), {7}};

class TrustedStorageTest : public ::testing::Test {
 protected:
  std::shared_ptr<MemoryObjectStore> store_ = std::make_shared<MemoryObjectStore>(1 << 20);
  TrustedStorage storage_{store_};

  ITrustedStorage bind(const Owner &o = kTa) { return ITrustedStorage(storage_.bind(o)); }
};

TEST_F(TrustedStorageTest, SharingRulesHoldAcrossBindingsOfOneOwner) {
  ITrustedStorage a = bind(), b = bind();
  uint32_t h = 0, g = 0;
  ASSERT_EQ(create(a, "obj", kRead | kWrite, "data", &h), Object_OK);
  EXPECT_EQ(open(b, "obj", kRead | kShare, &g), ITrustedStorage_ERROR_ACCESS_CONFLICT);
  EXPECT_EQ(create(b, "obj", kRead | TEE_DATA_FLAG_OVERWRITE, "", &g),
            ITrustedStorage_ERROR_ACCESS_CONFLICT)
      << "an open object cannot be replaced";
  ASSERT_EQ(a.close(h), Object_OK);
  ASSERT_EQ(open(a, "obj", kRead | kShare, &h), Object_OK);
  ASSERT_EQ(open(b, "obj", kRead | kWrite | kShare, &g), Object_OK);
  ASSERT_EQ(b.write(g, 0, bytes_of("DA")), Object_OK);
  EXPECT_EQ(read_all(a, h), "DAta");
  uint32_t m = 0;
  EXPECT_EQ(open(b, "obj", kMeta | kShare, &m), ITrustedStorage_ERROR_ACCESS_CONFLICT);
  EXPECT_EQ(storage_.open_handles(kTa), 2u);
}

TEST_F(TrustedStorageTest, ReleasingABindingClosesItsHandles) {
  ITrustedStorage b = bind();
  {
    ITrustedStorage a = bind();
    uint32_t h = 0;
    ASSERT_EQ(create(a, "obj", kRead, "x", &h), Object_OK);
    uint32_t g = 0;
    EXPECT_EQ(open(b, "obj", kRead | kShare, &g), ITrustedStorage_ERROR_ACCESS_CONFLICT);
    EXPECT_EQ(storage_.open_handles(kTa), 1u);
  }
  EXPECT_EQ(storage_.open_handles(kTa), 0u);
  uint32_t g = 0;
  EXPECT_EQ(open(b, "obj", kRead | kMeta, &g), Object_OK);
}

TEST_F(TrustedStorageTest, RenameMovesTheHandleAndDeleteNeedsMeta) {
  ITrustedStorage a = bind();
  uint32_t h = 0, other = 0;
  ASSERT_EQ(create(a, "taken", kRead, "t", &other), Object_OK);
  ASSERT_EQ(a.close(other), Object_OK);
  ASSERT_EQ(create(a, "obj", kRead | kWrite, "x", &h), Object_OK);
  EXPECT_EQ(a.rename(h, bytes_of("new")), ITrustedStorage_ERROR_ACCESS_DENIED);
  EXPECT_EQ(a.closeAndDelete(h), ITrustedStorage_ERROR_ACCESS_DENIED);
  ASSERT_EQ(a.close(h), Object_OK);
  ASSERT_EQ(open(a, "obj", kRead | kMeta, &h), Object_OK);
  EXPECT_EQ(a.rename(h, bytes_of("taken")), ITrustedStorage_ERROR_ACCESS_CONFLICT);
  EXPECT_EQ(a.rename(h, bytes_of("obj")), ITrustedStorage_ERROR_ACCESS_CONFLICT);
  ASSERT_EQ(a.rename(h, bytes_of("new")), Object_OK);
  EXPECT_EQ(read_all(a, h), "x");
  ITrustedStorage b = bind();
  uint32_t g = 0;
  EXPECT_EQ(open(b, "new", kRead | kShare, &g), ITrustedStorage_ERROR_ACCESS_CONFLICT)
      << "the rename moved the handle's claim with the object";
  EXPECT_EQ(open(b, "obj", kRead, &g), ITrustedStorage_ERROR_NOT_FOUND);
  ASSERT_EQ(a.closeAndDelete(h), Object_OK);
  EXPECT_EQ(a.close(h), ITrustedStorage_ERROR_BAD_HANDLE) << "CloseAndDelete closed it";
  EXPECT_EQ(open(b, "new", kRead, &g), ITrustedStorage_ERROR_NOT_FOUND);
}

// Hostile: two TAs, and a user's copy of a TA (same UUID, another
// authority), never reach each other's objects, whatever ids they use.
TEST_F(TrustedStorageTest, OwnersNeverSeeEachOthersObjects) {
  ITrustedStorage mine = bind(kTa), other = bind(kOtherTa), copy = bind(kUsersCopy);
  uint32_t h = 0;
  ASSERT_EQ(create(mine, "secret", kRead, "mine", &h), Object_OK);
  ASSERT_EQ(mine.close(h), Object_OK);
  for (ITrustedStorage *s : {&other, &copy}) {
    EXPECT_EQ(open(*s, "secret", kRead, &h), ITrustedStorage_ERROR_NOT_FOUND);
    ITrustedStorage_Head head{};
    EXPECT_EQ(s->stat(kPrivate, bytes_of("secret"), head), ITrustedStorage_ERROR_NOT_FOUND);
    std::vector<std::byte> ids(1024);
    size_t len = 99;
    uint32_t total = 99;
    ASSERT_EQ(s->list(kPrivate, 0, ids, len, total), Object_OK);
    EXPECT_EQ(total, 0u);
    EXPECT_EQ(len, 0u);
    ASSERT_EQ(create(*s, "secret", kRead | kWrite | kMeta, "theirs", &h), Object_OK);
    ASSERT_EQ(s->closeAndDelete(h), Object_OK);
  }
  ASSERT_EQ(open(mine, "secret", kRead, &h), Object_OK);
  EXPECT_EQ(read_all(mine, h), "mine");
}

// Hostile: a TA calling its ITrustedStorage with bad arguments gets an
// error for that call, and the binding keeps working.
TEST_F(TrustedStorageTest, MalformedCallsFailAlone) {
  ITrustedStorage s = bind();
  uint32_t h = 0;
  const std::string long_id(ITrustedStorage_MAX_ID_LENGTH + 1, 'x');
  EXPECT_EQ(open(s, long_id, kRead, &h), Object_ERROR_INVALID);
  EXPECT_EQ(create(s, long_id, kRead, "", &h), Object_ERROR_INVALID);
  ITrustedStorage_Head head{};
  EXPECT_EQ(s.stat(kPrivate, bytes_of(long_id), head), Object_ERROR_INVALID);
  EXPECT_EQ(s.stat(99, bytes_of("x"), head), Object_ERROR_INVALID) << "unknown namespace";
  EXPECT_EQ(open(s, "x", 0x100, &h), Object_ERROR_INVALID) << "unknown flag";
  EXPECT_EQ(create(s, "x", kRead | 0x800, "", &h), Object_ERROR_INVALID);
  // Handles it was never given.
  std::vector<std::byte> buf(16);
  size_t len = 0;
  for (uint32_t bogus : {0u, 1u, 0xffffffffu}) {
    EXPECT_EQ(s.read(bogus, 0, buf, len), ITrustedStorage_ERROR_BAD_HANDLE);
    EXPECT_EQ(s.write(bogus, 0, bytes_of("x")), ITrustedStorage_ERROR_BAD_HANDLE);
    EXPECT_EQ(s.truncate(bogus, 0), ITrustedStorage_ERROR_BAD_HANDLE);
    EXPECT_EQ(s.close(bogus), ITrustedStorage_ERROR_BAD_HANDLE);
    EXPECT_EQ(s.closeAndDelete(bogus), ITrustedStorage_ERROR_BAD_HANDLE);
    EXPECT_EQ(s.rename(bogus, bytes_of("y")), ITrustedStorage_ERROR_BAD_HANDLE);
    EXPECT_EQ(s.getHead(bogus, head), ITrustedStorage_ERROR_BAD_HANDLE);
    EXPECT_EQ(s.restrictUsage(bogus, 0), ITrustedStorage_ERROR_BAD_HANDLE);
  }
  // Another binding's handle is not this one's.
  ITrustedStorage other = bind();
  uint32_t theirs = 0;
  ASSERT_EQ(create(other, "theirs", kRead | kWrite | kShare, "t", &theirs), Object_OK);
  EXPECT_EQ(s.read(theirs + 1000, 0, buf, len), ITrustedStorage_ERROR_BAD_HANDLE);
  // Sizes and positions past what GP allows.
  ASSERT_EQ(create(s, "x", kRead | kWrite, "x", &h), Object_OK);
  std::vector<std::byte> huge(ITrustedStorage_MAX_TRANSFER + 1);
  EXPECT_EQ(s.read(h, 0, huge, len), Object_ERROR_INVALID);
  EXPECT_EQ(s.write(h, 0, huge), Object_ERROR_INVALID);
  EXPECT_EQ(s.write(h, 0xffffffffull, bytes_of("x")), Object_ERROR_INVALID);
  EXPECT_EQ(s.write(h, ~0ull, bytes_of("x")), Object_ERROR_INVALID);
  EXPECT_EQ(s.read(h, ~0ull, buf, len), Object_ERROR_INVALID);
  EXPECT_EQ(s.truncate(h, 0x100000000ull), Object_ERROR_INVALID);
  EXPECT_EQ(s.write(h, 0x80000000ull, bytes_of("x")), ITrustedStorage_ERROR_NO_SPACE)
      << "the quota bounds what a far write makes capteed hold";
  std::vector<std::byte> big_attrs(ITrustedStorage_MAX_ATTRIBUTES + 1);
  ITrustedStorage_Head meta{};
  EXPECT_EQ(s.create(kPrivate, bytes_of("y"), kRead, meta, big_attrs, {}, h), Object_ERROR_INVALID);
  // Still fine.
  EXPECT_EQ(s.write(h, 0, bytes_of("ok")), Object_OK);
  EXPECT_EQ(read_all(s, h), "ok");
}

TEST_F(TrustedStorageTest, OpenHandlesPerOwnerAreBounded) {
  ITrustedStorage a = bind(), b = bind();
  uint32_t h = 0;
  ASSERT_EQ(create(a, "obj", kRead | TEE_DATA_FLAG_SHARE_READ, "", &h), Object_OK);
  for (uint32_t i = 1; i < ITrustedStorage_MAX_OPEN_HANDLES; ++i) {
    ASSERT_EQ(open(i % 2 ? b : a, "obj", kRead | TEE_DATA_FLAG_SHARE_READ, &h), Object_OK) << i;
  }
  EXPECT_EQ(open(b, "obj", kRead | TEE_DATA_FLAG_SHARE_READ, &h),
            ITrustedStorage_ERROR_TOO_MANY_HANDLES);
  EXPECT_EQ(create(b, "new", kRead, "", &h), ITrustedStorage_ERROR_TOO_MANY_HANDLES);
  // Another TA is not limited by this one's handles.
  ITrustedStorage other = bind(kOtherTa);
  EXPECT_EQ(create(other, "obj", kRead, "", &h), Object_OK);
}

TEST_F(TrustedStorageTest, ListPagesWholeIds) {
  ITrustedStorage s = bind();
  uint32_t h = 0;
  for (const char *id : {"a", "bb", "ccc"}) {
    ASSERT_EQ(create(s, id, 0, "", &h), Object_OK);
    ASSERT_EQ(s.close(h), Object_OK);
  }
  std::vector<std::byte> buf(5);  // "a" and "bb" fit, "ccc" does not
  size_t len = 0;
  uint32_t total = 0;
  ASSERT_EQ(s.list(kPrivate, 0, buf, len, total), Object_OK);
  EXPECT_EQ(total, 3u);
  ASSERT_EQ(len, 5u);
  EXPECT_EQ(std::memcmp(buf.data(),
                        "\x01"
                        "a\x02"
                        "bb",
                        5),
            0);
  ASSERT_EQ(s.list(kPrivate, 2, buf, len, total), Object_OK);
  ASSERT_EQ(len, 4u);
  ASSERT_EQ(s.list(kPrivate, 1000, buf, len, total), Object_OK);
  EXPECT_EQ(len, 0u);
}

// Several bindings of one owner (a multi-instance TA's processes) on one
// store at once: the same object and their own ones (run under TSan).
TEST_F(TrustedStorageTest, ParallelBindings) {
  ITrustedStorage setup = bind();
  uint32_t h = 0;
  ASSERT_EQ(create(setup, "shared", kRead | kWrite | kShare, std::string(64, '\0'), &h), Object_OK);
  std::vector<std::thread> threads;
  for (uint32_t t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      ITrustedStorage s = bind();
      uint32_t shared = 0, own = 0;
      ASSERT_EQ(open(s, "shared", kRead | kWrite | kShare, &shared), Object_OK);
      ASSERT_EQ(create(s, "own" + std::to_string(t), kRead | kWrite, "", &own), Object_OK);
      for (uint32_t round = 0; round < 200; ++round) {
        const uint32_t word = t << 24 | round;
        ASSERT_EQ(s.write(shared, t * 4, std::as_bytes(std::span(&word, 1))), Object_OK);
        ASSERT_EQ(s.write(own, 0, std::as_bytes(std::span(&word, 1))), Object_OK);
        uint32_t back = 0;
        size_t len = 0;
        ASSERT_EQ(s.read(shared, t * 4, std::as_writable_bytes(std::span(&back, 1)), len),
                  Object_OK);
        ASSERT_EQ(back, word);
        ASSERT_EQ(s.read(own, 0, std::as_writable_bytes(std::span(&back, 1)), len), Object_OK);
        ASSERT_EQ(back, word);
      }
    });
  }
  for (auto &t : threads) {
    t.join();
  }
  EXPECT_EQ(storage_.open_handles(kTa), 1u) << "the threads' bindings are gone";
}

// Malformed invocations (what a TA process can put on its channel) are
// refused by the skeleton before any method runs, and change nothing.
TEST_F(TrustedStorageTest, MalformedInvocationsAreRefused) {
  Ref s = storage_.bind(kTa);
  uint8_t small[4] = {};
  uint8_t big[64] = {};
  ObjectArg head_too_small[2] = {{.b = {small, sizeof small}}, {.b = {small, sizeof small}}};
  EXPECT_NE(Object_invoke(s.get(), ITrustedStorage_OP_getHead, head_too_small,
                          ObjectCounts_pack(1, 1, 0, 0)),
            Object_OK)
      << "a 4-byte buffer for a 32-byte head";
  ObjectArg wrong_bundle[1] = {{.b = {big, sizeof big}}};
  EXPECT_NE(Object_invoke(s.get(), ITrustedStorage_OP_truncate, wrong_bundle,
                          ObjectCounts_pack(1, 0, 0, 0)),
            Object_OK)
      << "64 bytes where a 12-byte bundle goes";
  EXPECT_NE(Object_invoke(s.get(), ITrustedStorage_OP_create, nullptr, 0), Object_OK);
  EXPECT_NE(
      Object_invoke(s.get(), ITrustedStorage_OP_stat, wrong_bundle, ObjectCounts_pack(1, 0, 0, 0)),
      Object_OK)
      << "missing arguments";
  EXPECT_NE(Object_invoke(s.get(), 16, nullptr, 0), Object_OK) << "no such method";
  EXPECT_EQ(storage_.open_handles(kTa), 0u);
  std::vector<std::byte> ids(64);
  size_t len = 0;
  uint32_t total = 9;
  ASSERT_EQ(ITrustedStorage(s).list(kPrivate, 0, ids, len, total), Object_OK);
  EXPECT_EQ(total, 0u) << "nothing was created by any of them";
}

// The host environment gives each opener (each TA process) a binding of its
// own, for the TA capteed loaded, never one the TA names.
TEST_F(TrustedStorageTest, HostEnvironmentGivesEachProcessItsOwnBinding) {
  auto binder = [this](const apps::TaAuthority &a, const apps::TaUuid &u) {
    return storage_.bind(Owner{a, u});
  };
  apps::TaEnvironment env({}, std::make_shared<apps::TaTimeStore>(""), binder);
  Ref host = env.host_env_for(Ref(), kTa.authority, kTa.uuid);
  Ref first, second;
  ASSERT_EQ(iface::IOpener(host).open(CAPTEE_TA_STORAGE, first), Object_OK);
  ASSERT_EQ(iface::IOpener(host).open(CAPTEE_TA_STORAGE, second), Object_OK);
  EXPECT_NE(first.get().context, second.get().context);
  uint32_t h = 0, g = 0;
  ASSERT_EQ(create(ITrustedStorage(first), "obj", kRead, "x", &h), Object_OK);
  EXPECT_EQ(open(ITrustedStorage(second), "obj", kRead | kShare, &g),
            ITrustedStorage_ERROR_ACCESS_CONFLICT)
      << "both are the same TA's";
  EXPECT_EQ(ITrustedStorage(second).close(h), ITrustedStorage_ERROR_BAD_HANDLE)
      << "a handle belongs to the binding that gave it";
  first = Ref();
  EXPECT_EQ(storage_.open_handles(kTa), 0u) << "the first process's handles went with it";
  // Without storage, the id is not found.
  apps::TaEnvironment bare({}, std::make_shared<apps::TaTimeStore>(""));
  Ref none;
  EXPECT_EQ(iface::IOpener(bare.host_env_for(Ref(), kTa.authority, kTa.uuid))
                .open(CAPTEE_TA_STORAGE, none),
            IOpener_ERROR_NOT_FOUND);
}

}  // namespace
}  // namespace captee::tee::storage
