#include "captee/platform/cortex_m_core.hpp"

#include <unicorn/unicorn.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "captee/detail/hex.hpp"
#include "exception_engine.hpp"
#include "gpio.hpp"
#include "ipcc.hpp"
#include "peripheral.hpp"
#include "system_control_space.hpp"

namespace captee::platform {

const char *to_string(CoreState s) {
  switch (s) {
    case CoreState::kOffline:
      return "offline";
    case CoreState::kRunning:
      return "running";
    case CoreState::kCrashed:
      return "crashed";
  }
  return "unknown";
}

namespace {

using captee::detail::hex32;

// The core thread looks at the clock at least this often (instructions), so
// instructions_retired() and cycles() stay fresh.
constexpr uint64_t kPublishInterval = 1'000'000;
// WFI and WFE sleep at most this long before re-checking (a wake-up the
// architecture allows), so a lost wake-up can only delay the firmware.
constexpr auto kMaxSleep = std::chrono::milliseconds(50);

constexpr uint16_t kThumbWfi = 0xBF30, kThumbWfe = 0xBF20, kThumbYield = 0xBF10;

enum class Hint { kNone, kWfi, kWfe, kYield };

// The hint instruction at `pc`, 16-bit or 32-bit (WFI.W and friends).
Hint hint_at(uc_engine *uc, uint32_t pc) {
  uint16_t insn[2] = {};
  if (uc_mem_read(uc, pc, insn, sizeof insn) != UC_ERR_OK &&
      uc_mem_read(uc, pc, insn, sizeof insn[0]) != UC_ERR_OK) {
    return Hint::kNone;
  }
  uint16_t hint = insn[0];
  if (insn[0] == 0xF3AF && (insn[1] & 0xFF00) == 0x8000) {
    hint = static_cast<uint16_t>(0xBF00 | ((insn[1] & 0xF) << 4));
  }
  switch (hint) {
    case kThumbWfi:
      return Hint::kWfi;
    case kThumbWfe:
      return Hint::kWfe;
    case kThumbYield:
      return Hint::kYield;
    default:
      return Hint::kNone;
  }
}

uint32_t reg(uc_engine *uc, int r) {
  uint32_t v = 0;
  uc_reg_read(uc, r, &v);
  return v;
}

std::string imm8_at(uc_engine *uc, uint32_t pc) {
  uint16_t insn = 0;
  if (uc_mem_read(uc, pc, &insn, sizeof insn) != UC_ERR_OK) {
    return "";
  }
  return " #" + std::to_string(insn & 0xFF);
}

}  // namespace

// Why the core thread stopped Unicorn from one of its hooks.
enum class StopReason { kNone, kControl, kReset, kCrash, kSleep };

struct CortexMCore::Machine : ScsEnvironment {
  Machine(const ProcessorDescription &desc, std::vector<MemoryRegion *> regions)
      : lines(desc.irqs),
        scs(desc, *this),
        engine(desc, std::move(regions), scs, lines),
        clock_hz(desc.clock_hz),
        fault_budget(desc.clock_hz / 10),
        handler_budget(desc.clock_hz) {}

  uint64_t cycles() override { return insns + slept; }
  uint32_t current_exception() override { return engine.ipsr(); }
  void exception_state_changed() override { check = true; }
  void reset_requested() override {
    reset = true;
    check = true;
  }

  // A fresh start: at boot (`cold`: the clock starts at 0) or at the
  // firmware's reset request (the clock goes on).
  void restart(uint32_t vector_table, bool cold) {
    scs.reset(vector_table);
    engine.restart(cold);
    boot_vector_table = vector_table;
    if (cold) {
      insns = slept = 0;
    }
    next_check = 0;
    check = true;
    masked_pending = reset = false;
    in_handler = in_fault = false;
    handler_since = fault_since = 0;
    at_reset = true;
  }

  ExternalLines lines;                // driven from any thread
  std::vector<Peripheral *> clocked;  // peripherals counting the clock (timers)
  SystemControlSpace scs;
  ExceptionEngine engine;
  const uint64_t clock_hz;
  // The crash rules (docs/REMOTEPROC.md): 0.1 s of the core's clock inside a
  // fault handler, 1 s without returning to thread mode.
  const uint64_t fault_budget;
  const uint64_t handler_budget;

