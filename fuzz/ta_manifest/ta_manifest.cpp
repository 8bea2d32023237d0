// Fuzzes the TA manifest reader: image bytes come from clients.
#include <cstddef>
#include <cstdint>
#include <span>

#include "captee/tee/apps/manifest.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string why;
  auto m = captee::tee::apps::read_manifest(
      std::span(reinterpret_cast<const std::byte *>(data), size), &why);
  if (m) {
    (void)m->uuid_string();
  }
  return 0;
}
