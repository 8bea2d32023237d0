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
//
// Authority (ta_authority.hpp). Every loaded TA has one: the administrator's
// TA directory for loadEmbedded, the loading client's kernel uid for a
// buffer or region. A single-instance TA is shared only by loads of the same
// image (SHA-256) from the same authority; loadEmbedded, and connect by name,
// reach only trusted instances (and, for connect, the caller's own). Each
// IAppLoader object is bound to one client's kernel uid when capteed hands it
// out; a client never names its uid.
//
// Bounds. A uid other than root holds at most max_tas_per_uid loaded TAs and
// max_keep_alive_per_uid keep-alive ones (a single-instance TA of the TA
// directory counts for nobody: there is at most one per file); the registry
// holds at most max_apps. A TA's memory limit is the smaller of its
// manifest's (or the default) and memory_ceiling. unload(id) stops any TA,
// keep-alive ones included, for root or the uid that loaded it.
#pragma once

#include <sys/types.h>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "captee/object.hpp"
#include "captee/tee/apps/listeners.hpp"
#include "captee/tee/apps/ta_environment.hpp"
#include "captee/tee/apps/ta_uid_pool.hpp"
#include "captee/tee/apps/ta_authority.hpp"
#include "captee/tee/apps/ta_caller.hpp"
#include "captee/tee/apps/ta_uid_pool.hpp"

namespace captee::tee::apps {

using ImageHash = std::array<uint8_t, 32>;  // SHA-256

// What a check of a TA file decided (AppLoaderConfig::image_gate).
struct ImageVerdict {
  // Object_OK, or the IAppLoader_ERROR_* the load answers (e.g.
  // IAppLoader_ERROR_ELF_SIGNATURE_ERROR).
  int32_t error = 0;
  std::string why;  // a refusal's reason, for capteed's log
  // The ELF inside the file: all of it for an unsigned TA, the image after
  // the signed header for a signed one.
  size_t offset = 0;
  size_t size = 0;
  // A signed header's UUID (RFC 4122 byte order): the manifest's must match.
  std::optional<std::array<uint8_t, 16>> uuid;
  // A signed TA: the fingerprint of the key that signed it.
  std::string signer;
};
// Decides whether a TA file may run and which of its bytes are the ELF.
using ImageGate = std::function<ImageVerdict(std::span<const std::byte> file)>;
// Receives one sentence per refused load: why (capteed logs it).
using RefusalLog = std::function<void(const std::string &)>;
// Hashes a TA image; nullopt if it cannot (no memory).
using ImageHasher = std::function<std::optional<ImageHash>(std::span<const std::byte>)>;

struct AppLoaderConfig {
  // captee-tahost. Empty: $CAPTEE_TAHOST, else "captee-tahost" next to the
  // running executable.
  std::string tahost_path;
  // loadEmbedded(name) reads <ta_dir>/<name>.ta. Empty: loadEmbedded answers
  // IAppLoader_ERROR_EMBEDDED_IMAGE_NOT_FOUND.
  std::string ta_dir;
  uint64_t default_memory_limit = 64ull << 20;  // when the manifest says 0
  // The administrator's ceiling on any TA's memory limit (capteed
  // --ta-memory-ceiling): a manifest asking for more gets this much.
  uint64_t memory_ceiling = 64ull << 20;
  uint32_t default_deadline_ms = 0;  // when the manifest says 0 (0: none)
  uint64_t max_image_bytes = 32ull << 20;
  size_t max_apps = 64;
  // Per uid other than root (capteed --max-tas-per-uid,
  // --max-keep-alive-per-uid): loaded TAs, of which keep-alive ones. A load
  // past either answers IAppLoader_ERROR_MAX_NUM_APPS. 0: no cap.
  size_t max_tas_per_uid = 16;
  size_t max_keep_alive_per_uid = 4;
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
  // What capteed keeps for each TA (ta_environment.hpp): with it, each TA's
  // host environment also offers an ITaEnvironment bound to the TA's
  // (authority, UUID). Null: TAs get the listener environment alone (and
  // none at all without listeners).
  std::shared_ptr<const TaEnvironment> ta_environment;
  // The object each TA of this registry reaches as CAPTEE_TA_ENV_GP_APP_CLIENT
  // for its own calls to other TAs, bound to that TA (ta_caller.hpp): capteed
  // passes its GP service's. Empty: TAs find nothing there.
  TaServiceFactory ta_service;
  // The uids TA hosts run as when this process is root (ta_uid_pool.hpp).
  // Registries of one daemon share one pool. Null: a pool of the default
  // range, made by the registry when it runs as root.
  std::shared_ptr<TaUidPool> uid_pool;
  // Whether GP TAs of this registry accept sessions with a stated identity
  // (host.hpp, HostOptions::claimed_identities): true only for the registry
  // of capteed's GP service, whose TAs no client reaches directly.
  bool claimed_identities = false;
  // The SHA-256 of an image, which names it: a single-instance TA is shared
  // only by loads of the same image. capteed passes OpenSSL's (this library
  // does not link libcrypto, which every TA host would then load). Empty
  // (in-process users): images are compared byte for byte instead, which
  // decides the same, and TaInfo::image_sha256 stays empty.
  ImageHasher image_sha256;
  // capteed's signed-TA check (tee/ta_signatures.hpp): trusted keys and
  // whether unsigned TAs may run. Empty (in-process users): every file is an
  // unsigned ELF and may run.
  ImageGate image_gate;
  // Told why each load was refused (no manifest, bad signature, UUID
  // mismatch, size or count limits). May be empty.
  RefusalLog on_refusal;
};

struct TaInfo {
  uint64_t id = 0;  // unique in this process, never reused (`captee ta unload ID`)
  std::string name;
  std::string uuid;
  uint32_t flags = 0;
  TaAuthority authority;
  uid_t loaded_by = 0;       // kernel uid of the client whose load started it
  std::string image_sha256;  // lowercase hex; "" without a hasher
  pid_t pid = -1;
  bool alive = false;
  bool unloaded = false;    // stopped by unload(id); no restart
  std::string exit_reason;  // how the last process ended, "" while alive
};

// The registry's TA counters (`captee stats`).
struct TaCounters {
  uint64_t loaded = 0;             // TAs held (by a controller or keep-alive)
  uint64_t keep_alive = 0;         // of which held by keep-alive
  uint64_t refused_uid_cap = 0;    // loads refused since start: the uid at a cap
  uint64_t unloaded_by_admin = 0;  // TAs stopped by unload(id) since start
};

enum class UnloadResult { kOk, kNotFound, kNotPermitted };

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
  TaCounters counters() const;
  // Stops TA `id` (from list()) for the client with kernel uid `caller`:
  // root may stop any, another uid only those of its own authority (loaded
  // from its buffers). The process is killed, a keep-alive hold dropped, and
  // its controllers answer getAppObject with ERROR_APP_UNLOADED and restart
  // with ERROR_APP_RESTART_FAILED.
  UnloadResult unload(uint64_t id, uid_t caller);
  // Kills and reaps every TA process (also done by the destructor). Loads
  // fail with IAppLoader_ERROR_MAX_NUM_APPS afterwards.
  void shutdown();

