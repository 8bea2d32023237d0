#include "captee/platform/description.hpp"

#include <algorithm>
#include <set>

#include "reserved_memory.hpp"

namespace captee::platform {

const ProcessorDescription *PlatformDescription::find(uint32_t id) const {
  for (const auto &p : processors) {
    if (p.id == id) {
      return &p;
    }
  }
  return nullptr;
}

PlatformDescription default_platform() {
  ProcessorDescription m4;
  m4.id = 0;
  m4.name = "m4";
  m4.core = CoreType::kCortexM4;
  m4.regions = {
      {"retram", 0x00000000, 64 * 1024, true, kRwx},
      {"mcusram", 0x10000000, 384 * 1024, true, kRwx},
  };
  m4.mailbox_da = 0x4C001000;  // the IPCC
  m4.mailbox_layout = MailboxLayout::kStm32Ipcc;
  m4.peripherals = stm32mp15_peripherals();
  // ST's STM32MP157 discovery boards (stm32mp15xx-dkx.dtsi): the A7 sees
  // RETRAM at 0x38000000 and MCU SRAM at 0x10000000 and its alias
  // 0x30000000; the M4 sees RETRAM at 0 and MCU SRAM at 0x10000000.
  m4.address_aliases = {
      {0x38000000, 0x00000000, 64 * 1024},
      {0x10000000, 0x10000000, 384 * 1024},
      {0x30000000, 0x10000000, 384 * 1024},
  };
  m4.reserved_memory = {
      {"mcuram2", 0x10000000, 0x40000, true},    {"vdev0vring0", 0x10040000, 0x1000, true},
      {"vdev0vring1", 0x10041000, 0x1000, true}, {"vdev0buffer", 0x10042000, 0x4000, true},
      {"mcuram", 0x10046000, 0x1a000, true},     {"retram", 0x38000000, 0x10000, true},
  };
  PlatformDescription p;
  p.name = "stm32mp15-m4";
  p.processors.push_back(std::move(m4));
  return p;
}

const char *to_string(CoreType core) {
  return core == CoreType::kCortexM33 ? "cortex-m33" : "cortex-m4";
}

const char *to_string(MailboxLayout layout) {
  return layout == MailboxLayout::kCaptee ? "captee" : "stm32-ipcc";
}

const char *to_string(PeripheralModel model) {
  switch (model) {
    case PeripheralModel::kHsem:
      return "hsem";
    case PeripheralModel::kRcc:
      return "rcc";
    case PeripheralModel::kSyscfg:
      return "syscfg";
    case PeripheralModel::kPwr:
      return "pwr";
    case PeripheralModel::kUsart3:
      return "usart3";
    case PeripheralModel::kTim2:
      return "tim2";
    case PeripheralModel::kGpio:
      return "gpio";
    case PeripheralModel::kExti:
      return "exti";
    case PeripheralModel::kNone:
      break;
  }
  return "none";
}

const PeripheralDescription *find_peripheral(const ProcessorDescription &p, uint32_t address) {
  // Sorted by base and non-overlapping (validate()): the candidate is the
  // last peripheral starting at or below the address.
  auto it = std::upper_bound(p.peripherals.begin(), p.peripherals.end(), address,
                             [](uint32_t a, const PeripheralDescription &d) { return a < d.base; });
  if (it == p.peripherals.begin()) {
    return nullptr;
  }
  --it;
  return uint64_t{address} < uint64_t{it->base} + it->size ? &*it : nullptr;
}

namespace {

bool overlaps(uint64_t a_start, uint64_t a_size, uint64_t b_start, uint64_t b_size) {
  return a_start < b_start + b_size && b_start < a_start + a_size;
}

std::string validate_peripherals(const ProcessorDescription &p, const std::string &who) {
  if (p.peripherals.size() > kMaxPeripheralsPerProcessor) {
    return who + " has more than " + std::to_string(kMaxPeripheralsPerProcessor) + " peripherals";
  }
  std::set<std::string> names;
  for (size_t i = 0; i < p.peripherals.size(); ++i) {
    const PeripheralDescription &d = p.peripherals[i];
    const std::string what = who + " peripheral '" + d.name + "'";
    if (d.name.empty() || d.name.size() > 32) {
      return who + " has a peripheral without a name of 1 to 32 characters";
    }
    if (!names.insert(d.name).second) {
      return what + " is declared twice";
    }
    if (d.size == 0 || d.size % kPageSize != 0 || d.base % kPageSize != 0 ||
        uint64_t{d.base} + d.size > (1ull << 32)) {
      return what + " must start on and span whole 4 KiB pages of the 32-bit address space";
    }
    // find_peripheral() searches by base: keep them sorted and apart.
    if (i > 0 && uint64_t{p.peripherals[i - 1].base} + p.peripherals[i - 1].size > d.base) {
      return what + " is not after peripheral '" + p.peripherals[i - 1].name +
             "' (sorted by base, without overlap)";
    }
    for (const RegionDescription &r : p.regions) {
      if (overlaps(d.base, d.size, r.da, r.size)) {
        return what + " overlaps region '" + r.name + "'";
      }
    }
    if (overlaps(d.base, d.size, p.mailbox_da, kPageSize)) {
      return what + " overlaps the mailbox";
    }
    if (d.model == PeripheralModel::kGpio && d.port >= kGpioPorts) {
      return what + " is GPIO port " + std::to_string(d.port) + "; ports are 0 to " +
             std::to_string(kGpioPorts - 1);
    }
    if (d.model != PeripheralModel::kNone && d.size != kPageSize) {
      return what + " is modelled as " + to_string(d.model) +
             ", whose registers fill one 4 KiB page";
    }
    if (overlaps(d.base, d.size, kPrivatePeripheralBus, kPrivatePeripheralBusSize)) {
      return what + " overlaps the core's private peripheral bus (0xe0000000-0xe00fffff)";
    }
  }
  return {};
}

std::string validate_processor(const ProcessorDescription &p) {
  const std::string who = "processor " + std::to_string(p.id);
  if (p.regions.empty()) {
    return who + " has no memory regions";
  }
  if (p.regions.size() > kMaxRegionsPerProcessor) {
    return who + " has more than " + std::to_string(kMaxRegionsPerProcessor) + " regions";
  }
  uint64_t total = 0;
  std::set<std::string> names;
  for (size_t i = 0; i < p.regions.size(); ++i) {
    const RegionDescription &r = p.regions[i];
    const std::string region = who + " region '" + r.name + "'";
    if (r.name.empty()) {
      return who + " has a region without a name";
    }
    if (!names.insert(r.name).second) {
      return region + " is declared twice";
    }
    if (r.size == 0 || r.size % kPageSize != 0 || r.da % kPageSize != 0) {
      return region + " must start on and span whole 4 KiB pages";
    }
    if (uint64_t{r.da} + r.size > (1ull << 32)) {
      return region + " runs past the 32-bit address space";
    }
    if ((r.access & ~kRwx) != 0 || r.access == 0) {
      return region + " has invalid access rights";
    }
    total += r.size;
    for (size_t j = 0; j < i; ++j) {
      if (overlaps(r.da, r.size, p.regions[j].da, p.regions[j].size)) {
        return region + " overlaps region '" + p.regions[j].name + "'";
      }
    }
    if (overlaps(r.da, r.size, p.mailbox_da, kPageSize)) {
      return region + " overlaps the mailbox";
    }
    if (overlaps(r.da, r.size, kPrivatePeripheralBus, kPrivatePeripheralBusSize)) {
      return region + " overlaps the core's private peripheral bus (0xe0000000-0xe00fffff)";
    }
  }
  if (p.clock_hz < 1'000'000 || p.clock_hz > 1'000'000'000) {
    return who + " clock must be 1 MHz to 1 GHz";
  }
  if (p.irqs == 0 || p.irqs > kMaxIrqs) {
    return who + " must have 1 to " + std::to_string(kMaxIrqs) + " external interrupts";
  }
  if (p.priority_bits < 3 || p.priority_bits > 8) {
    return who + " must implement 3 to 8 priority bits";
  }
  if (total > kMaxMemoryPerProcessor) {
    return who + " has more than 1 GiB of memory";
  }
  if (p.mailbox_da % kPageSize != 0 || uint64_t{p.mailbox_da} + kPageSize > (1ull << 32)) {
    return who + " mailbox must be one whole 4 KiB page";
  }
  if (overlaps(p.mailbox_da, kPageSize, kPrivatePeripheralBus, kPrivatePeripheralBusSize)) {
    return who + " mailbox overlaps the core's private peripheral bus (0xe0000000-0xe00fffff)";
  }
  if (std::string err = validate_peripherals(p, who); !err.empty()) {
    return err;
  }
  return validate_reserved_memory(p, who);
}

}  // namespace

std::string validate(const PlatformDescription &p) {
  if (p.name.empty()) {
    return "the platform has no name";
  }
  if (p.processors.empty()) {
    return "the platform has no processors";
  }
  if (p.processors.size() > kMaxProcessors) {
    return "the platform has more than " + std::to_string(kMaxProcessors) + " processors";
  }
  std::set<uint32_t> ids;
  for (const auto &proc : p.processors) {
    if (!ids.insert(proc.id).second) {
      return "processor id " + std::to_string(proc.id) + " is used twice";
    }
    if (std::string err = validate_processor(proc); !err.empty()) {
      return err;
    }
  }
  return {};
}

}  // namespace captee::platform
