// Staged writes and creates through the ITrustedStorage binding (decision
// 0031): data larger than one transfer is sent in pieces and becomes one
// store change at commit, invisible to every other handle before; and, from
// a hostile TA's side, every way of abusing a stage (pieces out of order,
// offsets that wrap, past the cap, committed on another handle, interleaved
// with other calls, never committed) is refused, changes nothing stored and
// leaves no staged bytes behind.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "../support/trusted_storage_binding.hpp"
#include "ITrustedStorage.hpp"
#include "captee/tee/storage/memory_object_store.hpp"
#include "captee/tee/storage/trusted_storage.hpp"
#include "tee_api_defines.h"

namespace captee::tee::storage {
namespace {

using namespace binding_calls;  // the binding's calls, owners and flags
using iface::ITrustedStorage;

constexpr uint32_t kCreate = ITrustedStorage_STAGE_CREATE;
constexpr uint64_t kPiece = ITrustedStorage_MAX_TRANSFER;

// `size` bytes, each telling its position and `stamp` apart.
std::string pattern(size_t size, char stamp) {
  std::string s(size, '\0');
  for (size_t i = 0; i < size; ++i) {
    s[i] = char(stamp + char(i % 251));
  }
  return s;
}

class StagedStorageTest : public ::testing::Test {
 protected:
  std::shared_ptr<MemoryObjectStore> store_ = std::make_shared<MemoryObjectStore>(256u << 20);
  TrustedStorage storage_{store_};

  ITrustedStorage bind(const Owner &o = kTa) { return ITrustedStorage(storage_.bind(o)); }

