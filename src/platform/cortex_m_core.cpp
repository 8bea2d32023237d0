#include "captee/platform/cortex_m_core.hpp"

#include <unicorn/unicorn.h>

#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <utility>

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

// Instructions per call to uc_emu_start. Large enough that the per-slice cost
// vanishes, small enough to keep the retired-instruction count fresh.
constexpr size_t kSlice = 1'000'000;
// WFI sleeps at most this long before re-checking, so a lost wake-up can only
// delay the firmware, never hang it.
constexpr auto kMaxSleep = std::chrono::milliseconds(50);

constexpr uint16_t kThumbWfi = 0xBF30;
constexpr uint16_t kThumbWfe = 0xBF20;

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%08" PRIx64, v);
  return buf;
}

const char *exception_name(uint32_t intno) {
  // QEMU's ARM exception numbers, as Unicorn reports them.
  switch (intno) {
    case 1:
      return "undefined instruction";
    case 2:
      return "SVC (supervisor call), which the emulation does not model";
    case 3:
      return "prefetch abort";
    case 4:
      return "data abort";
    case 7:
      return "breakpoint (BKPT)";
    default:
      return nullptr;
  }
}

}  // namespace

struct CoreHooks {
  static void interrupt(uc_engine *, uint32_t intno, void *user) {
    auto *core = static_cast<CortexMCore *>(user);
    const char *name = exception_name(intno);
    core->pending_fault_ =
        name != nullptr ? std::string(name) : "unhandled exception " + std::to_string(intno);
    uc_emu_stop(core->uc_);
  }

  static bool invalid_memory(uc_engine *, uc_mem_type type, uint64_t address, int, int64_t,
                             void *user) {
    auto *core = static_cast<CortexMCore *>(user);
    const char *what = "invalid access to";
    switch (type) {
      case UC_MEM_READ_UNMAPPED:
        what = "read from unmapped address";
        break;
      case UC_MEM_WRITE_UNMAPPED:
        what = "write to unmapped address";
        break;
      case UC_MEM_FETCH_UNMAPPED:
        what = "instruction fetch from unmapped address";
        break;
      case UC_MEM_WRITE_PROT:
        what = "write to read-only memory at";
        break;
      case UC_MEM_READ_PROT:
        what = "read from unreadable memory at";
        break;
      case UC_MEM_FETCH_PROT:
        what = "instruction fetch from non-executable memory at";
        break;
      default:
        break;
    }
    core->pending_fault_ = std::string(what) + " " + hex(address);
    core->pending_fault_address_ = static_cast<uint32_t>(address);
    return false;  // do not retry: the access faults
  }

  static uint64_t mailbox_read(uc_engine *, uint64_t offset, unsigned, void *user) {
    return static_cast<CortexMCore *>(user)->mailbox_.mmio_read(static_cast<uint32_t>(offset));
  }

  static void mailbox_write(uc_engine *, uint64_t offset, unsigned, uint64_t value, void *user) {
    static_cast<CortexMCore *>(user)->mailbox_.mmio_write(static_cast<uint32_t>(offset),
                                                          static_cast<uint32_t>(value));
  }
};

CortexMCore::CortexMCore(const ProcessorDescription &desc, std::vector<MemoryRegion *> regions,
                         Mailbox &mailbox)
    : desc_(desc), regions_(std::move(regions)), mailbox_(mailbox) {
  mailbox_.set_waker([this] {
    {
      std::lock_guard<std::mutex> lock(wake_mu_);
      ++wake_generation_;
    }
    wake_cv_.notify_all();
  });
}

CortexMCore::~CortexMCore() {
  stop();
  mailbox_.set_waker(nullptr);
}

