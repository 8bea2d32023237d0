// What an emulated SoC looks like: its remote processors, their core types and
// their memory regions as seen from the processor (device addresses).
//
// captee emulates the hardware that OP-TEE's remoteproc support drives. The
// description is data, so CI can test firmware for boards that are not the
// default one: a built-in `stm32mp15-m4` (shared/specs/remoteproc.md) and any
// platform given as JSON (docs/REMOTEPROC.md documents the format). The JSON
// comes from the operator's file system, but it is still parsed as untrusted
// input: every field is type- and range-checked, and the parser is fuzzed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace captee::platform {

enum class CoreType { kCortexM4, kCortexM33 };

// Access rights of a region, as the emulated core sees it.
enum Access : uint8_t { kRead = 1, kWrite = 2, kExecute = 4, kRwx = 7 };

// The register models captee has for the STM32MP15's peripherals
// (docs/REMOTEPROC.md, "Peripherals", says what each does and does not do).
enum class PeripheralModel { kNone, kHsem, kRcc, kSyscfg, kPwr, kUsart3, kTim2, kGpio, kExti };
inline constexpr uint32_t kGpioPorts = 12;  // GPIOA (0) .. GPIOK (10), GPIOZ (11)

// A peripheral of the SoC's memory map as the processor sees it (RM0436's
// memory map for the STM32MP15's M4). The map names what firmware touches: an
// access to a peripheral the platform does not model crashes the processor
// with that name and the address, instead of reading as zero.
struct PeripheralDescription {
  std::string name;                                // "GPIOA", as the reference manual names it
  uint32_t base = 0;                               // 4 KiB aligned
  uint32_t size = 0;                               // a non-zero multiple of 4 KiB
  PeripheralModel model = PeripheralModel::kNone;  // kNone: in the map, not modelled
  uint32_t port = 0;                               // kGpio: the port number, below kGpioPorts
};

// The register layout of the mailbox page. The STM32MP15's IPCC (the M4's
// side: processor 2) is the default; captee's own 5-register layout stays
// for platforms that ask for it (docs/REMOTEPROC.md, "The mailbox").
enum class MailboxLayout { kStm32Ipcc, kCaptee };

struct RegionDescription {
  std::string name;
  uint32_t da = 0;     // device address, 4 KiB aligned (Unicorn maps whole pages)
  uint32_t size = 0;   // bytes, a non-zero multiple of 4 KiB
  bool secure = true;  // mapped only inside the TEE while firmware is loaded
  uint8_t access = kRwx;
};

// A reserved-memory region of the board's device tree, as Linux's remoteproc
// driver for the board finds it (`memory-region` of the rproc node): its
// name (the node name without the unit address), where it lies in the
// host's (the Cortex-A7's) physical address space, and no-map. Linux's
// stm32_rproc registers each one as a carveout by name, so vrings and vdev
// buffers named `vdevNvringM` and `vdevNbuffer` go where the firmware's
// vendor expects them. The processor sees the region at the device address
// its address aliases give (reserved_da()), always inside one of its regions.
struct ReservedMemoryDescription {
  std::string name;      // 1 to 31 characters, e.g. "vdev0vring0"
  uint32_t address = 0;  // host physical address (the device tree's reg)
  uint32_t size = 0;     // bytes, non-zero
  bool no_map = true;    // the device tree's no-map: Linux keeps it out of its own allocator
};

// One window of the host's physical addresses onto the processor's device
// addresses (a device tree's dma-ranges): host [host_address, +size) is the
// processor's [da, +size). Several aliases may reach the same memory, as the
// STM32MP15's MCU SRAM is at 0x10000000 and 0x30000000 for both cores.
struct AddressAlias {
  uint32_t host_address = 0;
  uint32_t da = 0;
  uint32_t size = 0;  // non-zero
};

// The core's clock and interrupt controller, as docs/REMOTEPROC.md
// ("Exceptions and interrupts") describes them. The defaults are the
// STM32MP15's M4: 209 MHz, 150 external interrupts, 4 priority bits.
inline constexpr uint32_t kDefaultClockHz = 209'000'000;
inline constexpr uint32_t kDefaultIrqs = 150;
inline constexpr uint8_t kDefaultPriorityBits = 4;
inline constexpr uint32_t kMaxIrqs = 480;  // Armv8-M's limit (v7-M allows 496)

