// The non-secure face as objects: processors, info, kicks, crash events,
// subscription limits and shutdown; the STM32MP15's IPCC, console and GPIO
// through them.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <vector>

#include "IRemoteprocControl.hpp"
#include "IRemoteprocEvents.hpp"
#include "IRemoteprocHost.hpp"
#include "captee/platform/host_control.hpp"
#include "captee/platform/remote_processor.hpp"
#include "test_support.hpp"

namespace captee::platform::testing {
namespace {

// Records the events it is sent.
class Recorder final : public iface::IRemoteprocEventsSkeleton {
 public:
  int32_t onCrash(uint32_t id, uint32_t crashes, std::span<const std::byte> reason) override {
    std::lock_guard<std::mutex> lock(mu);
    crash_id = id;
    crash_count = crashes;
    crash_reason.assign(reinterpret_cast<const char *>(reason.data()), reason.size());
    cv.notify_all();
    return Object_OK;
  }
  int32_t onKick(uint32_t, uint32_t channels) override {
    std::lock_guard<std::mutex> lock(mu);
    kicks |= channels;
    cv.notify_all();
    return Object_OK;
  }
  template <class Pred>
  bool wait(Pred pred) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(10), pred);
  }
  // Expires when the recorder is destroyed.
  std::weak_ptr<void> lifetime_probe() { return probe_; }
  std::mutex mu;
  std::condition_variable cv;
  std::shared_ptr<void> probe_ = std::make_shared<int>(0);
  uint32_t crash_id = 0, crash_count = 0, kicks = 0;
  std::string crash_reason;
};

class HostControlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    PlatformDescription d;
    d.name = "test";
    d.processors = {test_processor()};
    std::string error;
    soc_ = Soc::create(d, &error);
    ASSERT_TRUE(soc_) << error;
    control_ = std::make_unique<HostControl>(*soc_);
    service_ = iface::IRemoteprocControl(control_->service());
    Ref p;
    ASSERT_EQ(service_.openProcessor(7, p), Object_OK);
    host_ = iface::IRemoteprocHost(p);
  }
  void TearDown() override {
    control_->shutdown();
    soc_.reset();
  }
  void boot_sleeper() {
    auto code = read_program("sleeper");
    ASSERT_TRUE(load(*soc_->processor(7), 0, code).ok());
    ASSERT_TRUE(soc_->processor(7)->start(0).ok());
  }
  std::unique_ptr<Soc> soc_;
  std::unique_ptr<HostControl> control_;
  iface::IRemoteprocControl service_;
  iface::IRemoteprocHost host_;
};

TEST_F(HostControlTest, ListsAndOpensProcessors) {
  uint32_t ids[4] = {};
  size_t n = 0;
  ASSERT_EQ(service_.listProcessors(ids, n), Object_OK);
  ASSERT_EQ(n, 1u);
  EXPECT_EQ(ids[0], 7u);
  Ref p;
  EXPECT_EQ(service_.openProcessor(8, p), IRemoteprocControl_ERROR_NO_SUCH_PROCESSOR);
  IRemoteprocHost_Info info{};
  ASSERT_EQ(host_.getInfo(info), Object_OK);
  EXPECT_EQ(info.rprocId, 7u);
  EXPECT_EQ(info.state, IRemoteprocHost_STATE_OFFLINE);
  EXPECT_EQ(info.core, IRemoteprocHost_CORE_CORTEX_M4);
  EXPECT_EQ(info.granted, 0u);
  EXPECT_EQ(info.crashes, 0u);
}

TEST_F(HostControlTest, KicksReachTheFirmwareAndItsAnswersReachSubscribers) {
  uint32_t ch = 0;
  EXPECT_EQ(host_.kick(1), IRemoteprocHost_ERROR_NOT_RUNNING);
  auto *rec = new Recorder;
  Ref events = Ref::adopt(rec->as_object());
  Ref sub;
  ASSERT_EQ(host_.subscribe(events, sub), Object_OK);
  boot_sleeper();
  ASSERT_EQ(host_.kick(1), Object_OK);
  ASSERT_TRUE(rec->wait([&] { return rec->kicks == 2; })) << "the sleeper answers on channel 1";
  EXPECT_EQ(read_word(*soc_->processor(7), 0x10000104), 1u);
  // Delivered to the subscriber means acknowledged: nothing left to take.
  ASSERT_EQ(host_.takeKicks(ch), Object_OK);
  EXPECT_EQ(ch, 0u);
  // Without a subscriber the kick waits for takeKicks.
  sub = Ref();
  ASSERT_EQ(host_.kick(1), Object_OK);
  ASSERT_TRUE(eventually([&] { return host_.takeKicks(ch) == Object_OK && ch == 2; }));
}

