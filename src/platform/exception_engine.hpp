// Exception entry and return of a Cortex-M core, done on Unicorn's register
// file and the processor's memory, because Unicorn 2 does neither for
// M-profile: it reports SVC, BKPT and faults to a hook and drops them, and
// reports a branch to an EXC_RETURN value in handler mode as its internal
// "exception exit" (docs/REMOTEPROC.md, "Exceptions and interrupts").
//
// Entry stacks the basic frame (R0-R3, R12, LR, return address, xPSR), or the
// extended frame with S0-S15 and FPSCR when the interrupted code has FP
// context (CONTROL.FPCA), on the stack in use, 8-byte aligned; sets LR to the
// EXC_RETURN value, IPSR to the exception, CONTROL.SPSEL and FPCA to 0, and
// branches to the vector. Return checks EXC_RETURN, deactivates the
// exception, tail-chains into a pending exception that preempts the
// priority being returned to, or unstacks. Faults escalate to HardFault as
// the architecture says (disabled, or not able to preempt); what cannot be
// taken at all (a fault at HardFault priority, a HardFault vector that is not
// a handler, a stack the frame cannot be written to) locks the core up, and
// the caller reports that as a crash.
//
// Everything runs on the core's thread, between instructions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "captee/platform/memory_region.hpp"
#include "system_control_space.hpp"

struct uc_struct;

namespace captee::platform {

// A synchronous exception: what the instruction at `return_address` (or the
// one before it, for SVC) caused.
struct Fault {
  uint32_t exception = 0;  // kExcMemManage, kExcBusFault, kExcUsageFault, kExcSvcall, kExcHardFault
  uint32_t cfsr = 0;       // CFSR bits to set
  uint32_t hfsr = 0;       // HFSR bits to set (a debug event goes straight to HardFault)
  uint32_t dfsr = 0;
  std::optional<uint32_t> address;  // for MMFAR / BFAR
  std::string what;                 // "undefined instruction", "read from unmapped address 0x..."
};

// Where execution goes on, or why it cannot.
struct Transfer {
  bool lockup = false;
  uint32_t pc = 0;  // the next instruction, with bit 0 as the EPSR.T to run it with
  // For a lock-up: the reason and the faulting data address (0 if none).
  std::string reason;
  uint32_t fault_address = 0;
  uint32_t context_pc = 0;  // the PC of the context that could not be left
};

class ExceptionEngine {
 public:
  // `lines` are sampled when an exception returns, so an interrupt whose
  // line is still asserted tail-chains.
  ExceptionEngine(const ProcessorDescription &desc, std::vector<MemoryRegion *> regions,
                  SystemControlSpace &scs, ExternalLines &lines);

  // The engine of a (new) Unicorn instance; called at every start and reset.
  void attach(uc_struct *uc) { uc_ = uc; }
  // Forgets the event register and the fault being handled, at a reset;
  // `counters` too at a boot.
  void restart(bool counters) {
    event_ = false;
    fault_reason_.clear();
    if (counters) {
      taken_ = chained_ = 0;
    }
  }

  // The masks of the running code (PRIMASK, FAULTMASK, BASEPRI).
  ExceptionMasks masks() const;
  uint32_t ipsr() const;
  int execution_priority() const { return scs_.nvic().execution_priority(masks()); }

  // Takes pending exception `n` (which preempts now) at an instruction
  // boundary; `return_address` is the next instruction to run.
  Transfer take(uint32_t n, uint32_t return_address);
  // Raises a synchronous exception caused at `return_address`.
  Transfer raise(const Fault &fault, uint32_t return_address);
  // The firmware branched to `exc_return` in handler mode.
  Transfer exception_return(uint32_t exc_return);

  // Events a WFE sees: set by exception entry and return.
  bool take_event() { return std::exchange(event_, false); }

  // The reason of the fault being handled, from its first fault exception
  // until no fault exception is active (for the "stuck in a fault handler"
  // crash rule), and the counter of exceptions taken.
  const std::string &fault_reason() const { return fault_reason_; }
  uint64_t exceptions_taken() const { return taken_; }
  uint64_t tail_chains() const { return chained_; }
  bool in_fault_handler() const;

  static const char *name(uint32_t exception);
  // "IRQ 5", "SysTick", ...
  static std::string describe(uint32_t exception);

 private:
  struct Context;
  Context snapshot() const;
  bool read_word(uint32_t address, uint32_t *value) const;
  bool write_words(uint32_t address, const uint32_t *words, size_t count);
  bool read_words(uint32_t address, uint32_t *words, size_t count) const;
  // Resolves the handler of `target` (redirecting to HardFault on a bad
  // vector); false with `why` set when that locks the core up.
  bool resolve_vector(uint32_t *target, uint32_t *handler, int execution, std::string *why);
  Transfer enter(uint32_t target, uint32_t return_address, const Context &ctx,
                 const std::string &what);
  Transfer chain(uint32_t target, uint32_t exc_return, const std::string &what);
  Transfer lockup(std::string reason, uint32_t context_pc, uint32_t fault_address = 0);
  void apply_mode(uint32_t ipsr_value, uint32_t control, uint32_t msp, uint32_t psp);
  void activated(uint32_t n, const std::string &what);
  uint32_t exc_return_bits(bool handler, bool psp, bool fp) const;
  bool valid_exc_return(uint32_t v) const;

  uc_struct *uc_ = nullptr;
  std::vector<MemoryRegion *> regions_;
  SystemControlSpace &scs_;
  ExternalLines &lines_;
  bool armv8_;
  bool event_ = false;
  std::string fault_reason_;
  uint64_t taken_ = 0;
  uint64_t chained_ = 0;
};

}  // namespace captee::platform
