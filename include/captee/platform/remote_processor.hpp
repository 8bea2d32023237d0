// One remote processor of the emulated SoC, with the operations the TEE uses
// to run firmware on it (the "secure face"): load a segment and have the
// caller check the copy, set memory, translate device addresses, start, stop
// and release.
//
// Only the remoteproc TA holds a RemoteProcessor's secure face; that is the
// whole access rule. The host-side operations ("non-secure face", marked
// below) only reach what the TA granted for the loaded firmware
// (host_grant.hpp); capteed serves them to the normal world under policy. The checks here are the
// ones that protect memory regardless of what the caller parsed: a segment must fit inside one
// region, must not overlap a segment loaded earlier, and is checked *on the destination copy* (by
// the caller's check, which the TA makes fwimage's segment hash), so whoever supplied the image
// cannot change the bytes between check and use. A failed check wipes the segment. Release wipes
// every region. This layer copies bytes; it does no cryptography.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "captee/platform/cortex_m_core.hpp"
#include "captee/object.hpp"
#include "captee/platform/description.hpp"
#include "captee/platform/host_grant.hpp"
#include "captee/platform/mailbox.hpp"
#include "captee/platform/memory_region.hpp"

namespace captee::platform {

// Failure classes, chosen to map one to one onto GP TEE_Result codes.
enum class Error {
  kOk,
  kBadParameters,  // TEE_ERROR_BAD_PARAMETERS
  kBadFormat,      // TEE_ERROR_BAD_FORMAT (e.g. overlapping segments)
  kAccessDenied,   // TEE_ERROR_ACCESS_DENIED (outside the processor's memory)
  kBadState,       // TEE_ERROR_BAD_STATE
  kSecurity,       // TEE_ERROR_SECURITY (hash mismatch)
  kGeneric,        // TEE_ERROR_GENERIC
};

struct Status {
  Error code = Error::kOk;
  std::string message;
  bool ok() const { return code == Error::kOk; }
  static Status success() { return {}; }
};

// Judges a segment where it landed: called with the destination bytes
// [da, da+size of the file bytes) of the carveout, right after the copy; true
// if they are the bytes the caller expects (the TA: their signed SHA-256).
using SegmentCheck = std::function<bool(std::span<const uint8_t> destination)>;

class RemoteProcessor {
 public:
  // Allocates the processor's regions. Returns nullptr and sets *error on failure.
  static std::unique_ptr<RemoteProcessor> create(const ProcessorDescription &desc,
                                                 std::string *error);
  ~RemoteProcessor();

  const ProcessorDescription &description() const { return desc_; }
  uint32_t id() const { return desc_.id; }

  // Copies `bytes` to [da, da+bytes.size()), has `check` judge the
  // destination copy, then zero-fills up to `memsz`. The core must be offline.
  // `check` runs once, under this processor's lock, while nothing but this
  // call can reach the destination: the core is offline, and nothing is
  // granted to the host (the pages a host may map exist only from grant_host,
  // which the TA calls after its last segment, until release or
  // forget_segments). So a caller that hashes the destination hashes exactly
  // what stays in memory, whatever the source buffer's owner does meanwhile.
  // `check` must not call back into this processor.
  // Errors: kBadParameters (memsz < size), kAccessDenied (not inside one
  // region), kBadFormat (overlaps an earlier segment), kBadState (core not
  // offline, or the host holds grants), kSecurity (`check` said no; the
  // segment is wiped).
  Status load_segment(uint32_t da, std::span<const uint8_t> bytes, uint32_t memsz,
                      const SegmentCheck &check);

  // Fills [da, da+size) with `value`. Same region and state rules as above.
  Status set_memory(uint32_t da, uint8_t value, uint32_t size);

  // The TEE-side bytes of [da, da+size), or an empty span if they do not lie
  // inside one region. Borrowed; valid until the processor is destroyed.
  std::span<uint8_t> translate(uint32_t da, uint32_t size);
  // The region holding [da, da+size), or nullptr.
  MemoryRegion *region_for(uint32_t da, uint64_t size);

  // Boots the core from the vector table at `boot_da`.
  Status start(uint32_t boot_da);
  // Halts the core (running or crashed). Memory is kept.
  Status stop();
  // Wipes every region, forgets loaded segments and ends every grant to the
  // host (a host that still maps a window reads zeros). kBadState while running.
  Status release();

