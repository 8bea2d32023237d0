#include "captee/tee/apps/app_loader.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

#include "captee/detail/uuid_text.hpp"
#include "IAppController.hpp"
#include "IAppLoader.hpp"
#include "app.hpp"
#include "captee/memory.hpp"
#include "captee/tee/apps/manifest.hpp"
#include "exit_watch.hpp"
#include "forker.hpp"
#include "instance.hpp"
#include "sealed_image.hpp"
#include "watchdog.hpp"

namespace captee::tee::apps {

namespace {

using detail::App;
using detail::sealed_copy;
using detail::SealedView;

class Controller final : public iface::IAppControllerSkeleton {
 public:
  explicit Controller(std::shared_ptr<App> app) : app_(std::move(app)) {}

  int32_t openSession(uint32_t, uint32_t, uint32_t, uint32_t, uint32_t, std::span<const std::byte>,
                      std::span<const std::byte>, std::span<const std::byte>,
                      std::span<const std::byte>, std::span<std::byte>, size_t &,
                      std::span<std::byte>, size_t &, std::span<std::byte>, size_t &,
                      std::span<std::byte>, size_t &, Object, Object, Object, Object, uint32_t &,
                      uint32_t &, uint32_t &, uint32_t &, Ref &, uint32_t &, uint32_t &) override {
    return IAppController_ERROR_NOT_SUPPORTED;  // GP sessions: issue 6
  }

  int32_t unload() override {
    auto app = get();
    if (!app) {
      return IAppController_ERROR_APP_DISCONNECTED;
    }
    app->stop();
    return Object_OK;
  }

  int32_t getAppObject(Ref &obj) override {
    auto app = get();
    if (!app) {
      return IAppController_ERROR_APP_DISCONNECTED;
    }
    auto inst = app->current();
    if (!inst || !inst->alive()) {
      return IAppController_ERROR_APP_UNLOADED;
    }
    obj = inst->app_object();
    return Object_OK;
  }

  int32_t installCBO(uint32_t, Object) override { return IAppController_ERROR_NOT_SUPPORTED; }

  int32_t disconnect() override {
    std::shared_ptr<App> app;
    {
      std::lock_guard lock(mu_);
      app = std::move(app_);
    }
    return app ? Object_OK : IAppController_ERROR_APP_DISCONNECTED;
  }

  uint64_t app_id() {
    auto app = get();
    return app ? app->id() : 0;
  }

  int32_t restart() override {
    auto app = get();
    if (!app) {
      return IAppController_ERROR_APP_DISCONNECTED;
    }
    if (app->alive()) {
      app->stop();
    }
    std::string why;
    return app->start(&why) == Object_OK ? Object_OK : IAppController_ERROR_APP_RESTART_FAILED;
  }

 private:
  std::shared_ptr<App> get() {
    std::lock_guard lock(mu_);
    return app_;
  }

  std::mutex mu_;
  std::shared_ptr<App> app_;
};

// One client's loader: what it loads from buffers and regions has the
// authority of `caller_`, the client's kernel uid, bound when capteed made
// this object for the connection.
class Loader final : public iface::IAppLoaderSkeleton {
 public:
  Loader(std::shared_ptr<AppRegistry> r, uid_t caller) : reg_(std::move(r)), caller_(caller) {}
  int32_t loadFromBuffer(std::span<const std::byte> elf, Ref &ctrl) override {
    return reg_->load_image(elf, caller_, ctrl);
  }
  int32_t loadFromRegion(Object mem, Ref &ctrl) override {
    return reg_->load_region(mem, caller_, ctrl);
  }
  int32_t loadEmbedded(std::span<const std::byte> name, Ref &ctrl) override {
    return reg_->load_embedded(as_view(name), caller_, ctrl);
  }
  int32_t connect(std::span<const std::byte> name, Ref &ctrl) override {
    return reg_->connect(as_view(name), caller_, ctrl);
  }

