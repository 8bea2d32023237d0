// JSON front end of the platform description. Every field is checked for type
// and range; the first problem found is reported by its JSON path.
#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

#include "captee/platform/description.hpp"

namespace captee::platform {
namespace {

using nlohmann::json;

constexpr size_t kMaxJsonBytes = 1 << 20;
constexpr int kMaxJsonDepth = 32;

// Rejects inputs nested deeper than any real description, before the JSON
// library builds (and later recursively destroys) them.
bool nesting_within_limit(std::string_view text) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth) {
        return false;
      }
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return true;
}

struct Failure {
  std::string message;
};

// A number given as a JSON integer, or as a string: decimal or 0x-hex, with an
// optional K or M suffix (binary units) for sizes.
uint32_t read_u32(const json &j, const std::string &path) {
  if (j.is_number_unsigned()) {
    uint64_t v = j.get<uint64_t>();
    if (v > UINT32_MAX) {
      throw Failure{path + " does not fit in 32 bits"};
    }
    return static_cast<uint32_t>(v);
  }
  if (!j.is_string()) {
    throw Failure{path +
                  " must be a non-negative integer or a string such as \"0x1000\" or \"64K\""};
  }
  std::string s = j.get<std::string>();
  uint64_t scale = 1;
  if (!s.empty() && (s.back() == 'K' || s.back() == 'M')) {
    scale = s.back() == 'K' ? 1024 : 1024 * 1024;
    s.pop_back();
  }
  int base = 10;
  std::string_view digits = s;
  if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
    base = 16;
    digits.remove_prefix(2);
  }
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v, base);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) {
    throw Failure{path + " is not a number: \"" + j.get<std::string>() + "\""};
  }
  if (__builtin_mul_overflow(v, scale, &v) || v > UINT32_MAX) {
    throw Failure{path + " does not fit in 32 bits"};
  }
  return static_cast<uint32_t>(v);
}

std::string read_string(const json &j, const std::string &path, size_t max_len = 64) {
  if (!j.is_string()) {
    throw Failure{path + " must be a string"};
  }
  std::string s = j.get<std::string>();
  if (s.empty() || s.size() > max_len) {
    throw Failure{path + " must be 1 to " + std::to_string(max_len) + " characters"};
  }
  return s;
}

const json &member(const json &obj, const char *key, const std::string &path) {
  auto it = obj.find(key);
  if (it == obj.end()) {
    throw Failure{path + "." + key + " is missing"};
  }
  return *it;
}

void reject_unknown_keys(const json &obj, std::initializer_list<const char *> known,
                         const std::string &path) {
  for (const auto &item : obj.items()) {
    const std::string &key = item.key();
    if (std::none_of(known.begin(), known.end(), [&](const char *k) { return key == k; })) {
      throw Failure{path + " has an unknown field \"" + key + "\""};
    }
  }
}

uint8_t read_access(const json &j, const std::string &path) {
  std::string s = read_string(j, path, 3);
  uint8_t access = 0;
  for (char c : s) {
    uint8_t bit = c == 'r' ? kRead : c == 'w' ? kWrite : c == 'x' ? kExecute : 0;
    if (bit == 0 || (access & bit) != 0) {
      throw Failure{path + " must be letters from \"rwx\", each at most once"};
    }
    access |= bit;
  }
  return access;
}

RegionDescription read_region(const json &j, const std::string &path) {
  if (!j.is_object()) {
    throw Failure{path + " must be an object"};
  }
  reject_unknown_keys(j, {"name", "da", "size", "secure", "access"}, path);
  RegionDescription r;
  r.name = read_string(member(j, "name", path), path + ".name");
  r.da = read_u32(member(j, "da", path), path + ".da");
  r.size = read_u32(member(j, "size", path), path + ".size");
  if (auto it = j.find("secure"); it != j.end()) {
    if (!it->is_boolean()) {
      throw Failure{path + ".secure must be true or false"};
    }
    r.secure = it->get<bool>();
  }
  if (auto it = j.find("access"); it != j.end()) {
    r.access = read_access(*it, path + ".access");
  }
  return r;
}

