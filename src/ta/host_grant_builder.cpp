#include "host_grant_builder.hpp"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <variant>

namespace captee::ta {

namespace {

using fwimage::kFwRscAddrAny;
using platform::kPageSize;

struct Span {
  uint64_t start, end;
};

Span pages(uint64_t da, uint64_t size) {
  return {da & ~uint64_t{kPageSize - 1}, (da + size + kPageSize - 1) & ~uint64_t{kPageSize - 1}};
}

// True if the pages of [da, da+size) hold bytes of a PT_LOAD segment (only
// executable ones when `exec_only`).
bool touches_segment(const fwimage::ParsedImage &p, uint64_t da, uint64_t size, bool exec_only,
                     std::string *which) {
  const Span w = pages(da, size);
  for (const fwimage::FirmwareImage &img : p.images) {
    for (const fwimage::Segment &s : img.segments) {
      if (!s.loadable() || s.phdr.memsz == 0 || (exec_only && !(s.phdr.flags & fwimage::kPfX))) {
        continue;
      }
      const uint64_t start = s.phdr.paddr, end = start + s.phdr.memsz;
      if (start < w.end && w.start < end) {
        char buf[96];
        std::snprintf(buf, sizeof buf, "segment %u of image %u at 0x%08llx", s.index, img.index,
                      static_cast<unsigned long long>(start));
        *which = buf;
        return true;
      }
    }
  }
  return false;
}

void mark(std::vector<uint8_t> &mask, uint64_t offset, uint64_t len) {
  for (uint64_t i = offset; i < offset + len && i < mask.size(); i++) {
    mask[i] = 1;
  }
}

bool name_is(const std::string &name, const char *pattern_a, const char *pattern_b) {
  // "vdev%dbuffer" / "vdev%dvring%d", with decimal indices.
  for (const char *pattern : {pattern_a, pattern_b}) {
    int a = 0, b = 0, n = 0;
    std::string fmt = std::string(pattern) + "%n";
    if (std::string(pattern).find("vring") != std::string::npos) {
      if (std::sscanf(name.c_str(), fmt.c_str(), &a, &b, &n) == 2 &&
          static_cast<size_t>(n) == name.size()) {
        return true;
      }
    } else if (std::sscanf(name.c_str(), fmt.c_str(), &a, &n) == 1 &&
               static_cast<size_t>(n) == name.size()) {
      return true;
    }
  }
  return false;
}

}  // namespace

uint64_t vring_bytes(uint32_t num, uint32_t align) {
  if (align == 0) {
    return UINT64_MAX;
  }
  const uint64_t head = 16ull * num + 2ull * (3 + uint64_t{num});
  const uint64_t used_at = (head + align - 1) / align * align;
  return used_at + 2ull * 3 + 8ull * num;
}

platform::HostGrant build_host_grant(const fwimage::ParsedImage &p,
                                     const platform::ProcessorDescription &processor,
                                     std::vector<std::string> *notes) {
  const std::vector<platform::RegionDescription> &regions = processor.regions;
  platform::HostGrant g;
  for (const platform::RegionDescription &r : regions) {
    std::string seg;
    if (r.secure) {
      continue;
    }
    if (touches_segment(p, r.da, r.size, /*exec_only=*/false, &seg)) {
      notes->push_back("region " + r.name + " is not shared: " + seg + " was loaded there");
      continue;
    }
    g.windows.push_back({r.name, r.da, r.size, true});
  }
  if (!p.resource_table) {
    return g;
  }
  const fwimage::ResourceTableRef &rt = *p.resource_table;
  g.rsc_da = rt.device_addr;
  g.rsc_size = rt.size;
  g.rsc_writable.assign(rt.size, 0);

  auto window = [&](std::string name, uint32_t da, uint64_t size, bool writable) {
    std::string seg;
    if (da == kFwRscAddrAny || size == 0) {
      return;  // nothing placed: the host may fill in non-secure memory instead
    }
    if (size > UINT32_MAX - uint64_t{da}) {
      notes->push_back(name + " is not shared: it runs past the end of the address space");
      return;
    }
    if (touches_segment(p, da, size, /*exec_only=*/!writable, &seg)) {
      notes->push_back(name + " is not shared: its pages hold bytes of " + seg +
                       (writable ? ", which the host must not change" : ", which is code"));
      return;
    }
    g.windows.push_back({std::move(name), da, static_cast<uint32_t>(size), writable});
  };
  // A reserved-memory region the host will allocate from by name; granted
  // once, however many resources name it.
  std::vector<std::string> reserved_granted;
  auto reserved = [&](const std::string &name, uint64_t needed) {
    const platform::ReservedMemoryDescription *r = platform::find_reserved_memory(processor, name);
    if (r == nullptr || std::find(reserved_granted.begin(), reserved_granted.end(), name) !=
                            reserved_granted.end()) {
      return;
    }
    std::optional<uint32_t> da = platform::host_to_da(processor, r->address, r->size);
    std::string seg;
    if (!da) {
      return;  // validate() keeps this from happening
    }
    if (needed > r->size) {
      notes->push_back("reserved memory " + name + " is not shared: its " +
                       std::to_string(r->size) + " bytes are fewer than the " +
                       std::to_string(needed) + " the resource table asks for");
      return;
    }
    if (touches_segment(p, *da, r->size, /*exec_only=*/false, &seg)) {
      notes->push_back("reserved memory " + name + " is not shared: its pages hold bytes of " +
                       seg + ", which the host must not change");
      return;
    }
    reserved_granted.push_back(name);
    g.windows.push_back({name, *da, r->size, true, true});
  };
  std::vector<std::string> carveout_names;
  for (const fwimage::RscEntry &e : rt.table.entries) {
    if (const auto *m = std::get_if<fwimage::RscMemory>(&e.body);
        m != nullptr && e.type == fwimage::kRscCarveout) {
      carveout_names.push_back(m->name);
    }
  }
  auto address = [&](uint32_t offset, uint32_t verified, uint64_t span) {
    g.addresses.push_back(
        {offset, verified, span > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(span)});
    mark(g.rsc_writable, offset, 4);
  };

  unsigned traces = 0, vdevs = 0;
  for (const fwimage::RscEntry &e : rt.table.entries) {
    if (const auto *t = std::get_if<fwimage::RscTrace>(&e.body)) {
      const std::string name = t->name.empty() ? "trace" + std::to_string(traces) : t->name;
      traces++;
      window(name, t->da, t->len, /*writable=*/false);
    } else if (const auto *v = std::get_if<fwimage::RscVdev>(&e.body)) {
      mark(g.rsc_writable, e.offset + 8, 4);   // notifyid
      mark(g.rsc_writable, e.offset + 16, 4);  // gfeatures
      mark(g.rsc_writable, e.offset + 24, 1);  // status
      mark(g.rsc_writable, v->config_offset, v->config_len);
      for (size_t i = 0; i < v->vrings.size(); i++) {
        const fwimage::RscVring &r = v->vrings[i];
        const uint32_t at = e.offset + 28 + 20 * static_cast<uint32_t>(i);
        const uint64_t bytes = vring_bytes(r.num, r.align);
        address(at, r.da, bytes);
        mark(g.rsc_writable, at + 12, 4);  // notifyid
        const std::string name = "vdev" + std::to_string(vdevs) + "vring" + std::to_string(i);
        if (r.da == kFwRscAddrAny) {
          reserved(name, bytes);
        }
        window(name, r.da, bytes, /*writable=*/true);
      }
      const std::string buffer = "vdev" + std::to_string(vdevs) + "buffer";
      if (std::find(carveout_names.begin(), carveout_names.end(), buffer) == carveout_names.end()) {
        reserved(buffer, 1);
      }
      vdevs++;
    } else if (const auto *m = std::get_if<fwimage::RscMemory>(&e.body)) {
      if (e.type != fwimage::kRscCarveout) {
        continue;  // devmem: Linux maps it and writes nothing back
      }
      address(e.offset + 4, m->da, m->len);
      address(e.offset + 8, m->pa, m->len);
      if (m->da == kFwRscAddrAny) {
        reserved(m->name, m->len);
      }
      if (name_is(m->name, "vdev%dbuffer", "vdev%dvring%d")) {
        window(m->name, m->da, m->len, /*writable=*/true);
      }
    }
  }
  return g;
}

}  // namespace captee::ta