 private:
  static std::string_view as_view(std::span<const std::byte> b) {
    std::string_view v(reinterpret_cast<const char *>(b.data()), b.size());
    // Mink clients often send the terminating NUL.
    if (!v.empty() && v.back() == '\0') {
      v.remove_suffix(1);
    }
    return v;
  }
  std::shared_ptr<AppRegistry> reg_;
  const uid_t caller_;
};

std::string default_tahost() {
  if (const char *env = std::getenv("CAPTEE_TAHOST"); env != nullptr && *env != '\0') {
    return env;
  }
  char self[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) {
    return "captee-tahost";
  }
  std::string dir(self, static_cast<size_t>(n));
  dir.erase(dir.find_last_of('/') + 1);
  return dir + "captee-tahost";
}

// How a refusal names the load in capteed's log.
std::string describe_load(uid_t caller, std::string_view file_name) {
  if (file_name.empty()) {
    return "a TA image from uid " + std::to_string(caller);
  }
  return "TA " + std::string(file_name);
}

bool valid_name(std::string_view n) {
  if (n.empty() || n.size() > 63 || n == "." || n == "..") {
    return false;
  }
  for (char c : n) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) {
      return false;
    }
  }
  return true;
}

bool same_uuid_and_authority(const App &a, const TaManifest &m, const TaAuthority &authority) {
  return a.manifest().uuid == m.uuid && a.origin().authority == authority;
}

}  // namespace

AppRegistry::AppRegistry(AppLoaderConfig cfg)
    : cfg_(std::move(cfg)),
      live_(std::make_shared<std::atomic<size_t>>(0)),
      watchdog_(std::make_shared<detail::Watchdog>()) {
  if (cfg_.tahost_path.empty()) {
    cfg_.tahost_path = default_tahost();
  }
  if (!cfg_.uid_pool && ::geteuid() == 0) {
    cfg_.uid_pool = std::make_shared<TaUidPool>(TaUidPool::kDefaultBase, TaUidPool::kDefaultCount);
  }
  detail::start_forker();
  detail::start_exit_watch();
}

Ref AppRegistry::host_env_for(const TaCaller &ta) const {
  Ref service = cfg_.ta_service ? cfg_.ta_service(ta) : Ref();
  Ref env;
  if (cfg_.listeners || !service.is_null()) {
    env = make_host_env(cfg_.listeners, std::move(service));
  }
  if (cfg_.ta_environment) {
    env = cfg_.ta_environment->host_env_for(std::move(env), ta.authority, ta.uuid);
  }
  return env;  // null: nothing to offer, the TA gets no environment channel
}

std::shared_ptr<AppRegistry> AppRegistry::create(AppLoaderConfig cfg) {
  return std::shared_ptr<AppRegistry>(new AppRegistry(std::move(cfg)));
}

AppRegistry::~AppRegistry() {
  shutdown();
}

void AppRegistry::shutdown() {
  std::vector<std::shared_ptr<App>> apps;
  {
    std::lock_guard lock(mu_);
    shut_down_ = true;
    for (auto &w : apps_) {
      if (auto a = w.lock()) {
        apps.push_back(std::move(a));
      }
    }
    apps_.clear();
    keep_alive_.clear();
  }
  for (auto &a : apps) {
    a->stop();
  }
}

std::vector<TaInfo> AppRegistry::list() const {
  std::vector<std::shared_ptr<App>> apps;
  {
    std::lock_guard lock(mu_);
    for (auto &w : apps_) {
      if (auto a = w.lock()) {
        apps.push_back(std::move(a));
      }
    }
  }
  std::vector<TaInfo> out;
  for (auto &a : apps) {
    out.push_back(a->info());
  }
  return out;
}

TaCounters AppRegistry::counters() const {
  std::lock_guard lock(mu_);
  TaCounters c;
  for (auto &w : apps_) {
    if (!w.expired()) {
      ++c.loaded;
    }
  }
  c.keep_alive = keep_alive_.size();
  c.refused_uid_cap = refused_uid_cap_;
  c.unloaded_by_admin = unloaded_by_admin_;
  return c;
}

UnloadResult AppRegistry::unload(uint64_t id, uid_t caller) {
  std::shared_ptr<App> target;
  std::shared_ptr<App> keep_alive_hold;  // released outside the lock
  {
    std::lock_guard lock(mu_);
    for (auto &w : apps_) {
      auto a = w.lock();
      if (a && a->id() == id) {
        target = std::move(a);
        break;
      }
    }
    if (!target || target->evicted()) {
      return UnloadResult::kNotFound;
    }
    if (caller != 0 && target->origin().authority != TaAuthority::user(caller)) {
      return UnloadResult::kNotPermitted;
    }
    auto it = std::find(keep_alive_.begin(), keep_alive_.end(), target);
    if (it != keep_alive_.end()) {
      keep_alive_hold = std::move(*it);
      keep_alive_.erase(it);
    }
  }
  if (target->evict()) {
    std::lock_guard lock(mu_);
    ++unloaded_by_admin_;
  }
  return UnloadResult::kOk;
}