  // Prepares a warm reload of the same firmware: forgets the loaded segments
  // and ends the host's grants (their windows are zeroed), but keeps every
  // other byte of memory, as SRAM keeps its contents across a restart. Only
  // for reloading an image identical to the one loaded (the TA checks); any
  // other image needs release(). kBadState unless the core is offline.
  Status forget_segments();

  // Applies what the TA grants the host for the firmware it just loaded. The
  // core must be offline (kBadState) and nothing granted since the last
  // release (kBadState). Windows that cannot be granted (outside one region,
  // a writable window on the resource table's pages, a page wanted both
  // read-only and writable) are skipped, each with a sentence in *refused;
  // the rest are shared. kBadParameters if the table part is inconsistent
  // (mask size, an address field outside it, the table outside one region).
  Status grant_host(HostGrant grant, std::vector<std::string> *refused);

  // ---- Non-secure face: what the host may do with the grants ----

  // Whole pages holding one granted window.
  struct HostPages {
    Ref memory;            // an FdObject (new reference): read-only for trace buffers
    uint32_t base_da = 0;  // device address of its first byte
    uint32_t size = 0;
    bool writable = false;
  };
  // The pages of the granted window holding [da, da+size). kAccessDenied if
  // nothing is granted or no single window holds the range; kGeneric if a
  // descriptor cannot be duplicated.
  Status host_map(uint32_t da, uint32_t size, HostPages *out);
  // The loaded resource table as it is now. kAccessDenied if nothing is
  // granted or the firmware has no table.
  Status host_read_table(std::vector<uint8_t> *bytes, uint32_t *da);
  // Writes `bytes` at `offset` into the loaded resource table. kAccessDenied
  // as above; kBadParameters if the range leaves the table; kSecurity (and
  // nothing written) if a byte outside the writable fields would change or an
  // address field would get a value the grant does not allow.
  Status host_write_table(uint32_t offset, std::span<const uint8_t> bytes);
  // True while a loaded firmware's grants are in force.
  bool host_granted() const;

  CoreState state() const { return core_->state(); }
  CortexMCore &core() { return *core_; }
  Mailbox &mailbox() { return mailbox_; }
  // The board's console (USART3), or nullptr: what the firmware printed, and
  // bytes for it to read. Kept across boots, like a terminal on the pins.
  UartConsole *console() { return core_->console(); }
  // The board's GPIO pins (buttons in, LEDs out), or nullptr.
  GpioPins *gpio() { return core_->gpio(); }
  const std::vector<std::unique_ptr<MemoryRegion>> &regions() const { return regions_; }

 private:
  RemoteProcessor(ProcessorDescription desc, std::vector<std::unique_ptr<MemoryRegion>> regions);
  // Checks that [da, da+len) is in one region and the core is offline.
  Status check_writable(uint32_t da, uint64_t len, MemoryRegion **region);

  ProcessorDescription desc_;
  std::vector<std::unique_ptr<MemoryRegion>> regions_;
  Mailbox mailbox_;
  std::unique_ptr<CortexMCore> core_;

  mutable std::mutex mu_;  // serialises the secure-face and host operations
  struct Range {
    uint64_t start, end;
  };
  std::vector<Range> loaded_;  // segments since the last release

  // What the host was granted (guarded by mu_); reset by release().
  struct SharedPages {
    uint32_t base_da = 0, size = 0;
    bool writable = false;
    int fd = -1;  // a descriptor handed out per host_map (dup'ed)
  };
  struct Granted {
    bool active = false;
    HostGrant grant;
    std::vector<SharedPages> shares;
  };
  Granted granted_;
  void revoke_host_locked();
};

// All processors of one platform, by rproc_id.
class Soc {
 public:
  // Builds every processor of `desc` (which must be valid). Returns nullptr
  // and sets *error on failure.
  static std::unique_ptr<Soc> create(const PlatformDescription &desc, std::string *error);

  const PlatformDescription &description() const { return desc_; }
  // Borrowed; nullptr if there is no processor with this id.
  RemoteProcessor *processor(uint32_t id);

 private:
  explicit Soc(PlatformDescription desc) : desc_(std::move(desc)) {}
  PlatformDescription desc_;
  std::vector<std::unique_ptr<RemoteProcessor>> processors_;
};

}  // namespace captee::platform
