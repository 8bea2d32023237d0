// Diagnostics (CDiagnostics_UID): IDiagnostics for Mink clients plus
// IDiagnosticsCaptee's counters, service list and the TA administration of
// `captee ta list` / `captee ta unload`. One object per client, bound to its
// kernel uid, which unloadTa decides on.
#pragma once

#include <sys/types.h>

#include "IDiagnosticsCaptee.hpp"
#include "daemon_state.hpp"

namespace captee::tee {

class Diagnostics final : public iface::IDiagnosticsCapteeSkeleton {
 public:
  Diagnostics(std::weak_ptr<Daemon::State> state, uid_t caller)
      : state_(std::move(state)), caller_(caller) {}

  int32_t queryHeapInfo(IDiagnostics_HeapInfo &heapInfo) override;
  int32_t queryLoadedApps(std::span<std::byte> loadedApps, size_t &len) override;
  int32_t queryAppRegion(IDiagnostics_AppRegionInfo &pimem, IDiagnostics_AppRegionInfo &ddr,
                         uint32_t &scattered) override;
  int32_t queryAppInfo(std::span<const std::byte> appDistName,
                       IDiagnostics_AppInfo &appInfo) override;
  int32_t queryAppDump(std::span<const std::byte> distName, IDiagnostics_RegisterInfo &regs,
                       std::span<std::byte> usrStack, size_t &usrStack_len,
                       uint64_t &usrStackAddr) override;
  int32_t queryCounters(IDiagnosticsCaptee_Counters &counters) override;
  int32_t queryServicesJson(std::span<std::byte> json, size_t &json_len) override;
  int32_t queryTaCounters(IDiagnosticsCaptee_TaCounters &counters) override;
  int32_t queryTasJson(std::span<std::byte> json, size_t &json_len) override;
  int32_t unloadTa(uint64_t id) override;

 private:
  // Weak: the daemon's state outlives its clients' objects only until stop.
  std::weak_ptr<Daemon::State> state_;
  const uid_t caller_;  // the client's kernel uid (SO_PEERCRED)
};

}  // namespace captee::tee
