// The host's half of a firmware's resource table: Linux's
// rproc_handle_resources, run on the cached copy of the table.
//
// Linux reads the table after the first LOAD_FW, keeps a copy, validates and
// handles every entry on the copy (registering carveouts, finding trace
// buffers, allocating vrings and notify ids, writing what it allocated back
// into the copy), and later copies the copy over the loaded table before
// START_FW. captee-rprocd does the same, with two differences that come from
// the TEE owning the memory:
//  - FW_RSC_ADDR_ANY carveouts and vrings go to the board's reserved-memory
//    region of their name (`vdevNvringM`, the carveout's name), as Linux's
//    stm32_rproc registers them, and otherwise to the processor's non-secure
//    regions (host memory); with neither, such a table cannot boot; a vdev's
//    buffer is its `vdevNbuffer` carveout or reserved region;
//  - memory is reached only through the windows the remoteproc TA granted
//    (IRemoteprocHost.mapResource): trace buffers read-only, vrings and vdev
//    buffers read-write. Windows belong to one load, so they are mapped again
//    after every LOAD_FW (a recovery reloads).
// The table bytes came from capteed, which is trusted, but they are parsed
// with the same bounds-checked, fuzzed parser as everything else.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "IRemoteprocHost.hpp"
#include "captee/memory.hpp"

namespace captee::rproc {

// A resource mapped through the host face.
struct MappedResource {
  std::string name;
  uint32_t da = 0, len = 0;  // the resource itself
  bool writable = false;
  Ref memory;                      // the window's memory object
  uint32_t base = 0;               // device address of the window's first byte
  std::optional<Mapping> mapping;  // of the window
  // The resource's bytes inside the mapping (empty when unmapped).
  std::span<const std::byte> bytes() const;
  // The same, to write (empty when unmapped or not writable).
  std::span<std::byte> writable_bytes() const;
};

class Resources {
 public:
  // Validates `table` (the cached copy) entry by entry and fills in, in the
  // copy, what the host allocates: the da and pa of FW_RSC_ADDR_ANY
  // carveouts, the da of FW_RSC_ADDR_ANY vrings (a "vdevNvringM" carveout if
  // the table has one, else non-secure memory), and every vring's notify id
  // (0, 1, ... in table order, as Linux's idr does). `regions` is the
  // processor's memory map (IRemoteprocHost.listRegions), `reserved` the
  // board's reserved memory (IRemoteprocHost.listReservedMemory). nullopt with one
  // sentence in *why on the first entry that cannot be handled; *notes gets
  // entries skipped as Linux skips them (unknown and vendor types, devmem
  // without an IOMMU).
  static std::optional<Resources> handle(
      std::vector<uint8_t> &table, const std::vector<IRemoteprocHost_Region> &regions,
      std::string *why, std::vector<std::string> *notes,
      const std::vector<IRemoteprocHost_ReservedMemory> &reserved = {});

  // Maps every trace buffer, vring and vdev buffer through `host`. false
  // with *why naming the first resource the TEE did not share.
  bool map(const iface::IRemoteprocHost &host, std::string *why);
  // Drops the mappings (the memory objects are released).
  void unmap();

  // Linux's find_loaded_rsc_table: true if [da, da+size) lies inside one
  // registered carveout (a region of the processor, or a carveout entry).
  bool inside_carveout(uint64_t da, uint64_t size) const;

  const std::vector<MappedResource> &traces() const { return traces_; }
  const std::vector<MappedResource> &vrings() const { return vrings_; }
  const std::vector<MappedResource> &buffers() const { return buffers_; }

  struct Carveout {
    std::string name;
    uint32_t da = 0, len = 0;
  };
  const std::vector<Carveout> &carveouts() const { return carveouts_; }

 private:
  std::vector<Carveout> carveouts_;  // regions first, then the table's
  std::vector<MappedResource> traces_, vrings_, buffers_;
};

// Text of a trace buffer, up to its first NUL.
std::string trace_text(const MappedResource &trace);

}  // namespace captee::rproc
