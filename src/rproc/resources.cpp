#include "captee/rproc/resources.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <variant>

#include "captee/detail/hex.hpp"
#include "captee/detail/little_endian.hpp"
#include "captee/fwimage/resource_table.hpp"

namespace captee::rproc {

namespace {

namespace fw = captee::fwimage;

constexpr uint64_t kPage = 4096;

using captee::detail::hex32;

template <typename T>
std::string name_of(const T &r) {
  const auto *n = reinterpret_cast<const char *>(r.name);
  return std::string(n, strnlen(n, sizeof r.name));
}

const IRemoteprocHost_ReservedMemory *reserved_named(
    const std::vector<IRemoteprocHost_ReservedMemory> &reserved, const std::string &name) {
  for (const IRemoteprocHost_ReservedMemory &r : reserved) {
    if (name_of(r) == name) {
      return &r;
    }
  }
  return nullptr;
}

uint64_t vring_bytes(uint32_t num, uint32_t align) {
  const uint64_t head = 16ull * num + 2ull * (3 + uint64_t{num});
  return (head + align - 1) / align * align + 6 + 8ull * num;
}

struct Range {
  uint64_t start, end;
};

// Host memory for FW_RSC_ADDR_ANY: first fit, page-aligned, in the
// non-secure regions, avoiding what is already placed.
class Placer {
 public:
  explicit Placer(const std::vector<IRemoteprocHost_Region> &regions) : regions_(regions) {}
  void reserve(uint64_t da, uint64_t len) { used_.push_back({da, da + len}); }
  std::optional<uint32_t> place(uint64_t len) {
    for (const IRemoteprocHost_Region &r : regions_) {
      if (r.secure) {
        continue;
      }
      const uint64_t end = uint64_t{r.da} + r.size;
      uint64_t at = r.da;
      while (at + len <= end) {
        auto hit = std::find_if(used_.begin(), used_.end(),
                                [&](const Range &u) { return at < u.end && u.start < at + len; });
        if (hit == used_.end()) {
          reserve(at, len);
          return static_cast<uint32_t>(at);
        }
        at = (hit->end + kPage - 1) / kPage * kPage;
      }
    }
    return std::nullopt;
  }