TEST_F(HostControlTest, CrashesAreCountedAndDelivered) {
  auto *rec = new Recorder;
  Ref events = Ref::adopt(rec->as_object());
  Ref sub;
  ASSERT_EQ(host_.subscribe(events, sub), Object_OK);
  const char why[] = "watchdog\x01";
  EXPECT_EQ(host_.injectCrash(std::as_bytes(std::span(why, sizeof why - 1))),
            IRemoteprocHost_ERROR_NOT_RUNNING);
  boot_sleeper();
  ASSERT_EQ(host_.injectCrash(std::as_bytes(std::span(why, sizeof why - 1))), Object_OK);
  ASSERT_TRUE(rec->wait([&] { return rec->crash_count == 1; }));
  EXPECT_EQ(rec->crash_id, 7u);
  EXPECT_EQ(rec->crash_reason, "injected crash: watchdog?") << "control bytes are replaced";
  IRemoteprocHost_Info info{};
  ASSERT_EQ(host_.getInfo(info), Object_OK);
  EXPECT_EQ(info.state, IRemoteprocHost_STATE_CRASHED);
  EXPECT_EQ(info.crashes, 1u);
  char reason[64];
  size_t len = 0;
  ASSERT_EQ(host_.getCrashReason(std::as_writable_bytes(std::span(reason)), len), Object_OK);
  EXPECT_EQ(std::string(reason, len), "injected crash: watchdog?");
  char tiny[4];
  EXPECT_EQ(host_.getCrashReason(std::as_writable_bytes(std::span(tiny)), len),
            Object_ERROR_SIZE_OUT);
  std::string huge(300, 'x');
  EXPECT_EQ(host_.injectCrash(std::as_bytes(std::span(huge.data(), huge.size()))),
            Object_ERROR_SIZE_IN);
}

TEST_F(HostControlTest, SubscriptionsAreLimited) {
  std::vector<Ref> subs;
  for (size_t i = 0; i < kMaxSubscriptionsPerProcessor; i++) {
    Ref events = Ref::adopt((new Recorder)->as_object());
    Ref sub;
    ASSERT_EQ(host_.subscribe(events, sub), Object_OK);
    subs.push_back(sub);
  }
  Ref events = Ref::adopt((new Recorder)->as_object());
  Ref extra;
  EXPECT_EQ(host_.subscribe(events, extra), IRemoteprocHost_ERROR_TOO_MANY);
  subs.pop_back();  // releasing one makes room
  EXPECT_EQ(host_.subscribe(events, extra), Object_OK);
  EXPECT_EQ(host_.subscribe(Ref(), extra), Object_ERROR_INVALID);
}

// Regression (rproc chaos): a retired subscription held its subscriber's
// object until the next subscription ended, and with it the socket of a dead
// manager's connection in capteed.
TEST_F(HostControlTest, AnEndedSubscriptionLetsGoOfItsSubscriberAtOnce) {
  auto *rec = new Recorder;
  Ref events = Ref::adopt(rec->as_object());
  std::weak_ptr<void> alive = rec->lifetime_probe();
  Ref sub;
  ASSERT_EQ(host_.subscribe(events, sub), Object_OK);
  events = Ref();
  EXPECT_FALSE(alive.expired()) << "the subscription holds its subscriber";
  sub = Ref();
  EXPECT_TRUE(eventually([&] { return alive.expired(); }))
      << "released with the subscription, not at the next reap";
}

TEST_F(HostControlTest, NothingAnswersAfterShutdown) {
  Ref events = Ref::adopt((new Recorder)->as_object());
  Ref sub;
  ASSERT_EQ(host_.subscribe(events, sub), Object_OK);
  control_->shutdown();
  IRemoteprocHost_Info info{};
  EXPECT_EQ(host_.getInfo(info), Object_ERROR_UNAVAIL);
  Ref p;
  EXPECT_EQ(service_.openProcessor(7, p), Object_ERROR_UNAVAIL);
  sub = Ref();  // releasing after shutdown is harmless
}

// ---- The STM32MP15's peripherals through the host's objects ----

TEST_F(HostControlTest, APlatformWithoutConsoleOrGpioSaysSo) {
  std::byte buf[16];
  size_t len = 0;
  uint64_t next = 0;
  EXPECT_EQ(host_.readConsole(0, buf, len, next), IRemoteprocHost_ERROR_NO_DEVICE);
  uint32_t taken = 0;
  EXPECT_EQ(host_.writeConsole(std::span<const std::byte>(buf, 1), taken),
            IRemoteprocHost_ERROR_NO_DEVICE);
  EXPECT_EQ(host_.setGpioInput(0, 0, 1), IRemoteprocHost_ERROR_NO_DEVICE);
}