  uint64_t insns = 0;           // retired instructions (the code hook counts them)
  uint64_t slept = 0;           // cycles credited while asleep
  uint64_t next_check = 0;      // the code hook asks for a look once insns reaches it
  bool check = true;            // the next block boundary runs the slow path
  bool masked_pending = false;  // something is pending but masked: look at every block
  bool reset = false;           // the firmware asked for a reset
  uint32_t last_pc = 0;         // the instruction being executed
  uint32_t boot_vector_table = 0;
  bool at_reset = true;  // nothing has run since the last (re)start

  StopReason stop = StopReason::kNone;
  uint32_t resume_pc = 0;
  std::optional<Fault> memory_fault;  // from the invalid-memory hook
  uint32_t memory_fault_pc = 0;
  struct PendingCrash {
    std::string reason;
    uint32_t fault_address = 0;
    uint32_t pc = 0;
  };
  std::optional<PendingCrash> crash;

  bool in_handler = false;
  uint64_t handler_since = 0;
  bool in_fault = false;
  uint64_t fault_since = 0;
};

struct CoreHooks {
  static CortexMCore::Machine &m(void *user) { return *static_cast<CortexMCore *>(user)->machine_; }

  static void code(uc_engine *, uint64_t address, uint32_t, void *user) {
    CortexMCore::Machine &mc = m(user);
    mc.last_pc = static_cast<uint32_t>(address);
    if (++mc.insns >= mc.next_check) {
      mc.check = true;
    }
  }

  static void block(uc_engine *, uint64_t address, uint32_t, void *user) {
    auto *core = static_cast<CortexMCore *>(user);
    CortexMCore::Machine &mc = *core->machine_;
    if (mc.check || mc.masked_pending || core->attention_.load(std::memory_order_relaxed)) {
      slow_path(*core, static_cast<uint32_t>(address));
    }
  }

  // Stops Unicorn before the instruction at `pc`, to go on there later.
  static void stop(CortexMCore &core, StopReason why, uint32_t pc) {
    CortexMCore::Machine &mc = *core.machine_;
    mc.stop = why;
    mc.resume_pc = pc;
    uc_emu_stop(core.uc_);
  }

  static void publish(CortexMCore &core) {
    CortexMCore::Machine &mc = *core.machine_;
    core.retired_.store(mc.insns, std::memory_order_relaxed);
    core.cycles_.store(mc.cycles(), std::memory_order_relaxed);
    core.exceptions_.store(mc.engine.exceptions_taken(), std::memory_order_relaxed);
    core.tail_chains_.store(mc.engine.tail_chains(), std::memory_order_relaxed);
  }

  // Brings the timers and interrupt lines up to the clock.
  static void advance(CortexMCore::Machine &mc) {
    if (mc.scs.systick().advance(mc.cycles())) {
      mc.scs.nvic().set_pending(kExcSysTick, true);
    }
    for (Peripheral *p : mc.clocked) {
      p->advance(mc.cycles());  // drives its lines, which the NVIC samples next
    }
    mc.scs.nvic().sample(mc.lines);
  }

  // Keeps the handler-mode and fault-handler clocks after a change of mode.
  static void track_mode(CortexMCore::Machine &mc) {
    const bool handler = mc.engine.ipsr() != 0;
    if (handler && !mc.in_handler) {
      mc.handler_since = mc.cycles();
    }
    mc.in_handler = handler;
    const bool fault = mc.engine.in_fault_handler();
    if (fault && !mc.in_fault) {
      mc.fault_since = mc.cycles();
    }
    mc.in_fault = fault;
  }

  // The crash rules for a firmware that does not get out of a handler.
  static std::optional<std::string> stuck(CortexMCore::Machine &mc) {
    const uint64_t now = mc.cycles();
    if (mc.in_fault && now - mc.fault_since >= mc.fault_budget) {
      return "stuck in the " + ExceptionEngine::describe(mc.engine.ipsr()) + " handler for " +
             std::to_string(now - mc.fault_since) + " cycles after " + mc.engine.fault_reason();
    }
    if (mc.in_handler && now - mc.handler_since >= mc.handler_budget) {
      return "no return to thread mode for " + std::to_string(now - mc.handler_since) +
             " cycles (1 s of the core's clock): an exception storm or a handler that never "
             "returns; now in " +
             ExceptionEngine::describe(mc.engine.ipsr());
    }
    return std::nullopt;
  }

  // When the code hook should next ask for a look: the next timer event, a
  // crash-rule deadline, or the publishing interval.
  static void schedule(CortexMCore::Machine &mc) {
    const uint64_t now = mc.cycles();
    uint64_t next = std::min(mc.scs.systick().next_event(), now + kPublishInterval);
    for (const Peripheral *p : mc.clocked) {
      next = std::min(next, p->next_event());
    }
    if (mc.in_fault) {
      next = std::min(next, mc.fault_since + mc.fault_budget);
    }
    if (mc.in_handler) {
      next = std::min(next, mc.handler_since + mc.handler_budget);
    }
    next = std::max(next, now + 1);
    mc.next_check = next - mc.slept;
  }

