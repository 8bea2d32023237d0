// GP trusted storage kept by capteed across its own end (issue 16): with a
// state directory capteed keeps TAs' objects in the durable store
// (docs/STORAGE.md), so they survive a clean stop and kill -9 of capteed,
// and an older copy of the whole state directory put back is detected
// through the emulated RPMB beside it, until the administrator accepts it
// (--storage-accept-rollback). The store's own suites (tests/storage) attack
// its records; this one checks what a TA sees through a real capteed.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "gp_storage_ta.h"
#include "storage_calls.hpp"
#include "tee_client_api.h"
#include "tee_harness.hpp"

namespace captee::test {
namespace {

constexpr TEEC_UUID kTa = GP_STORAGE_TA_V131_UUID;
constexpr TEEC_UUID kOtherTa = GP_STORAGE_TA_GP11_UUID;
constexpr uint32_t kCorruptObject = 0xF0100001;  // TEE_ERROR_CORRUPT_OBJECT

// A capteed on `state` (the RPMB at `state`.rpmb), with a context on it.
class Tee {
 public:
  explicit Tee(const std::string &state, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"--ta-dir", CAPTEE_TA_DIR, "--state-dir", state};
    args.insert(args.end(), extra.begin(), extra.end());
    daemon_ = std::make_unique<CapteedProcess>("", args);
    ready_ = daemon_->ready();
    if (ready_) {
      ::setenv("CAPTEE_SOCKET", daemon_->socket().c_str(), 1);
      ready_ = TEEC_InitializeContext(nullptr, &ctx_) == TEEC_SUCCESS;
    }
  }
  ~Tee() {
    if (ready_) {
      TEEC_FinalizeContext(&ctx_);
    }
  }
  bool ready() const { return ready_; }
  CapteedProcess &daemon() { return *daemon_; }

  TEEC_Result put(const TEEC_UUID &uuid, const std::string &id, const std::string &data) {
    return storage_calls::put(&ctx_, uuid, id, data);
  }
  // The object's data, or "error <hex>".
  std::string get(const TEEC_UUID &uuid, const std::string &id) {
    return storage_calls::get(&ctx_, uuid, id);
  }

 private:
  std::unique_ptr<CapteedProcess> daemon_;
  TEEC_Context ctx_{};
  bool ready_ = false;
};

void copy_tree(const std::string &from, const std::string &to) {
  std::filesystem::remove_all(to);
  std::filesystem::copy(from, to, std::filesystem::copy_options::recursive);
}

TEST(GpStorageDurable, ObjectsSurviveCapteedStoppingAndBeingKilled) {
  TempDir dir;
  const std::string state = dir.path + "/state";
  {
    Tee tee(state);
    ASSERT_TRUE(tee.ready());
    ASSERT_EQ(tee.put(kTa, "kept", "across a clean stop"), TEEC_SUCCESS);
    ASSERT_EQ(tee.put(kOtherTa, "kept", "another TA's"), TEEC_SUCCESS);
    EXPECT_EQ(tee.daemon().stop(), 0);
  }
  {
    Tee tee(state);
    ASSERT_TRUE(tee.ready());
    EXPECT_EQ(tee.get(kTa, "kept"), "across a clean stop");
    EXPECT_EQ(tee.get(kOtherTa, "kept"), "another TA's");
    ASSERT_EQ(tee.put(kTa, "acknowledged", "then capteed is killed"), TEEC_SUCCESS);
    ASSERT_EQ(::kill(tee.daemon().pid(), SIGKILL), 0);
    tee.daemon().stop();  // reaps it
  }
  Tee tee(state);
  ASSERT_TRUE(tee.ready());
  EXPECT_EQ(tee.get(kTa, "acknowledged"), "then capteed is killed")
      << "a write that returned TEE_SUCCESS survives kill -9 of capteed";
  EXPECT_EQ(tee.get(kTa, "kept"), "across a clean stop");
  // Nothing the TAs stored is in clear in the state directory.
  for (const auto &entry : std::filesystem::recursive_directory_iterator(state)) {
    if (!entry.is_regular_file()) {
      continue;
    }
    std::FILE *f = std::fopen(entry.path().c_str(), "rb");
    ASSERT_NE(f, nullptr);
    std::string bytes;
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) {
      bytes.append(buf, n);
    }
    std::fclose(f);
    EXPECT_EQ(bytes.find("across a clean stop"), std::string::npos) << entry.path();
    EXPECT_EQ(bytes.find("acknowledged"), std::string::npos) << entry.path();
  }
}