class HostControlStm32mp15Test : public ::testing::Test {
 protected:
  void SetUp() override {
    ProcessorDescription p = test_processor();
    p.clock_hz = 10'000'000;
    p.mailbox_layout = MailboxLayout::kStm32Ipcc;
    p.peripherals = stm32mp15_peripherals();
    PlatformDescription d;
    d.name = "test-stm32mp15";
    d.processors = {p};
    std::string error;
    soc_ = Soc::create(d, &error);
    ASSERT_TRUE(soc_) << error;
    control_ = std::make_unique<HostControl>(*soc_);
    Ref h;
    ASSERT_EQ(iface::IRemoteprocControl(control_->service()).openProcessor(7, h), Object_OK);
    host_ = iface::IRemoteprocHost(h);
  }
  void TearDown() override {
    control_->shutdown();
    soc_.reset();
  }
  void boot(const std::string &program, uint32_t scenario) {
    RemoteProcessor &proc = *soc_->processor(7);
    auto code = read_program(program);
    ASSERT_TRUE(load(proc, 0, code).ok());
    write_word(proc, 0x10000200, scenario);
    ASSERT_TRUE(proc.start(0).ok());
  }
  uint32_t result(uint32_t i) { return read_word(*soc_->processor(7), 0x10000100 + 4 * i); }
  std::string console_from(uint64_t from, uint64_t *next, size_t room = 256) {
    std::vector<std::byte> buf(room);
    size_t len = 0;
    EXPECT_EQ(host_.readConsole(from, buf, len, *next), Object_OK);
    return std::string(reinterpret_cast<const char *>(buf.data()), len);
  }
  std::unique_ptr<Soc> soc_;
  std::unique_ptr<HostControl> control_;
  iface::IRemoteprocHost host_;
};

TEST_F(HostControlStm32mp15Test, KicksGoThroughTheIpcc) {
  auto *rec = new Recorder;
  Ref events = Ref::adopt(rec->as_object());
  Ref sub;
  ASSERT_EQ(host_.subscribe(events, sub), Object_OK);
  boot("ipcc", 0);
  ASSERT_TRUE(rec->wait([&] { return rec->kicks == 0x5; })) << "CH1S and CH3S in C2SCR";
  ASSERT_EQ(host_.kick(0x12), Object_OK);
  ASSERT_TRUE(eventually([&] { return result(7) == 1; }));
  EXPECT_EQ(result(4), 0x12u) << "the firmware read the host's kick in C1TOC2SR";
  EXPECT_EQ(result(3), 0u) << "the subscriber took the M4's kicks: its channels are free";
}

TEST_F(HostControlStm32mp15Test, TheConsoleIsReadAndWrittenThroughTheHostObject) {
  boot("uart", 0);
  ASSERT_TRUE(eventually([&] { return result(0) == 1; }));
  uint64_t next = 0;
  EXPECT_EQ(console_from(0, &next), "usart3: hello from the M4\r\n");
  EXPECT_EQ(next, 27u);
  EXPECT_EQ(console_from(0, &next, 6), "usart3") << "as much as fits";
  EXPECT_EQ(next, 6u);
  const char typed[] = "ok";
  uint32_t taken = 0;
  ASSERT_EQ(host_.writeConsole(std::as_bytes(std::span<const char>(typed, 2)), taken), Object_OK);
  EXPECT_EQ(taken, 2u);
  ASSERT_TRUE(eventually([&] { return result(1) == 2; }));
  EXPECT_TRUE(eventually([&] { return console_from(27, &next) == "OK"; }));
  EXPECT_EQ(next, 29u);
  EXPECT_EQ(console_from(1000, &next), "") << "nothing past the end";
  EXPECT_EQ(next, 29u);
}

TEST_F(HostControlStm32mp15Test, AButtonIsPressedThroughTheHostObject) {
  boot("gpio", 0);
  ASSERT_TRUE(eventually([&] { return result(2) == 1; }));
  EXPECT_EQ(host_.setGpioInput(2, 13, 0), Object_OK);
  ASSERT_TRUE(eventually([&] { return result(0) == 1; }));
  EXPECT_EQ(host_.setGpioInput(2, 13, 2), Object_ERROR_INVALID) << "a level is 0 or 1";
  EXPECT_EQ(host_.setGpioInput(12, 0, 0), Object_ERROR_INVALID) << "no port 12";
  EXPECT_EQ(host_.setGpioInput(0, 16, 0), Object_ERROR_INVALID) << "no pin 16";
}

}  // namespace
}  // namespace captee::platform::testing
