// `captee storage usage` and `captee storage list` through a real capteed
// (issue 16, docs/STORAGE.md "Tools"): the administrator sees each TA's
// objects, ids only for a TA named, and any other user is refused by
// capteed itself (IStorageAdmin answers ERROR_DENIED), whatever client it
// runs.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
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
const std::string kTaText = "7e57c0de-0161-4000-8000-000000000161";
const std::string kOtherTaText = "7e57c0de-0162-4000-8000-000000000162";

std::string hex_of(const std::string &s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string h;
  for (unsigned char c : s) {
    h.push_back(kHex[c >> 4]);
    h.push_back(kHex[c & 0xF]);
  }
  return h;
}

class StorageAdminTest : public ::testing::Test {
 protected:
  void SetUp() override {
    daemon_ = std::make_unique<CapteedProcess>(
        "", std::vector<std::string>{"--ta-dir", CAPTEE_TA_DIR, "--state-dir", dir_.path + "/s"});
    ASSERT_TRUE(daemon_->ready());
    ::setenv("CAPTEE_SOCKET", daemon_->socket().c_str(), 1);
    ASSERT_EQ(TEEC_InitializeContext(nullptr, &ctx_), TEEC_SUCCESS);
    have_ctx_ = true;
  }
  void TearDown() override {
    if (have_ctx_) {
      TEEC_FinalizeContext(&ctx_);
    }
  }

  TEEC_Result put(const TEEC_UUID &uuid, const std::string &id, const std::string &data) {
    return storage_calls::put(&ctx_, uuid, id, data);
  }

  // {exit code, output} of `captee --socket <s> <args>`, as `as` (a
  // "uid:gid" for setpriv) if given.
  std::pair<int, std::string> cli(const std::string &args, const std::string &as = "") {
    std::string prefix;
    if (!as.empty()) {
      const auto colon = as.find(':');
      prefix = "setpriv --reuid " + as.substr(0, colon) + " --regid " + as.substr(colon + 1) +
               " --clear-groups ";
    }
    return run_capture(prefix + CAPTEE_CLI_PATH + " --socket " + daemon_->socket() + " " + args);
  }

  TempDir dir_;
  std::unique_ptr<CapteedProcess> daemon_;
  TEEC_Context ctx_{};
  bool have_ctx_ = false;
};

TEST_F(StorageAdminTest, UsageAndListShowEachTasObjectsToTheAdministrator) {
  ASSERT_EQ(put(kTa, "secret-key-name", std::string(100, 'a')), TEEC_SUCCESS);
  ASSERT_EQ(put(kTa, std::string("\x01\xff", 2), "xyz"), TEEC_SUCCESS);
  ASSERT_EQ(put(kOtherTa, "other", std::string(10, 'b')), TEEC_SUCCESS);

  auto [rc, out] = cli("storage usage --json");
  ASSERT_EQ(rc, 0) << out;
  nlohmann::json usage = nlohmann::json::parse(out);
  ASSERT_EQ(usage.size(), 2u) << out;
  for (const auto &o : usage) {
    EXPECT_EQ(o["authority"], "ta-dir");
    if (o["uuid"] == kTaText) {
      EXPECT_EQ(o["objects"], 2);
      EXPECT_GE(o["bytes"].get<uint64_t>(), 103u);
    } else {
      EXPECT_EQ(o["uuid"], kOtherTaText);
      EXPECT_EQ(o["objects"], 1);
    }
  }
  EXPECT_EQ(out.find(hex_of("secret-key-name")), std::string::npos);

  // Without a TA: owners and counts, never an id.
  std::tie(rc, out) = cli("storage list --json");
  ASSERT_EQ(rc, 0) << out;
  EXPECT_EQ(out.find("id"), out.find("\"uuid\"") + 3) << "no field but uuid names an id: " << out;
  EXPECT_EQ(out.find("secret-key-name"), std::string::npos);
  EXPECT_EQ(out.find(hex_of("secret-key-name")), std::string::npos);

  // With it: that TA's objects only, ids, sizes and types.
  std::tie(rc, out) = cli("storage list --ta " + kTaText + " --json");
  ASSERT_EQ(rc, 0) << out;
  nlohmann::json list = nlohmann::json::parse(out);
  ASSERT_EQ(list.size(), 2u) << out;
  std::map<std::string, uint64_t> sizes;
  for (const auto &o : list) {
    EXPECT_EQ(o["uuid"], kTaText);
    EXPECT_EQ(o["storage"], "private");
    EXPECT_EQ(o["type"], 0xA00000BFu);  // TEE_TYPE_DATA
    sizes[o["id_hex"]] = o["size"];
  }
  EXPECT_EQ(sizes[hex_of("secret-key-name")], 100u);
  EXPECT_EQ(sizes["01ff"], 3u);

  // The text forms: ids readable when printable, hex otherwise.
  std::tie(rc, out) = cli("storage list --ta " + kTaText);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("\"secret-key-name\""), std::string::npos) << out;
  EXPECT_NE(out.find("hex:01ff"), std::string::npos) << out;
  EXPECT_EQ(out.find("other"), std::string::npos) << out;
  std::tie(rc, out) = cli("storage usage");
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find(kOtherTaText), std::string::npos) << out;

  std::tie(rc, out) = cli("storage list --ta not-a-uuid");
  EXPECT_EQ(rc, 2) << out;
  std::tie(rc, out) = cli("storage list --ta 00000000-0000-0000-0000-000000000000 --json");
  ASSERT_EQ(rc, 0) << out;
  EXPECT_EQ(out, "[]\n");
}

TEST_F(StorageAdminTest, AnotherUserLearnsNothingAboutAnyTasObjects) {
  if (::geteuid() != 0) {
    GTEST_SKIP() << "needs root to run the CLI as another uid";
  }
  ASSERT_EQ(put(kTa, "secret-key-name", "x"), TEEC_SUCCESS);
  for (const char *args : {"storage usage --json", "storage list --json",
                           "storage list --ta 7e57c0de-0161-4000-8000-000000000161 --json"}) {
    auto [rc, out] = cli(args, "65534:65534");
    EXPECT_EQ(rc, 1) << args << ": " << out;
    EXPECT_NE(out.find("only root or the user capteed runs as"), std::string::npos)
        << args << ": " << out;
    EXPECT_EQ(out.find(kTaText), std::string::npos) << args << ": " << out;
    EXPECT_EQ(out.find(hex_of("secret-key-name")), std::string::npos) << args << ": " << out;
  }
  // Root still can.
  auto [rc, out] = cli("storage usage --json");
  EXPECT_EQ(rc, 0) << out;
}

}  // namespace
}  // namespace captee::test