  const AppLoaderConfig &config() const { return cfg_; }

  // IAppLoader semantics for the client with kernel uid `caller`; `ctrl`
  // receives a new IAppController. Images from a buffer or region have the
  // authority TaAuthority::user(caller); loadEmbedded's the TA directory.
  // IAppLoader_ERROR_ALREADY_LOADED: a different image of that UUID runs
  // single-instance for the same authority.
  int32_t load_image(std::span<const std::byte> elf, uid_t caller, Ref &ctrl);
  int32_t load_region(Object mem, uid_t caller, Ref &ctrl);
  int32_t load_embedded(std::string_view name, uid_t caller, Ref &ctrl);
  // A running TA of that manifest name: of the TA directory first, else one
  // of the caller's own authority; never another user's.
  int32_t connect(std::string_view name, uid_t caller, Ref &ctrl);

  // The same, as this process's own effective uid (in-process use: tests,
  // the C API).
  int32_t load_image(std::span<const std::byte> elf, Ref &ctrl);
  int32_t load_region(Object mem, Ref &ctrl);
  int32_t load_embedded(std::string_view name, Ref &ctrl);
  int32_t connect(std::string_view name, Ref &ctrl);

 private:
  explicit AppRegistry(AppLoaderConfig cfg);
  // `file_name`: the name a --ta-dir file was asked for, empty for buffers.
  int32_t load_bytes(std::span<const std::byte> file, const TaAuthority &authority, uid_t caller,
                     std::string_view file_name, Ref &ctrl);
  int32_t refuse(int32_t error, const std::string &why) const;
  int32_t load_fd(int sealed_memfd, std::span<const std::byte> elf,
                  const TaAuthority &loader_authority, uid_t caller, const ImageVerdict &verdict,
                  std::string_view file_name, Ref &ctrl);
  // The environment of a TA being loaded: the listeners and the TA's own
  // service (cfg_.ta_service); null if there is neither.
  Ref host_env_for(const TaCaller &ta) const;
  // Under mu_: whether `caller` may start one more TA (keep-alive or not);
  // counts a refusal.
  bool within_caps(uid_t caller, bool keep_alive, bool counted);

  AppLoaderConfig cfg_;
  std::shared_ptr<std::atomic<size_t>> live_;
  std::shared_ptr<detail::Watchdog> watchdog_;
  mutable std::mutex mu_;
  bool shut_down_ = false;
  std::vector<std::weak_ptr<detail::App>> apps_;
  std::vector<std::shared_ptr<detail::App>> keep_alive_;
  // Loads past the checks whose process is still starting, per uid: they
  // count against the caps until they are in apps_ (or failed).
  struct Pending {
    uid_t uid;
    bool keep_alive;
    bool counted;
  };
  std::vector<Pending> pending_;
  uint64_t refused_uid_cap_ = 0;
  uint64_t unloaded_by_admin_ = 0;
};

// The IAppLoader service object over `registry` (retained inside), for the
// client with kernel uid `caller`: what it loads from buffers and regions
// has that uid's authority. capteed makes one per client, from the
// connection's SO_PEERCRED identity.
Ref make_app_loader(std::shared_ptr<AppRegistry> registry, uid_t caller);

// The same for this process's own effective uid (in-process use).
Ref make_app_loader(std::shared_ptr<AppRegistry> registry);

// The id (TaInfo::id, TaCaller::app_id) of the TA that `controller` (an
// IAppController made by this library) controls; 0 for any other object or
// a disconnected controller. Borrows `controller`.
uint64_t controller_app_id(Object controller);

// The direct form of `ta_object`, an object a TA returned (e.g. the session
// its openSessionAs answered), as this library wraps it: a new reference
// that, sent to a peer accepting channel references, becomes a direct
// channel of its own to the TA process (decision 0002), and is forwarded
// under the TA's deadline like the original otherwise. Each call makes a new
// channel key, so the peer never confuses it with the TA's app object or
// another session. Null for any other object (a built-in TA's) or a TA that
// has died. Borrows `ta_object`.
Ref direct_form(Object ta_object);

// Shorthand: a new registry with `cfg`, its loader, and the registry in
// *registry_out if given.
Ref make_app_loader(const AppLoaderConfig &cfg,
                    std::shared_ptr<AppRegistry> *registry_out = nullptr);

}  // namespace captee::tee::apps
