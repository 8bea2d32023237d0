#include "captee/tee/app_services.hpp"

#include "gp_app_client.hpp"

#include <string>
#include <vector>

#include "CAppLoader.h"
#include "CGPAppClient.h"
#include "CRegisterListenerCBO.h"

namespace captee::tee {

std::shared_ptr<apps::AppRegistry> install_app_services(Daemon &daemon, apps::AppLoaderConfig cfg) {
  if (!cfg.listeners) {
    cfg.listeners = std::make_shared<apps::ListenerTable>();
  }
  auto listeners = cfg.listeners;
  std::shared_ptr<apps::AppRegistry> registry = apps::AppRegistry::create(std::move(cfg));
  // One loader object serves every client: what a client loads is reachable
  // only through the controller it gets back.
  Ref loader = apps::make_app_loader(registry);
  Ref listener_registry = apps::make_listener_registry(listeners);
  daemon.services().add(CAppLoader_UID, "app-loader",
                        [loader](const ClientIdentity &) { return loader; });
  daemon.services().add(CRegisterListenerCBO_UID, "register-listener",
                        [listener_registry](const ClientIdentity &) { return listener_registry; });
  // GlobalPlatform sessions to TAs in the same registry (by UUID).
  // One per client: the login identities come from its credentials.
  daemon.services().add(CGPAppClient_UID, "gp-app-client", [registry](const ClientIdentity &who) {
    return make_gp_app_client(registry, who);
  });
  std::weak_ptr<apps::AppRegistry> weak = registry;
  daemon.set_ta_hooks(
      [weak]() -> uint64_t {
        auto r = weak.lock();
        return r ? r->live_tas() : 0;
      },
      [weak]() {
        std::vector<std::string> names;
        if (auto r = weak.lock()) {
          for (const apps::TaInfo &ta : r->list()) {
            if (ta.alive) {
              names.push_back(ta.name + " " + ta.uuid + " pid " + std::to_string(ta.pid));
            }
          }
        }
        return names;
      });
  return registry;
}

}  // namespace captee::tee