bool CortexMCore::start(uint32_t vector_table_da, std::string *error) {
  std::lock_guard<std::mutex> lock(lifecycle_mu_);
  if (state_.load() != CoreState::kOffline) {
    *error = std::string("the processor is ") + to_string(state_.load()) + ", not offline";
    return false;
  }
  MemoryRegion *vt = nullptr;
  for (MemoryRegion *r : regions_) {
    if (r->contains(vector_table_da, 8)) {
      vt = r;
    }
  }
  if (vt == nullptr) {
    *error = "the vector table at " + hex(vector_table_da) + " is not in the processor's memory";
    return false;
  }
  uint32_t initial_sp = 0, reset = 0;
  std::memcpy(&initial_sp, vt->at(vector_table_da), 4);
  std::memcpy(&reset, vt->at(vector_table_da + 4), 4);

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
    err = uc_mmio_map(uc, desc_.mailbox_da, kPageSize, &CoreHooks::mailbox_read, this,
                      &CoreHooks::mailbox_write, this);
  }
  uc_hook hook;
  if (err == UC_ERR_OK) {
    err = uc_hook_add(uc, &hook, UC_HOOK_INTR, reinterpret_cast<void *>(&CoreHooks::interrupt),
                      this, 1, 0);
  }
  if (err == UC_ERR_OK) {
    err = uc_hook_add(uc, &hook, UC_HOOK_MEM_INVALID,
                      reinterpret_cast<void *>(&CoreHooks::invalid_memory), this, 1, 0);
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

  uc_ = uc;
  stop_requested_.store(false);
  retired_.store(0);
  pending_fault_.reset();
  {
    std::lock_guard<std::mutex> info(info_mu_);
    last_crash_.reset();
    injected_.reset();
  }
  state_.store(CoreState::kRunning);
  thread_ = std::thread(&CortexMCore::run_loop, this, reset);
  return true;
}

void CortexMCore::run_loop(uint32_t initial_pc) {
  if ((initial_pc & 1) == 0) {
    // M-profile cores only execute Thumb code: a reset vector without the
    // Thumb bit faults at once (INVSTATE UsageFault, escalated at reset).
    crash("the reset vector " + hex(initial_pc) + " is not a Thumb address", 0);
    return;
  }
  uint32_t pc = initial_pc;
  for (;;) {
    // Checked before and after each slice: a stop or an injected crash that
    // arrives while the core sleeps, or between slices, takes effect at once.
    if (stop_requested_.load()) {
      break;
    }
    if (std::optional<std::string> injected = take_injected_crash()) {
      crash(*injected, 0);
      return;
    }
    const uc_err err = uc_emu_start(uc_, pc | 1, 0xFFFFFFFFu, 0, kSlice);
    uint32_t now = 0;
    uc_reg_read(uc_, UC_ARM_REG_PC, &now);
    if (stop_requested_.load()) {
      break;
    }
    if (std::optional<std::string> injected = take_injected_crash()) {
      crash(*injected, 0);
      return;
    }
    if (pending_fault_) {
      crash(*pending_fault_, pending_fault_address_);
      return;
    }
    if (err == UC_ERR_INSN_INVALID) {
      crash("undefined instruction", 0);
      return;
    }
    if (err != UC_ERR_OK) {
      crash(std::string("emulation stopped: ") + uc_strerror(err) + " at pc " + hex(now), 0);
      return;
    }
    if (sleeping_instruction_before(now)) {
      wait_for_wakeup();
    } else {
      retired_.fetch_add(kSlice);
    }
    pc = now;
  }
  std::lock_guard<std::mutex> info(info_mu_);
  halted_registers_ = read_registers();
}

std::optional<std::string> CortexMCore::take_injected_crash() {
  std::lock_guard<std::mutex> info(info_mu_);
  return std::exchange(injected_, std::nullopt);
}

bool CortexMCore::sleeping_instruction_before(uint32_t pc) const {
  // Unicorn returns early, at the next instruction, when the core executes
  // WFI or WFE. Look at the halfword just before the PC to tell those returns
  // from a completed slice.
  uint16_t insn = 0;
  if (pc < 2 || uc_mem_read(uc_, pc - 2, &insn, sizeof insn) != UC_ERR_OK) {
    return false;
  }
  return insn == kThumbWfi || insn == kThumbWfe;
}

void CortexMCore::wait_for_wakeup() {
  std::unique_lock<std::mutex> lock(wake_mu_);
  const uint64_t seen = wake_generation_;
  if (mailbox_.firmware_pending() != 0) {
    return;  // a kick is already waiting: WFI falls through
  }
  wake_cv_.wait_for(lock, kMaxSleep,
                    [&] { return wake_generation_ != seen || stop_requested_.load(); });
}

void CortexMCore::crash(std::string reason, uint32_t fault_address) {
  CrashInfo info;
  info.reason = std::move(reason);
  info.fault_address = fault_address;
  info.registers = read_registers();
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
  if (uc_ == nullptr) {
    return;
  }
  stop_requested_.store(true);
  uc_emu_stop(uc_);
  {
    std::lock_guard<std::mutex> wake(wake_mu_);
    ++wake_generation_;
  }
  wake_cv_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
  uc_close(uc_);
  uc_ = nullptr;
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
  }
  uc_emu_stop(uc_);
  {
    std::lock_guard<std::mutex> wake(wake_mu_);
    ++wake_generation_;
  }
  wake_cv_.notify_all();
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