  // Goes on at `t.pc`, or stops the core when the transfer locked it up.
  static void follow(CortexMCore &core, const Transfer &t) {
    CortexMCore::Machine &mc = *core.machine_;
    if (t.lockup) {
      mc.crash = CortexMCore::Machine::PendingCrash{t.reason, t.fault_address, t.context_pc};
      stop(core, StopReason::kCrash, t.context_pc);
      return;
    }
    track_mode(mc);
    mc.check = true;  // the new priority may unmask something pending
    uint32_t pc = t.pc;
    uc_reg_write(core.uc_, UC_ARM_REG_PC, &pc);
  }

  // Between basic blocks (nothing of the block at `pc` has run yet): stop,
  // timers, lines, crash rules, and taking the pending exception.
  static void slow_path(CortexMCore &core, uint32_t pc) {
    CortexMCore::Machine &mc = *core.machine_;
    mc.check = false;
    core.attention_.store(false, std::memory_order_relaxed);
    publish(core);
    if (core.stop_requested_.load() || core.injected_pending_.load()) {
      return stop(core, StopReason::kControl, pc);
    }
    if (mc.reset) {
      return stop(core, StopReason::kReset, pc);
    }
    advance(mc);
    if (std::optional<std::string> why = stuck(mc)) {
      mc.crash = CortexMCore::Machine::PendingCrash{*why, 0, pc};
      return stop(core, StopReason::kCrash, pc);
    }
    Nvic &nvic = mc.scs.nvic();
    mc.masked_pending = false;
    if (const uint32_t n = nvic.highest_pending(); n != 0) {
      if (nvic.preempts(n, mc.engine.execution_priority())) {
        follow(core, mc.engine.take(n, pc));
        schedule(mc);
        return;
      }
      // Held back by PRIMASK, BASEPRI or FAULTMASK, which the firmware
      // changes with instructions that end a basic block: look again at every
      // block. Held back by an active exception, it waits for a return, which
      // the core sees anyway.
      mc.masked_pending = nvic.preempts(n, nvic.active_priority());
    }
    schedule(mc);
  }

  // Synchronous exceptions Unicorn reports (QEMU's numbers), and the
  // exception-return branch.
  static void interrupt(uc_engine *uc, uint32_t intno, void *user) {
    auto *core = static_cast<CortexMCore *>(user);
    CortexMCore::Machine &mc = *core->machine_;
    const uint32_t pc = reg(uc, UC_ARM_REG_PC);
    Fault f;
    switch (intno) {
      case 2:  // SVC: the PC is past the instruction, the return address
        f = {kExcSvcall, 0, 0, 0, std::nullopt, "SVC" + imm8_at(uc, pc - 2)};
        break;
      case 7:  // BKPT, with no debugger: a debug event, taken by HardFault
        f = {kExcHardFault, 0, kHfsrDebugevt, kDfsrBkpt, std::nullopt, "breakpoint (BKPT)"};
        break;
      case 8: {       // a branch to EXC_RETURN in handler mode; PC holds it without bit 0
        advance(mc);  // a timer that expired meanwhile may tail-chain
        const bool thumb = (reg(uc, UC_ARM_REG_XPSR) & (1u << 24)) != 0;
        const Transfer t = mc.engine.exception_return(pc | (thumb ? 1 : 0));
        if (!t.lockup && mc.scs.scb().sleeponexit() && mc.engine.ipsr() == 0) {
          track_mode(mc);
          return stop(*core, StopReason::kSleep, t.pc);  // back in thread mode, and asleep
        }
        follow(*core, t);
        return;
      }
      case 17:
        f = {kExcUsageFault, kCfsrNocp, 0, 0, std::nullopt, "coprocessor instruction refused"};
        break;
      case 19:
        f = {kExcUsageFault, kCfsrStkof, 0, 0, std::nullopt, "stack overflow (stack limit)"};
        break;
      case 22:
        f = {kExcUsageFault, kCfsrUnaligned, 0, 0, std::nullopt, "unaligned access"};
        break;
      default:
        mc.crash = CortexMCore::Machine::PendingCrash{
            "unhandled exception " + std::to_string(intno), 0, pc};
        return stop(*core, StopReason::kCrash, pc);
    }
    follow(*core, mc.engine.raise(f, pc));
  }

