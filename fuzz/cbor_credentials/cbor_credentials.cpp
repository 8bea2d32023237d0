// Fuzzes the CBOR credentials parser (spec §6) that reads what clients send.
#include <cstddef>
#include <cstdint>
#include <span>

#include "captee/tee/credentials.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  auto claims = captee::tee::parse_cbor_credentials(
      std::span(reinterpret_cast<const std::byte *>(data), size));
  if (claims && claims->encoded_size != size) {
    __builtin_trap();  // a success must account for every byte
  }
  return 0;
}
