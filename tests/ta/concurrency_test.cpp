// Several processors, per-processor keys, and commands from many threads.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "ta_test_support.hpp"

namespace captee::ta::testing {
namespace {

namespace fwt = captee::fwimage::testing;

// Two M4s with the stm32mp15 memory map; processor 1 also trusts the P-256 key.
platform::PlatformDescription two_processors() {
  platform::PlatformDescription d = platform::default_platform();
  d.name = "two-m4";
  platform::ProcessorDescription second = d.processors[0];
  second.id = 1;
  second.name = "m4-b";
  second.public_keys_pem = {test_data_text("test-p256.pub.pem")};
  d.processors.push_back(second);
  return d;
}

class MultiProcessor : public TaFixture {
 protected:
  void SetUp() override { build(two_processors(), {test_data_text("test-rsa2048.pub.pem")}); }
};

TEST_F(MultiProcessor, PlatformKeysApplyToTheirProcessorOnly) {
  const Bytes ec = fwt::read_bytes(fwt::rproc_data("sample-m4.p256.sig"));
  EXPECT_EQ(load(ec, 0), TEE_ERROR_SIGNATURE_INVALID);
  EXPECT_EQ(load(ec, 1), TEE_SUCCESS);
  EXPECT_EQ(ta_->key_fingerprints(0).size(), 1u);
  EXPECT_EQ(ta_->key_fingerprints(1).size(), 2u);
  EXPECT_EQ(state(0), FirmwareState::kOff);
  EXPECT_EQ(state(1), FirmwareState::kLoaded);
}

TEST_F(MultiProcessor, ContextsAreIndependentUnderConcurrentUse) {
  const Bytes rsa = fwt::read_bytes(fwt::rproc_data("sample-m4.rsa2048.sig"));
  std::atomic<int> failures{0};
  auto cycle = [&](uint32_t id) {
    for (int i = 0; i < 5; i++) {
      if (load(rsa, id) != TEE_SUCCESS || invoke(kRprocStartFw, id) != TEE_SUCCESS ||
          !eventually([&] { return trace(id).find("firmware up") != std::string::npos; }) ||
          invoke(kRprocStopFw, id) != TEE_SUCCESS || invoke(kRprocReleaseFw, id) != TEE_SUCCESS) {
        failures++;
      }
    }
  };
  std::thread a(cycle, 0), b(cycle, 1);
  a.join();
  b.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_TRUE(memory_wiped(0));
  EXPECT_TRUE(memory_wiped(1));
}

TEST_F(MultiProcessor, RacingCommandsOnOneProcessorKeepTheStateMachineConsistent) {
  const Bytes rsa = fwt::read_bytes(fwt::rproc_data("sample-m4.rsa2048.sig"));
  std::atomic<int> loads{0}, starts{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; t++) {
    threads.emplace_back([&] {
      void *s = nullptr;
      ASSERT_EQ(ta_->open_session(kParamsNone, nullptr, &s), TEE_SUCCESS);
      TEE_Param p[4] = {};
      p[1].memref.buffer = const_cast<uint8_t *>(rsa.data());
      p[1].memref.size = rsa.size();
      if (ta_->invoke_command(s, kRprocLoadFw, TEE_PARAM_TYPES(1, 5, 0, 0), p) == TEE_SUCCESS) {
        loads++;
      }
      TEE_Param q[4] = {};
      if (ta_->invoke_command(s, kRprocStartFw, kParamsId, q) == TEE_SUCCESS) {
        starts++;
      }
      ta_->close_session(s);
    });
  }
  for (auto &t : threads) {
    t.join();
  }
  // Whoever comes after the first LOAD sees LOADED (no-op success) or
  // STARTED (BAD_STATE); every START after the first load succeeds.
  EXPECT_GE(loads.load(), 1);
  EXPECT_EQ(starts.load(), 4);
  EXPECT_EQ(state(0), FirmwareState::kStarted);
  EXPECT_EQ(invoke(kRprocStopFw), TEE_SUCCESS);
  EXPECT_EQ(invoke(kRprocReleaseFw), TEE_SUCCESS);
}

TEST_F(MultiProcessor, CrashOnOneProcessorLeavesTheOtherRunning) {
  const Bytes rsa = fwt::read_bytes(fwt::rproc_data("sample-m4.rsa2048.sig"));
  for (uint32_t id : {0u, 1u}) {
    ASSERT_EQ(load(rsa, id), TEE_SUCCESS);
    ASSERT_EQ(invoke(kRprocStartFw, id), TEE_SUCCESS);
  }
  ASSERT_TRUE(proc(1).core().inject_crash("test"));
  ASSERT_TRUE(eventually([&] { return proc(1).state() == platform::CoreState::kCrashed; }));
  EXPECT_EQ(proc(0).state(), platform::CoreState::kRunning);
  Bytes dump;
  EXPECT_EQ(coredump(&dump, 1), TEE_SUCCESS);
  EXPECT_EQ(coredump(&dump, 0), TEE_ERROR_BAD_STATE);
  for (uint32_t id : {0u, 1u}) {
    EXPECT_EQ(invoke(kRprocStopFw, id), TEE_SUCCESS);
    EXPECT_EQ(invoke(kRprocReleaseFw, id), TEE_SUCCESS);
  }
}

}  // namespace
}  // namespace captee::ta::testing
