// An emulated Cortex-M core (M4 or M33, Thumb-2, M-profile) running firmware
// from the SoC's memory regions, on Unicorn.
//
// The core really executes the loaded image: it boots like hardware (initial
// SP from the vector table's first word, reset handler from the second), runs
// on its own thread, and talks to the host through the mailbox MMIO page (in
// the layout its description names: the STM32MP15's IPCC, whose interrupts
// reach the NVIC, or captee's own) and its interrupt lines. A data access to
// a peripheral of the description's SoC map that the platform does not model
// crashes the core, naming the peripheral and the address. It has the M-profile exception model
// (NVIC, SysTick, the System Control Block, exception entry and return, faults delivered to the
// firmware's handlers), as docs/REMOTEPROC.md ("Exceptions and interrupts") describes: Unicorn
// executes instructions, and this class takes exceptions between them.
//
// What a real core cannot get out of (a lock-up: a fault at HardFault
// priority, no usable HardFault handler, a stack the exception frame cannot
// be written to), and a firmware stuck in a fault handler or in handler mode,
// stop it in CRASHED with a reason and the register file, and every crash
// listener is told.
//
// WFI and WFE sleep until an exception would wake the core, the host kicks
// the mailbox, or the core is stopped; the core's clock goes on in real time
// meanwhile, so SysTick wakes a sleeping firmware.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "captee/platform/description.hpp"
#include "captee/platform/gpio_pins.hpp"
#include "captee/platform/interrupt_lines.hpp"
#include "captee/platform/mailbox.hpp"
#include "captee/platform/memory_region.hpp"
#include "captee/platform/uart_console.hpp"

struct uc_struct;

namespace captee::platform {

class Ipcc;
class Peripheral;
class GpioBank;

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

class CortexMCore : public InterruptLines {
 public:
  using CrashListener = std::function<void(const CrashInfo &)>;

  // `regions` and `mailbox` are borrowed and must outlive the core.
  CortexMCore(const ProcessorDescription &desc, std::vector<MemoryRegion *> regions,
              Mailbox &mailbox);
  // Stops the core if it runs.
  ~CortexMCore() override;
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
  // Instructions retired since start(), brought up to date at least every
  // million instructions and whenever the core stops or sleeps.
  uint64_t instructions_retired() const { return retired_.load(); }
  // The core's clock since start(): instructions plus the cycles credited
  // while asleep. Updated like instructions_retired().
  uint64_t cycles() const { return cycles_.load(); }
  // Exceptions taken and firmware-requested resets (AIRCR.SYSRESETREQ)
  // since start().
  uint64_t exceptions_taken() const { return exceptions_.load(); }
  // Of those, how many were tail-chained (entered from a returning handler
  // without unstacking and stacking again).
  uint64_t tail_chains() const { return tail_chains_.load(); }
  uint32_t resets() const { return resets_.load(); }

  // The NVIC's external lines (InterruptLines). Thread-safe; lines keep
  // their level across stop() and start() (a peripheral drives them), and
  // a pulse only reaches a running core.
  bool set_irq_level(uint32_t irq, bool asserted) override;
  bool pulse_irq(uint32_t irq) override;

  // The host's end of the board's console UART (the description's USART3
  // model), or nullptr when the platform has none. Borrowed from the core.
  UartConsole *console() { return console_; }
  // The host's hand on the GPIO pins (the description's GPIO and EXTI
  // models), or nullptr. Borrowed from the core.
  GpioPins *gpio();

  // Registers a listener called on the core's thread right after the state
  // becomes CRASHED. Returns a token for unsubscribe(). Thread-safe.
  uint64_t subscribe(CrashListener listener);
  void unsubscribe(uint64_t token);

 private:
  // The core thread's own state: the exception model and the clock
  // (defined in cortex_m_core.cpp).
  struct Machine;

  // A new Unicorn instance over the regions, booting from `vector_table_da`.
  bool setup_engine(uint32_t vector_table_da, bool cold, uint32_t *reset_pc, std::string *error);
  void run_loop(uint32_t initial_pc);
  void crash(std::string reason, uint32_t fault_address, std::optional<uint32_t> pc = {});
  CoreRegisters read_registers() const;
  std::optional<std::string> take_injected_crash();
  void wake();

  // Unicorn's callbacks, with Unicorn's exact signatures (defined in the .cpp).
  friend struct CoreHooks;

  ProcessorDescription desc_;
  std::vector<MemoryRegion *> regions_;
  Mailbox &mailbox_;
  // The mailbox's register face when the layout is the STM32MP15's IPCC;
  // null for captee's layout (Mailbox::mmio_read/mmio_write).
  std::unique_ptr<Ipcc> ipcc_;
  // The GPIO ports' and the EXTI's shared state, when modelled; declared
  // before the peripherals that borrow it.
  std::unique_ptr<GpioBank> gpio_;
  // The modelled peripherals of the description's map, mapped at each
  // engine set-up and reset at each boot. Filled by the constructor only, so
  // Unicorn may keep pointers to the elements.
  struct MappedPeripheral {
    uint32_t base = 0;
    uint32_t size = 0;
    std::unique_ptr<Peripheral> model;
    CortexMCore *core = nullptr;
  };
  std::vector<MappedPeripheral> peripherals_;
  UartConsole *console_ = nullptr;  // one of peripherals_, when modelled

  std::mutex lifecycle_mu_;  // serialises start/stop
  uc_struct *uc_ = nullptr;
  std::unique_ptr<Machine> machine_;
  std::thread thread_;
  std::atomic<CoreState> state_{CoreState::kOffline};
  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> injected_pending_{false};
  // Something for the core thread to look at (stop, crash injection, an
  // interrupt line): checked between basic blocks.
  std::atomic<bool> attention_{false};
  std::atomic<uint64_t> retired_{0};
  std::atomic<uint64_t> cycles_{0};
  std::atomic<uint64_t> exceptions_{0};
  std::atomic<uint64_t> tail_chains_{0};
  std::atomic<uint32_t> resets_{0};

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