PeripheralDescription read_peripheral(const json &j, const std::string &path) {
  if (!j.is_object()) {
    throw Failure{path + " must be an object"};
  }
  reject_unknown_keys(j, {"name", "base", "size", "model", "port"}, path);
  PeripheralDescription d;
  d.name = read_string(member(j, "name", path), path + ".name", 32);
  d.base = read_u32(member(j, "base", path), path + ".base");
  d.size = read_u32(member(j, "size", path), path + ".size");
  if (auto it = j.find("model"); it != j.end()) {
    const std::string model = read_string(*it, path + ".model", 16);
    bool known = false;
    for (PeripheralModel m :
         {PeripheralModel::kHsem, PeripheralModel::kRcc, PeripheralModel::kSyscfg,
          PeripheralModel::kPwr, PeripheralModel::kUsart3, PeripheralModel::kTim2,
          PeripheralModel::kGpio, PeripheralModel::kExti}) {
      if (model == to_string(m)) {
        d.model = m;
        known = true;
      }
    }
    if (!known) {
      throw Failure{path +
                    ".model must be \"hsem\", \"rcc\", \"syscfg\", \"pwr\", \"usart3\", "
                    "\"tim2\", \"gpio\" or \"exti\", not \"" +
                    model + "\""};
    }
  }
  if (auto it = j.find("port"); it != j.end()) {
    if (d.model != PeripheralModel::kGpio) {
      throw Failure{path + ".port is only for a \"gpio\" model"};
    }
    d.port = read_u32(*it, path + ".port");
  }
  return d;
}

ReservedMemoryDescription read_reserved(const json &j, const std::string &path) {
  if (!j.is_object()) {
    throw Failure{path + " must be an object"};
  }
  reject_unknown_keys(j, {"name", "address", "size", "no_map"}, path);
  ReservedMemoryDescription r;
  r.name = read_string(member(j, "name", path), path + ".name", 31);
  r.address = read_u32(member(j, "address", path), path + ".address");
  r.size = read_u32(member(j, "size", path), path + ".size");
  if (auto it = j.find("no_map"); it != j.end()) {
    if (!it->is_boolean()) {
      throw Failure{path + ".no_map must be true or false"};
    }
    r.no_map = it->get<bool>();
  }
  return r;
}

AddressAlias read_alias(const json &j, const std::string &path) {
  if (!j.is_object()) {
    throw Failure{path + " must be an object"};
  }
  reject_unknown_keys(j, {"host", "da", "size"}, path);
  AddressAlias a;
  a.host_address = read_u32(member(j, "host", path), path + ".host");
  a.da = read_u32(member(j, "da", path), path + ".da");
  a.size = read_u32(member(j, "size", path), path + ".size");
  return a;
}

// "stm32mp15" (the SoC's whole map) or a list of peripherals.
std::vector<PeripheralDescription> read_peripherals(const json &j, const std::string &path) {
  if (j.is_string()) {
    if (j.get<std::string>() != "stm32mp15") {
      throw Failure{path + " must be \"stm32mp15\" or a list of peripherals"};
    }
    return stm32mp15_peripherals();
  }
  if (!j.is_array() || j.size() > kMaxPeripheralsPerProcessor) {
    throw Failure{path + " must be \"stm32mp15\" or a list of at most " +
                  std::to_string(kMaxPeripheralsPerProcessor) + " peripherals"};
  }
  std::vector<PeripheralDescription> out;
  for (size_t i = 0; i < j.size(); ++i) {
    out.push_back(read_peripheral(j[i], path + "[" + std::to_string(i) + "]"));
  }
  std::sort(out.begin(), out.end(),
            [](const PeripheralDescription &a, const PeripheralDescription &b) {
              return a.base < b.base;
            });
  return out;
}