int32_t AppRegistry::load_image(std::span<const std::byte> elf, uid_t caller, Ref &ctrl) {
  return load_bytes(elf, TaAuthority::user(caller), caller, {}, ctrl);
}

int32_t AppRegistry::load_region(Object mem, uid_t caller, Ref &ctrl) {
  int err = 0;
  auto m = Mapping::map(mem, FdObject::kRead, &err);
  if (!m) {
    return IAppLoader_ERROR_INVALID_BUFFER;
  }
  return load_image(m->bytes(), caller, ctrl);
}

int32_t AppRegistry::load_embedded(std::string_view name, uid_t caller, Ref &ctrl) {
  if (cfg_.ta_dir.empty() || !valid_name(name)) {
    return IAppLoader_ERROR_EMBEDDED_IMAGE_NOT_FOUND;
  }
  std::string path = cfg_.ta_dir + "/" + std::string(name) + ".ta";
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    return IAppLoader_ERROR_EMBEDDED_IMAGE_NOT_FOUND;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
      static_cast<uint64_t>(st.st_size) > cfg_.max_image_bytes) {
    ::close(fd);
    return IAppLoader_ERROR_INVALID_BUFFER;
  }
  std::vector<std::byte> bytes(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t r = ::read(fd, bytes.data() + done, bytes.size() - done);
    if (r < 0 && errno == EINTR) {
      continue;
    }
    if (r <= 0) {
      break;
    }
    done += static_cast<size_t>(r);
  }
  ::close(fd);
  if (done != bytes.size()) {
    return IAppLoader_ERROR_INVALID_BUFFER;
  }
  return load_bytes(bytes, TaAuthority::ta_dir(), caller, name, ctrl);
}

int32_t AppRegistry::connect(std::string_view name, uid_t caller, Ref &ctrl) {
  const TaAuthority own = TaAuthority::user(caller);
  std::lock_guard lock(mu_);
  std::shared_ptr<App> mine;
  for (auto &w : apps_) {
    auto a = w.lock();
    if (!a || a->manifest().name != name || !a->alive()) {
      continue;
    }
    if (a->origin().authority.trusted()) {
      ctrl = make_object<Controller>(std::move(a));
      return Object_OK;
    }
    if (!mine && a->origin().authority == own) {
      mine = std::move(a);
    }
  }
  if (mine) {
    ctrl = make_object<Controller>(std::move(mine));
    return Object_OK;
  }
  return IAppLoader_ERROR_APP_NOT_LOADED;
}

int32_t AppRegistry::load_image(std::span<const std::byte> elf, Ref &ctrl) {
  return load_image(elf, ::geteuid(), ctrl);
}
int32_t AppRegistry::load_region(Object mem, Ref &ctrl) {
  return load_region(mem, ::geteuid(), ctrl);
}
int32_t AppRegistry::load_embedded(std::string_view name, Ref &ctrl) {
  return load_embedded(name, ::geteuid(), ctrl);
}
int32_t AppRegistry::connect(std::string_view name, Ref &ctrl) {
  return connect(name, ::geteuid(), ctrl);
}

int32_t AppRegistry::refuse(int32_t error, const std::string &why) const {
  if (cfg_.on_refusal) {
    cfg_.on_refusal(why);
  }
  return error;
}

int32_t AppRegistry::load_bytes(std::span<const std::byte> file, const TaAuthority &authority,
                                uid_t caller, std::string_view file_name, Ref &ctrl) {
  const std::string what = describe_load(caller, file_name);
  if (file.empty() || file.size() > cfg_.max_image_bytes) {
    return refuse(IAppLoader_ERROR_INVALID_BUFFER,
                  what + ": " + std::to_string(file.size()) + " bytes (1 to " +
                      std::to_string(cfg_.max_image_bytes) + " accepted)");
  }
  int fd = sealed_copy(file);
  if (fd < 0) {
    return refuse(IAppLoader_ERROR_TA_APP_REGION_MALLOC_FAILURE,
                  what + ": no sealed copy (" + std::strerror(-fd) + ")");
  }
  SealedView sealed(fd, file.size());
  if (!sealed.ok()) {
    ::close(fd);
    return refuse(IAppLoader_ERROR_TA_APP_REGION_MALLOC_FAILURE, what + ": cannot map its copy");
  }
  // The check runs on the sealed copy, so the bytes it passed are the bytes
  // that run.
  ImageVerdict verdict;
  verdict.size = file.size();
  if (cfg_.image_gate) {
    verdict = cfg_.image_gate(sealed.bytes());
    if (verdict.error != Object_OK) {
      ::close(fd);
      return refuse(verdict.error, what + ": " + verdict.why);
    }
  }
  if (verdict.offset == 0 && verdict.size == file.size()) {
    return load_fd(fd, sealed.bytes(), authority, caller, verdict, file_name, ctrl);
  }
  // A signed file: the TA host maps the ELF alone, from a sealed copy of the
  // verified bytes.
  const std::span<const std::byte> elf = sealed.bytes().subspan(verdict.offset, verdict.size);
  int elf_fd = sealed_copy(elf);
  ::close(fd);
  if (elf_fd < 0) {
    return refuse(IAppLoader_ERROR_TA_APP_REGION_MALLOC_FAILURE,
                  what + ": no sealed copy (" + std::strerror(-elf_fd) + ")");
  }
  SealedView elf_view(elf_fd, elf.size());
  if (!elf_view.ok()) {
    ::close(elf_fd);
    return refuse(IAppLoader_ERROR_TA_APP_REGION_MALLOC_FAILURE, what + ": cannot map its copy");
  }
  return load_fd(elf_fd, elf_view.bytes(), authority, caller, verdict, file_name, ctrl);
}

