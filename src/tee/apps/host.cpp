#include "captee/tee/apps/host.hpp"

#include <dlfcn.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <mutex>

#include "ITaHost.hpp"
#include "captee/channel.hpp"
#include "captee/ta_sdk.h"
#include "captee/fd_object.hpp"
#include "captee/tee/apps/sandbox.hpp"
#include "direct_clients.hpp"
#include "image_open_trap.hpp"
#include "openssl_preload.hpp"

namespace captee::tee::apps {

namespace {

using GetAppObject = int32_t (*)(Object *);
using Init = int32_t (*)(Object);

// The host's primordial: hands out the TA's app object once it exists, and
// serves the host's objects on direct channels.
class HostRoot final : public iface::ITaHostSkeleton {
 public:
  explicit HostRoot(std::unique_ptr<detail::DirectClients> direct) : direct_(std::move(direct)) {}
  void set(int32_t rv, Ref app) {
    std::lock_guard lock(mu_);
    rv_ = rv;
    app_ = std::move(app);
    ready_ = true;
    cv_.notify_all();
  }

  int32_t getAppObject(Ref &app) override {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return ready_; });
    if (rv_ != Object_OK) {
      return rv_;
    }
    app = app_;
    return Object_OK;
  }

  int32_t attachClient(Object socket, Object target) override {
    auto *sock = LocalObject::from_as<FdObject>(socket);
    if (sock == nullptr) {
      return Object_ERROR_INVALID;
    }
    return direct_ ? direct_->attach(sock->fd(), target) : Object_ERROR_NOSLOTS;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool ready_ = false;
  int32_t rv_ = Object_ERROR;
  Ref app_;
  std::unique_ptr<detail::DirectClients> direct_;
};

// Written once at start, before any TA code runs.
std::atomic<bool> g_claimed_identities{false};
std::atomic<uint64_t> g_instance_id{0};

int startup_failure(const std::string &why) {
  std::fprintf(stderr, "captee-tahost: %s\n", why.c_str());
  return 2;
}

}  // namespace

int run_host(const HostOptions &opts) {
  g_claimed_identities.store(opts.claimed_identities, std::memory_order_release);
  g_instance_id.store(opts.instance_id, std::memory_order_release);
  std::string why;
  if (!drop_privileges(opts.run_as, opts.parent_pid, &why) ||
      !confine_process(opts.memory_limit, opts.max_direct, &why)) {
    return startup_failure(why);
  }
  // Before the filter: OpenSSL opens its providers' modules lazily, which
  // the filter would refuse (openssl_preload.hpp).
  if (!detail::preload_openssl(&why)) {
    return startup_failure(why);
  }
  // The filter goes in before the image is opened: dlopen runs the image's
  // constructors, IFUNC resolvers and .init_array (sandbox.hpp).
  if (opts.seccomp && !install_seccomp(opts.image_fd, &why)) {
    return startup_failure(why);
  }
  const std::string path = image_path(opts.image_fd);
  void *image = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  detail::disarm_image_open_trap();
  ::close(opts.image_fd);
  if (image == nullptr) {
    const char *err = dlerror();
    return startup_failure(std::string("cannot load the TA image: ") + (err ? err : "unknown"));
  }
  auto get_app = reinterpret_cast<GetAppObject>(dlsym(image, "captee_ta_get_app_object"));
  auto init = reinterpret_cast<Init>(dlsym(image, "captee_ta_init"));
  if (get_app == nullptr) {
    return startup_failure("the TA does not export captee_ta_get_app_object");
  }

  std::unique_ptr<detail::DirectClients> direct;
  if (opts.max_direct > 0) {
    auto deadline = opts.deadline_ms > 0 ? detail::SelfDeadline::create(opts.deadline_ms) : nullptr;
    direct = std::make_unique<detail::DirectClients>(opts.max_direct, std::move(deadline));
  }
  Ref root_ref = make_object<HostRoot>(std::move(direct));
  auto *root = LocalObject::from_as<HostRoot>(root_ref.get());
  std::mutex mu;
  std::condition_variable cv;
  bool closed = false;
  ChannelOptions copts;
  copts.accept_channel_refs = false;  // nothing reaches the host by redirection
  auto channel = start_channel(opts.channel_fd, root_ref, copts, &why);
  if (!channel) {
    return startup_failure("channel start failed: " + why);
  }
  auto on_close = [&] {
    std::lock_guard lock(mu);
    closed = true;
    cv.notify_all();
  };
  channel->on_close(on_close);
  std::shared_ptr<Channel> env_channel;
  if (opts.env_fd >= 0) {
    // The TA calls capteed here (listeners, TA-to-TA) and serves only the
    // callbacks of its own calls (a callee asking about cancellation), one
    // at a time as its entry points run: one pool thread, as libteec's. More
    // would all be woken each time the TA reads a reply itself, for nothing
    // (4 futex wakes per TA-to-TA call with the default 4).
    ChannelOptions eopts = copts;
    eopts.pool_threads = 1;
    // capteed hands the TA its sessions' direct forms here (decision 0028).
    // Only capteed writes on this channel, and it sends a channel reference
    // only for a DirectObject; a channel started from one accepts none
    // itself (channel.hpp), so a callee's host can never push a channel
    // into this one.
    eopts.accept_channel_refs = true;
    env_channel = start_channel(opts.env_fd, Ref(), eopts, &why);
    if (!env_channel) {
      return startup_failure("environment channel start failed: " + why);
    }
    env_channel->on_close(on_close);
  }

  Ref env = env_channel ? env_channel->peer_primordial() : Ref();
  int32_t rv = Object_OK;
  if (init != nullptr) {
    rv = init(env.get());
  }
  Object app = Object_NULL;
  if (rv == Object_OK) {
    rv = get_app(&app);
  }
  if (rv == Object_OK && Object_isNull(app)) {
    rv = Object_ERROR;
  }
  root->set(rv, Ref::adopt(rv == Object_OK ? app : Object_NULL));
  root_ref.reset();

  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return closed; });
  lock.unlock();
  // The loader is gone or asked us to stop: no destructor of TA code runs.
  std::fflush(stderr);
  _exit(0);
}

}  // namespace captee::tee::apps

extern "C" __attribute__((visibility("default"))) int captee_tahost_claimed_identities_allowed(
    void) {
  return captee::tee::apps::g_claimed_identities.load(std::memory_order_acquire) ? 1 : 0;
}

extern "C" __attribute__((visibility("default"))) uint64_t captee_tahost_instance_id(void) {
  return captee::tee::apps::g_instance_id.load(std::memory_order_acquire);
}
