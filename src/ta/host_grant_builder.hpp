// What the remoteproc TA grants the host for a firmware it just loaded
// (platform/host_grant.hpp), derived from the resource table decoded out of
// protected memory and from the ELF program headers the signature covers.
//
// Linux's host side needs the trace buffers, the vdev vrings and buffers, and
// write access to the table fields it fills in. This is where captee decides
// how much of that it can give without exposing anything else:
//  - trace buffers: read-only, unless their pages hold executable segment
//    bytes (firmware code never leaves the TEE);
//  - vrings and vdev buffer / vring carveouts with a fixed address:
//    read-write, unless their pages overlap any loaded segment (the host must
//    not be able to patch authenticated code or data);
//  - table fields: vdev notifyid, gfeatures, status and config bytes; vring da
//    and notifyid; carveout da and pa. Nothing else;
//  - non-secure regions of the processor, whole and read-write: they are host
//    memory (where FW_RSC_ADDR_ANY carveouts and vrings go), unless a loaded
//    segment lies in them;
//  - the board's reserved-memory regions a FW_RSC_ADDR_ANY vring or carveout
//    will be allocated from by name, as Linux's stm32_rproc does
//    (`vdevNvringM` for vring M of vdev N, a carveout's own name, and
//    `vdevNbuffer` for a vdev whose table has no such carveout): whole and
//    read-write, unless a loaded segment lies in them or they are too small.
#pragma once

#include <string>
#include <vector>

#include "captee/fwimage/signed_image.hpp"
#include "captee/platform/description.hpp"
#include "captee/platform/host_grant.hpp"

namespace captee::ta {

// `parsed.resource_table`, when present, must have been decoded from the
// loaded copy. Refused windows are explained in *notes (one sentence each).
platform::HostGrant build_host_grant(const fwimage::ParsedImage &parsed,
                                     const platform::ProcessorDescription &processor,
                                     std::vector<std::string> *notes);

// Bytes of a split virtqueue with `num` descriptors and `align`ment, as
// Linux's vring_size(); UINT64 so it cannot overflow.
uint64_t vring_bytes(uint32_t num, uint32_t align);

}  // namespace captee::ta
