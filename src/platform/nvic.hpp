// The state of a Cortex-M core's exceptions: which are enabled, pending and
// active, their priorities, and the priority arithmetic of the Armv7-M and
// Armv8-M architecture (priority grouping, execution priority, which pending
// exception is taken next). Pure bookkeeping, owned by the core's thread; the
// only part other threads touch is ExternalLines (peripherals raising IRQs).
//
// Exception numbers are the architecture's: 1 Reset, 2 NMI, 3 HardFault,
// 4 MemManage, 5 BusFault, 6 UsageFault, 11 SVCall, 12 DebugMonitor,
// 14 PendSV, 15 SysTick, 16 + n external interrupt n.
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

namespace captee::platform {

enum : uint32_t {
  kExcReset = 1,
  kExcNmi = 2,
  kExcHardFault = 3,
  kExcMemManage = 4,
  kExcBusFault = 5,
  kExcUsageFault = 6,
  kExcSvcall = 11,
  kExcDebugMonitor = 12,
  kExcPendSv = 14,
  kExcSysTick = 15,
  kExcFirstIrq = 16,
};

// Priorities below every configurable one, and the priority of thread mode
// with nothing active (one more than the lowest configurable priority 255).
inline constexpr int kPriorityReset = -3;
inline constexpr int kPriorityNmi = -2;
inline constexpr int kPriorityHardFault = -1;
inline constexpr int kPriorityThread = 256;

// The processor's masking registers, read from the CPU when needed.
struct ExceptionMasks {
  bool primask = false;
  bool faultmask = false;
  uint8_t basepri = 0;
};

// Interrupt lines as peripherals drive them, from any thread. A line is
// level-sensitive (pending again while it stays asserted) and can also be
// pulsed (pending once). The core's thread folds them into the NVIC.
class ExternalLines {
 public:
  explicit ExternalLines(uint32_t lines) : words_((lines + 31) / 32) {}
  uint32_t words() const { return static_cast<uint32_t>(words_.size()); }
  // False for a line the NVIC does not have.
  bool set_level(uint32_t line, bool asserted);
  bool pulse(uint32_t line);
  // Core thread: what is asserted, and what was pulsed since the last take.
  uint32_t level(uint32_t word) const { return words_[word].level.load(); }
  uint32_t take_pulses(uint32_t word) { return words_[word].pulsed.exchange(0); }
  void clear();

 private:
  struct Word {
    std::atomic<uint32_t> level{0};
    std::atomic<uint32_t> pulsed{0};
  };
  std::vector<Word> words_;
};

class Nvic {
 public:
  // `irqs` external interrupts; `priority_bits` implemented bits of each
  // 8-bit priority (the low bits read as zero, as on hardware).
  Nvic(uint32_t irqs, uint8_t priority_bits);

  // Everything back to its reset value.
  void reset();

  uint32_t irqs() const { return irqs_; }
  uint32_t exceptions() const { return kExcFirstIrq + irqs_; }  // valid numbers are < this
  bool valid(uint32_t n) const { return n >= kExcNmi && n < exceptions(); }

  bool enabled(uint32_t n) const;
  bool pending(uint32_t n) const { return valid(n) && (state_[n] & kPending) != 0; }
  bool active(uint32_t n) const { return valid(n) && (state_[n] & kActive) != 0; }
  void set_enabled(uint32_t n, bool on);
  void set_pending(uint32_t n, bool on);
  void set_active(uint32_t n, bool on);

  // The 8-bit priority register value of a configurable exception (SHPR,
  // NVIC_IPR); writes keep only the implemented bits.
  uint8_t priority_register(uint32_t n) const;
  void set_priority_register(uint32_t n, uint8_t value);
  // The priority used for preemption: -3, -2, -1 for the fixed ones, else
  // the register value.
  int priority(uint32_t n) const;

  // AIRCR.PRIGROUP: group priority is the bits above the binary point.
  uint32_t prigroup() const { return prigroup_; }
  void set_prigroup(uint32_t g) { prigroup_ = g & 7; }
  int group_priority(int priority) const;

  // The configurable-fault enables of SHCSR (MemManage, BusFault, UsageFault).
  bool fault_enabled(uint32_t n) const;
  void set_fault_enabled(uint32_t n, bool on);

  // The execution priority: the highest (lowest number) group priority of
  // the active exceptions, boosted by BASEPRI, PRIMASK and FAULTMASK.
  int execution_priority(const ExceptionMasks &m) const;
  // Without the masks: what the active exceptions alone give.
  int active_priority() const;
  // The pending, enabled exception that would be taken next (lowest group
  // priority, then lowest priority, then lowest number), or 0.
  uint32_t highest_pending() const;
  // Would `n` preempt at execution priority `execution`?
  bool preempts(uint32_t n, int execution) const;
  // How many exceptions are active, and whether any but `n` is.
  uint32_t active_count() const { return active_count_; }

  // Folds the external lines in: pulses and asserted levels become pending
  // (a level only while its interrupt is not active, as a line held high
  // re-pends once the handler returns).
  void sample(ExternalLines &lines);

 private:
  static constexpr uint8_t kEnabled = 1, kPending = 2, kActive = 4;
  uint32_t irqs_;
  uint8_t priority_mask_;
  std::vector<uint8_t> state_;     // per exception number
  std::vector<uint8_t> priority_;  // per exception number (register values)
  uint32_t prigroup_ = 0;
  uint32_t active_count_ = 0;
  uint32_t pending_count_ = 0;
};

}  // namespace captee::platform
