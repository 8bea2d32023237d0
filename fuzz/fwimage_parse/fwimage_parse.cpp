// Fuzzes the signed-image parser end to end: container framing, TLVs, ELF
// images bound to the hash table, the resource table, segment hashing and the
// inspect renderers.
#include <cstddef>
#include <cstdint>
#include <span>

#include "captee/fwimage/tools/inspect.hpp"
#include "captee/fwimage/signed_image.hpp"
#include "captee/fwimage/verify.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  namespace fw = captee::fwimage;
  const std::span<const uint8_t> bytes(data, size);
  // The split form a TA uses must agree with the one-buffer form.
  auto head = fw::head_size(bytes);
  if (head && head.value() <= size) {
    auto split = fw::parse_container(bytes.first(head.value()), bytes.subspan(head.value()));
    if (split.ok() != fw::parse_container(bytes).ok()) {
      __builtin_trap();
    }
  }
  auto container = fw::parse_container(bytes);
  if (!container) {
    return 0;
  }
  (void)fw::signed_digest(container.value());
  auto parsed = fw::parse_contents(container.value(), /*decode_table=*/false);
  if (!parsed) {
    return 0;
  }
  (void)fw::verify_segment_hashes(parsed.value());
  if (fw::decode_resource_table(parsed.value())) {
    (void)fw::inspect_json(parsed.value());
    (void)fw::inspect_text(parsed.value());
  }
  return 0;
}
