#include "diagnostics.hpp"

#include <malloc.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <cstring>

namespace captee::tee {

namespace {
uint32_t sat32(size_t v) {
  return v > UINT32_MAX ? UINT32_MAX : uint32_t(v);
}

int32_t copy_out(const std::string &text, std::span<std::byte> buf, size_t &len) {
  if (text.size() + 1 > buf.size()) {
    return Object_ERROR_SIZE_OUT;
  }
  std::memcpy(buf.data(), text.c_str(), text.size() + 1);
  len = text.size() + 1;
  return Object_OK;
}
}  // namespace

int32_t Diagnostics::queryHeapInfo(IDiagnostics_HeapInfo &h) {
  // glibc's view of capteed's heap: the main arena plus mmapped chunks.
  struct mallinfo2 mi = ::mallinfo2();
  size_t total = mi.arena + mi.hblkhd;
  size_t used = mi.uordblks + mi.hblkhd;
  size_t free_bytes = mi.fordblks;
  if (total == 0) {
    // Another allocator (e.g. a sanitizer's) replaced glibc's and mallinfo2
    // knows nothing: fall back to the kernel's view of the data segment.
    size_t data_kib = 0;
    size_t anon_kib = 0;
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
      if (line.rfind("VmData:", 0) == 0) {
        data_kib = std::strtoull(line.c_str() + 7, nullptr, 10);
      } else if (line.rfind("RssAnon:", 0) == 0) {
        anon_kib = std::strtoull(line.c_str() + 8, nullptr, 10);
      }
    }
    total = data_kib * 1024;
    used = std::min(anon_kib * 1024, total);
    free_bytes = total - used;
    mi = {};
  }
  h.totalSize = sat32(total);
  h.usedSize = sat32(used);
  h.freeSize = sat32(free_bytes);
  h.overheadSize = sat32(total > used + free_bytes ? total - used - free_bytes : 0);
  h.wastedSize = sat32(mi.fsmblks);             // free bytes held in fastbins
  h.largestFreeBlockSize = sat32(mi.keepcost);  // the releasable top chunk
  return Object_OK;
}

int32_t Diagnostics::queryLoadedApps(std::span<std::byte> buf, size_t &len) {
  auto s = state_.lock();
  std::string text;
  if (s && s->ta_names) {
    for (const std::string &n : s->ta_names()) {
      text += n + "\n";
    }
  }
  return copy_out(text, buf, len);
}

int32_t Diagnostics::queryAppRegion(IDiagnostics_AppRegionInfo &pimem,
                                    IDiagnostics_AppRegionInfo &ddr, uint32_t &scattered) {
  auto s = state_.lock();
  if (!s) {
    return Object_ERROR_DEFUNCT;
  }
  // "pimem" is the TEE-private pool, "ddr" the shared pool's per-object bound.
  uint64_t total = s->opts.private_pool_bytes;
  uint64_t used = std::min(total, s->private_bytes.load());
  pimem = {total, total - used, total - used};
  ddr = {s->opts.max_object_bytes, s->opts.max_object_bytes, s->opts.max_object_bytes};
  scattered = 1;  // regions are memfds: never physically contiguous
  return Object_OK;
}

int32_t Diagnostics::queryAppInfo(std::span<const std::byte>, IDiagnostics_AppInfo &) {
  return IDiagnostics_ERROR_APP_NOT_FOUND;
}

int32_t Diagnostics::queryAppDump(std::span<const std::byte>, IDiagnostics_RegisterInfo &,
                                  std::span<std::byte>, size_t &, uint64_t &) {
  // TAs are native Linux processes; there is no AArch64 register file to dump.
  return IDiagnostics_ERROR_ARCH_NOT_SUPPORTED;
}

int32_t Diagnostics::queryCounters(IDiagnosticsCaptee_Counters &c) {
  auto s = state_.lock();
  if (!s) {
    return Object_ERROR_DEFUNCT;
  }
  DaemonStats st = s->stats();
  c = {st.connections,  st.objects, st.memory_objects,
       st.memory_bytes, st.tas,     st.callbacks_in_flight,
       st.uptime_ms,    st.pid,     st.connections_accepted};
  return Object_OK;
}

int32_t Diagnostics::queryServicesJson(std::span<std::byte> buf, size_t &len) {
  auto s = state_.lock();
  if (!s) {
    return Object_ERROR_DEFUNCT;
  }
  return copy_out(s->services_json(), buf, len);
}

int32_t Diagnostics::queryTaCounters(IDiagnosticsCaptee_TaCounters &c) {
  auto s = state_.lock();
  if (!s) {
    return Object_ERROR_DEFUNCT;
  }
  DaemonStats st;
  if (s->ta_admin.counters) {
    s->ta_admin.counters(st);
  }
  c = {st.tas_loaded, st.tas_keep_alive, st.ta_loads_refused_uid_cap, st.tas_unloaded_by_admin};
  return Object_OK;
}

int32_t Diagnostics::queryTasJson(std::span<std::byte> buf, size_t &len) {
  auto s = state_.lock();
  if (!s) {
    return Object_ERROR_DEFUNCT;
  }
  return copy_out(s->ta_admin.list_json ? s->ta_admin.list_json() : "[]", buf, len);
}

int32_t Diagnostics::unloadTa(uint64_t id) {
  auto s = state_.lock();
  if (!s) {
    return Object_ERROR_DEFUNCT;
  }
  const int rv = s->ta_admin.unload ? s->ta_admin.unload(id, caller_) : ENOENT;
  if (rv == EPERM) {
    s->log(LogLevel::kInfo,
           "uid " + std::to_string(caller_) + " may not unload TA " + std::to_string(id));
    return IDiagnostics_ERROR_RESTRICTED;
  }
  if (rv != 0) {
    return IDiagnostics_ERROR_APP_NOT_FOUND;
  }
  s->log(LogLevel::kInfo, "uid " + std::to_string(caller_) + " unloaded TA " + std::to_string(id));
  return Object_OK;
}

}  // namespace captee::tee
