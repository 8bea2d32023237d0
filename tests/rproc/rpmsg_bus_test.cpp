// The host side of virtio-rpmsg against a fake device side in memory: the
// buffer pool in Linux's order, the name service, endpoint addresses, round
// trips, and (from the firmware's side) every way of breaking the rings,
// each with its documented outcome.
#include <gtest/gtest.h>

#include <map>

#include "captee/rproc/rpmsg_bus.hpp"
#include "fake_rpmsg_device.hpp"

namespace captee::rproc::testing {
namespace {

class RpmsgBusTest : public ::testing::Test {
 protected:
  void SetUp() override { make(); }
  void make(uint32_t num = 16, uint32_t align = 16) {
    broken_.clear();
    dev_ = std::make_unique<FakeRpmsgDevice>(num, align);
    RpmsgEvents ev;
    ev.kick = [this](uint32_t id) { kicks_.push_back(id); };
    ev.created = [this](const RpmsgChannel &c) { created_.push_back(c); };
    ev.destroyed = [this](const RpmsgChannel &c) { destroyed_.push_back(c); };
    ev.message = [this](uint32_t local, uint32_t src, std::span<const uint8_t> p) {
      received_.push_back({src, local, std::vector<uint8_t>(p.begin(), p.end())});
    };
    ev.broken = [this](const std::string &why) { broken_ = why; };
    ev.note = [this](const std::string &n) { notes_.push_back(n); };
    std::string why;
    bus_ = RpmsgBus::create(dev_->memory(), kVirtioRpmsgFNs, std::move(ev), &why);
    ASSERT_TRUE(bus_) << why;
    bus_->start();
  }
  bool notes_mention(const std::string &text) const {
    for (const std::string &n : notes_) {
      if (n.find(text) != std::string::npos) {
        return true;
      }
    }
    return false;
  }
  // Whether the host still serves: announces a channel and sees it.
  bool still_serves() {
    const size_t before = created_.size();
    dev_->announce("probe", 77);
    bus_->on_kick(1);
    return created_.size() == before + 1;
  }

