// Fuzzes the platform description parser: any bytes must give either a valid
// description or an error message, never a crash, hang or leak.
#include <cstdint>
#include <string_view>

#include "captee/platform/description.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);
  captee::platform::ParseResult r = captee::platform::parse_platform_json(text);
  if (r.platform) {
    // Whatever the parser accepts must satisfy the invariants the SoC relies on.
    if (!captee::platform::validate(*r.platform).empty()) {
      __builtin_trap();
    }
  } else if (r.error.empty()) {
    __builtin_trap();
  }
  return 0;
}
