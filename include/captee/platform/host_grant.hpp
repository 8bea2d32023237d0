// What the normal-world host may reach of a loaded firmware.
//
// In Linux's TEE-managed remoteproc, the host still needs a few pieces of the
// coprocessor's memory after the TEE authenticated and loaded the firmware:
// the trace buffers it prints, the vrings and buffers of virtio devices, and
// the loaded resource table, into which it writes the values it allocated
// before START_FW. Everything else must stay inside the TEE.
//
// The remoteproc TA decides what to grant from the resource table it decoded
// out of protected memory (never from a table the host supplied), and hands
// the platform a HostGrant. The platform enforces it mechanically:
//  - a window is shared as whole 4 KiB pages of its region, as a memory object
//    of its own (the rest of the region's memfd is never handed out);
//    read-only windows are sealed against writable mappings;
//  - writable windows may not share a page with the resource table, and a
//    page is never shared both read-only and writable (the writable window
//    loses);
//  - a write into the resource table may change only bytes the grant marks
//    writable, and an address field only to its signed value, or, where the
//    firmware asked for FW_RSC_ADDR_ANY, to a range of non-secure memory or
//    of a window the TA granted from the board's reserved memory (a
//    `vdevNvringM` or `vdevNbuffer` region, shared with the host anyway).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace captee::platform {

// One resource the host may map.
struct HostWindow {
  std::string name;  // e.g. "trace0", "vdev0vring1", "vdev0buffer"
  uint32_t da = 0;   // device address of the resource's first byte
  uint32_t size = 0;
  bool writable = false;  // trace buffers are read-only, vrings and buffers read-write
  // A region of the board's reserved memory the host may place FW_RSC_ADDR_ANY
  // vrings and carveouts into, as Linux allocates them there by name.
  bool reserved = false;
};

// A 32-bit address field of the resource table (carveout da/pa, vring da).
struct HostAddressField {
  uint32_t offset = 0;    // of the field, from the table's first byte
  uint32_t verified = 0;  // its value in the signed table
  uint32_t span = 0;      // bytes the address stands for (the carveout or vring size)
};

struct HostGrant {
  uint32_t rsc_da = 0;  // the loaded table; rsc_size 0 when there is none
  uint32_t rsc_size = 0;
  // One entry per table byte: non-zero where the host may write.
  std::vector<uint8_t> rsc_writable;
  // Every address field the host may write (its bytes are also in rsc_writable).
  std::vector<HostAddressField> addresses;
  std::vector<HostWindow> windows;
};

}  // namespace captee::platform
