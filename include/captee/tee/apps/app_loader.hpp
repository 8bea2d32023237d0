// The app loader service: trusted apps in isolated processes.
//
// IAppLoader (CAppLoader_UID 3) loads a TA image (bytes, a memory object, or
// a file from the TA directory by name), reads its manifest, and starts it in
// its own captee-tahost process, connected by a channel. The answer is an
// IAppController for that TA: getAppObject returns the TA's app object,
// unload/restart control the process.
//
// Containment. Every object a TA hosts reaches clients through a wrapper in
// this process that (1) arms the TA's per-call deadline: when it passes the TA
// process is killed, (2) turns the channel's UNAVAIL after the TA died into
// Object_ERROR_DEFUNCT. A TA that crashes, aborts, loops past its deadline or
// runs out of memory is reaped; its objects answer DEFUNCT; its controller
// answers getAppObject with IAppController_ERROR_APP_UNLOADED until restart()
// (or a new load) brings it back. TA processes end when the last controller
// reference goes (unless the manifest says keep-alive) and when the registry
// is destroyed; every child is reaped.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "captee/object.hpp"
#include "captee/tee/apps/listeners.hpp"
#include "captee/tee/apps/ta_uid_pool.hpp"

namespace captee::tee::apps {

struct AppLoaderConfig {
  // captee-tahost. Empty: $CAPTEE_TAHOST, else "captee-tahost" next to the
  // running executable.
  std::string tahost_path;
  // loadEmbedded(name) reads <ta_dir>/<name>.ta. Empty: loadEmbedded answers
  // IAppLoader_ERROR_EMBEDDED_IMAGE_NOT_FOUND.
  std::string ta_dir;
  uint64_t default_memory_limit = 64ull << 20;  // when the manifest says 0
  uint32_t default_deadline_ms = 0;             // when the manifest says 0 (0: none)
  uint64_t max_image_bytes = 32ull << 20;
  size_t max_apps = 64;
  int startup_timeout_ms = 5000;
  bool seccomp = true;  // off only for debugging
  // Direct channels per TA process (docs/decisions/0002-direct-ta-channel.md):
  // a client that accepts channel references gets a TA's app object as a
  // socket to the TA process itself, while the process has fewer than this
  // many; later ones (and clients that do not accept them) are forwarded
  // through the loader. 0: never direct. Each adds kDirectChannelBytes to the
  // host's RLIMIT_DATA (its serving threads' stacks).
  unsigned max_direct_channels = 4;
  // Listeners TAs may reach (see listeners.hpp). May be null.
  std::shared_ptr<ListenerTable> listeners;
  // The uids TA hosts run as when this process is root (ta_uid_pool.hpp).
  // Registries of one daemon share one pool. Null: a pool of the default
  // range, made by the registry when it runs as root.
  std::shared_ptr<TaUidPool> uid_pool;
};

struct TaInfo {
  std::string name;
  std::string uuid;
  uint32_t flags = 0;
  pid_t pid = -1;
  bool alive = false;
  std::string exit_reason;  // how the last process ended, "" while alive
};

namespace detail {
class Watchdog;
class App;
}  // namespace detail

// The loaded TAs of one daemon. Shared by the loader objects and
// diagnostics. Destroying it (or shutdown()) kills every TA, keep-alive ones
// included. Thread-safe.
class AppRegistry {
 public:
  static std::shared_ptr<AppRegistry> create(AppLoaderConfig cfg);
  ~AppRegistry();
  AppRegistry(const AppRegistry &) = delete;
  AppRegistry &operator=(const AppRegistry &) = delete;

  // TA processes currently running (spawned and not yet reaped).
  size_t live_tas() const { return live_->load(std::memory_order_relaxed); }
  // The TAs still referenced (by a controller or keep-alive).
  std::vector<TaInfo> list() const;
  // Kills and reaps every TA process (also done by the destructor). Loads
  // fail with IAppLoader_ERROR_MAX_NUM_APPS afterwards.
  void shutdown();

  const AppLoaderConfig &config() const { return cfg_; }

  // IAppLoader semantics; `ctrl` receives a new IAppController.
  int32_t load_image(std::span<const std::byte> elf, Ref &ctrl);
  int32_t load_region(Object mem, Ref &ctrl);
  int32_t load_embedded(std::string_view name, Ref &ctrl);
  int32_t connect(std::string_view name, Ref &ctrl);

 private:
  explicit AppRegistry(AppLoaderConfig cfg);
  int32_t load_fd(int sealed_memfd, std::span<const std::byte> elf, Ref &ctrl);

  AppLoaderConfig cfg_;
  std::shared_ptr<std::atomic<size_t>> live_;
  std::shared_ptr<detail::Watchdog> watchdog_;
  Ref host_env_;
  mutable std::mutex mu_;
  bool shut_down_ = false;
  std::vector<std::weak_ptr<detail::App>> apps_;
  std::vector<std::shared_ptr<detail::App>> keep_alive_;
};

// The IAppLoader service object over `registry` (retained inside).
Ref make_app_loader(std::shared_ptr<AppRegistry> registry);

// Shorthand: a new registry with `cfg`, its loader, and the registry in
// *registry_out if given.
Ref make_app_loader(const AppLoaderConfig &cfg,
                    std::shared_ptr<AppRegistry> *registry_out = nullptr);

}  // namespace captee::tee::apps