  // Stages all of `data` through `handle` at `offset`, in whole transfers.
  static int32_t stage(const ITrustedStorage &s, uint32_t handle, uint64_t offset,
                       const std::string &data) {
    int32_t r = s.stageBegin(handle, offset, data.size());
    for (size_t done = 0; r == Object_OK && done < data.size(); done += kPiece) {
      r = s.stagePiece(handle, offset + done, bytes_of(data.substr(done, kPiece)));
    }
    return r;
  }
};

TEST_F(StagedStorageTest, AStagedWriteIsOneChangeNoOtherHandleSeesBeforeCommit) {
  ITrustedStorage writer = bind(), reader = bind();
  uint32_t w = 0, r = 0;
  const std::string before = pattern(100, 'a');
  ASSERT_EQ(create(writer, "obj", kRead | kWrite | kShare, before, &w), Object_OK);
  ASSERT_EQ(open(reader, "obj", kRead | kShare, &r), Object_OK);
  const std::string data = pattern(3 * kPiece + 5, 'n');
  ASSERT_EQ(stage(writer, w, 10, data), Object_OK);
  EXPECT_EQ(storage_.staged_bytes(kTa), data.size());
  // Everything is staged: still nothing to see, through either handle.
  ITrustedStorage_Head head{};
  ASSERT_EQ(reader.getHead(r, head), Object_OK);
  EXPECT_EQ(head.dataSize, before.size());
  EXPECT_EQ(read_all(reader, r), before);
  // (the writer's read would drop its own stage: checked below)
  ASSERT_EQ(writer.stageCommit(w), Object_OK);
  EXPECT_EQ(storage_.staged_bytes(kTa), 0u) << "a commit lets the stage go";
  EXPECT_EQ(read_all(reader, r), before.substr(0, 10) + data);
  EXPECT_EQ(read_all(writer, w), before.substr(0, 10) + data);
}

TEST_F(StagedStorageTest, AStagedCreateIsOneChangeAndTheObjectIsAbsentBefore) {
  ITrustedStorage s = bind(), other = bind();
  const std::string data = pattern(3 * kPiece, 'c');
  ASSERT_EQ(stage(s, kCreate, 0, data), Object_OK);
  ITrustedStorage_Head head{};
  EXPECT_EQ(other.stat(kPrivate, bytes_of("big"), head), ITrustedStorage_ERROR_NOT_FOUND);
  ITrustedStorage_Head meta{};
  meta.objectType = TEE_TYPE_DATA;
  uint32_t h = 0;
  ASSERT_EQ(s.createStaged(kPrivate, bytes_of("big"), kRead | kWrite, meta, {}, h), Object_OK);
  EXPECT_EQ(storage_.staged_bytes(kTa), 0u);
  EXPECT_EQ(read_all(s, h), data);
  // A staged overwrite replaces it whole.
  ASSERT_EQ(s.close(h), Object_OK);
  const std::string again = pattern(2 * kPiece + 1, 'd');
  ASSERT_EQ(stage(s, kCreate, 0, again), Object_OK);
  ASSERT_EQ(s.createStaged(kPrivate, bytes_of("big"), kRead | TEE_DATA_FLAG_OVERWRITE, meta, {}, h),
            Object_OK);
  EXPECT_EQ(read_all(s, h), again);
}

// Hostile: a TA that misuses stages gets each call refused; what is stored
// never changes, and nothing stays staged.
TEST_F(StagedStorageTest, EveryAbuseOfAStageIsRefusedAndLeavesNothing) {
  ITrustedStorage s = bind();
  uint32_t h = 0, ro = 0, other = 0;
  const std::string stored = "stored";
  ASSERT_EQ(create(s, "obj", kRead | kWrite | kShare, stored, &h), Object_OK);
  ASSERT_EQ(open(s, "obj", kRead | kShare, &ro), Object_OK);
  ASSERT_EQ(create(s, "other", kRead | kWrite, "", &other), Object_OK);
  const std::string piece = pattern(kPiece, 'p');
  const uint64_t size = 2 * kPiece + 3;

  // Sizes: one transfer's worth is not a stage; past the cap; past
  // TEE_DATA_MAX_POSITION; offsets whose sum wraps.
  EXPECT_EQ(s.stageBegin(h, 0, kPiece), Object_ERROR_INVALID);
  EXPECT_EQ(s.stageBegin(h, 0, 0), Object_ERROR_INVALID);
  EXPECT_EQ(s.stageBegin(h, 0, uint64_t(ITrustedStorage_MAX_STAGED) + 1),
            ITrustedStorage_ERROR_NO_SPACE);
  EXPECT_EQ(s.stageBegin(h, 0xffffffffull - kPiece, size), Object_ERROR_INVALID);
  EXPECT_EQ(s.stageBegin(h, ~0ull - 1, size), Object_ERROR_INVALID);
  EXPECT_EQ(s.stageBegin(h, 0, ~0ull), Object_ERROR_INVALID);
  EXPECT_EQ(s.stageBegin(kCreate, 1, size), Object_ERROR_INVALID) << "a create's data starts at 0";
  // Handles: never given, or without write access.
  EXPECT_EQ(s.stageBegin(0xdeadbeef, 0, size), ITrustedStorage_ERROR_BAD_HANDLE);
  EXPECT_EQ(s.stageBegin(ro, 0, size), ITrustedStorage_ERROR_ACCESS_DENIED);
  // Pieces and commits with no stage.
  EXPECT_EQ(s.stagePiece(h, 0, bytes_of(piece)), Object_ERROR_INVALID);
  EXPECT_EQ(s.stageCommit(h), Object_ERROR_INVALID);
  ITrustedStorage_Head meta{};
  uint32_t made = 0;
  EXPECT_EQ(s.createStaged(kPrivate, bytes_of("new"), kRead, meta, {}, made), Object_ERROR_INVALID);
  EXPECT_EQ(storage_.staged_bytes(kTa), 0u);

  // Each case below begins a stage at 100 and breaks it; every one drops it.
  auto begin = [&] { ASSERT_EQ(s.stageBegin(h, 100, size), Object_OK); };
  auto dropped = [&](const char *what) {
    EXPECT_EQ(storage_.staged_bytes(kTa), 0u) << what;
    EXPECT_EQ(s.stageCommit(h), Object_ERROR_INVALID) << what << ": the stage is gone";
  };
  begin();
  EXPECT_EQ(s.stagePiece(h, 101, bytes_of(piece)), Object_ERROR_INVALID);
  dropped("a first piece not at the stage's offset");
  begin();
  EXPECT_EQ(s.stagePiece(h, 99, bytes_of(piece)), Object_ERROR_INVALID);
  dropped("a piece before the stage");
  begin();
  ASSERT_EQ(s.stagePiece(h, 100, bytes_of(piece)), Object_OK);
  EXPECT_EQ(s.stagePiece(h, 100, bytes_of(piece)), Object_ERROR_INVALID);
  dropped("a piece sent twice");
  begin();
  ASSERT_EQ(s.stagePiece(h, 100, bytes_of(piece)), Object_OK);
  EXPECT_EQ(s.stagePiece(h, 100 + 2 * kPiece, bytes_of("abc")), Object_ERROR_INVALID);
  dropped("a piece skipping one");
  begin();
  EXPECT_EQ(s.stagePiece(h, 100 - 0x200000000ull, bytes_of(piece)), Object_ERROR_INVALID);
  dropped("an offset that wraps");
  begin();
  ASSERT_EQ(s.stagePiece(h, 100, bytes_of(piece)), Object_OK);
  ASSERT_EQ(s.stagePiece(h, 100 + kPiece, bytes_of(piece)), Object_OK);
  EXPECT_EQ(s.stagePiece(h, 100 + 2 * kPiece, bytes_of("abcd")), Object_ERROR_INVALID);
  dropped("a piece past the stage's end");
  begin();
  ASSERT_EQ(s.stagePiece(h, 100, bytes_of(piece)), Object_OK);
  EXPECT_EQ(s.stageCommit(h), Object_ERROR_INVALID);
  dropped("a commit before every byte arrived");
  begin();
  EXPECT_EQ(s.stagePiece(other, 100, bytes_of(piece)), Object_ERROR_INVALID);
  dropped("a piece through another handle");
  ASSERT_EQ(stage(s, h, 100, pattern(size, 'x')), Object_OK);
  EXPECT_EQ(s.stageCommit(other), Object_ERROR_INVALID);
  dropped("a commit through another handle");
  ASSERT_EQ(stage(s, h, 100, pattern(size, 'x')), Object_OK);
  EXPECT_EQ(s.createStaged(kPrivate, bytes_of("new"), kRead, meta, {}, made), Object_ERROR_INVALID);
  dropped("a write's stage given to a create");
  ASSERT_EQ(stage(s, kCreate, 0, pattern(size, 'x')), Object_OK);
  EXPECT_EQ(s.stageCommit(kCreate), Object_ERROR_INVALID);
  EXPECT_EQ(storage_.staged_bytes(kTa), 0u) << "a create's stage given to a write";
  // Any other call in between drops the stage: a read, a plain write, a
  // head, a new stage, a close of the staging handle.
  for (int interleave = 0; interleave < 5; ++interleave) {
    ASSERT_EQ(stage(s, h, 100, pattern(size, 'x')), Object_OK);
    std::vector<std::byte> buf(8);
    size_t len = 0;
    ITrustedStorage_Head head{};
    switch (interleave) {
      case 0:
        EXPECT_EQ(s.read(ro, 0, buf, len), Object_OK);
        break;
      case 1:
        EXPECT_EQ(s.write(other, 0, bytes_of("w")), Object_OK);
        break;
      case 2:
        EXPECT_EQ(s.getHead(h, head), Object_OK);
        break;
      case 3:
        EXPECT_EQ(s.stageBegin(other, 0, size), Object_OK);
        EXPECT_EQ(storage_.staged_bytes(kTa), size) << "the new stage replaced the old";
        EXPECT_EQ(s.stat(kPrivate, bytes_of("obj"), head), Object_OK);
        break;
      case 4: {
        uint32_t second = 0;
        ASSERT_EQ(open(s, "obj", kRead | kWrite | kShare, &second), Object_OK);
        ASSERT_EQ(stage(s, second, 0, pattern(size, 'y')), Object_OK);
        EXPECT_EQ(s.close(second), Object_OK);
        EXPECT_EQ(s.stageCommit(second), Object_ERROR_INVALID) << "closing dropped it";
        break;
      }
    }
    dropped("an interleaved call");
  }
  EXPECT_EQ(read_all(s, ro), stored) << "nothing a refused stage held was ever written";
}

// The cap holds per TA over all its processes, another TA has its own, and
// a process that ends (its binding released) gives its staged bytes back.
TEST_F(StagedStorageTest, TheCapIsPerTaAndAnEndedProcessGivesItsStageBack) {
  ITrustedStorage a = bind(), b = bind(), them = bind(kOtherTa);
  uint32_t ha = 0, hb = 0, ht = 0;
  ASSERT_EQ(create(a, "a", kWrite, "", &ha), Object_OK);
  ASSERT_EQ(create(b, "b", kWrite, "", &hb), Object_OK);
  ASSERT_EQ(create(them, "t", kWrite, "", &ht), Object_OK);
  const uint64_t most = ITrustedStorage_MAX_STAGED;
  ASSERT_EQ(a.stageBegin(ha, 0, most - kPiece), Object_OK);
  EXPECT_EQ(b.stageBegin(hb, 0, 2 * kPiece), ITrustedStorage_ERROR_NO_SPACE)
      << "past the TA's cap, over both processes";
  EXPECT_EQ(b.stageBegin(hb, 0, kPiece + 1), ITrustedStorage_ERROR_NO_SPACE);
  EXPECT_EQ(them.stageBegin(ht, 0, most), Object_OK) << "another TA's cap is its own";
  EXPECT_EQ(storage_.staged_bytes(kTa), most - kPiece);
  a = ITrustedStorage();  // the process ends mid-stage
  EXPECT_EQ(storage_.staged_bytes(kTa), 0u);
  EXPECT_EQ(b.stageBegin(hb, 0, most), Object_OK) << "the whole cap is free again";
  b = ITrustedStorage();
  them = ITrustedStorage();
  EXPECT_EQ(storage_.staged_bytes(kTa), 0u);
  EXPECT_EQ(storage_.staged_bytes(kOtherTa), 0u);
}

// Hostile: many TAs (a user may load as many of their own as they like)
// each staging up to its own cap and never committing cannot make capteed
// hold more than four caps' worth; what one gives back another may take.
TEST_F(StagedStorageTest, AllTasTogetherHoldAtMostFourCaps) {
  const uint64_t most = ITrustedStorage_MAX_STAGED;
  std::vector<ITrustedStorage> tas;
  std::vector<uint32_t> handles;
  for (uint8_t n = 0; n < 5; ++n) {
    const Owner owner{apps::TaAuthority::user(1000), {uint8_t(20 + n)}};
    tas.push_back(bind(owner));
    handles.push_back(0);
    ASSERT_EQ(create(tas.back(), "big", kWrite, "", &handles.back()), Object_OK);
  }
  for (size_t i = 0; i < 4; ++i) {
    ASSERT_EQ(tas[i].stageBegin(handles[i], 0, most), Object_OK) << "TA " << i;
  }
  EXPECT_EQ(tas[4].stageBegin(handles[4], 0, kPiece + 1), ITrustedStorage_ERROR_NO_SPACE)
      << "a fifth TA past what all may hold";
  tas[0] = ITrustedStorage();  // that process ends: its stage goes
  EXPECT_EQ(tas[4].stageBegin(handles[4], 0, most), Object_OK);
}

}  // namespace
}  // namespace captee::tee::storage
