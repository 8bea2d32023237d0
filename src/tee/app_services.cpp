#include "captee/tee/app_services.hpp"

#include <unistd.h>

#include <cerrno>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "CAppLoader.h"
#include "CGPAppClient.h"
#include "CRegisterListenerCBO.h"
#include "gp_app_client.hpp"
#include "gp_call_graph.hpp"
#include "image_sha256.hpp"

namespace captee::tee {

namespace {

nlohmann::json ta_json(const apps::TaInfo &ta, const char *service) {
  nlohmann::json j = {{"id", ta.id},
                      {"name", ta.name},
                      {"uuid", ta.uuid},
                      {"authority", ta.authority.to_string()},
                      {"loaded_by", ta.loaded_by},
                      {"service", service},
                      {"flags", ta.flags},
                      {"image_sha256", ta.image_sha256},
                      {"state", ta.unloaded ? "unloaded"
                                : ta.alive  ? "running"
                                            : "stopped"}};
  if (ta.alive) {
    j["pid"] = ta.pid;
  }
  if (!ta.exit_reason.empty()) {
    j["exit"] = ta.exit_reason;
  }
  return j;
}

}  // namespace

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
  if (!cfg.image_sha256) {
    cfg.image_sha256 = image_sha256;
  }
  // Every TA reaches the GP service for its own sessions to other TAs
  // (TA-to-TA) through its host environment, bound to who it is
  // (gp_app_client.hpp). The TAs it opens run in the GP registry. The policy's
  // "tas" rules are for normal-world clients: a trusted TA is not one, and a
  // TA a user loaded reaches what that user reaches by uid alone (no groups
  // or executable: a rule naming those never matches it).
  auto policy = std::make_shared<const Policy>(daemon.options().policy);
  auto graph = std::make_shared<TaCallGraph>();
  auto gp_registry_ref = std::make_shared<std::weak_ptr<apps::AppRegistry>>();
  std::weak_ptr<const BuiltinTaTable> weak_builtins = builtins;
  cfg.ta_service = [weak_builtins, graph, gp_registry_ref, policy](const apps::TaCaller &ta) {
    std::vector<std::string> denied;
    if (!ta.authority.trusted()) {
      ClientIdentity user;
      user.uid = ta.authority.uid;
      user.gid = gid_t(-1);
      denied = policy->tas_denied_to(user);
    }
    return make_ta_gp_app_client(weak_builtins, *gp_registry_ref, graph, ta, std::move(denied));
  };
  // GP TAs get their own registry: a GP TA's app object trusts the client
  // identity capteed hands it, so no loader client may share (or reach) the
  // instances the GP service runs. A client that loads the same image through
  // the app loader gets a separate process.
  apps::AppLoaderConfig gp_cfg = cfg;
  gp_cfg.claimed_identities = true;  // identities capteed computed (gp_identity.cpp)
  std::shared_ptr<apps::AppRegistry> gp_registry = apps::AppRegistry::create(std::move(gp_cfg));
  *gp_registry_ref = gp_registry;  // before any TA can load
  std::shared_ptr<apps::AppRegistry> registry = apps::AppRegistry::create(std::move(cfg));
  Ref listener_registry = apps::make_listener_registry(listeners);
  // One loader object per client, bound to its kernel uid: what it loads
  // from buffers has that uid's authority, and its caps are that uid's.
  daemon.services().add(CAppLoader_UID, "app-loader", [registry](const ClientIdentity &who) {
    return apps::make_app_loader(registry, who.uid);
  });
  daemon.services().add(CRegisterListenerCBO_UID, "register-listener",
                        [listener_registry](const ClientIdentity &) { return listener_registry; });
  // GlobalPlatform sessions to TAs by UUID, one object per client: the
  // login identities come from its credentials. The service owns the GP
  // registry; its TA processes end with the daemon's services.
  // The policy's "tas" rules are evaluated here, when the client opens the
  // service: its GP app client carries the TAs it may not reach.
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
  Daemon::TaAdmin admin;
  admin.list_json = [weak, weak_gp]() {
    nlohmann::json list = nlohmann::json::array();
    for (const auto &[w, service] : {std::pair{weak, "app-loader"}, std::pair{weak_gp, "gp"}}) {
      if (auto r = w.lock()) {
        for (const apps::TaInfo &ta : r->list()) {
          list.push_back(ta_json(ta, service));
        }
      }
    }
    return list.dump();
  };
  // Ids are unique across both registries (one counter per process).
  admin.unload = [weak, weak_gp](uint64_t id, uid_t caller) {
    for (const auto &w : {weak, weak_gp}) {
      if (auto r = w.lock()) {
        switch (r->unload(id, caller)) {
          case apps::UnloadResult::kOk:
            return 0;
          case apps::UnloadResult::kNotPermitted:
            return EPERM;
          case apps::UnloadResult::kNotFound:
            break;
        }
      }
    }
    return ENOENT;
  };
  admin.counters = [weak, weak_gp](DaemonStats &s) {
    for (const auto &w : {weak, weak_gp}) {
      if (auto r = w.lock()) {
        const apps::TaCounters c = r->counters();
        s.tas_loaded += c.loaded;
        s.tas_keep_alive += c.keep_alive;
        s.ta_loads_refused_uid_cap += c.refused_uid_cap;
        s.tas_unloaded_by_admin += c.unloaded_by_admin;
      }
    }
  };
  daemon.set_ta_admin(std::move(admin));
  return registry;
}

}  // namespace captee::tee
