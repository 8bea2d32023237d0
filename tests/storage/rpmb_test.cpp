// The emulated RPMB, attacked from the host side (frames built by someone
// without the key, captured and replayed, or with a stale counter) and from
// the device side (a device that replays an old answer to the driver).
#include <gtest/gtest.h>

#include "captee/tee/storage/rpmb.hpp"
#include "storage_fixture.hpp"

namespace captee::tee::storage::testing {
namespace {

Key32 key_of(uint8_t v) {
  Key32 k;
  k.bytes.fill(v);
  return k;
}

// Passes frames through and keeps the last request and response.
class Recorder : public RpmbTransport {
 public:
  explicit Recorder(RpmbTransport *inner) : inner_(inner) {}
  std::vector<RpmbFrame> transact(std::span<const RpmbFrame> request) override {
    last_request.assign(request.begin(), request.end());
    last_response = replay_next ? saved_response : inner_->transact(request);
    return last_response;
  }
  std::vector<RpmbFrame> last_request, last_response, saved_response;
  bool replay_next = false;

 private:
  RpmbTransport *inner_;
};

class Rpmb : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    device_ = EmulatedRpmb::open(dir_.path() + "/rpmb", 8, &why);
    ASSERT_TRUE(device_) << why;
  }
  Bytes block(uint8_t v) { return Bytes(kRpmbBlockSize, v); }

  ScratchDir dir_;
  std::unique_ptr<EmulatedRpmb> device_;
};

TEST_F(Rpmb, KeyIsProgrammedOnce) {
  RpmbDriver host(device_.get(), key_of(1));
  uint32_t counter = 0;
  EXPECT_EQ(host.read_counter(&counter), RpmbStatus::kNotProgrammed);
  Bytes out;
  EXPECT_EQ(host.read(0, 1, &out), RpmbStatus::kNotProgrammed);
  ASSERT_EQ(host.program_key(), RpmbStatus::kOk);
  RpmbDriver attacker(device_.get(), key_of(2));
  EXPECT_EQ(attacker.program_key(), RpmbStatus::kRefused);
  EXPECT_EQ(host.program_key(), RpmbStatus::kRefused);
  // The first key still rules, across a reopen of the device.
  std::string why;
  device_ = EmulatedRpmb::open(dir_.path() + "/rpmb", 8, &why);
  RpmbDriver again(device_.get(), key_of(1));
  EXPECT_EQ(again.read_counter(&counter), RpmbStatus::kOk);
  EXPECT_EQ(counter, 0u);
}

TEST_F(Rpmb, WriteWithAWrongMacIsRefused) {
  RpmbDriver host(device_.get(), key_of(1));
  ASSERT_EQ(host.program_key(), RpmbStatus::kOk);
  RpmbDriver attacker(device_.get(), key_of(2));
  EXPECT_EQ(attacker.write(0, block(0xee)),
            RpmbStatus::kBadResponse);  // its counter read fails the MAC
  // Frames with the right counter but a MAC under the wrong key.
  std::vector<RpmbFrame> frames(1);
  frames[0].set_type(kRpmbWrite);
  frames[0].set_count(1);
  frames[0].set_counter(device_->write_counter());
  std::array<uint8_t, 32> mac;
  ASSERT_TRUE(rpmb_frames_mac(key_of(2), frames, &mac));
  std::copy(mac.begin(), mac.end(), frames[0].mac().begin());
  auto r = device_->transact(frames);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].result(), kRpmbAuthFailure);
  // A frame changed after it was MACed is refused the same way.
  ASSERT_TRUE(rpmb_frames_mac(key_of(1), frames, &mac));
  std::copy(mac.begin(), mac.end(), frames[0].mac().begin());
  frames[0].data()[0] ^= 1;
  EXPECT_EQ(device_->transact(frames)[0].result(), kRpmbAuthFailure);
  Bytes out;
  ASSERT_EQ(host.read(0, 1, &out), RpmbStatus::kOk);
  EXPECT_EQ(out, block(0));
  EXPECT_EQ(device_->write_counter(), 0u);
}

TEST_F(Rpmb, ReplayedWriteFramesAreRefused) {
  Recorder wire(device_.get());
  RpmbDriver host(&wire, key_of(1));
  ASSERT_EQ(host.program_key(), RpmbStatus::kOk);
  ASSERT_EQ(host.write(2, block(0x11)), RpmbStatus::kOk);
  const std::vector<RpmbFrame> captured = wire.last_request;
  ASSERT_EQ(host.write(2, block(0x22)), RpmbStatus::kOk);
  // The attacker replays the first write to bring 0x11 back.
  auto r = device_->transact(captured);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].result(), kRpmbCounterFailure);
  Bytes out;
  ASSERT_EQ(host.read(2, 1, &out), RpmbStatus::kOk);
  EXPECT_EQ(out, block(0x22));
  EXPECT_EQ(device_->write_counter(), 2u);
}

