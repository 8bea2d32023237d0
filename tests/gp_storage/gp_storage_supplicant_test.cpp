// GP trusted storage kept by captee-supplicant (capteed --storage-backend
// supplicant; docs/STORAGE.md, decision 0030), through real daemons on
// temporary sockets: storage waits for no one (STORAGE_NOT_AVAILABLE until a
// supplicant registers), survives the supplicant's kill -9 and restart, and
// a supplicant that lies - garbage answers, flipped or older files - never
// makes a TA see wrong data nor brings capteed down.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "CRegisterListenerCBO.h"
#include "IListenerCBO.hpp"
#include "IRegisterListenerCBO.hpp"
#include "captee/memory.hpp"
#include "captee/storage_listener_protocol.h"
#include "gp_storage_ta.h"
#include "storage_calls.hpp"
#include "tee_client_api.h"
#include "tee_harness.hpp"

namespace captee::test {
namespace {

constexpr TEEC_UUID kTa = GP_STORAGE_TA_V131_UUID;
constexpr uint32_t kNotAvailable = 0xF0100003;   // TEE_ERROR_STORAGE_NOT_AVAILABLE
constexpr uint32_t kCorruptObject = 0xF0100001;  // TEE_ERROR_CORRUPT_OBJECT

std::string error_text(uint32_t r) {
  char hex[24];
  std::snprintf(hex, sizeof hex, "error %08x", r);
  return hex;
}

// capteed with the supplicant backend; supplicants come and go on `files`.
class SupplicantStorage : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<std::string> args{"--ta-dir", CAPTEE_TA_DIR, "--storage-backend", "supplicant"};
    for (const std::string &a : more_capteed_args()) {
      args.push_back(a);
    }
    daemon_ = std::make_unique<CapteedProcess>("", args);
    ASSERT_TRUE(daemon_->ready());
    ::setenv("CAPTEE_SOCKET", daemon_->socket().c_str(), 1);
    ASSERT_EQ(TEEC_InitializeContext(nullptr, &ctx_), TEEC_SUCCESS);
    files_ = daemon_->dir() + "/supplicant-files";
  }
  void TearDown() override {
    TEEC_FinalizeContext(&ctx_);
    daemon_->stop();  // before the supplicant: capteed closes the store through it
    supplicant_.reset();
  }
  virtual std::vector<std::string> more_capteed_args() const { return {}; }
  std::unique_ptr<StorageSupplicant> start_supplicant() {
    return std::make_unique<StorageSupplicant>(CAPTEE_SUPPLICANT_PATH, daemon_->socket(), files_,
                                               daemon_->dir() + "/supplicant.log");
  }
  TEEC_Result put(const std::string &id, const std::string &data) {
    return storage_calls::put(&ctx_, kTa, id, data);
  }
  std::string get(const std::string &id) { return storage_calls::get(&ctx_, kTa, id); }
  // A call that reaches the store, retried while a new registration is not
  // yet seen (the dead one's id is replaced on the next registration).
  bool eventually_get(const std::string &id, const std::string &want) {
    return eventually([&] { return get(id) == want; });
  }
  bool capteed_alive() const { return ::kill(daemon_->pid(), 0) == 0; }
  // Registers `listener` over `region` as the storage listener from a
  // connection of its own, as an impostor would (the connection lives as
  // long as capteed holds the listener).
  int32_t register_storage_listener(const Ref &listener, const Ref &region) {
    Ref registrar = daemon_->open(CRegisterListenerCBO_UID);
    if (registrar.is_null()) {
      return Object_ERROR;
    }
    return iface::IRegisterListenerCBO(registrar).register_(CAPTEE_STORAGE_LISTENER_ID, listener,
                                                            region);
  }
  // A new supplicant on the same files: `kept` still holds `value`, every
  // acknowledged object ("value of <id>") is there, and writes work again.
  void restart_and_expect_kept(const std::string &kept, const std::string &value,
                               const std::vector<std::string> &acknowledged) {
    supplicant_ = start_supplicant();
    ASSERT_TRUE(supplicant_->ready()) << supplicant_->log_text();
    ASSERT_TRUE(eventually_get(kept, value)) << get(kept);
    for (const std::string &id : acknowledged) {
      EXPECT_EQ(get(id), "value of " + id);
    }
    ASSERT_EQ(put("after", "the restart"), TEEC_SUCCESS);
    EXPECT_EQ(get("after"), "the restart");
  }