  static bool invalid_memory(uc_engine *, uc_mem_type type, uint64_t address, int, int64_t,
                             void *user) {
    auto *core = static_cast<CortexMCore *>(user);
    CortexMCore::Machine &mc = *core->machine_;
    const uint32_t a = static_cast<uint32_t>(address);
    const bool read = type == UC_MEM_READ_UNMAPPED;
    if (read || type == UC_MEM_WRITE_UNMAPPED) {
      // A peripheral the SoC has and the platform does not model: not the
      // firmware's fault, and nothing it could handle, so no BusFault; a
      // crash that names it, never a silent zero.
      if (const PeripheralDescription *p = find_peripheral(core->desc_, a)) {
        mc.crash = CortexMCore::Machine::PendingCrash{
            std::string(read ? "read from " : "write to ") + p->name + " at " + hex32(a) +
                ", a peripheral this platform does not model",
            a, mc.last_pc};
        stop(*core, StopReason::kCrash, mc.last_pc);
        return false;
      }
    }
    Fault f{kExcBusFault, kCfsrPreciserr, 0, 0, a, ""};
    mc.memory_fault_pc = mc.last_pc;
    switch (type) {
      case UC_MEM_READ_UNMAPPED:
        f.what = "read from unmapped address " + hex32(a);
        break;
      case UC_MEM_WRITE_UNMAPPED:
        f.what = "write to unmapped address " + hex32(a);
        break;
      case UC_MEM_WRITE_PROT:
        f.what = "write to read-only memory at " + hex32(a);
        break;
      case UC_MEM_READ_PROT:
        f.what = "read from unreadable memory at " + hex32(a);
        break;
      case UC_MEM_FETCH_UNMAPPED:
        f = {kExcBusFault,
             kCfsrIbuserr,
             0,
             0,
             std::nullopt,
             "instruction fetch from unmapped address " + hex32(a)};
        mc.memory_fault_pc = a;  // the instruction that could not be fetched
        break;
      case UC_MEM_FETCH_PROT:
      default:
        f = {kExcMemManage,
             kCfsrIaccviol,
             0,
             0,
             std::nullopt,
             "instruction fetch from non-executable memory at " + hex32(a)};
        mc.memory_fault_pc = a;
        break;
    }
    mc.memory_fault = std::move(f);
    return false;  // do not retry: the access faults
  }

  static uint64_t mailbox_read(uc_engine *, uint64_t offset, unsigned, void *user) {
    return static_cast<CortexMCore *>(user)->mailbox_.mmio_read(static_cast<uint32_t>(offset));
  }

  static void mailbox_write(uc_engine *, uint64_t offset, unsigned, uint64_t value, void *user) {
    static_cast<CortexMCore *>(user)->mailbox_.mmio_write(static_cast<uint32_t>(offset),
                                                          static_cast<uint32_t>(value));
  }

  static uint64_t peripheral_read(uc_engine *, uint64_t offset, unsigned size, void *user) {
    auto *p = static_cast<CortexMCore::MappedPeripheral *>(user);
    return p->model->read(static_cast<uint32_t>(offset), size);
  }

  static void peripheral_write(uc_engine *, uint64_t offset, unsigned size, uint64_t value,
                               void *user) {
    auto *p = static_cast<CortexMCore::MappedPeripheral *>(user);
    p->model->write(static_cast<uint32_t>(offset), size, static_cast<uint32_t>(value));
    if (p->model->clocked()) {
      p->core->machine_->check = true;  // its next event may have moved: schedule again
    }
  }

  static uint64_t ipcc_read(uc_engine *, uint64_t offset, unsigned size, void *user) {
    return static_cast<CortexMCore *>(user)->ipcc_->read(static_cast<uint32_t>(offset), size);
  }

  static void ipcc_write(uc_engine *, uint64_t offset, unsigned size, uint64_t value, void *user) {
    static_cast<CortexMCore *>(user)->ipcc_->write(static_cast<uint32_t>(offset), size,
                                                   static_cast<uint32_t>(value));
  }

  static uint64_t scs_read(uc_engine *, uint64_t offset, unsigned size, void *user) {
    return m(user).scs.read(static_cast<uint32_t>(offset), size);
  }