 private:
  const std::vector<IRemoteprocHost_Region> &regions_;
  std::vector<Range> used_;
};

bool in_one_region(const std::vector<IRemoteprocHost_Region> &regions, uint64_t da, uint64_t len) {
  return std::any_of(regions.begin(), regions.end(), [&](const IRemoteprocHost_Region &r) {
    return da >= r.da && da + len <= uint64_t{r.da} + r.size;
  });
}

}  // namespace

std::span<const std::byte> MappedResource::bytes() const {
  if (!mapping || da < base || uint64_t{da - base} + len > mapping->bytes().size()) {
    return {};
  }
  return mapping->bytes().subspan(da - base, len);
}

std::span<std::byte> MappedResource::writable_bytes() const {
  if (!writable || !mapping || !mapping->writable() || da < base ||
      uint64_t{da - base} + len > mapping->bytes().size()) {
    return {};
  }
  return mapping->bytes().subspan(da - base, len);
}

std::string trace_text(const MappedResource &trace) {
  std::span<const std::byte> b = trace.bytes();
  auto end = std::find(b.begin(), b.end(), std::byte{0});
  return std::string(reinterpret_cast<const char *>(b.data()), size_t(end - b.begin()));
}

std::optional<Resources> Resources::handle(
    std::vector<uint8_t> &table, const std::vector<IRemoteprocHost_Region> &regions,
    std::string *why, std::vector<std::string> *notes,
    const std::vector<IRemoteprocHost_ReservedMemory> &reserved) {
  auto parsed = fw::parse_resource_table(table);
  if (!parsed) {
    *why = "the resource table is malformed: " + parsed.error().message;
    return std::nullopt;
  }
  for (const std::string &w : parsed.value().warnings) {
    notes->push_back(w);
  }
  Resources res;
  for (const IRemoteprocHost_Region &r : regions) {
    res.carveouts_.push_back({name_of(r), r.da, r.size});
  }
  Placer placer(regions);
  // Reserved memory is the device tree's, never the host's allocator's.
  for (const IRemoteprocHost_ReservedMemory &r : reserved) {
    placer.reserve(r.da, r.size);
  }
  // Fixed addresses first, so placing FW_RSC_ADDR_ANY avoids them.
  for (const fw::RscEntry &e : parsed.value().entries) {
    if (const auto *m = std::get_if<fw::RscMemory>(&e.body); m && m->da != fw::kFwRscAddrAny) {
      placer.reserve(m->da, m->len);
    } else if (const auto *v = std::get_if<fw::RscVdev>(&e.body)) {
      for (const fw::RscVring &r : v->vrings) {
        if (r.da != fw::kFwRscAddrAny) {
          placer.reserve(r.da, vring_bytes(r.num, r.align));
        }
      }
    }
  }
  auto named_carveout = [&](const std::string &name) -> const Carveout * {
    for (const Carveout &c : res.carveouts_) {
      if (c.name == name) {
        return &c;
      }
    }
    return nullptr;
  };

  uint32_t notifyid = 0;
  unsigned vdev_index = 0, trace_index = 0;
  size_t index = 0;
  for (const fw::RscEntry &e : parsed.value().entries) {
    const std::string where =
        "resource table entry " + std::to_string(index++) + " (" + fw::rsc_type_name(e.type) + ")";
    if (std::holds_alternative<fw::RscVendor>(e.body)) {
      notes->push_back(where + " type " + std::to_string(e.type) +
                       " skipped: captee-rprocd has no vendor resource handler");
      continue;
    }
    if (const auto *m = std::get_if<fw::RscMemory>(&e.body)) {
      if (e.type == fw::kRscDevmem) {
        notes->push_back(where + " \"" + m->name + "\" skipped: no IOMMU, as Linux does");
        continue;
      }
      if (m->len == 0) {
        *why = where + " \"" + m->name + "\" has length 0";
        return std::nullopt;
      }
      uint32_t da = m->da;
      const IRemoteprocHost_ReservedMemory *rm = reserved_named(reserved, m->name);
      if (da == fw::kFwRscAddrAny && rm != nullptr) {
        // Linux's rproc_handle_carveout with a carveout registered by name.
        if (rm->size < m->len) {
          *why = where + " \"" + m->name + "\" asks for " + std::to_string(m->len) +
                 " bytes, and the reserved memory of that name has only " +
                 std::to_string(rm->size);
          return std::nullopt;
        }
        da = rm->da;
        detail::store_le32(table.data() + e.offset + 4, da);
      } else if (da == fw::kFwRscAddrAny) {
        std::optional<uint32_t> at = placer.place((uint64_t{m->len} + kPage - 1) / kPage * kPage);
        if (!at) {
          *why = where + " \"" + m->name + "\" asks the host for " + std::to_string(m->len) +
                 " bytes (FW_RSC_ADDR_ANY), and the processor has no non-secure memory left";
          return std::nullopt;
        }
        da = *at;
        detail::store_le32(table.data() + e.offset + 4, da);
      } else if (!in_one_region(regions, da, m->len)) {
        *why = where + " \"" + m->name + "\" [" + hex32(da) + ", " + hex32(uint64_t{da} + m->len) +
               ") is not inside the processor's memory";
        return std::nullopt;
      }
      if (m->pa != fw::kFwRscAddrAny && m->pa != da) {
        *why = where + " \"" + m->name + "\": pa " + hex32(m->pa) + " differs from da " +
               hex32(da) + ", and this SoC has one address space per processor";
        return std::nullopt;
      }
      if (m->da == fw::kFwRscAddrAny) {
        // rsc->pa = the memory's address, as Linux writes it. A fixed
        // carveout's pa stays as signed: the TEE lets the host write an
        // FW_RSC_ADDR_ANY field only with non-secure memory.
        detail::store_le32(table.data() + e.offset + 8, da);
      }
      res.carveouts_.push_back({m->name, da, m->len});
      if (m->name.size() > 10 && m->name.rfind("vdev", 0) == 0 &&
          m->name.compare(m->name.size() - 6, 6, "buffer") == 0) {
        res.buffers_.push_back({m->name, da, m->len, true, {}, 0, {}});
      }
    } else if (const auto *t = std::get_if<fw::RscTrace>(&e.body)) {
      const std::string name = t->name.empty() ? "trace" + std::to_string(trace_index) : t->name;
      trace_index++;
      if (t->len == 0 || t->da == fw::kFwRscAddrAny || !in_one_region(regions, t->da, t->len)) {
        *why = where + " \"" + name + "\" [" + hex32(t->da) + ", +" + std::to_string(t->len) +
               ") is not a buffer inside the processor's memory";
        return std::nullopt;
      }
      res.traces_.push_back({name, t->da, t->len, false, {}, 0, {}});
    } else if (const auto *v = std::get_if<fw::RscVdev>(&e.body)) {
      for (size_t i = 0; i < v->vrings.size(); i++) {
        const fw::RscVring &r = v->vrings[i];
        const std::string name = "vdev" + std::to_string(vdev_index) + "vring" + std::to_string(i);
        const uint64_t bytes = vring_bytes(r.num, r.align);
        const size_t at = e.offset + 28 + 20 * i;
        uint32_t da = r.da;
        if (da == fw::kFwRscAddrAny) {
          const IRemoteprocHost_ReservedMemory *rm = reserved_named(reserved, name);
          if (const Carveout *c = named_carveout(name); c != nullptr && c->len >= bytes) {
            da = c->da;
          } else if (rm != nullptr && rm->size >= bytes) {
            da = rm->da;  // Linux's rproc_alloc_vring finds the carveout by name
          } else if (std::optional<uint32_t> p =
                         placer.place((bytes + kPage - 1) / kPage * kPage)) {
            da = *p;
          } else {
            *why = where + ": " + name + " (FW_RSC_ADDR_ANY) has no carveout and no non-secure " +
                   "memory to go to";
            return std::nullopt;
          }
          detail::store_le32(table.data() + at, da);
        } else if (!in_one_region(regions, da, bytes)) {
          *why = where + ": " + name + " at " + hex32(da) + " is not inside the processor's memory";
          return std::nullopt;
        }
        detail::store_le32(table.data() + at + 12, notifyid++);
        res.vrings_.push_back({name, da, static_cast<uint32_t>(bytes), true, {}, 0, {}});
      }
      // The vdev's buffer pool: its carveout (above), else the reserved
      // memory of that name, as Linux's rproc_add_virtio_dev looks it up.
      const std::string buffer = "vdev" + std::to_string(vdev_index) + "buffer";
      const IRemoteprocHost_ReservedMemory *rm = reserved_named(reserved, buffer);
      const bool in_table = std::any_of(
          parsed.value().entries.begin(), parsed.value().entries.end(), [&](const fw::RscEntry &c) {
            const auto *m = std::get_if<fw::RscMemory>(&c.body);
            return m != nullptr && c.type == fw::kRscCarveout && m->name == buffer;
          });
      if (!in_table && rm != nullptr) {
        res.carveouts_.push_back({buffer, rm->da, rm->size});
        res.buffers_.push_back({buffer, rm->da, rm->size, true, {}, 0, {}});
      }
      vdev_index++;
    }
  }
  return res;
}

bool Resources::map(const iface::IRemoteprocHost &host, std::string *why) {
  for (auto *list : {&traces_, &vrings_, &buffers_}) {
    for (MappedResource &r : *list) {
      r.mapping.reset();
      r.memory.reset();
      int32_t rv = host.mapResource(r.da, r.len, r.memory, r.base);
      if (rv != Object_OK) {
        *why = r.name + " [" + hex32(r.da) + ", +" + std::to_string(r.len) + ") " +
               (rv == IRemoteprocHost_ERROR_NOT_GRANTED
                    ? "is not shared by the TEE (capteed's log says why)"
                    : "could not be mapped (error " + std::to_string(rv) + ")");
        return false;
      }
      const uint8_t rights =
          r.writable ? FdObject::kRead | FdObject::kWrite : uint8_t{FdObject::kRead};
      int err = 0;
      r.mapping = Mapping::map(r.memory.get(), rights, &err);
      if (!r.mapping) {
        *why = r.name + " could not be mapped here (" + std::strerror(err) + ")";
        return false;
      }
    }
  }
  return true;
}

void Resources::unmap() {
  for (auto *list : {&traces_, &vrings_, &buffers_}) {
    for (MappedResource &r : *list) {
      r.mapping.reset();
      r.memory.reset();
    }
  }
}

bool Resources::inside_carveout(uint64_t da, uint64_t size) const {
  return std::any_of(carveouts_.begin(), carveouts_.end(), [&](const Carveout &c) {
    return da >= c.da && da + size <= uint64_t{c.da} + c.len;
  });
}

}  // namespace captee::rproc
