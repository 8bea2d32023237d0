// The trusted-app services of capteed: the app loader (CAppLoader_UID) and
// listener registration (CRegisterListenerCBO_UID).
//
// They share one listener table, so a TA reaches the listeners normal-world
// processes registered. The loaded TAs are reported through the daemon's TA
// hooks (stats, diagnostics, `captee ta list`).
#pragma once

#include <memory>

#include "captee/tee/apps/app_loader.hpp"
#include "captee/tee/daemon.hpp"

namespace captee::tee {

// Registers both services on `daemon` (before daemon.start()) and sets its TA
// hooks. `cfg.listeners` is created if empty. The returned registry owns the
// TA processes: keep it for the daemon's lifetime and call shutdown() after
// daemon.stop() so no TA process outlives capteed.
std::shared_ptr<apps::AppRegistry> install_app_services(Daemon &daemon, apps::AppLoaderConfig cfg);

}  // namespace captee::tee
