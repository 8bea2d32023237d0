// Fuzzes what the normal world may do to a loaded firmware's resource table:
// the TA's grant builder over a hostile table (as if a signed firmware had
// it), the platform's grant, and then hostile host writes through the
// firewall. Input: u16 table length, the table, then writes of
// {u16 offset, u8 length, bytes}.
//
// Invariants checked after every write: bytes the grant does not mark
// writable never change, and no address field holds a value the grant does
// not allow.
#include <openssl/sha.h>

#include <array>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "captee/fwimage/resource_table.hpp"
#include "captee/fwimage/signed_image.hpp"
#include "captee/platform/remote_processor.hpp"
#include "host_grant_builder.hpp"

namespace {

namespace pl = captee::platform;
namespace fw = captee::fwimage;

constexpr uint32_t kTable = 0x10000000;

pl::RemoteProcessor &processor() {
  static std::unique_ptr<pl::RemoteProcessor> proc = [] {
    pl::ProcessorDescription d;
    d.id = 0;
    d.name = "fuzz";
    d.mailbox_da = 0x4C001000;
    d.regions = {{"retram", 0x0, 0x10000, true, pl::kRwx},
                 {"sram", 0x10000000, 0x20000, true, pl::kRwx},
                 {"ddr", 0x20000000, 0x10000, false, pl::kRwx}};
    std::string error;
    return pl::RemoteProcessor::create(d, &error);
  }();
  return *proc;
}

uint32_t le32(const uint8_t *p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2) {
    return 0;
  }
  const size_t len = data[0] | size_t{data[1]} << 8;
  if (len < 16 || len > size - 2 || len > 0x4000) {
    return 0;
  }
  std::span<const uint8_t> table(data + 2, len);
  auto parsed = fw::parse_resource_table(table);
  if (!parsed) {
    return 0;
  }
  pl::RemoteProcessor &proc = processor();
  (void)proc.release();
  std::array<uint8_t, 32> digest;
  SHA256(table.data(), table.size(), digest.data());
  auto hash_matches = [&](std::span<const uint8_t> destination) {
    std::array<uint8_t, 32> landed;
    SHA256(destination.data(), destination.size(), landed.data());
    return landed == digest;
  };
  if (!proc.load_segment(kTable, table, static_cast<uint32_t>(len), hash_matches).ok()) {
    return 0;
  }
  fw::ParsedImage image;
  fw::ResourceTableRef ref;
  ref.device_addr = kTable;
  ref.size = static_cast<uint32_t>(len);
  ref.bytes = proc.translate(kTable, static_cast<uint32_t>(len));
  ref.table = std::move(parsed).value();
  image.resource_table = std::move(ref);
  std::vector<std::string> notes;
  pl::HostGrant grant = captee::ta::build_host_grant(image, proc.description(), &notes);
  const pl::HostGrant kept = grant;
  if (!proc.grant_host(std::move(grant), &notes).ok()) {
    __builtin_trap();  // the builder's grants are always consistent
  }
  const std::vector<uint8_t> original(table.begin(), table.end());
  size_t at = 2 + len;
  while (at + 3 <= size) {
    const uint32_t offset = data[at] | uint32_t{data[at + 1]} << 8;
    const size_t n = std::min<size_t>(data[at + 2], size - at - 3);
    (void)proc.host_write_table(offset, std::span<const uint8_t>(data + at + 3, n));
    at += 3 + n;
    const std::span<uint8_t> now = proc.translate(kTable, static_cast<uint32_t>(len));
    for (size_t i = 0; i < len; i++) {
      if (kept.rsc_writable[i] == 0 && now[i] != original[i]) {
        __builtin_trap();  // a protected byte changed
      }
    }
    for (const pl::HostAddressField &f : kept.addresses) {
      const uint32_t v = le32(now.data() + f.offset);
      if (v != f.verified && v != le32(original.data() + f.offset)) {
        if (f.verified != fw::kFwRscAddrAny) {
          __builtin_trap();  // a fixed address moved
        }
        const pl::MemoryRegion *r = proc.region_for(v, f.span);
        if (r == nullptr || r->description().secure) {
          __builtin_trap();  // an ANY address went to secure memory
        }
      }
    }
  }
  return 0;
}
