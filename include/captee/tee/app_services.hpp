// The trusted-app services of capteed: the app loader (CAppLoader_UID),
// listener registration (CRegisterListenerCBO_UID) and the GlobalPlatform app
// client (CGPAppClient_UID).
//
// They share one listener table, so a TA reaches the listeners normal-world
// processes registered. The loaded TAs are reported through the daemon's TA
// hooks (stats, diagnostics, `captee ta list`).
#pragma once

#include <memory>

#include "captee/tee/apps/app_loader.hpp"
#include "captee/tee/builtin_ta.hpp"
#include "captee/tee/daemon.hpp"

namespace captee::tee {

// Registers the services on `daemon` (before daemon.start()) and sets its TA
// hooks. `cfg.listeners` is created if empty. The GP app client serves the
// TAs in `builtins` (may be null) before the TA directory. The returned
// registry owns the TA processes: keep it for the daemon's lifetime and call
// shutdown() after daemon.stop() so no TA process outlives capteed.
std::shared_ptr<apps::AppRegistry> install_app_services(
    Daemon &daemon, apps::AppLoaderConfig cfg,
    std::shared_ptr<const BuiltinTaTable> builtins = nullptr);

}  // namespace captee::tee
