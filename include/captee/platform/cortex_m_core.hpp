// An emulated Cortex-M core (M4 or M33, Thumb-2, M-profile) running firmware
// from the SoC's memory regions, on Unicorn.
//
// The core really executes the loaded image: it boots like hardware (initial
// SP from the vector table's first word, reset handler from the second), runs
// on its own thread, and talks to the host through the mailbox MMIO page. Any
// fault a real core would take into a fatal handler (unmapped access, write to
// a read-only region, undefined instruction, breakpoint, an exception the
// emulation does not model such as SVC) stops it in CRASHED, with a reason and
// the register file, and notifies every crash listener.
//
// WFI and WFE sleep until the host kicks the mailbox (or the core is stopped).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "captee/platform/description.hpp"
#include "captee/platform/mailbox.hpp"
#include "captee/platform/memory_region.hpp"

struct uc_struct;

namespace captee::platform {

// Processor states, numbered as Linux remoteproc numbers them.
enum class CoreState : uint32_t { kOffline = 0, kRunning = 2, kCrashed = 3 };
const char *to_string(CoreState s);

// The architectural registers, as a core dump records them.
struct CoreRegisters {
  uint32_t r[13] = {};
  uint32_t sp = 0, lr = 0, pc = 0, xpsr = 0;
};

struct CrashInfo {
  std::string reason;          // e.g. "read from unmapped address 0x60000000"
  uint32_t fault_address = 0;  // the faulting data address, when there is one
  CoreRegisters registers;
};

class CortexMCore {
 public:
  using CrashListener = std::function<void(const CrashInfo &)>;

  // `regions` and `mailbox` are borrowed and must outlive the core.
  CortexMCore(const ProcessorDescription &desc, std::vector<MemoryRegion *> regions,
              Mailbox &mailbox);
  // Stops the core if it runs.
  ~CortexMCore();
  CortexMCore(const CortexMCore &) = delete;
  CortexMCore &operator=(const CortexMCore &) = delete;

  // Boots from the vector table at `vector_table_da`: OFFLINE -> RUNNING.
  // Fails (returns false, sets *error, state unchanged) if the core is not
  // OFFLINE, the vector table is not in memory, or the emulator cannot start.
  // A bad reset vector is not an error here: like hardware, the core faults
  // and goes to CRASHED.
  bool start(uint32_t vector_table_da, std::string *error);

  // Halts the core and waits for its thread: RUNNING or CRASHED -> OFFLINE.
  // No effect when OFFLINE. Must not be called from a crash listener.
  void stop();

  // Test and diagnostics control: crashes a running core as if it faulted.
  // Returns false if the core was not RUNNING.
  bool inject_crash(const std::string &reason);

  CoreState state() const { return state_.load(); }
  // The most recent crash since start(), if any.
  std::optional<CrashInfo> last_crash() const;
  // Registers at the last halt (stop or crash); all zero before the first.
  CoreRegisters registers() const;
  // Instructions retired since start(), counted in completed slices of the
  // run loop (a lower bound while running; exact only for whole slices).
  uint64_t instructions_retired() const { return retired_.load(); }

  // Registers a listener called on the core's thread right after the state
  // becomes CRASHED. Returns a token for unsubscribe(). Thread-safe.
  uint64_t subscribe(CrashListener listener);
  void unsubscribe(uint64_t token);

 private:
  void run_loop(uint32_t initial_pc);
  void crash(std::string reason, uint32_t fault_address);
  CoreRegisters read_registers() const;
  bool sleeping_instruction_before(uint32_t pc) const;
  std::optional<std::string> take_injected_crash();
  void wait_for_wakeup();

  // Unicorn's callbacks, with Unicorn's exact signatures (defined in the .cpp).
  friend struct CoreHooks;

  ProcessorDescription desc_;
  std::vector<MemoryRegion *> regions_;
  Mailbox &mailbox_;

  std::mutex lifecycle_mu_;  // serialises start/stop
  uc_struct *uc_ = nullptr;
  std::thread thread_;
  std::atomic<CoreState> state_{CoreState::kOffline};
  std::atomic<bool> stop_requested_{false};
  std::atomic<uint64_t> retired_{0};

  // Set by hooks on the core thread, read after uc_emu_start returns.
  std::optional<std::string> pending_fault_;
  uint32_t pending_fault_address_ = 0;

  std::mutex wake_mu_;
  std::condition_variable wake_cv_;
  uint64_t wake_generation_ = 0;

  mutable std::mutex info_mu_;  // guards the fields below
  std::optional<CrashInfo> last_crash_;
  CoreRegisters halted_registers_;
  std::optional<std::string> injected_;
  std::map<uint64_t, CrashListener> listeners_;
  uint64_t next_token_ = 1;
};

}  // namespace captee::platform
