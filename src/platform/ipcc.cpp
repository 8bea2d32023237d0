#include "ipcc.hpp"

#include "peripheral.hpp"

namespace captee::platform {

namespace {

// Identification registers of the IPCC (RM0436).
constexpr uint32_t kHwcfgrValue = Ipcc::kChannels;  // CHANNELS[7:0]
constexpr uint32_t kVerrValue = 0x00000010;         // revision 1.0
constexpr uint32_t kIpidrValue = 0x00100071;
constexpr uint32_t kSidrValue = 0xA3C5DD01;

constexpr uint32_t kCrBits = Ipcc::kCrRxoie | Ipcc::kCrTxfie;

}  // namespace

uint32_t Ipcc::read_word(uint32_t offset) const {
  switch (offset) {
    case kC1ToC2Sr:
      return mailbox_.firmware_pending() & kChannelMask;
    case kC2ToC1Sr:
      return mailbox_.host_pending() & kChannelMask;
    case kC2Cr: {
      std::lock_guard<std::mutex> lock(mu_);
      return cr_;
    }
    case kC2Mr: {
      std::lock_guard<std::mutex> lock(mu_);
      return mr_;
    }
    case kHwcfgr:
      return kHwcfgrValue;
    case kVerr:
      return kVerrValue;
    case kIpidr:
      return kIpidrValue;
    case kSidr:
      return kSidrValue;
    default:
      return 0;  // C1CR, C1MR, the write-only C1SCR and C2SCR, reserved offsets
  }
}

uint32_t Ipcc::read(uint32_t offset, unsigned size) const {
  return read_lanes(read_word(offset & ~3u), offset, size);
}

void Ipcc::write(uint32_t offset, unsigned size, uint32_t value) {
  const uint32_t bits = written_lanes(value, offset, size);
  switch (offset & ~3u) {
    case kC2Cr: {
      std::lock_guard<std::mutex> lock(mu_);
      cr_ = merge_lanes(cr_, value, offset, size) & kCrBits;
      break;
    }
    case kC2Mr: {
      std::lock_guard<std::mutex> lock(mu_);
      mr_ = merge_lanes(mr_, value, offset, size) & kMrReset;
      break;
    }
    case kC2Scr:
      // Clear first: a write that both clears and sets acts on two different
      // directions, so the order is not visible, but the host's flags drop
      // before the host hears of the new kick. Setting a flag that is still
      // set is no new event, as on the SoC: the host hears only of flags
      // that change.
      mailbox_.firmware_clear(bits & kChannelMask);
      mailbox_.firmware_raise((bits >> 16) & kChannelMask & ~mailbox_.host_pending());
      break;
    default:
      return;  // read-only, the host's registers, or reserved
  }
  update();
}

void Ipcc::reset() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    cr_ = 0;
    mr_ = kMrReset;
  }
  update();
}

void Ipcc::update() {
  std::lock_guard<std::mutex> lock(mu_);
  const uint32_t occupied = mailbox_.firmware_pending() & ~mr_ & kChannelMask;
  const uint32_t free = ~mailbox_.host_pending() & ~(mr_ >> 16) & kChannelMask;
  lines_.set_irq_level(kRxIrq, (cr_ & kCrRxoie) != 0 && occupied != 0);
  lines_.set_irq_level(kTxIrq, (cr_ & kCrTxfie) != 0 && free != 0);
}

}  // namespace captee::platform
