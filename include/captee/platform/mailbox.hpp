// The emulated inter-processor mailbox of one remote processor: the channel
// flags each way and the host's face to them.
//
// Firmware and host kick each other through numbered channels. The host side
// calls kick() and is told of firmware kicks through a callback. The firmware
// sees a 4 KiB MMIO page in one of two register layouts: the STM32MP15's IPCC
// (the default; src/platform/ipcc.hpp, which raises the M4's two IPCC
// interrupts) with 6 channels, or captee's own layout below with 32 channels,
// which raises no interrupt line, so firmware polls H2F_STATUS or sleeps in
// WFI, which a host kick ends.
//
// captee's layout (32-bit, offsets into the mailbox page):
//   0x00 H2F_STATUS  R   channels the host kicked that the firmware has not cleared
//   0x04 H2F_CLEAR   W   write 1s to clear H2F_STATUS bits
//   0x08 F2H_SET     W   write 1s to kick the host on those channels
//   0x0C F2H_STATUS  R   channels the firmware kicked that the host has not acked
//   0x10 CHANNELS    R   number of channels (32)
// Other offsets read as 0 and ignore writes, like reserved registers.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>

namespace captee::platform {

class Mailbox {
 public:
  static constexpr uint32_t kH2fStatus = 0x00;
  static constexpr uint32_t kH2fClear = 0x04;
  static constexpr uint32_t kF2hSet = 0x08;
  static constexpr uint32_t kF2hStatus = 0x0C;
  static constexpr uint32_t kChannels = 0x10;
  static constexpr uint32_t kChannelCount = 32;  // of captee's layout

  // `channels`: how many channels the layout has, 1 to 32; kicks on others
  // are dropped.
  explicit Mailbox(uint32_t channels = kChannelCount)
      : mask_(channels >= 32 ? 0xFFFFFFFFu : (1u << channels) - 1u) {}
  uint32_t channel_mask() const { return mask_; }

  // Called on the core's thread with the channels the firmware just raised,
  // before they show in F2H_STATUS. Returns true if it took them (they are
  // then never pending), false to leave them pending for ack(). Must be quick
  // and must not call back into the core (stop/start).
  using FirmwareKick = std::function<bool(uint32_t channels)>;

  // Host side: raise `channels` toward the firmware and wake it from WFI.
  // Thread-safe.
  void kick(uint32_t channels);
  // Host side: acknowledge firmware kicks (the channels are free again).
  // Thread-safe.
  void ack(uint32_t channels);
  uint32_t host_pending() const { return f2h_.load(); }
  uint32_t firmware_pending() const { return h2f_.load(); }

  // Installs the host's kick handler (replacing any previous one).
  void on_firmware_kick(FirmwareKick handler);

  // Core side: the firmware raises `channels` toward the host (the handler
  // may take them) and clears host kicks it has handled. Any register
  // layout uses these.
  void firmware_raise(uint32_t channels);
  void firmware_clear(uint32_t channels);

  // Core side: MMIO accesses from the emulated firmware, in captee's layout.
  uint32_t mmio_read(uint32_t offset) const;
  void mmio_write(uint32_t offset, uint32_t value);

  // Core side: called after any flag changes from the host side (kick, ack,
  // reset), so the core wakes from WFI or the register layout updates its
  // interrupt lines. Must not call back into the mailbox's host side.
  void set_waker(std::function<void()> waker);

  // Clears all pending bits (on processor stop).
  void reset();

 private:
  void changed();

  const uint32_t mask_;
  std::atomic<uint32_t> h2f_{0};
  std::atomic<uint32_t> f2h_{0};
  mutable std::mutex mu_;  // guards the two callbacks
  FirmwareKick on_kick_;
  std::function<void()> waker_;
};

}  // namespace captee::platform
