#include "captee/platform/mailbox.hpp"

namespace captee::platform {

void Mailbox::changed() {
  std::function<void()> waker;
  {
    std::lock_guard<std::mutex> lock(mu_);
    waker = waker_;
  }
  if (waker) {
    waker();
  }
}

void Mailbox::kick(uint32_t channels) {
  h2f_.fetch_or(channels & mask_);
  changed();
}

void Mailbox::ack(uint32_t channels) {
  f2h_.fetch_and(~channels);
  changed();
}

void Mailbox::on_firmware_kick(FirmwareKick handler) {
  std::lock_guard<std::mutex> lock(mu_);
  on_kick_ = std::move(handler);
}

void Mailbox::set_waker(std::function<void()> waker) {
  std::lock_guard<std::mutex> lock(mu_);
  waker_ = std::move(waker);
}

void Mailbox::firmware_raise(uint32_t channels) {
  channels &= mask_;
  if (channels == 0) {
    return;
  }
  FirmwareKick handler;
  {
    std::lock_guard<std::mutex> lock(mu_);
    handler = on_kick_;
  }
  if (!handler || !handler(channels)) {
    f2h_.fetch_or(channels);
  }
}

void Mailbox::firmware_clear(uint32_t channels) {
  h2f_.fetch_and(~channels);
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
    firmware_clear(value);
  } else if (offset == kF2hSet) {
    firmware_raise(value);
  }
}

void Mailbox::reset() {
  h2f_.store(0);
  f2h_.store(0);
  changed();
}

}  // namespace captee::platform
