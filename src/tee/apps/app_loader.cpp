#include "captee/tee/apps/app_loader.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "IAppController.hpp"
#include "IAppLoader.hpp"
#include "captee/memory.hpp"
#include "captee/tee/apps/manifest.hpp"
#include "exit_watch.hpp"
#include "forker.hpp"
#include "instance.hpp"
#include "watchdog.hpp"

namespace captee::tee::apps {

namespace detail {

// One loaded TA: its manifest, its sealed image (kept for restart) and the
// process currently running it.
class App {
 public:
  // `base` holds what every spawn of this registry shares (no reference to
  // the registry itself: it must be able to die first).
  App(SpawnParams base, TaManifest m, int image_fd)
      : base_(std::move(base)), manifest_(std::move(m)), image_fd_(image_fd) {}
  ~App() {
    stop();
    ::close(image_fd_);
  }

  const TaManifest &manifest() const { return manifest_; }

  int32_t start(std::string *why) {
    SpawnParams p = base_;
    p.image_fd = image_fd_;
    if (manifest_.memory_limit != 0) {
      p.memory_limit = manifest_.memory_limit;
    }
    if (manifest_.deadline_ms != 0) {
      p.deadline_ms = manifest_.deadline_ms;
    }
    auto inst = Instance::spawn(p, why);
    if (!inst) {
      return IAppLoader_ERROR_ELF_LOADING;
    }
    std::shared_ptr<Instance> old;
    {
      std::lock_guard lock(mu_);
      old = std::exchange(inst_, std::move(inst));
      unloaded_ = false;
    }
    return Object_OK;
  }

  void stop() {
    std::shared_ptr<Instance> old;
    {
      std::lock_guard lock(mu_);
      old = std::move(inst_);
      unloaded_ = true;
    }
    if (old) {
      old->terminate();
    }
  }

  std::shared_ptr<Instance> current() const {
    std::lock_guard lock(mu_);
    return inst_;
  }

  bool alive() const {
    auto i = current();
    return i && i->alive();
  }

  TaInfo info() const {
    TaInfo t;
    t.name = manifest_.name;
    t.uuid = manifest_.uuid_string();
    t.flags = manifest_.flags;
    if (auto i = current()) {
      t.pid = i->pid();
      t.alive = i->alive();
      t.exit_reason = i->exit_reason();
    }
    return t;
  }

 private:
  SpawnParams base_;
  TaManifest manifest_;
  int image_fd_;
  mutable std::mutex mu_;
  std::shared_ptr<Instance> inst_;
  bool unloaded_ = false;
};

}  // namespace detail

namespace {

using detail::App;

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

class Loader final : public iface::IAppLoaderSkeleton {
 public:
  explicit Loader(std::shared_ptr<AppRegistry> r) : reg_(std::move(r)) {}
  int32_t loadFromBuffer(std::span<const std::byte> elf, Ref &ctrl) override {
    return reg_->load_image(elf, ctrl);
  }
  int32_t loadFromRegion(Object mem, Ref &ctrl) override { return reg_->load_region(mem, ctrl); }
  int32_t loadEmbedded(std::span<const std::byte> name, Ref &ctrl) override {
    return reg_->load_embedded(as_view(name), ctrl);
  }
  int32_t connect(std::span<const std::byte> name, Ref &ctrl) override {
    return reg_->connect(as_view(name), ctrl);
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

// A sealed private copy of the image: what the manifest check saw is what
// the host maps (the sender cannot change it afterwards).
int sealed_copy(std::span<const std::byte> elf) {
  int fd = ::memfd_create("captee-ta", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) {
    return -1;
  }
  size_t done = 0;
  while (done < elf.size()) {
    ssize_t w = ::write(fd, elf.data() + done, elf.size() - done);
    if (w < 0 && errno == EINTR) {
      continue;
    }
    if (w <= 0) {
      ::close(fd);
      return -1;
    }
    done += static_cast<size_t>(w);
  }
  if (::fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
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
  host_env_ = cfg_.listeners ? make_host_env(cfg_.listeners) : Ref();
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

int32_t AppRegistry::load_image(std::span<const std::byte> elf, Ref &ctrl) {
  if (elf.empty() || elf.size() > cfg_.max_image_bytes) {
    return IAppLoader_ERROR_INVALID_BUFFER;
  }
  int fd = sealed_copy(elf);
  if (fd < 0) {
    return IAppLoader_ERROR_TA_APP_REGION_MALLOC_FAILURE;
  }
  return load_fd(fd, elf, ctrl);
}

int32_t AppRegistry::load_region(Object mem, Ref &ctrl) {
  int err = 0;
  auto m = Mapping::map(mem, FdObject::kRead, &err);
  if (!m) {
    return IAppLoader_ERROR_INVALID_BUFFER;
  }
  return load_image(m->bytes(), ctrl);
}

int32_t AppRegistry::load_embedded(std::string_view name, Ref &ctrl) {
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
  return load_image(bytes, ctrl);
}

int32_t AppRegistry::connect(std::string_view name, Ref &ctrl) {
  std::lock_guard lock(mu_);
  for (auto &w : apps_) {
    auto a = w.lock();
    if (a && a->manifest().name == name && a->alive()) {
      ctrl = make_object<Controller>(std::move(a));
      return Object_OK;
    }
  }
  return IAppLoader_ERROR_APP_NOT_LOADED;
}

int32_t AppRegistry::load_fd(int fd, std::span<const std::byte> elf, Ref &ctrl) {
  std::string why;
  auto manifest = read_manifest(elf, &why);
  if (!manifest) {
    ::close(fd);
    return IAppLoader_ERROR_METADATA_INVALID;
  }
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
      if (manifest->single_instance() && a->manifest().uuid == manifest->uuid && a->alive()) {
        ::close(fd);
        ctrl = make_object<Controller>(std::move(a));
        return Object_OK;
      }
      ++n;
      ++it;
    }
    if (shut_down_ || n >= cfg_.max_apps) {
      ::close(fd);
      return IAppLoader_ERROR_MAX_NUM_APPS;
    }
  }
  detail::SpawnParams base;
  base.tahost_path = cfg_.tahost_path;
  base.memory_limit = cfg_.default_memory_limit;
  base.deadline_ms = cfg_.default_deadline_ms;
  base.startup_timeout_ms = cfg_.startup_timeout_ms;
  base.seccomp = cfg_.seccomp;
  base.host_env = host_env_;
  base.watchdog = watchdog_;
  base.live = live_;
  base.max_direct = cfg_.max_direct_channels;
  base.uids = cfg_.uid_pool;
  auto app = std::make_shared<App>(std::move(base), std::move(*manifest), fd);
  int32_t rv = app->start(&why);
  if (rv != Object_OK) {
    return rv;
  }
  {
    std::lock_guard lock(mu_);
    apps_.push_back(app);
    if (app->manifest().keep_alive()) {
      keep_alive_.push_back(app);
    }
  }
  ctrl = make_object<Controller>(std::move(app));
  return Object_OK;
}

Ref make_app_loader(std::shared_ptr<AppRegistry> registry) {
  return make_object<Loader>(std::move(registry));
}

Ref make_app_loader(const AppLoaderConfig &cfg, std::shared_ptr<AppRegistry> *registry_out) {
  auto reg = AppRegistry::create(cfg);
  if (registry_out != nullptr) {
    *registry_out = reg;
  }
  return make_app_loader(std::move(reg));
}

}  // namespace captee::tee::apps
