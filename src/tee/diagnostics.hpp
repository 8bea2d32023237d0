// Diagnostics (CDiagnostics_UID): IDiagnostics for Mink clients plus
// IDiagnosticsCaptee's counters and service list.
#pragma once

#include "IDiagnosticsCaptee.hpp"
#include "daemon_state.hpp"

namespace captee::tee {

class Diagnostics final : public iface::IDiagnosticsCapteeSkeleton {
 public:
  explicit Diagnostics(std::weak_ptr<Daemon::State> state) : state_(std::move(state)) {}

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

 private:
  // Weak: the daemon's state holds this object, not the other way round.
  std::weak_ptr<Daemon::State> state_;
};

}  // namespace captee::tee
