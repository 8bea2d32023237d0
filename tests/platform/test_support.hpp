// Helpers for the platform tests: loading the assembled test programs and
// waiting, with a bound, for the emulated core to reach a condition.
#pragma once

#include <gtest/gtest.h>
#include <openssl/sha.h>

#include <array>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "captee/platform/remote_processor.hpp"

namespace captee::platform::testing {

inline std::vector<uint8_t> read_program(const std::string &name) {
  const std::string path = std::string(CAPTEE_TEST_PROGRAMS) + "/" + name + ".bin";
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "missing test program " << path;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline std::array<uint8_t, 32> sha256(std::span<const uint8_t> bytes) {
  std::array<uint8_t, 32> d{};
  SHA256(bytes.data(), bytes.size(), d.data());
  return d;
}

// A segment check as the TA's: the destination must hash to `expected`.
inline SegmentCheck hash_is(std::array<uint8_t, 32> expected) {
  return
      [expected](std::span<const uint8_t> destination) { return sha256(destination) == expected; };
}

// Loads `bytes` at `da`, checked against their true hash.
inline Status load(RemoteProcessor &p, uint32_t da, std::span<const uint8_t> bytes,
                   uint32_t memsz = 0) {
  return p.load_segment(da, bytes, memsz == 0 ? static_cast<uint32_t>(bytes.size()) : memsz,
                        hash_is(sha256(bytes)));
}

inline uint32_t read_word(RemoteProcessor &p, uint32_t da) {
  uint32_t v = 0;
  auto bytes = p.translate(da, 4);
  EXPECT_EQ(bytes.size(), 4u);
  if (bytes.size() == 4) {
    std::memcpy(&v, bytes.data(), 4);
  }
  return v;
}

inline void write_word(RemoteProcessor &p, uint32_t da, uint32_t v) {
  auto bytes = p.translate(da, 4);
  ASSERT_EQ(bytes.size(), 4u);
  std::memcpy(bytes.data(), &v, 4);
}

// Polls `cond` until it holds or 10 s pass (a bound for slow sanitizer builds,
// never a timing assumption: the conditions are reached within milliseconds).
template <class Cond>
bool eventually(Cond cond) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return cond();
}

// A platform like the default one, with RETRAM's second page read-only and
// executable, for the write-protection test.
inline ProcessorDescription test_processor() {
  ProcessorDescription p;
  p.id = 7;
  p.name = "test-m4";
  p.regions = {{"retram", 0x00000000, 0x1000, true, kRwx},
               {"rom", 0x00001000, 0x1000, true, kRead | kExecute},
               {"sram", 0x10000000, 0x10000, true, kRwx}};
  p.mailbox_da = 0x4C001000;
  p.mailbox_layout = MailboxLayout::kCaptee;  // heartbeat.S and sleeper.S poll captee's layout
  return p;
}

// A processor made from description() that boots one of the programs in
// tests/platform/programs: the program reads its scenario number at
// 0x10000200 and writes its results from 0x10000100.
class ProgramTest : public ::testing::Test {
 protected:
  virtual ProcessorDescription description() = 0;
  void SetUp() override {
    std::string error;
    proc_ = RemoteProcessor::create(description(), &error);
    ASSERT_TRUE(proc_) << error;
  }
  void TearDown() override {
    if (proc_) {
      (void)proc_->stop();
    }
  }
  // Loads `program`, stores the scenario number the program reads, boots.
  void boot(const std::string &program, uint32_t scenario = 0) {
    auto code = read_program(program);
    ASSERT_FALSE(code.empty());
    ASSERT_TRUE(load(*proc_, 0, code).ok());
    write_word(*proc_, 0x10000200, scenario);
    Status s = proc_->start(0);
    ASSERT_TRUE(s.ok()) << s.message;
  }
  uint32_t result(uint32_t i) { return read_word(*proc_, 0x10000100 + 4 * i); }
  std::string crash_reason() {
    auto c = proc_->core().last_crash();
    return c ? c->reason : "(no crash)";
  }

  std::unique_ptr<RemoteProcessor> proc_;
};

}  // namespace captee::platform::testing
