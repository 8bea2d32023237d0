#include "usart.hpp"

#include <algorithm>

namespace captee::platform {

uint32_t Usart::isr_locked() const {
  const uint32_t cr1 = regs_[kCr1 / 4];
  if ((cr1 & kCr1Ue) == 0) {
    return kIsrTc | kIsrTxe | kIsrTxfe;
  }
  uint32_t isr = kIsrTc | kIsrTxe | kIsrTxfe;
  if (cr1 & kCr1Te) {
    isr |= kIsrTeack;
  }
  if (cr1 & kCr1Re) {
    isr |= kIsrReack;
    if (!input_.empty()) {
      isr |= kIsrRxne;
    }
  }
  return isr;
}

void Usart::update_line_locked() {
  const uint32_t cr1 = regs_[kCr1 / 4];
  const uint32_t isr = isr_locked();
  const bool level = ((cr1 & kCr1Rxneie) && (isr & kIsrRxne)) ||
                     ((cr1 & kCr1Txeie) && (isr & kIsrTxe)) || ((cr1 & kCr1Tcie) && (isr & kIsrTc));
  lines_.set_irq_level(irq_, level);
}

uint32_t Usart::read(uint32_t offset, unsigned size) {
  std::lock_guard<std::mutex> lock(mu_);
  const uint32_t word_offset = offset & ~3u;
  uint32_t word = 0;
  switch (word_offset) {
    case kIsr:
      word = isr_locked();
      break;
    case kRdr:
      if (!input_.empty()) {
        word = input_.front();
        if ((regs_[kCr1 / 4] & (kCr1Ue | kCr1Re)) == (kCr1Ue | kCr1Re)) {
          input_.pop_front();  // reading RDR takes the byte and clears RXNE
          update_line_locked();
        }
      }
      break;
    case kRqr:
    case kIcr:
    case kTdr:
      break;  // write-only
    default:
      if (word_offset < sizeof regs_) {
        word = regs_[word_offset / 4];
      }
      break;
  }
  return read_lanes(word, offset, size);
}

void Usart::write(uint32_t offset, unsigned size, uint32_t value) {
  std::lock_guard<std::mutex> lock(mu_);
  const uint32_t word_offset = offset & ~3u;
  const uint32_t bits = written_lanes(value, offset, size);
  switch (word_offset) {
    case kTdr:
      if ((regs_[kCr1 / 4] & (kCr1Ue | kCr1Te)) == (kCr1Ue | kCr1Te)) {
        if (log_.size() >= kOutputKept) {
          log_.pop_front();
        }
        log_.push_back(static_cast<char>(bits & 0xFFu));
        ++total_;
      }
      break;
    case kRqr:
      if (bits & kRqrRxfrq) {
        input_.clear();
      }
      break;
    case kIsr:
    case kIcr:
    case kRdr:
      break;  // read-only, or nothing to clear
    default:
      if (word_offset < sizeof regs_) {
        regs_[word_offset / 4] = merge_lanes(regs_[word_offset / 4], value, offset, size);
      }
      break;
  }
  update_line_locked();
}

void Usart::reset() {
  std::lock_guard<std::mutex> lock(mu_);
  for (uint32_t &r : regs_) {
    r = 0;
  }
  input_.clear();
  update_line_locked();
}

std::string Usart::output() const {
  std::lock_guard<std::mutex> lock(mu_);
  return std::string(log_.begin(), log_.end());
}

std::string Usart::output_from(uint64_t from, size_t max, uint64_t *first) const {
  std::lock_guard<std::mutex> lock(mu_);
  const uint64_t oldest = total_ - log_.size();  // the number of log_.front()
  const uint64_t start = std::min(std::max(from, oldest), total_);
  const size_t skip = static_cast<size_t>(start - oldest);
  const size_t len = std::min(max, log_.size() - skip);
  *first = start;
  auto begin = log_.begin() + static_cast<std::ptrdiff_t>(skip);
  return std::string(begin, begin + static_cast<std::ptrdiff_t>(len));
}

uint64_t Usart::output_total() const {
  std::lock_guard<std::mutex> lock(mu_);
  return total_;
}

size_t Usart::send(std::span<const uint8_t> bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  const size_t room = kInputQueued - std::min(input_.size(), kInputQueued);
  const size_t taken = std::min(room, bytes.size());
  input_.insert(input_.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(taken));
  update_line_locked();
  return taken;
}

}  // namespace captee::platform
