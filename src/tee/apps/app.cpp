#include "app.hpp"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>

#include "IAppLoader.h"

namespace captee::tee::apps::detail {

namespace {

// Ids are never reused in a process, so `captee ta unload ID` can never
// reach a TA loaded after the administrator read the list.
std::atomic<uint64_t> g_next_id{1};

std::string hex(const ImageHash &h) {
  std::string s;
  s.reserve(h.size() * 2);
  char b[3];
  for (uint8_t v : h) {
    std::snprintf(b, sizeof b, "%02x", v);
    s += b;
  }
  return s;
}

}  // namespace

uint64_t App::new_id() {
  return g_next_id.fetch_add(1, std::memory_order_relaxed);
}

App::App(uint64_t id, SpawnParams base, TaManifest m, int image_fd, AppOrigin origin)
    : id_(id),
      base_(std::move(base)),
      manifest_(std::move(m)),
      image_fd_(image_fd),
      origin_(std::move(origin)) {}

App::~App() {
  stop();
  ::close(image_fd_);
}

bool App::same_image(std::span<const std::byte> image, const std::optional<ImageHash> &hash) const {
  if (origin_.hash || hash) {
    return origin_.hash == hash;
  }
  // Our image is a sealed memfd: nobody can change it while we compare.
  struct stat st {};
  if (::fstat(image_fd_, &st) != 0 || static_cast<uint64_t>(st.st_size) != image.size()) {
    return false;
  }
  void *p = ::mmap(nullptr, image.size(), PROT_READ, MAP_SHARED, image_fd_, 0);
  if (p == MAP_FAILED) {
    return false;
  }
  const bool same = std::memcmp(p, image.data(), image.size()) == 0;
  ::munmap(p, image.size());
  return same;
}

int32_t App::start(std::string *why) {
  {
    std::lock_guard lock(mu_);
    if (evicted_) {
      if (why != nullptr) {
        *why = "the TA was unloaded by an administrator";
      }
      return IAppLoader_ERROR_ELF_LOADING;
    }
  }
  SpawnParams p = base_;
  p.image_fd = image_fd_;
  if (manifest_.deadline_ms != 0) {
    p.deadline_ms = manifest_.deadline_ms;
  }
  auto inst = Instance::spawn(p, why);
  if (!inst) {
    return IAppLoader_ERROR_ELF_LOADING;
  }
  std::shared_ptr<Instance> old;
  bool dropped = false;
  {
    std::lock_guard lock(mu_);
    dropped = evicted_;  // unloaded while this one started: it goes too
    old = dropped ? std::move(inst) : std::exchange(inst_, std::move(inst));
  }
  if (old) {
    old->terminate();
  }
  return dropped ? IAppLoader_ERROR_ELF_LOADING : Object_OK;
}

void App::stop() {
  std::shared_ptr<Instance> old;
  {
    std::lock_guard lock(mu_);
    old = std::move(inst_);
  }
  if (old) {
    old->terminate();
  }
}

bool App::evict() {
  {
    std::lock_guard lock(mu_);
    if (evicted_) {
      return false;
    }
    evicted_ = true;
  }
  stop();
  return true;
}

bool App::evicted() const {
  std::lock_guard lock(mu_);
  return evicted_;
}

std::shared_ptr<Instance> App::current() const {
  std::lock_guard lock(mu_);
  return inst_;
}

bool App::alive() const {
  auto i = current();
  return i && i->alive();
}

TaInfo App::info() const {
  TaInfo t;
  t.id = id_;
  t.name = manifest_.name;
  t.uuid = manifest_.uuid_string();
  t.flags = manifest_.flags;
  t.authority = origin_.authority;
  t.loaded_by = origin_.loaded_by;
  t.image_sha256 = origin_.hash ? hex(*origin_.hash) : "";
  t.unloaded = evicted();
  if (auto i = current()) {
    t.pid = i->pid();
    t.alive = i->alive();
    t.exit_reason = i->exit_reason();
  }
  return t;
}

}  // namespace captee::tee::apps::detail