bool AppRegistry::within_caps(uid_t caller, bool keep_alive, bool counted) {
  if (!counted || caller == 0) {
    return true;
  }
  size_t tas = 0;
  size_t kept = 0;
  for (auto &w : apps_) {
    auto a = w.lock();
    if (a && a->origin().loaded_by == caller && a->counted_for_loader()) {
      ++tas;
    }
  }
  for (auto &a : keep_alive_) {
    if (a->origin().loaded_by == caller && a->counted_for_loader()) {
      ++kept;
    }
  }
  for (const Pending &p : pending_) {
    if (p.uid == caller && p.counted) {
      ++tas;
      kept += p.keep_alive ? 1 : 0;
    }
  }
  if ((cfg_.max_tas_per_uid != 0 && tas >= cfg_.max_tas_per_uid) ||
      (keep_alive && cfg_.max_keep_alive_per_uid != 0 && kept >= cfg_.max_keep_alive_per_uid)) {
    ++refused_uid_cap_;
    return false;
  }
  return true;
}

int32_t AppRegistry::load_fd(int fd, std::span<const std::byte> elf,
                             const TaAuthority &loader_authority, uid_t caller,
                             const ImageVerdict &verdict, std::string_view file_name, Ref &ctrl) {
  const std::string what = describe_load(caller, file_name);
  std::string why;
  auto manifest = read_manifest(elf, &why);
  if (!manifest) {
    ::close(fd);
    return refuse(IAppLoader_ERROR_METADATA_INVALID, what + ": " + why);
  }
  if (verdict.uuid) {
    // A signature vouches for the UUID in its header: the manifest, and a
    // --ta-dir file's name, must say the same.
    const std::string signed_uuid = captee::detail::uuid_text(*verdict.uuid);
    if (!std::equal(verdict.uuid->begin(), verdict.uuid->end(), manifest->uuid.begin())) {
      ::close(fd);
      return refuse(
          IAppLoader_ERROR_ELF_SIGNATURE_ERROR,
          what + ": signed for UUID " + signed_uuid + " but its manifest names " + manifest->name);
    }
    if (!file_name.empty() && file_name != signed_uuid) {
      ::close(fd);
      return refuse(IAppLoader_ERROR_ELF_SIGNATURE_ERROR,
                    what + ": signed for UUID " + signed_uuid + ", not its file's name");
    }
  }
  // A user's load of a TA that a trusted key signed runs with the key's
  // authority, not the user's.
  const TaAuthority authority = !verdict.signer.empty() && !loader_authority.trusted()
                                    ? TaAuthority::signing_key(verdict.signer)
                                    : loader_authority;
  std::optional<ImageHash> hash;
  if (cfg_.image_sha256) {
    hash = cfg_.image_sha256(elf);
    if (!hash) {
      ::close(fd);
      return IAppLoader_ERROR_TA_APP_REGION_MALLOC_FAILURE;
    }
  }
  const bool keep = manifest->keep_alive();
  const bool counted = !(authority.trusted() && manifest->single_instance());
  std::vector<std::shared_ptr<App>> unreachable;  // released outside the lock
  {
    std::lock_guard lock(mu_);
    // A dead keep-alive TA that no controller holds can never be reached
    // again (connect needs a live one): drop it with its image.
    for (auto it = keep_alive_.begin(); it != keep_alive_.end();) {
      if (!(*it)->alive() && it->use_count() == 1) {
        unreachable.push_back(std::move(*it));
        it = keep_alive_.erase(it);
      } else {
        ++it;
      }
    }
    size_t n = 0;
    for (auto it = apps_.begin(); it != apps_.end();) {
      auto a = it->lock();
      if (!a) {
        it = apps_.erase(it);
        continue;
      }
      // Single-instance: one running instance per (authority, UUID), shared
      // only by loads of the very same image. Another authority's instance
      // of this UUID is none of this load's business.
      if (a->alive() && same_uuid_and_authority(*a, *manifest, authority) &&
          (manifest->single_instance() || a->manifest().single_instance())) {
        ::close(fd);
        if (manifest->single_instance() && a->same_image(elf, hash)) {
          ctrl = make_object<Controller>(std::move(a));
          return Object_OK;
        }
        return refuse(
            IAppLoader_ERROR_ALREADY_LOADED,
            what + ": " + manifest->name + " already runs as a single instance of another image");
      }
      ++n;
      ++it;
    }
    if (shut_down_ || n + pending_.size() >= cfg_.max_apps || !within_caps(caller, keep, counted)) {
      ::close(fd);
      return refuse(
          IAppLoader_ERROR_MAX_NUM_APPS,
          what + ": " +
              (shut_down_ ? std::string("capteed is stopping")
               : n + pending_.size() >= cfg_.max_apps
                   ? "the registry already holds " + std::to_string(cfg_.max_apps) + " TAs"
                   : "uid " + std::to_string(caller) + " is at its cap of TAs"));
    }
    pending_.push_back({caller, keep, counted});
  }
  detail::SpawnParams base;
  base.tahost_path = cfg_.tahost_path;
  base.memory_limit =
      std::min(manifest->memory_limit != 0 ? manifest->memory_limit : cfg_.default_memory_limit,
               cfg_.memory_ceiling);
  base.deadline_ms = cfg_.default_deadline_ms;
  base.startup_timeout_ms = cfg_.startup_timeout_ms;
  base.seccomp = cfg_.seccomp;
  // The environment is this TA's own: its GP service is bound to who capteed
  // knows the TA to be (ta_caller.hpp), from the image checked above.
  const uint64_t id = App::new_id();
  base.host_env = host_env_for(TaCaller{authority, manifest->uuid, caller, id});
  base.watchdog = watchdog_;
  base.live = live_;
  base.max_direct = cfg_.max_direct_channels;
  base.uids = cfg_.uid_pool;
  base.claimed_identities = cfg_.claimed_identities;
  base.instance_id = id;
  auto app = std::make_shared<App>(id, std::move(base), std::move(*manifest), fd,
                                   detail::AppOrigin{authority, caller, hash});
  int32_t rv = app->start(&why);
  {
    std::lock_guard lock(mu_);
    auto it = std::find_if(pending_.begin(), pending_.end(), [&](const Pending &p) {
      return p.uid == caller && p.keep_alive == keep && p.counted == counted;
    });
    if (it != pending_.end()) {
      pending_.erase(it);
    }
    if (rv == Object_OK && shut_down_) {
      rv = IAppLoader_ERROR_MAX_NUM_APPS;  // shut down meanwhile: `app` ends here
    }
    if (rv == Object_OK) {
      apps_.push_back(app);
      if (app->manifest().keep_alive()) {
        keep_alive_.push_back(app);
      }
    }
  }
  if (rv != Object_OK) {
    return refuse(rv, what + ": " + (why.empty() ? "its process did not start" : why));
  }
  ctrl = make_object<Controller>(std::move(app));
  return Object_OK;
}

Ref make_app_loader(std::shared_ptr<AppRegistry> registry, uid_t caller) {
  return make_object<Loader>(std::move(registry), caller);
}

Ref make_app_loader(std::shared_ptr<AppRegistry> registry) {
  return make_app_loader(std::move(registry), ::geteuid());
}

uint64_t controller_app_id(Object controller) {
  auto *c = LocalObject::from_as<Controller>(controller);
  return c != nullptr ? c->app_id() : 0;
}

Ref make_app_loader(const AppLoaderConfig &cfg, std::shared_ptr<AppRegistry> *registry_out) {
  auto reg = AppRegistry::create(cfg);
  if (registry_out != nullptr) {
    *registry_out = reg;
  }
  return make_app_loader(std::move(reg));
}

}  // namespace captee::tee::apps