struct ProcessorDescription {
  uint32_t id = 0;  // the rproc_id used by the remoteproc TA
  std::string name;
  CoreType core = CoreType::kCortexM4;
  std::vector<RegionDescription> regions;  // non-overlapping, sorted by da
  uint32_t mailbox_da = 0;                 // one 4 KiB MMIO page, outside every region
  MailboxLayout mailbox_layout = MailboxLayout::kStm32Ipcc;
  // The SoC's other peripherals: non-overlapping, sorted by base, clear of
  // the regions, the mailbox and the private peripheral bus.
  std::vector<PeripheralDescription> peripherals;
  std::vector<std::string> public_keys_pem;  // keys that may sign this processor's firmware
  // One retired instruction is one cycle of this clock; SysTick counts those
  // cycles, and a sleeping core's cycles pass at this rate in real time.
  uint32_t clock_hz = kDefaultClockHz;  // 1 MHz .. 1 GHz
  uint32_t irqs = kDefaultIrqs;         // NVIC external lines IRQ 0 .. irqs-1, 1 .. kMaxIrqs
  uint8_t priority_bits = kDefaultPriorityBits;  // implemented priority bits, 3 .. 8
  // The board's reserved memory for this processor (unique names) and the
  // host-to-device address aliases that place it; both may be empty.
  std::vector<ReservedMemoryDescription> reserved_memory;
  std::vector<AddressAlias> address_aliases;
};

struct PlatformDescription {
  std::string name;
  std::vector<ProcessorDescription> processors;

  // The processor with this rproc_id, or nullptr. Borrowed from *this.
  const ProcessorDescription *find(uint32_t id) const;
};

// Limits that keep a hostile or mistaken description from exhausting memory.
inline constexpr size_t kMaxProcessors = 16;
inline constexpr size_t kMaxRegionsPerProcessor = 16;
inline constexpr size_t kMaxPeripheralsPerProcessor = 256;
inline constexpr size_t kMaxReservedMemoryPerProcessor = 32;
inline constexpr size_t kMaxAddressAliasesPerProcessor = 16;
inline constexpr uint64_t kMaxMemoryPerProcessor = 1ull << 30;  // 1 GiB
inline constexpr uint32_t kPageSize = 4096;
// The core's own registers (System Control Space, SysTick, NVIC) live here;
// no region or mailbox may.
inline constexpr uint32_t kPrivatePeripheralBus = 0xE0000000;
inline constexpr uint32_t kPrivatePeripheralBusSize = 0x100000;

// The default platform: one Cortex-M4 (rproc_id 0) with RETRAM at 0x0 (64 KiB),
// MCU SRAM at 0x10000000 (384 KiB), the IPCC at 0x4C001000 and the rest of
// the STM32MP15's peripheral map, clocked at 209 MHz, with 150 external
// interrupts and 4 priority bits; the reserved memory of ST's STM32MP157
// discovery boards (stm32mp15xx-dkx.dtsi: mcuram2, vdev0vring0, vdev0vring1,
// vdev0buffer, mcuram in MCU SRAM, retram) and the aliases that place it
// (RETRAM at host 0x38000000 is the M4's 0x0; MCU SRAM is at 0x10000000 and
// 0x30000000 for the host, at 0x10000000 for the M4).
PlatformDescription default_platform();

// The device address the processor sees host address [address, +size) at:
// the first alias that holds the whole range. nullopt when none does.
std::optional<uint32_t> host_to_da(const ProcessorDescription &p, uint32_t address, uint32_t size);
// The host address of the processor's [da, +size): the first alias that holds
// the whole range. nullopt when none does.
std::optional<uint32_t> da_to_host(const ProcessorDescription &p, uint32_t da, uint32_t size);
// The reserved-memory region named `name`, or nullptr. Borrowed from `p`.
const ReservedMemoryDescription *find_reserved_memory(const ProcessorDescription &p,
                                                      std::string_view name);

// The STM32MP15's peripherals as its M4 sees them (RM0436 memory map; the
// addresses of the CMSIS device header stm32mp157cxx_cm4.h), sorted by base,
// without the IPCC, which is the mailbox; HSEM, RCC, SYSCFG, PWR, USART3 (the
// console), TIM2, the GPIO ports and EXTI modelled.
std::vector<PeripheralDescription> stm32mp15_peripherals();

// The peripheral holding `address`, or nullptr. Borrowed from `p`.
const PeripheralDescription *find_peripheral(const ProcessorDescription &p, uint32_t address);

struct ParseResult {
  std::optional<PlatformDescription> platform;
  std::string error;  // one sentence naming the field at fault, when !platform
};

// Parses and validates a platform description in JSON. Never throws; any
// malformed, out-of-range or inconsistent input gives an error message.
ParseResult parse_platform_json(std::string_view text);

// Checks the invariants listed above (alignment, overlap, limits, unique ids).
// Returns an empty string when the description is valid.
std::string validate(const PlatformDescription &p);

const char *to_string(CoreType core);
const char *to_string(MailboxLayout layout);
const char *to_string(PeripheralModel model);

}  // namespace captee::platform
