#include "captee/tee/app_services.hpp"

#include "gp_app_client.hpp"

#include <unistd.h>

#include <string>
#include <vector>

#include "CAppLoader.h"
#include "CGPAppClient.h"
#include "CRegisterListenerCBO.h"

namespace captee::tee {

std::shared_ptr<apps::AppRegistry> install_app_services(
    Daemon &daemon, apps::AppLoaderConfig cfg, std::shared_ptr<const BuiltinTaTable> builtins) {
  if (!cfg.listeners) {
    cfg.listeners = std::make_shared<apps::ListenerTable>();
  }
  auto listeners = cfg.listeners;
  if (!cfg.uid_pool && ::geteuid() == 0) {
    cfg.uid_pool = std::make_shared<apps::TaUidPool>(apps::TaUidPool::kDefaultBase,
                                                     apps::TaUidPool::kDefaultCount);
  }
  // GP TAs get their own registry: a GP TA's app object trusts the client
  // identity capteed hands it, so no loader client may share (or reach) the
  // instances the GP service runs. A client that loads the same image through
  // the app loader gets a separate process.
  std::shared_ptr<apps::AppRegistry> gp_registry = apps::AppRegistry::create(cfg);
  std::shared_ptr<apps::AppRegistry> registry = apps::AppRegistry::create(std::move(cfg));
  // One loader object serves every client: what a client loads is reachable
  // only through the controller it gets back.
  Ref loader = apps::make_app_loader(registry);
  Ref listener_registry = apps::make_listener_registry(listeners);
  daemon.services().add(CAppLoader_UID, "app-loader",
                        [loader](const ClientIdentity &) { return loader; });
  daemon.services().add(CRegisterListenerCBO_UID, "register-listener",
                        [listener_registry](const ClientIdentity &) { return listener_registry; });
  // GlobalPlatform sessions to TAs by UUID, one object per client: the
  // login identities come from its credentials. The service owns the GP
  // registry; its TA processes end with the daemon's services.
  // The policy's "tas" rules are evaluated here, when the client opens the
  // service: its GP app client carries the TAs it may not reach.
  auto policy = std::make_shared<const Policy>(daemon.options().policy);
  daemon.services().add(CGPAppClient_UID, "gp-app-client",
                        [gp_registry, builtins, policy](const ClientIdentity &who) {
                          return make_gp_app_client(builtins, gp_registry, who,
                                                    policy->tas_denied_to(who));
                        });
  std::weak_ptr<apps::AppRegistry> weak = registry;
  std::weak_ptr<apps::AppRegistry> weak_gp = gp_registry;
  daemon.set_ta_hooks(
      [weak, weak_gp]() -> uint64_t {
        uint64_t n = 0;
        for (const auto &w : {weak, weak_gp}) {
          if (auto r = w.lock()) {
            n += r->live_tas();
          }
        }
        return n;
      },
      [weak, weak_gp]() {
        std::vector<std::string> names;
        for (const auto &w : {weak, weak_gp}) {
          if (auto r = w.lock()) {
            for (const apps::TaInfo &ta : r->list()) {
              if (ta.alive) {
                names.push_back(ta.name + " " + ta.uuid + " pid " + std::to_string(ta.pid));
              }
            }
          }
        }
        return names;
      });
  return registry;
}

}  // namespace captee::tee