TEST(GpStorageDurable, AnOlderStateDirectoryPutBackIsDetectedUntilAccepted) {
  TempDir dir;
  const std::string state = dir.path + "/state";
  const std::string backup = dir.path + "/backup";
  {
    Tee tee(state);
    ASSERT_TRUE(tee.ready());
    ASSERT_EQ(tee.put(kTa, "counter", "1"), TEEC_SUCCESS);
    EXPECT_EQ(tee.daemon().stop(), 0);
  }
  copy_tree(state, backup);  // what an attacker keeps: the whole directory
  {
    Tee tee(state);
    ASSERT_TRUE(tee.ready());
    ASSERT_EQ(tee.put(kTa, "counter", "2"), TEEC_SUCCESS);
    EXPECT_EQ(tee.daemon().stop(), 0);
  }
  copy_tree(backup, state);  // ... and puts back, to replay "1"
  {
    Tee tee(state);
    ASSERT_TRUE(tee.ready()) << "capteed still serves what does not need storage";
    char hex[24];
    std::snprintf(hex, sizeof hex, "error %08x", kCorruptObject);
    EXPECT_EQ(tee.get(kTa, "counter"), hex) << "never the old value";
    EXPECT_EQ(tee.put(kTa, "other", "x"), kCorruptObject);
    EXPECT_EQ(tee.daemon().stop(), 0);
  }
  // The administrator restored it on purpose: accepted once, then it is the
  // store again.
  {
    Tee tee(state, {"--storage-accept-rollback"});
    ASSERT_TRUE(tee.ready());
    EXPECT_EQ(tee.get(kTa, "counter"), "1");
    EXPECT_EQ(tee.daemon().stop(), 0);
  }
  Tee tee(state);
  ASSERT_TRUE(tee.ready());
  EXPECT_EQ(tee.get(kTa, "counter"), "1");
  EXPECT_EQ(tee.put(kTa, "counter", "3"), TEEC_SUCCESS);
  EXPECT_EQ(tee.get(kTa, "counter"), "3");
}

TEST(GpStorageDurable, TheDeviceSecretIsTheOwnersAloneAndTheRpmbLivesBesideTheState) {
  TempDir dir;
  const std::string state = dir.path + "/state";
  {
    Tee tee(state);
    ASSERT_TRUE(tee.ready());
    ASSERT_EQ(tee.put(kTa, "x", "y"), TEEC_SUCCESS);
  }
  bool found_secret = false;
  for (const auto &entry : std::filesystem::recursive_directory_iterator(state)) {
    if (entry.path().filename() == "device-secret") {
      found_secret = true;
      struct stat st {};
      ASSERT_EQ(::stat(entry.path().c_str(), &st), 0);
      EXPECT_EQ(st.st_mode & 0777, 0600u);
      EXPECT_EQ(st.st_size, 32);
    }
  }
  EXPECT_TRUE(found_secret);
  EXPECT_TRUE(std::filesystem::exists(state + ".rpmb"))
      << "outside the state directory, so a backup of it never brings the root back";
}

TEST(GpStorageDurable, TheStrictAnchorIsCapteedsChoiceAndKeepsTheSameStore) {
  TempDir dir;
  const std::string state = dir.path + "/state";
  {
    Tee tee(state, {"--storage-anchor", "strict"});
    ASSERT_TRUE(tee.ready());
    ASSERT_EQ(tee.put(kTa, "counter", "1"), TEEC_SUCCESS);
    EXPECT_EQ(tee.daemon().stop(), 0);
  }
  // Either anchor reads the same root: switching back loses nothing.
  Tee tee(state);
  ASSERT_TRUE(tee.ready());
  EXPECT_EQ(tee.get(kTa, "counter"), "1");
}

}  // namespace
}  // namespace captee::test
