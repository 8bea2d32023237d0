#include "captee/supplicant/supplicant.hpp"

#include <condition_variable>
#include <mutex>

#include "CRegisterListenerCBO.h"
#include "IClientEnv.hpp"
#include "IRegisterListenerCBO.hpp"
#include "captee/channel.hpp"
#include "captee/detail/printable.hpp"
#include "captee/memory.hpp"
#include "captee/storage_listener_protocol.h"
#include "captee/supp_plugin_protocol.h"
#include "plugin_listener.hpp"
#include "storage_listener.hpp"

namespace captee::supplicant {

struct Supplicant::State {
  std::mutex mu;
  std::condition_variable cv;
  bool released = false;  // guarded by mu
  bool stopped = false;   // guarded by mu
};

std::unique_ptr<Supplicant> Supplicant::start(const SupplicantOptions &opts, std::string *why) {
  auto fail = [why](const std::string &what) {
    if (why != nullptr) {
      *why = what;
    }
    return nullptr;
  };
  std::unique_ptr<Supplicant> s(new Supplicant());
  s->state_ = std::make_shared<State>();

  ChannelOptions copts;
  // Plugin calls come one at a time; the second thread answers capteed's
  // liveness probe (an unknown op) while a plugin runs.
  copts.pool_threads = 2;
  copts.accept_channel_refs = false;  // nothing of capteed's needs one
  copts.log = opts.log;
  std::string reason;
  s->root_ = connect(opts.socket, copts, &reason);
  if (s->root_.is_null()) {
    return fail("cannot reach capteed at " + printable(opts.socket) + ": " + printable(reason));
  }
  Ref env;
  int32_t rv = iface::IClientEnv(s->root_).registerAsClient(Ref(), env);
  if (rv == Object_OK) {
    rv = iface::IClientEnv(env).open(CRegisterListenerCBO_UID, s->registrar_);
  }
  if (rv != Object_OK) {
    return fail(
        "capteed does not let this user register listeners (service register-listener, "
        "uid 87; error " +
        std::to_string(rv) + ")");
  }
  // Before any plugin code runs: a directory that cannot be had stops here.
  std::shared_ptr<StorageDir> storage_dir;
  if (!opts.storage_dir.empty()) {
    storage_dir = StorageDir::open(opts.storage_dir, &reason);
    if (!storage_dir) {
      return fail(reason);
    }
  }
  // Plugin code (each init) runs only once the supplicant can serve.
  s->plugins_ = std::make_shared<const PluginSet>(PluginSet::load(opts.plugin_dir, opts.log));
  Ref region = MemoryObject::create(CAPTEE_SUPP_PLUGIN_REGION_SIZE, false, "captee-supp-plugins");
  if (region.is_null()) {
    return fail("cannot create the shared region of " +
                std::to_string(CAPTEE_SUPP_PLUGIN_REGION_SIZE) + " bytes");
  }
  std::weak_ptr<State> state = s->state_;
  auto released = [state] {
    if (auto st = state.lock()) {
      std::lock_guard lock(st->mu);
      st->released = true;
      st->cv.notify_all();
    }
  };
  Ref listener = make_plugin_listener(s->plugins_, region, opts.log, released);
  rv = iface::IRegisterListenerCBO(s->registrar_)
           .register_(CAPTEE_SUPP_PLUGIN_LISTENER_ID, listener, region);
  if (rv == IRegisterListenerCBO_ERROR_ID_IN_USE) {
    return fail("another supplicant is registered with capteed (listener " +
                std::to_string(CAPTEE_SUPP_PLUGIN_LISTENER_ID) + " is in use)");
  }
  if (rv != Object_OK) {
    return fail("capteed refused to register listener " +
                std::to_string(CAPTEE_SUPP_PLUGIN_LISTENER_ID) + " (error " + std::to_string(rv) +
                ")");
  }
  if (storage_dir) {
    Ref storage_region =
        MemoryObject::create(CAPTEE_STORAGE_REGION_SIZE, false, "captee-supp-storage");
    Ref storage = storage_region.is_null()
                      ? Ref()
                      : make_storage_listener(storage_dir, storage_region, opts.log, released);
    if (storage.is_null()) {
      return fail("cannot create the storage listener's shared region of " +
                  std::to_string(CAPTEE_STORAGE_REGION_SIZE) + " bytes");
    }
    rv = iface::IRegisterListenerCBO(s->registrar_)
             .register_(CAPTEE_STORAGE_LISTENER_ID, storage, storage_region);
    if (rv == IRegisterListenerCBO_ERROR_ID_IN_USE) {
      return fail("another supplicant keeps capteed's storage (listener " +
                  std::to_string(CAPTEE_STORAGE_LISTENER_ID) + " is in use)");
    }
    if (rv != Object_OK) {
      return fail("capteed refused to register listener " +
                  std::to_string(CAPTEE_STORAGE_LISTENER_ID) + " (error " + std::to_string(rv) +
                  ")");
    }
    s->serves_storage_ = true;
  }
  // From now on capteed holds the only reference: its release is the sign
  // that capteed let go (wait()).
  return s;
}

Supplicant::~Supplicant() {
  stop();
}

bool Supplicant::wait() {
  std::unique_lock lock(state_->mu);
  state_->cv.wait(lock, [this] { return state_->released || state_->stopped; });
  return state_->released;
}

void Supplicant::stop() {
  if (!state_) {
    return;
  }
  std::lock_guard lock(state_->mu);
  state_->stopped = true;
  state_->cv.notify_all();
}

}  // namespace captee::supplicant
