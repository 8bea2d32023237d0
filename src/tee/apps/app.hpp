// One loaded TA (internal): its manifest, its sealed image (kept for
// restart), where the image came from (authority, loading uid, SHA-256) and
// the process currently running it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>

#include "captee/tee/apps/app_loader.hpp"
#include "captee/tee/apps/manifest.hpp"
#include "captee/tee/apps/ta_authority.hpp"
#include "instance.hpp"

namespace captee::tee::apps::detail {

struct AppOrigin {
  TaAuthority authority;
  uid_t loaded_by = 0;            // kernel uid of the client whose load started it
  std::optional<ImageHash> hash;  // when the registry has a hasher
};

class App {
 public:
  // An id no other App of this process has had (or will have).
  static uint64_t new_id();

  // `id` from new_id(). `base` holds what every spawn of this TA uses, its
  // memory limit already resolved (no reference to the registry itself: it
  // must be able to die first). Takes `image_fd`.
  App(uint64_t id, SpawnParams base, TaManifest m, int image_fd, AppOrigin origin);
  ~App();
  App(const App &) = delete;
  App &operator=(const App &) = delete;

  uint64_t id() const { return id_; }
  const TaManifest &manifest() const { return manifest_; }
  const AppOrigin &origin() const { return origin_; }
  // At most one per UUID can run for a trusted authority (the registry
  // refuses a second image): such a TA counts against no uid's caps.
  bool counted_for_loader() const {
    return !(origin_.authority.trusted() && manifest_.single_instance());
  }

  // Whether `image` is this TA's image: the same hash when there is one,
  // else the same bytes.
  bool same_image(std::span<const std::byte> image, const std::optional<ImageHash> &hash) const;

  // Starts a process (replacing the current one's reference). Object_OK, or
  // IAppLoader_ERROR_ELF_LOADING with the reason in *why (also once evicted).
  int32_t start(std::string *why);
  // Kills the current process; start() may bring it back.
  void stop();
  // Kills the current process for good: start() refuses from then on. True
  // the first time.
  bool evict();
  bool evicted() const;

  std::shared_ptr<Instance> current() const;
  bool alive() const;
  TaInfo info() const;

 private:
  const uint64_t id_;
  SpawnParams base_;
  TaManifest manifest_;
  int image_fd_;
  AppOrigin origin_;
  mutable std::mutex mu_;
  std::shared_ptr<Instance> inst_;
  bool evicted_ = false;
};

}  // namespace captee::tee::apps::detail