TEST_F(Rpmb, StaleCounterIsRefusedEvenWithTheKey) {
  RpmbDriver host(device_.get(), key_of(1));
  ASSERT_EQ(host.program_key(), RpmbStatus::kOk);
  ASSERT_EQ(host.write(0, block(1)), RpmbStatus::kOk);
  for (uint32_t counter : {0u, 2u, 0xffffffffu}) {
    std::vector<RpmbFrame> frames(1);
    frames[0].set_type(kRpmbWrite);
    frames[0].set_count(1);
    frames[0].set_counter(counter);
    std::array<uint8_t, 32> mac;
    ASSERT_TRUE(rpmb_frames_mac(key_of(1), frames, &mac));
    std::copy(mac.begin(), mac.end(), frames[0].mac().begin());
    EXPECT_EQ(device_->transact(frames)[0].result(), kRpmbCounterFailure) << counter;
  }
  EXPECT_EQ(device_->write_counter(), 1u);
}

TEST_F(Rpmb, MalformedRequestsAreRefused) {
  RpmbDriver host(device_.get(), key_of(1));
  ASSERT_EQ(host.program_key(), RpmbStatus::kOk);
  Bytes out;
  EXPECT_EQ(host.read(7, 2, &out), RpmbStatus::kRefused);  // past the end
  EXPECT_EQ(host.write(8, block(1)), RpmbStatus::kRefused);
  EXPECT_EQ(host.write(0, Bytes(100, 1)), RpmbStatus::kRefused);  // not whole blocks
  // Frames that disagree on their count.
  std::vector<RpmbFrame> frames(2);
  for (auto &f : frames) {
    f.set_type(kRpmbWrite);
    f.set_count(3);
  }
  EXPECT_EQ(device_->transact(frames)[0].result(), kRpmbGeneralFailure);
  RpmbFrame unknown;
  unknown.set_type(0x0042);
  EXPECT_EQ(device_->transact(std::span(&unknown, 1))[0].result(), kRpmbGeneralFailure);
  EXPECT_TRUE(device_->transact({}).empty());
}

TEST_F(Rpmb, AReplayedReadAnswerIsRefusedByTheDriver) {
  Recorder wire(device_.get());
  RpmbDriver host(&wire, key_of(1));
  ASSERT_EQ(host.program_key(), RpmbStatus::kOk);
  ASSERT_EQ(host.write(1, block(0xaa)), RpmbStatus::kOk);
  Bytes out;
  ASSERT_EQ(host.read(1, 1, &out), RpmbStatus::kOk);
  wire.saved_response = wire.last_response;  // a valid, MACed answer with 0xaa
  ASSERT_EQ(host.write(1, block(0xbb)), RpmbStatus::kOk);
  // A man in the middle answers the next read with the old answer.
  wire.replay_next = true;
  EXPECT_EQ(host.read(1, 1, &out), RpmbStatus::kBadResponse);
  uint32_t counter = 0;
  EXPECT_EQ(host.read_counter(&counter), RpmbStatus::kUnreachable);  // not even the right kind
  wire.replay_next = false;
  ASSERT_EQ(host.read(1, 1, &out), RpmbStatus::kOk);
  EXPECT_EQ(out, block(0xbb));
}

TEST_F(Rpmb, ATornWriteLeavesThePreviousState) {
  RpmbDriver host(device_.get(), key_of(1));
  ASSERT_EQ(host.program_key(), RpmbStatus::kOk);
  ASSERT_EQ(host.write(0, block(1)), RpmbStatus::kOk);
  ASSERT_EQ(host.write(0, block(2)), RpmbStatus::kOk);
  device_.reset();
  // Damage the copy holding the newest state (sequence 4: program, 2 writes,
  // creation), as a crash mid-write would.
  const std::string path = dir_.path() + "/rpmb";
  const auto size = std::filesystem::file_size(path);
  std::FILE *f = std::fopen(path.c_str(), "r+b");
  ASSERT_TRUE(f);
  std::fseek(f, static_cast<long>(size / 2 * (4 % 2) + 100), SEEK_SET);
  std::fputc(0x5a, f);
  std::fclose(f);
  std::string why;
  device_ = EmulatedRpmb::open(path, 8, &why);
  ASSERT_TRUE(device_) << why;
  RpmbDriver again(device_.get(), key_of(1));
  Bytes out;
  ASSERT_EQ(again.read(0, 1, &out), RpmbStatus::kOk);
  EXPECT_EQ(out, block(1));
  EXPECT_EQ(device_->write_counter(), 1u);
}

}  // namespace
}  // namespace captee::tee::storage::testing
