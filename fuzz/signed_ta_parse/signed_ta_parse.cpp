// Fuzzes the signed-TA parser (OP-TEE's shdr format, the first thing capteed
// reads of a TA file) and the hash check that follows it.
#include <cstddef>
#include <cstdint>
#include <span>

#include "captee/fwimage/signed_ta.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  namespace fw = captee::fwimage;
  const std::span<const uint8_t> bytes(data, size);
  auto ta = fw::parse_signed_ta(bytes);
  if (!ta) {
    return 0;
  }
  // Every view lies inside the input and the image runs to its end.
  const uint8_t *end = data + size;
  if (ta->image.data() + ta->image.size() != end || ta->signature.data() < data ||
      ta->hash.size() != 32) {
    __builtin_trap();
  }
  // No key: the hash is recomputed and compared, then the refusal is clean.
  (void)fw::verify_signed_ta(ta.value(), {});
  return 0;
}