  std::unique_ptr<CapteedProcess> daemon_;
  std::unique_ptr<StorageSupplicant> supplicant_;
  TEEC_Context ctx_{};
  std::string files_;
};

TEST_F(SupplicantStorage, NotAvailableUntilTheSupplicantRegistersThenDurableInItsFiles) {
  EXPECT_EQ(put("early", "no supplicant yet"), kNotAvailable);
  EXPECT_EQ(get("early"), error_text(kNotAvailable));
  supplicant_ = start_supplicant();
  ASSERT_TRUE(supplicant_->ready()) << supplicant_->log_text();
  ASSERT_EQ(put("kept", "in the supplicant's files"), TEEC_SUCCESS);
  EXPECT_EQ(get("kept"), "in the supplicant's files");
  // The files are the supplicant's, and hold no plaintext; capteed's state
  // directory has no store.
  EXPECT_TRUE(std::filesystem::exists(files_ + "/store.db"));
  EXPECT_FALSE(std::filesystem::exists(daemon_->dir() + "/state/storage/store.db"));
  for (const auto &e : std::filesystem::directory_iterator(files_)) {
    std::ifstream in(e.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(bytes.find("in the supplicant's files"), std::string::npos) << e.path();
    EXPECT_EQ(bytes.find("kept"), std::string::npos) << e.path();
  }
}

TEST_F(SupplicantStorage, KilledMidCallsThenRestartedEveryAcknowledgedObjectIsThere) {
  supplicant_ = start_supplicant();
  ASSERT_TRUE(supplicant_->ready()) << supplicant_->log_text();
  ASSERT_EQ(put("before", "the kill"), TEEC_SUCCESS);
  // A writer keeps going while the supplicant is killed under it: each call
  // succeeds or says NOT_AVAILABLE, and capteed neither crashes nor hangs.
  std::atomic<bool> stop{false};
  std::vector<std::string> acknowledged;
  std::vector<TEEC_Result> odd;
  std::thread writer([&] {
    for (int i = 0; !stop.load(); ++i) {
      const std::string id = "w" + std::to_string(i);
      const TEEC_Result r = put(id, "value of " + id);
      if (r == TEEC_SUCCESS) {
        acknowledged.push_back(id);
      } else if (r != kNotAvailable) {
        odd.push_back(r);
      }
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  supplicant_->stop(SIGKILL);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  stop = true;
  writer.join();
  EXPECT_TRUE(odd.empty()) << "first odd result " << std::hex << (odd.empty() ? 0 : odd[0]);
  EXPECT_TRUE(capteed_alive());
  EXPECT_EQ(get("before"), error_text(kNotAvailable));

  restart_and_expect_kept("before", "the kill", acknowledged);
}

TEST_F(SupplicantStorage, OlderFilesPutBackBySupplicantAreARollback) {
  supplicant_ = start_supplicant();
  ASSERT_TRUE(supplicant_->ready()) << supplicant_->log_text();
  ASSERT_EQ(put("obj", "first"), TEEC_SUCCESS);
  const std::string older = daemon_->dir() + "/older";
  supplicant_->stop(SIGKILL);
  std::filesystem::copy(files_, older);
  supplicant_ = start_supplicant();
  ASSERT_TRUE(supplicant_->ready());
  ASSERT_TRUE(eventually([&] { return put("obj", "second") == TEEC_SUCCESS; }));
  supplicant_->stop(SIGKILL);
  // The supplicant (or whoever owns its directory) swaps in the older files.
  std::filesystem::remove_all(files_);
  std::filesystem::rename(older, files_);
  supplicant_ = start_supplicant();
  ASSERT_TRUE(supplicant_->ready());
  ASSERT_TRUE(eventually([&] { return get("obj") != error_text(kNotAvailable); }));
  EXPECT_EQ(get("obj"), error_text(kCorruptObject));
  EXPECT_TRUE(capteed_alive());
}

TEST_F(SupplicantStorage, FlippedBytesInTheSupplicantsFilesNeverGiveWrongData) {
  supplicant_ = start_supplicant();
  ASSERT_TRUE(supplicant_->ready()) << supplicant_->log_text();
  const std::string value(3000, 'v');
  ASSERT_EQ(put("obj", value), TEEC_SUCCESS);
  supplicant_->stop(SIGKILL);
  // Every file the supplicant holds, a byte flipped in each 512.
  for (const auto &e : std::filesystem::directory_iterator(files_)) {
    std::fstream f(e.path(), std::ios::in | std::ios::out | std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    for (size_t i = 200; i < bytes.size(); i += 512) {
      bytes[i] = static_cast<char>(bytes[i] ^ 0x10);
    }
    f.seekp(0);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  supplicant_ = start_supplicant();
  ASSERT_TRUE(supplicant_->ready());
  // Right, refused as corrupt or rolled back, or the medium unusable; never
  // other bytes.
  const std::string got = get("obj");
  EXPECT_TRUE(got == value || got == error_text(kCorruptObject) || got == error_text(kNotAvailable))
      << got.substr(0, 40);
  EXPECT_TRUE(capteed_alive());
}

// A client that registers the storage listener itself and answers garbage:
// the TAs' calls fail and never see its bytes, and capteed lives. (A real
// supplicant replacing a dead one is the kill -9 case above.)
TEST_F(SupplicantStorage, AnImpostorAnsweringGarbageGetsOnlyErrors) {
  class Garbage final : public iface::IListenerCBOSkeleton {
   public:
    explicit Garbage(Ref region)
        : region_ref_(std::move(region)),
          region_(LocalObject::from_as<MemoryObject>(region_ref_.get())->bytes()) {}
    int32_t request(std::span<uint32_t>, size_t &n, uint32_t &, Ref &, Ref &, Ref &,
                    Ref &) override {
      n = 0;
      for (auto &b : region_) {
        b = static_cast<std::byte>(rng_());
      }
      // Half the time a header that says "OK, this many bytes".
      if (rng_() % 2 == 0) {
        auto *p = reinterpret_cast<uint8_t *>(region_.data());
        std::memset(p + CAPTEE_STORAGE_OFF_RESULT, 0, 4);
        const uint64_t v = rng_() % (2 * CAPTEE_STORAGE_MAX_DATA);
        std::memcpy(p + CAPTEE_STORAGE_OFF_VALUE, &v, 8);
      }
      return Object_OK;
    }
    int32_t wait() override { return Object_OK; }

   private:
    Ref region_ref_;
    std::span<std::byte> region_;
    std::mt19937 rng_{7};
  };
  Ref region = MemoryObject::create(CAPTEE_STORAGE_REGION_SIZE);
  ASSERT_EQ(register_storage_listener(make_object<Garbage>(region), region), Object_OK);
  for (int i = 0; i < 5; ++i) {
    EXPECT_NE(put("obj", "x"), TEEC_SUCCESS);
    const std::string got = get("obj");
    EXPECT_EQ(got.rfind("error ", 0), 0u) << got.substr(0, 40);
  }
  EXPECT_TRUE(capteed_alive());
  // A real supplicant cannot take the id from a live impostor (first come,
  // first served: who may register is the policy's register-listener rule).
  auto refused = start_supplicant();
  EXPECT_FALSE(refused->ready());
  EXPECT_NE(refused->log_text().find("listener 2 is in use"), std::string::npos)
      << refused->log_text();
}

TEST_F(SupplicantStorage, TwoSupplicantsNeverShareADirectory) {
  supplicant_ = start_supplicant();
  ASSERT_TRUE(supplicant_->ready()) << supplicant_->log_text();
  auto second = start_supplicant();
  EXPECT_FALSE(second->ready());
  EXPECT_NE(second->log_text().find("in use by another supplicant"), std::string::npos)
      << second->log_text();
  ASSERT_EQ(put("obj", "still served"), TEEC_SUCCESS);
  EXPECT_EQ(get("obj"), "still served");
}

// capteed with a short deadline on each of the supplicant's file requests
// (--storage-supplicant-timeout-ms): supplicants that stop answering
// without dying.
class HungSupplicantStorage : public SupplicantStorage {
 protected:
  static constexpr int kLimitMs = 1000;
  // What a loaded machine may add to the deadline before a call returns.
  static constexpr int kSlackMs = 3000;
  std::vector<std::string> more_capteed_args() const override {
    return {"--storage-supplicant-timeout-ms", std::to_string(kLimitMs)};
  }
  // A put, and how long its command took (a TA's start not counted).
  TEEC_Result timed_put(const std::string &id, const std::string &data, int *ms) {
    return storage_calls::put(&ctx_, kTa, id, data, ms);
  }
};

TEST_F(HungSupplicantStorage, AStoppedSupplicantCostsTheDeadlineThenIsCutOffAndReplaced) {
  supplicant_ = start_supplicant();
  ASSERT_TRUE(supplicant_->ready()) << supplicant_->log_text();
  ASSERT_EQ(put("before", "the stop"), TEEC_SUCCESS);
  // capteed at rest with one supplicant (the put's TA host gone).
  size_t fds = 0, threads = 0;
  ASSERT_TRUE(eventually([&] {
    const size_t fds_before = fd_count(daemon_->pid());
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    fds = fd_count(daemon_->pid());
    threads = thread_count(daemon_->pid());
    return fds == fds_before;
  }));
  // A writer keeps going; the supplicant is stopped under it (SIGSTOP: its
  // connection stays open, it just never answers).
  std::atomic<bool> stop{false};
  std::atomic<bool> failed{false};
  std::atomic<int> failed_ms{0};
  std::vector<std::string> acknowledged;
  std::vector<TEEC_Result> odd;
  std::thread writer([&] {
    for (int i = 0; !stop.load(); ++i) {
      const std::string id = "w" + std::to_string(i);
      int ms = 0;
      const TEEC_Result r = timed_put(id, "value of " + id, &ms);
      if (r == TEEC_SUCCESS) {
        acknowledged.push_back(id);
      } else if (r != kNotAvailable) {
        odd.push_back(r);
      } else if (!failed.exchange(true)) {
        failed_ms = ms;
      }
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ASSERT_EQ(::kill(supplicant_->pid(), SIGSTOP), 0);
  // capteed serves other clients while the storage call waits.
  EXPECT_FALSE(daemon_->open(CRegisterListenerCBO_UID).is_null());
  // The writer's call fails at the deadline. Without one it waits as long
  // as the supplicant is stopped: the test then gives up and kills it.
  const bool cut_off = eventually([&] { return failed.load(); }, kLimitMs + kSlackMs);
  EXPECT_TRUE(cut_off) << "a storage call still waits for the stopped supplicant";
  if (!cut_off) {
    supplicant_->stop(SIGKILL);
  }
  stop = true;
  writer.join();
  EXPECT_LE(failed_ms.load(), kLimitMs + kSlackMs);
  EXPECT_TRUE(odd.empty()) << "first odd result " << std::hex << (odd.empty() ? 0 : odd[0]);
  // The registration is revoked: later calls do not wait again.
  int ms = 0;
  EXPECT_EQ(timed_put("later", "x", &ms), kNotAvailable);
  EXPECT_LT(ms, kLimitMs);
  EXPECT_EQ(get("before"), error_text(kNotAvailable));
  EXPECT_TRUE(capteed_alive());

  supplicant_->stop(SIGKILL);  // the stopped one; its files stay
  restart_and_expect_kept("before", "the stop", acknowledged);
  // Nothing of the cut-off supplicant stays in capteed: its connection and
  // the deadline's thread went with its registration.
  EXPECT_TRUE(eventually([&] { return fd_count(daemon_->pid()) == fds; }))
      << fd_count(daemon_->pid()) << " descriptors open in capteed, " << fds << " before";
  EXPECT_TRUE(eventually([&] { return thread_count(daemon_->pid()) <= threads; }))
      << thread_count(daemon_->pid()) << " threads in capteed, " << threads << " before";
}

// A client that registers the storage listener itself and never answers:
// each TA call it holds costs the deadline, its connection is closed, and a
// real supplicant can then take the id.
TEST_F(HungSupplicantStorage, AnImpostorThatNeverAnswersCostsTheDeadlineOnly) {
  class Silent final : public iface::IListenerCBOSkeleton {
   public:
    explicit Silent(std::shared_ptr<std::atomic<bool>> released) : released_(std::move(released)) {}
    int32_t request(std::span<uint32_t>, size_t &n, uint32_t &, Ref &, Ref &, Ref &,
                    Ref &) override {
      n = 0;
      // Until the test ends: capteed must not wait that long.
      for (int i = 0; i < 3000 && !released_->load(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      return Object_OK;
    }
    int32_t wait() override { return Object_OK; }

   private:
    std::shared_ptr<std::atomic<bool>> released_;
  };
  auto released = std::make_shared<std::atomic<bool>>(false);
  Ref region = MemoryObject::create(CAPTEE_STORAGE_REGION_SIZE);
  ASSERT_EQ(register_storage_listener(make_object<Silent>(released), region), Object_OK);
  int ms = 0;
  const TEEC_Result first = timed_put("obj", "x", &ms);
  released->store(true);  // whatever happened, let the test end
  EXPECT_EQ(first, kNotAvailable);
  EXPECT_LE(ms, kLimitMs + kSlackMs);
  EXPECT_EQ(timed_put("obj", "x", &ms), kNotAvailable);
  EXPECT_LT(ms, kLimitMs);
  EXPECT_TRUE(capteed_alive());
  // capteed closed the impostor's connection: the id is free for the real
  // supplicant, and storage works again.
  supplicant_ = start_supplicant();
  ASSERT_TRUE(supplicant_->ready()) << supplicant_->log_text();
  ASSERT_TRUE(eventually([&] { return put("obj", "served") == TEEC_SUCCESS; }));
  EXPECT_EQ(get("obj"), "served");
}

// Only an object of the registering process may be the storage listener:
// capteed cuts a hung one off by closing that process's connection, which
// must never be another's. capteed's own object, passed back to it, is
// refused.
TEST_F(SupplicantStorage, AStorageListenerThatIsNotTheRegistrantsOwnIsRefused) {
  Ref registrar = daemon_->open(CRegisterListenerCBO_UID);
  ASSERT_FALSE(registrar.is_null());
  Ref region = MemoryObject::create(CAPTEE_STORAGE_REGION_SIZE);
  EXPECT_EQ(iface::IRegisterListenerCBO(registrar).register_(CAPTEE_STORAGE_LISTENER_ID, registrar,
                                                             region),
            Object_ERROR_INVALID);
  supplicant_ = start_supplicant();
  ASSERT_TRUE(supplicant_->ready()) << supplicant_->log_text();
  ASSERT_EQ(put("obj", "the real one"), TEEC_SUCCESS);
}

TEST(SupplicantStorageOption, TheBackendNeedsAStateDirectory) {
  const auto [code, out] = run_capture(std::string(CAPTEED_PATH) +
                                       " --socket /nonexistent/x.sock --storage-backend supplicant "
                                       "--state-dir ''");
  EXPECT_NE(code, 0);
  EXPECT_NE(out.find("needs a state directory"), std::string::npos) << out;
  const auto [code2, out2] =
      run_capture(std::string(CAPTEED_PATH) + " --storage-backend elsewhere");
  EXPECT_NE(code2, 0);
}

}  // namespace
}  // namespace captee::test