  std::unique_ptr<FakeRpmsgDevice> dev_;
  std::unique_ptr<RpmsgBus> bus_;
  std::vector<uint32_t> kicks_;
  std::vector<RpmsgChannel> created_, destroyed_;
  std::vector<FakeRpmsgDevice::Message> received_;
  std::string broken_;
  std::vector<std::string> notes_;
};

TEST_F(RpmsgBusTest, ThePoolIsLinuxsFirstHalfReceivingInOrder) {
  EXPECT_EQ(bus_->num_bufs(), 32u) << "twice vring 0's 16 entries";
  // The firmware sees 16 receive buffers, 512 bytes each, from the pool's
  // start, as descriptors 0, 1, 2, ... device-writable.
  for (uint16_t i = 0; i < 16; i++) {
    uint16_t id;
    uint32_t addr, len;
    ASSERT_TRUE(dev_->take(dev_->to_host(), &id, &addr, &len));
    EXPECT_EQ(id, i);
    EXPECT_EQ(addr, FakeRpmsgDevice::kPool + 512u * i);
    EXPECT_EQ(len, 512u);
    EXPECT_EQ(dev_->mem().get<uint16_t>(dev_->to_host().desc(id) + 12), kVringDescFWrite);
  }
  uint16_t id;
  uint32_t addr, len;
  EXPECT_FALSE(dev_->take(dev_->to_host(), &id, &addr, &len));
  // Sending uses the second half, in order.
  const uint8_t hi[] = {'h', 'i'};
  ASSERT_EQ(bus_->send(1024, 30, hi), RpmsgBus::SendResult::kOk);
  ASSERT_TRUE(dev_->take(dev_->to_device(), &id, &addr, &len));
  EXPECT_EQ(addr, FakeRpmsgDevice::kPool + 512u * 16);
  EXPECT_EQ(len, 18u) << "header and payload";
  EXPECT_EQ(kicks_, std::vector<uint32_t>{1}) << "vring 1's notify id";
}

TEST_F(RpmsgBusTest, BigRingsGetLinuxsMaximumOf512Buffers) {
  std::vector<uint8_t> ring(0x10000);
  FakeRpmsgDevice d(256, 16);
  RpmsgVdevMemory m = d.memory();
  std::string why;
  EXPECT_FALSE(RpmsgBus::create(m, 0, {}, &why)) << "256 x 2 x 512 bytes do not fit 16 KiB";
  EXPECT_NE(why.find("512 buffers of 512 need 262144"), std::string::npos) << why;
}

TEST_F(RpmsgBusTest, NameServiceCreatesChannelsWithLocalAddressesFrom1024) {
  ASSERT_TRUE(dev_->announce("rpmsg-tty", 0x400));
  ASSERT_TRUE(dev_->announce("rpmsg-tty", 0x401));
  bus_->on_kick(1);
  ASSERT_EQ(created_.size(), 2u);
  EXPECT_EQ(created_[0].name, "rpmsg-tty");
  EXPECT_EQ(created_[0].remote, 0x400u);
  EXPECT_EQ(created_[0].local, 1024u);
  EXPECT_EQ(created_[1].local, 1025u);
  EXPECT_EQ(kicks_, std::vector<uint32_t>{0}) << "the buffers went back on vring 0";
  // Destroy frees the address; the next channel takes the lowest free one.
  ASSERT_TRUE(dev_->announce("rpmsg-tty", 0x400, kRpmsgNsDestroy));
  bus_->on_kick(1);
  ASSERT_EQ(destroyed_.size(), 1u);
  EXPECT_EQ(destroyed_[0].local, 1024u);
  ASSERT_TRUE(dev_->announce("other", 0x410));
  bus_->on_kick(1);
  EXPECT_EQ(created_.back().local, 1024u);
  EXPECT_EQ(bus_->channels().size(), 2u);
}

TEST_F(RpmsgBusTest, MessagesRoundTripThroughTheRingsManyTimesOver) {
  ASSERT_TRUE(dev_->announce("rpmsg-tty", 0x400));
  bus_->on_kick(1);
  ASSERT_EQ(created_.size(), 1u);
  for (uint32_t i = 0; i < 2000; i++) {
    std::vector<uint8_t> payload(1 + i % kRpmsgMaxPayload, static_cast<uint8_t>(i));
    ASSERT_EQ(bus_->send(1024, 0x400, payload, std::chrono::milliseconds(0)),
              RpmsgBus::SendResult::kOk)
        << i;
    FakeRpmsgDevice::Message m;
    ASSERT_TRUE(dev_->receive(&m)) << i;
    EXPECT_EQ(m.src, 1024u);
    EXPECT_EQ(m.dst, 0x400u);
    ASSERT_EQ(m.payload, payload);
    ASSERT_TRUE(dev_->send(0x400, m.src, m.payload)) << i;  // the echo
    bus_->on_kick(1);
    ASSERT_EQ(received_.size(), i + 1);
    ASSERT_EQ(received_.back().payload, payload);
    EXPECT_EQ(received_.back().src, 0x400u);
    EXPECT_EQ(received_.back().dst, 1024u);
  }
  EXPECT_TRUE(broken_.empty()) << broken_;
}

TEST_F(RpmsgBusTest, SendingTooMuchOrWithEveryBufferAwayFails) {
  std::vector<uint8_t> big(kRpmsgMaxPayload + 1);
  EXPECT_EQ(bus_->send(1024, 1, big), RpmsgBus::SendResult::kTooBig);
  const uint8_t b[1] = {1};
  for (int i = 0; i < 16; i++) {
    ASSERT_EQ(bus_->send(1024, 1, b, std::chrono::milliseconds(0)), RpmsgBus::SendResult::kOk);
  }
  EXPECT_EQ(bus_->send(1024, 1, b, std::chrono::milliseconds(20)), RpmsgBus::SendResult::kNoBuffer)
      << "the firmware holds every transmit buffer";
  FakeRpmsgDevice::Message m;
  ASSERT_TRUE(dev_->receive(&m));
  EXPECT_EQ(bus_->send(1024, 1, b, std::chrono::milliseconds(0)), RpmsgBus::SendResult::kOk)
      << "a buffer the firmware gave back is used again";
}

// --- The firmware breaks the rules. Each case says what happens. ---

// A descriptor moved outside the shared buffers: the bus breaks, naming it.
TEST_F(RpmsgBusTest, HostileDescriptorOutsideSharedMemoryBreaksTheBus) {
  dev_->mem().put<uint64_t>(dev_->to_host().desc(0), 0x10000000);  // the firmware's code
  dev_->give_back(dev_->to_host(), 0, 16);
  bus_->on_kick(1);
  EXPECT_NE(broken_.find("descriptor 0 now points at [0x10000000, +512), outside the shared "
                         "buffers [0x10042000, +16384)"),
            std::string::npos)
      << broken_;
  EXPECT_TRUE(bus_->broken());
  const uint8_t b[1] = {1};
  EXPECT_EQ(bus_->send(1024, 1, b), RpmsgBus::SendResult::kBroken);
}

// A descriptor chain that loops: named, and the walk stops.
TEST_F(RpmsgBusTest, HostileLoopingChainBreaksTheBus) {
  auto &m = dev_->mem();
  const DeviceRing &r = dev_->to_host();
  m.put<uint16_t>(r.desc(0) + 12, kVringDescFNext | kVringDescFWrite);
  m.put<uint16_t>(r.desc(0) + 14, 1);
  m.put<uint16_t>(r.desc(1) + 12, kVringDescFNext | kVringDescFWrite);
  m.put<uint16_t>(r.desc(1) + 14, 0);
  dev_->give_back(dev_->to_host(), 0, 16);
  bus_->on_kick(1);
  EXPECT_NE(broken_.find("descriptor 0 starts a chain that loops back to descriptor 0"),
            std::string::npos)
      << broken_;
}

// A chain to a descriptor that does not exist.
TEST_F(RpmsgBusTest, HostileChainPastTheRingBreaksTheBus) {
  auto &m = dev_->mem();
  m.put<uint16_t>(dev_->to_host().desc(0) + 12, kVringDescFNext | kVringDescFWrite);
  m.put<uint16_t>(dev_->to_host().desc(0) + 14, 60000);
  dev_->give_back(dev_->to_host(), 0, 16);
  bus_->on_kick(1);
  EXPECT_NE(broken_.find("descriptor 0 chains to descriptor 60000, past the ring's 16"),
            std::string::npos)
      << broken_;
}

// A length past the buffer it names.
TEST_F(RpmsgBusTest, HostileLengthPastTheBufferBreaksTheBus) {
  dev_->give_back(dev_->to_host(), 0, 600);
  bus_->on_kick(1);
  EXPECT_NE(broken_.find("the device says it wrote 600 bytes into the 512-byte buffer of "
                         "descriptor 0"),
            std::string::npos)
      << broken_;
}

// An index that jumps past what the device holds.
TEST_F(RpmsgBusTest, HostileUsedIndexJumpBreaksTheBus) {
  dev_->mem().put<uint16_t>(dev_->to_host().used() + 2, 1000);
  bus_->on_kick(1);
  EXPECT_NE(broken_.find("jumped from 0 to 1000: 1000 buffers returned, 16 were with the device"),
            std::string::npos)
      << broken_;
}

// A descriptor id beyond the ring.
TEST_F(RpmsgBusTest, HostileUnknownDescriptorBreaksTheBus) {
  dev_->give_back(dev_->to_host(), 4096, 16);
  bus_->on_kick(1);
  EXPECT_NE(broken_.find("descriptor 4096 does not exist (the ring has 16)"), std::string::npos)
      << broken_;
}

// The transmit ring is checked as well: a buffer the host never sent, and
// one returned twice.
TEST_F(RpmsgBusTest, HostileTransmitRingEntriesBreakTheBus) {
  const uint8_t b[1] = {1};
  ASSERT_EQ(bus_->send(1024, 1, b), RpmsgBus::SendResult::kOk);  // descriptor 0
  dev_->give_back(dev_->to_device(), 2, 0);
  bus_->on_kick(2);
  EXPECT_NE(broken_.find("vring at 0x10041000"), std::string::npos) << broken_;
  EXPECT_NE(broken_.find("descriptor 2 came back, but the device did not hold it"),
            std::string::npos)
      << broken_;
  make();
  ASSERT_EQ(bus_->send(1024, 1, b), RpmsgBus::SendResult::kOk);
  ASSERT_EQ(bus_->send(1024, 1, b), RpmsgBus::SendResult::kOk);
  dev_->give_back(dev_->to_device(), 0, 0);
  dev_->give_back(dev_->to_device(), 0, 0);
  bus_->on_kick(2);
  EXPECT_NE(broken_.find("used entry 1 of the vring at 0x10041000: descriptor 0 came back, but "
                         "the device did not hold it"),
            std::string::npos)
      << broken_;
}

// When the bus breaks, its channels go (their users are told).
TEST_F(RpmsgBusTest, ABrokenBusDestroysItsChannels) {
  ASSERT_TRUE(dev_->announce("rpmsg-tty", 0x400));
  bus_->on_kick(1);
  dev_->mem().put<uint16_t>(dev_->to_host().used() + 2, 500);
  bus_->on_kick(1);
  ASSERT_FALSE(broken_.empty());
  ASSERT_EQ(destroyed_.size(), 1u);
  EXPECT_EQ(destroyed_[0].name, "rpmsg-tty");
  EXPECT_TRUE(bus_->channels().empty());
  bus_->on_kick(1);  // nothing more happens
}

// A header whose length runs past its buffer: dropped, the buffer goes back.
TEST_F(RpmsgBusTest, HostileHeaderLengthPastTheBufferIsDropped) {
  uint16_t id;
  uint32_t addr, len;
  ASSERT_TRUE(dev_->take(dev_->to_host(), &id, &addr, &len));
  dev_->mem().put<uint32_t>(addr + 4, kRpmsgNsAddr);
  dev_->mem().put<uint16_t>(addr + 12, 497);
  dev_->give_back(dev_->to_host(), id, 512);
  bus_->on_kick(1);
  EXPECT_TRUE(broken_.empty()) << broken_;
  EXPECT_TRUE(notes_mention("a message says its payload is 497 bytes; its buffer holds 496"));
  EXPECT_TRUE(created_.empty());
  // The buffer was posted again: 16 still wait for the firmware.
  EXPECT_TRUE(still_serves());
}

// Shorter than a header: dropped.
TEST_F(RpmsgBusTest, HostileMessageShorterThanItsHeaderIsDropped) {
  uint16_t id;
  uint32_t addr, len;
  ASSERT_TRUE(dev_->take(dev_->to_host(), &id, &addr, &len));
  dev_->give_back(dev_->to_host(), id, 15);
  bus_->on_kick(1);
  EXPECT_TRUE(notes_mention("a 15-byte message is shorter than the rpmsg header"));
  EXPECT_TRUE(still_serves());
}

// Name-service abuse: wrong size, no name, an unterminated name, a destroy
// of what was never announced, duplicates, and more channels than allowed.
TEST_F(RpmsgBusTest, HostileNameServiceMessagesAreDroppedOrBounded) {
  const uint8_t short_ns[39] = {'x'};
  ASSERT_TRUE(dev_->send(1, kRpmsgNsAddr, short_ns));
  ASSERT_TRUE(dev_->announce("", 5));
  ASSERT_TRUE(dev_->announce("gone", 6, kRpmsgNsDestroy));
  bus_->on_kick(1);
  EXPECT_TRUE(notes_mention("has 39 bytes, not 40"));
  EXPECT_TRUE(notes_mention("has no name"));
  EXPECT_TRUE(notes_mention("which it never announced"));
  EXPECT_TRUE(created_.empty());
  ASSERT_TRUE(dev_->announce(std::string(32, 'n'), 7));
  ASSERT_TRUE(dev_->announce(std::string(32, 'n'), 7));
  bus_->on_kick(1);
  ASSERT_EQ(created_.size(), 1u);
  EXPECT_EQ(created_[0].name, std::string(31, 'n')) << "31 characters count, as in Linux";
  EXPECT_TRUE(notes_mention("twice"));
  for (uint32_t i = 0; i < kRpmsgMaxChannels + 5; i++) {
    ASSERT_TRUE(dev_->announce("c", 100 + i));
    bus_->on_kick(1);
  }
  EXPECT_EQ(bus_->channels().size(), kRpmsgMaxChannels);
  EXPECT_TRUE(notes_mention("beyond the 64 a vdev may have"));
  EXPECT_TRUE(broken_.empty());
}

// A message to an address with no endpoint is dropped (and notes stop after
// a few, so a firmware cannot flood the log).
TEST_F(RpmsgBusTest, MessagesToNoEndpointAreDroppedWithBoundedNotes) {
  const uint8_t b[4] = {1, 2, 3, 4};
  for (int i = 0; i < 40; i++) {
    ASSERT_TRUE(dev_->send(5, 2000, b));
    bus_->on_kick(1);
  }
  EXPECT_TRUE(received_.empty());
  EXPECT_EQ(notes_.size(), 8u);
  EXPECT_TRUE(still_serves());
}

TEST(RpmsgBusGeometry, RefusesWhatIsNotAVirtqueue) {
  FakeRpmsgDevice d(12, 16);
  std::string why;
  EXPECT_FALSE(RpmsgBus::create(d.memory(), 0, {}, &why));
  EXPECT_NE(why.find("is not a split virtqueue"), std::string::npos) << why;
  FakeRpmsgDevice e(16, 16);
  RpmsgVdevMemory m = e.memory();
  m.tx_da = m.rx_da;
  m.tx_ring = m.rx_ring;
  EXPECT_FALSE(RpmsgBus::create(m, 0, {}, &why));
  EXPECT_NE(why.find("overlap"), std::string::npos) << why;
  m = e.memory();
  m.rx_ring = m.rx_ring.first(100);
  EXPECT_FALSE(RpmsgBus::create(m, 0, {}, &why));
  EXPECT_NE(why.find("are mapped"), std::string::npos) << why;
  EXPECT_EQ(RpmsgBus::negotiate(0xFFFFFFFF), kVirtioRpmsgFNs);
}

}  // namespace
}  // namespace captee::rproc::testing