  static void scs_write(uc_engine *, uint64_t offset, unsigned size, uint64_t value, void *user) {
    m(user).scs.write(static_cast<uint32_t>(offset), size, static_cast<uint32_t>(value));
  }
};

CortexMCore::CortexMCore(const ProcessorDescription &desc, std::vector<MemoryRegion *> regions,
                         Mailbox &mailbox)
    : desc_(desc),
      regions_(std::move(regions)),
      mailbox_(mailbox),
      machine_(std::make_unique<Machine>(desc_, regions_)) {
  if (desc_.mailbox_layout == MailboxLayout::kStm32Ipcc) {
    ipcc_ = std::make_unique<Ipcc>(mailbox_, *this);
    // The IPCC's interrupt lines wake the core, as on the SoC.
    mailbox_.set_waker([this] { ipcc_->update(); });
  } else {
    mailbox_.set_waker([this] { wake(); });
  }
  PeripheralContext context{*this, [this] { return machine_->cycles(); }};
  for (const PeripheralDescription &p : desc_.peripherals) {
    if ((p.model == PeripheralModel::kGpio || p.model == PeripheralModel::kExti) && !gpio_) {
      gpio_ = std::make_unique<GpioBank>(*this);
      context.gpio = gpio_.get();
    }
  }
  for (const PeripheralDescription &p : desc_.peripherals) {
    if (p.model != PeripheralModel::kNone) {
      peripherals_.push_back({p.base, p.size, make_peripheral(p, context), this});
      if (peripherals_.back().model->clocked()) {
        machine_->clocked.push_back(peripherals_.back().model.get());
      }
      if (p.model == PeripheralModel::kUsart3 && console_ == nullptr) {
        console_ = dynamic_cast<UartConsole *>(peripherals_.back().model.get());
      }
    }
  }
}

CortexMCore::~CortexMCore() {
  stop();
  mailbox_.set_waker(nullptr);
}

GpioPins *CortexMCore::gpio() {
  return gpio_.get();
}

void CortexMCore::wake() {
  {
    std::lock_guard<std::mutex> lock(wake_mu_);
    ++wake_generation_;
  }
  wake_cv_.notify_all();
}

bool CortexMCore::set_irq_level(uint32_t irq, bool asserted) {
  if (irq >= desc_.irqs || !machine_->lines.set_level(irq, asserted)) {
    return false;
  }
  attention_.store(true);
  wake();
  return true;
}

bool CortexMCore::pulse_irq(uint32_t irq) {
  if (irq >= desc_.irqs || !machine_->lines.pulse(irq)) {
    return false;
  }
  attention_.store(true);
  wake();
  return true;
}

bool CortexMCore::setup_engine(uint32_t vector_table_da, bool cold, uint32_t *reset_pc,
                               std::string *error) {
  MemoryRegion *vt = nullptr;
  for (MemoryRegion *r : regions_) {
    if (r->contains(vector_table_da, 8)) {
      vt = r;
    }
  }
  if (vt == nullptr) {
    *error = "the vector table at " + hex32(vector_table_da) + " is not in the processor's memory";
    return false;
  }
  uint32_t initial_sp = 0;
  std::memcpy(&initial_sp, vt->at(vector_table_da), 4);
  std::memcpy(reset_pc, vt->at(vector_table_da + 4), 4);

  uc_engine *uc = nullptr;
  uc_err err = uc_open(UC_ARCH_ARM, static_cast<uc_mode>(UC_MODE_THUMB | UC_MODE_MCLASS), &uc);
  if (err == UC_ERR_OK) {
    err = uc_ctl_set_cpu_model(
        uc, desc_.core == CoreType::kCortexM33 ? UC_CPU_ARM_CORTEX_M33 : UC_CPU_ARM_CORTEX_M4);
  }
  for (MemoryRegion *r : regions_) {
    if (err != UC_ERR_OK) {
      break;
    }
    uint32_t perms = ((r->description().access & kRead) ? UC_PROT_READ : 0) |
                     ((r->description().access & kWrite) ? UC_PROT_WRITE : 0) |
                     ((r->description().access & kExecute) ? UC_PROT_EXEC : 0);
    err = uc_mem_map_ptr(uc, r->da(), r->size(), perms, r->bytes().data());
  }
  if (err == UC_ERR_OK) {
    err = ipcc_ ? uc_mmio_map(uc, desc_.mailbox_da, kPageSize, &CoreHooks::ipcc_read, this,
                              &CoreHooks::ipcc_write, this)
                : uc_mmio_map(uc, desc_.mailbox_da, kPageSize, &CoreHooks::mailbox_read, this,
                              &CoreHooks::mailbox_write, this);
  }
  if (err == UC_ERR_OK) {
    err = uc_mmio_map(uc, kScsBase, kPageSize, &CoreHooks::scs_read, this, &CoreHooks::scs_write,
                      this);
  }
  for (MappedPeripheral &p : peripherals_) {
    if (err == UC_ERR_OK) {
      err = uc_mmio_map(uc, p.base, p.size, &CoreHooks::peripheral_read, &p,
                        &CoreHooks::peripheral_write, &p);
    }
  }
  struct {
    int type;
    void *callback;
  } const hooks[] = {
      {UC_HOOK_INTR, reinterpret_cast<void *>(&CoreHooks::interrupt)},
      {UC_HOOK_MEM_INVALID, reinterpret_cast<void *>(&CoreHooks::invalid_memory)},
      {UC_HOOK_CODE, reinterpret_cast<void *>(&CoreHooks::code)},
      {UC_HOOK_BLOCK, reinterpret_cast<void *>(&CoreHooks::block)},
  };
  for (const auto &h : hooks) {
    uc_hook handle;
    if (err == UC_ERR_OK) {
      err = uc_hook_add(uc, &handle, h.type, h.callback, this, 1, 0);
    }
  }
  if (err == UC_ERR_OK) {
    // The main stack pointer comes from the vector table, as at reset.
    err = uc_reg_write(uc, UC_ARM_REG_SP, &initial_sp);
  }
  if (err != UC_ERR_OK) {
    *error = std::string("the emulator could not be set up: ") + uc_strerror(err);
    if (uc != nullptr) {
      uc_close(uc);
    }
    return false;
  }
  if (uc_ != nullptr) {
    uc_close(uc_);
  }
  uc_ = uc;
  machine_->engine.attach(uc);
  machine_->restart(vector_table_da, cold);
  return true;
}

bool CortexMCore::start(uint32_t vector_table_da, std::string *error) {
  std::lock_guard<std::mutex> lock(lifecycle_mu_);
  if (state_.load() != CoreState::kOffline) {
    *error = std::string("the processor is ") + to_string(state_.load()) + ", not offline";
    return false;
  }
  uint32_t reset = 0;
  if (!setup_engine(vector_table_da, /*cold=*/true, &reset, error)) {
    return false;
  }
  stop_requested_.store(false);
  injected_pending_.store(false);
  attention_.store(false);
  retired_.store(0);
  cycles_.store(0);
  exceptions_.store(0);
  tail_chains_.store(0);
  resets_.store(0);
  {
    std::lock_guard<std::mutex> info(info_mu_);
    last_crash_.reset();
    injected_.reset();
  }
  if (ipcc_) {
    ipcc_->reset();  // a new boot finds the M4's IPCC registers at reset
  }
  for (MappedPeripheral &p : peripherals_) {
    p.model->reset();
  }
  state_.store(CoreState::kRunning);
  thread_ = std::thread(&CortexMCore::run_loop, this, reset);
  return true;
}

void CortexMCore::run_loop(uint32_t initial_pc) {
  Machine &mc = *machine_;
  uint32_t pc = initial_pc;
  const auto sleep = [&](bool wfe) -> bool {  // false: crashed
    if (wfe && mc.engine.take_event()) {
      return true;  // the event register was set: WFE falls through
    }
    if (mc.engine.ipsr() == kExcHardFault) {
      crash("halted (" + std::string(wfe ? "WFE" : "WFI") + ") in the HardFault handler after " +
                mc.engine.fault_reason(),
            0, pc);
      return false;
    }
    for (;;) {
      CoreHooks::advance(mc);
      ExceptionMasks without_primask = mc.engine.masks();
      without_primask.primask = false;  // a masked interrupt still ends WFI
      const Nvic &nvic = mc.scs.nvic();
      const uint32_t n = nvic.highest_pending();
      if ((n != 0 && nvic.preempts(n, nvic.execution_priority(without_primask))) ||
          (!ipcc_ && mailbox_.firmware_pending() != 0) || stop_requested_.load() ||
          injected_pending_.load() || mc.reset) {
        return true;
      }
      if (std::optional<std::string> why = CoreHooks::stuck(mc)) {
        crash(*why, 0, pc);
        return false;
      }
      CoreHooks::schedule(mc);
      const uint64_t now = mc.cycles();
      const uint64_t until = mc.next_check + mc.slept;  // the next event, in cycles
      const auto real = std::chrono::nanoseconds(static_cast<int64_t>(
          std::min<uint64_t>(until - now, mc.clock_hz) * 1'000'000'000ull / mc.clock_hz));
      const auto budget = std::min<std::chrono::nanoseconds>(real, kMaxSleep);
      const auto t0 = std::chrono::steady_clock::now();
      bool woken = false;
      {
        std::unique_lock<std::mutex> lock(wake_mu_);
        const uint64_t seen = wake_generation_;
        woken = wake_cv_.wait_for(lock, budget, [&] {
          return wake_generation_ != seen || stop_requested_.load() || attention_.load();
        });
      }
      if (!woken && budget == real) {
        mc.slept += until - now;  // the event came: exactly that many cycles passed
      } else {
        const auto elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(
            std::chrono::steady_clock::now() - t0);
        const uint64_t passed =
            static_cast<uint64_t>(elapsed.count()) * mc.clock_hz / 1'000'000'000ull;
        mc.slept += std::min(passed, until - now);
        if (!woken) {
          CoreHooks::publish(*this);
          return true;  // a spurious wake-up, as the architecture allows
        }
      }
      CoreHooks::publish(*this);
    }
  };

  for (;;) {
    if (mc.at_reset && (pc & 1) == 0) {
      // M-profile cores only execute Thumb code: a reset vector without the
      // Thumb bit faults at once (INVSTATE UsageFault, escalated at reset).
      crash("the reset vector " + hex32(pc) + " is not a Thumb address", 0);
      return;
    }
    mc.at_reset = false;
    // Checked before each run: a stop or an injected crash that arrives
    // while the core sleeps, or between runs, takes effect at once.
    if (stop_requested_.load()) {
      break;
    }
    if (std::optional<std::string> injected = take_injected_crash()) {
      crash(*injected, 0);
      return;
    }
    mc.stop = StopReason::kNone;
    mc.memory_fault.reset();
    mc.crash.reset();
    mc.check = true;
    const uc_err err = uc_emu_start(uc_, pc, 0xFFFFFFFFu, 0, 0);
    CoreHooks::publish(*this);
    const uint32_t now = reg(uc_, UC_ARM_REG_PC);
    const bool thumb = (reg(uc_, UC_ARM_REG_XPSR) & (1u << 24)) != 0;
    pc = now | (thumb ? 1 : 0);
    switch (mc.stop) {
      case StopReason::kControl:
        pc = mc.resume_pc | 1;  // a basic block's address: Thumb code
        continue;
      case StopReason::kCrash:
        crash(mc.crash->reason, mc.crash->fault_address, mc.crash->pc);
        return;
      case StopReason::kReset: {
        std::string error;
        uint32_t reset_pc = 0;
        // The core restarts from its boot vector table, as at power-on;
        // memory keeps its contents.
        if (!setup_engine(mc.boot_vector_table, /*cold=*/false, &reset_pc, &error)) {
          crash("the firmware reset (SYSRESETREQ) and the core could not restart: " + error, 0);
          return;
        }
        resets_.fetch_add(1);
        pc = reset_pc;
        continue;
      }
      case StopReason::kSleep:  // SLEEPONEXIT: asleep on the way back to thread mode
        pc = mc.resume_pc;
        if (!sleep(false)) {
          return;
        }
        continue;
      case StopReason::kNone:
        break;
    }
    if (stop_requested_.load()) {
      break;
    }
    Transfer t;
    if (mc.memory_fault) {
      t = mc.engine.raise(*mc.memory_fault, mc.memory_fault_pc);
    } else if (err == UC_ERR_INSN_INVALID || err == UC_ERR_EXCEPTION) {
      const Hint h = thumb ? hint_at(uc_, mc.last_pc) : Hint::kNone;
      if (h == Hint::kWfe || h == Hint::kYield) {
        if (h == Hint::kWfe && !sleep(true)) {
          return;
        }
        continue;  // Unicorn stopped after the hint: go on after it
      }
      Fault f = thumb ? Fault{kExcUsageFault, kCfsrUndefinstr,        0, 0,
                              std::nullopt,   "undefined instruction"}
                      : Fault{kExcUsageFault,
                              kCfsrInvstate,
                              0,
                              0,
                              std::nullopt,
                              "invalid state (EPSR.T is 0) at " + hex32(now)};
      t = mc.engine.raise(f, thumb ? mc.last_pc : now);
    } else if (err == UC_ERR_OK) {
      if (hint_at(uc_, mc.last_pc) == Hint::kWfi && !sleep(false)) {
        return;
      }
      continue;
    } else if (err == UC_ERR_FETCH_UNMAPPED || err == UC_ERR_FETCH_PROT) {
      t = mc.engine.raise({kExcBusFault, kCfsrIbuserr, 0, 0, std::nullopt,
                           "instruction fetch from " + hex32(now) + ", which is not memory"},
                          now);
    } else {
      crash(std::string("emulation stopped: ") + uc_strerror(err) + " at pc " + hex32(now), 0);
      return;
    }
    if (t.lockup) {
      crash(t.reason, t.fault_address, t.context_pc);
      return;
    }
    CoreHooks::track_mode(mc);
    pc = t.pc;
  }
  CoreHooks::publish(*this);
  std::lock_guard<std::mutex> info(info_mu_);
  halted_registers_ = read_registers();
}

std::optional<std::string> CortexMCore::take_injected_crash() {
  std::lock_guard<std::mutex> info(info_mu_);
  injected_pending_.store(false);
  return std::exchange(injected_, std::nullopt);
}

void CortexMCore::crash(std::string reason, uint32_t fault_address, std::optional<uint32_t> pc) {
  CoreHooks::publish(*this);
  CrashInfo info;
  info.reason = std::move(reason);
  info.fault_address = fault_address;
  info.registers = read_registers();
  if (pc) {
    info.registers.pc = *pc & ~1u;  // Unicorn's PC is stale inside a basic block
  }
  std::vector<CrashListener> listeners;
  {
    std::lock_guard<std::mutex> lock(info_mu_);
    last_crash_ = info;
    halted_registers_ = info.registers;
    for (const auto &[token, l] : listeners_) {
      listeners.push_back(l);
    }
  }
  state_.store(CoreState::kCrashed);
  for (const auto &l : listeners) {
    l(info);
  }
}

CoreRegisters CortexMCore::read_registers() const {
  CoreRegisters regs;
  static constexpr int kGeneral[13] = {UC_ARM_REG_R0, UC_ARM_REG_R1, UC_ARM_REG_R2,  UC_ARM_REG_R3,
                                       UC_ARM_REG_R4, UC_ARM_REG_R5, UC_ARM_REG_R6,  UC_ARM_REG_R7,
                                       UC_ARM_REG_R8, UC_ARM_REG_R9, UC_ARM_REG_R10, UC_ARM_REG_R11,
                                       UC_ARM_REG_R12};
  for (int i = 0; i < 13; ++i) {
    uc_reg_read(uc_, kGeneral[i], &regs.r[i]);
  }
  uc_reg_read(uc_, UC_ARM_REG_SP, &regs.sp);
  uc_reg_read(uc_, UC_ARM_REG_LR, &regs.lr);
  uc_reg_read(uc_, UC_ARM_REG_PC, &regs.pc);
  uc_reg_read(uc_, UC_ARM_REG_XPSR, &regs.xpsr);
  return regs;
}

void CortexMCore::stop() {
  std::lock_guard<std::mutex> lock(lifecycle_mu_);
  // thread_ and state_ say whether there is a core to stop; uc_ belongs to
  // the core's thread until it is joined (a firmware reset replaces it).
  if (!thread_.joinable() && state_.load() == CoreState::kOffline) {
    return;
  }
  stop_requested_.store(true);
  attention_.store(true);
  wake();
  if (thread_.joinable()) {
    thread_.join();
  }
  uc_close(uc_);
  uc_ = nullptr;
  machine_->engine.attach(nullptr);
  mailbox_.reset();
  state_.store(CoreState::kOffline);
}

bool CortexMCore::inject_crash(const std::string &reason) {
  std::lock_guard<std::mutex> lock(lifecycle_mu_);
  if (state_.load() != CoreState::kRunning) {
    return false;
  }
  {
    std::lock_guard<std::mutex> info(info_mu_);
    injected_ = "injected crash: " + reason;
    injected_pending_.store(true);
  }
  attention_.store(true);
  wake();
  return true;
}

std::optional<CrashInfo> CortexMCore::last_crash() const {
  std::lock_guard<std::mutex> lock(info_mu_);
  return last_crash_;
}

CoreRegisters CortexMCore::registers() const {
  std::lock_guard<std::mutex> lock(info_mu_);
  return halted_registers_;
}

uint64_t CortexMCore::subscribe(CrashListener listener) {
  std::lock_guard<std::mutex> lock(info_mu_);
  const uint64_t token = next_token_++;
  listeners_.emplace(token, std::move(listener));
  return token;
}

void CortexMCore::unsubscribe(uint64_t token) {
  std::lock_guard<std::mutex> lock(info_mu_);
  listeners_.erase(token);
}

}  // namespace captee::platform