ProcessorDescription read_processor(const json &j, const std::string &path) {
  if (!j.is_object()) {
    throw Failure{path + " must be an object"};
  }
  reject_unknown_keys(
      j,
      {"id", "name", "core", "regions", "mailbox", "mailbox_layout", "peripherals", "public_keys",
       "clock_hz", "irqs", "priority_bits", "reserved_memory", "address_aliases"},
      path);
  ProcessorDescription p;
  p.id = read_u32(member(j, "id", path), path + ".id");
  p.name = read_string(member(j, "name", path), path + ".name");
  std::string core = read_string(member(j, "core", path), path + ".core");
  if (core == "cortex-m4") {
    p.core = CoreType::kCortexM4;
  } else if (core == "cortex-m33") {
    p.core = CoreType::kCortexM33;
  } else {
    throw Failure{path + ".core must be \"cortex-m4\" or \"cortex-m33\", not \"" + core + "\""};
  }
  const json &regions = member(j, "regions", path);
  if (!regions.is_array() || regions.empty() || regions.size() > kMaxRegionsPerProcessor) {
    throw Failure{path + ".regions must be a list of 1 to " +
                  std::to_string(kMaxRegionsPerProcessor) + " regions"};
  }
  for (size_t i = 0; i < regions.size(); ++i) {
    p.regions.push_back(read_region(regions[i], path + ".regions[" + std::to_string(i) + "]"));
  }
  std::sort(p.regions.begin(), p.regions.end(),
            [](const RegionDescription &a, const RegionDescription &b) { return a.da < b.da; });
  p.mailbox_da = read_u32(member(j, "mailbox", path), path + ".mailbox");
  if (auto it = j.find("mailbox_layout"); it != j.end()) {
    const std::string layout = read_string(*it, path + ".mailbox_layout", 16);
    if (layout == "stm32-ipcc") {
      p.mailbox_layout = MailboxLayout::kStm32Ipcc;
    } else if (layout == "captee") {
      p.mailbox_layout = MailboxLayout::kCaptee;
    } else {
      throw Failure{path + ".mailbox_layout must be \"stm32-ipcc\" or \"captee\", not \"" + layout +
                    "\""};
    }
  }
  if (auto it = j.find("peripherals"); it != j.end()) {
    p.peripherals = read_peripherals(*it, path + ".peripherals");
  }
  if (auto it = j.find("clock_hz"); it != j.end()) {
    p.clock_hz = read_u32(*it, path + ".clock_hz");
  }
  if (auto it = j.find("irqs"); it != j.end()) {
    p.irqs = read_u32(*it, path + ".irqs");
  }
  if (auto it = j.find("priority_bits"); it != j.end()) {
    const uint32_t bits = read_u32(*it, path + ".priority_bits");
    if (bits < 3 || bits > 8) {
      throw Failure{path + ".priority_bits must be 3 to 8"};
    }
    p.priority_bits = static_cast<uint8_t>(bits);
  }
  if (auto it = j.find("address_aliases"); it != j.end()) {
    if (!it->is_array() || it->size() > kMaxAddressAliasesPerProcessor) {
      throw Failure{path + ".address_aliases must be a list of at most " +
                    std::to_string(kMaxAddressAliasesPerProcessor) + " aliases"};
    }
    for (size_t i = 0; i < it->size(); ++i) {
      p.address_aliases.push_back(
          read_alias((*it)[i], path + ".address_aliases[" + std::to_string(i) + "]"));
    }
  }
  if (auto it = j.find("reserved_memory"); it != j.end()) {
    if (!it->is_array() || it->size() > kMaxReservedMemoryPerProcessor) {
      throw Failure{path + ".reserved_memory must be a list of at most " +
                    std::to_string(kMaxReservedMemoryPerProcessor) + " regions"};
    }
    for (size_t i = 0; i < it->size(); ++i) {
      p.reserved_memory.push_back(
          read_reserved((*it)[i], path + ".reserved_memory[" + std::to_string(i) + "]"));
    }
  }
  if (auto it = j.find("public_keys"); it != j.end()) {
    if (!it->is_array() || it->size() > 16) {
      throw Failure{path + ".public_keys must be a list of at most 16 PEM strings"};
    }
    for (size_t i = 0; i < it->size(); ++i) {
      p.public_keys_pem.push_back(
          read_string((*it)[i], path + ".public_keys[" + std::to_string(i) + "]", 16384));
    }
  }
  return p;
}

}  // namespace

ParseResult parse_platform_json(std::string_view text) {
  ParseResult result;
  if (text.size() > kMaxJsonBytes) {
    result.error = "the platform description is larger than 1 MiB";
    return result;
  }
  if (!nesting_within_limit(text)) {
    result.error = "the platform description is nested too deeply";
    return result;
  }
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    result.error = "the platform description is not valid JSON";
    return result;
  }
  try {
    if (!doc.is_object()) {
      throw Failure{"the platform description must be a JSON object"};
    }
    reject_unknown_keys(doc, {"name", "processors"}, "platform");
    PlatformDescription p;
    p.name = read_string(member(doc, "name", "platform"), "platform.name");
    const json &procs = member(doc, "processors", "platform");
    if (!procs.is_array() || procs.empty() || procs.size() > kMaxProcessors) {
      throw Failure{"platform.processors must be a list of 1 to " + std::to_string(kMaxProcessors) +
                    " processors"};
    }
    for (size_t i = 0; i < procs.size(); ++i) {
      p.processors.push_back(
          read_processor(procs[i], "platform.processors[" + std::to_string(i) + "]"));
    }
    if (std::string err = validate(p); !err.empty()) {
      throw Failure{err};
    }
    result.platform = std::move(p);
  } catch (const Failure &f) {
    result.error = f.message;
  } catch (const json::exception &e) {
    // Only type errors can reach here, and only through a bug above; still no crash.
    result.error = std::string("the platform description is malformed: ") + e.what();
  }
  return result;
}

}  // namespace captee::platform
