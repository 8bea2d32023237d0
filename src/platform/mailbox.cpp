#include "captee/platform/mailbox.hpp"

namespace captee::platform {

void Mailbox::kick(uint32_t channels) {
  h2f_.fetch_or(channels);
  std::function<void()> waker;
  {
    std::lock_guard<std::mutex> lock(mu_);
    waker = waker_;
  }
  if (waker) {
    waker();
  }
}

void Mailbox::on_firmware_kick(FirmwareKick handler) {
  std::lock_guard<std::mutex> lock(mu_);
  on_kick_ = std::move(handler);
}

void Mailbox::set_waker(std::function<void()> waker) {
  std::lock_guard<std::mutex> lock(mu_);
  waker_ = std::move(waker);
}

uint32_t Mailbox::mmio_read(uint32_t offset) const {
  switch (offset) {
    case kH2fStatus:
      return h2f_.load();
    case kF2hStatus:
      return f2h_.load();
    case kChannels:
      return kChannelCount;
    default:
      return 0;
  }
}

void Mailbox::mmio_write(uint32_t offset, uint32_t value) {
  if (offset == kH2fClear) {
    h2f_.fetch_and(~value);
    return;
  }
  if (offset != kF2hSet || value == 0) {
    return;
  }
  FirmwareKick handler;
  {
    std::lock_guard<std::mutex> lock(mu_);
    handler = on_kick_;
  }
  if (!handler || !handler(value)) {
    f2h_.fetch_or(value);
  }
}

void Mailbox::reset() {
  h2f_.store(0);
  f2h_.store(0);
}

}  // namespace captee::platform
