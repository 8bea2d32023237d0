// captee-supplicant: the normal-world process that serves OP-TEE supplicant
// plugins to trusted apps (tee_invoke_supp_plugin).
//
// It is a client of capteed like any other (it connects to CAPTEE_SOCKET and
// registers without claims) and a listener in the design's sense (docs/TA.md,
// "Listeners"): it registers an IListenerCBO and a shared region under
// CAPTEE_SUPP_PLUGIN_LISTENER_ID with IRegisterListenerCBO (service
// register-listener, uid 87, which the policy may restrict). capteed's relay
// hands it one request at a time; the plugins are a PluginSet. The listener
// id is first come, first served: while this supplicant lives, another
// registration of it is refused (ERROR_ID_IN_USE).
#pragma once

#include <memory>
#include <string>

#include "captee/object.hpp"
#include "captee/supplicant/plugin_set.hpp"

namespace captee::supplicant {

struct SupplicantOptions {
  std::string socket;      // capteed's socket
  std::string plugin_dir;  // where the plugins are
  Log log;                 // one line per plugin loaded or skipped, and per odd answer
  // Not empty: also keep capteed's durable store's files in this directory
  // (created 0700 if missing, locked for this process), as listener
  // CAPTEE_STORAGE_LISTENER_ID (captee/storage_listener_protocol.h; capteed
  // --storage-backend supplicant).
  std::string storage_dir;
};

class Supplicant {
 public:
  // Connects to capteed, opens the registration service, loads the plugins
  // (their init runs only when the supplicant can serve) and registers the
  // listener.
  // nullptr with one sentence in *why when capteed cannot be reached, refuses
  // the registration service, or already has a supplicant (listener id in
  // use), or the storage directory cannot be created, opened or locked. Plugins that do not load
  // are logged and skipped, not an error.
  static std::unique_ptr<Supplicant> start(const SupplicantOptions &opts, std::string *why);
  ~Supplicant();
  Supplicant(const Supplicant &) = delete;
  Supplicant &operator=(const Supplicant &) = delete;

  // Blocks until capteed lets go of the listener (it stopped, or the
  // connection closed) or stop() is called. True in the first case.
  bool wait();
  // Makes wait() return. Thread-safe, idempotent.
  void stop();

  const PluginSet &plugins() const { return *plugins_; }
  // Whether it keeps capteed's store (SupplicantOptions::storage_dir).
  bool serves_storage() const { return serves_storage_; }

 private:
  // What the listener's release and stop() tell wait(); shared with the
  // listener, which capteed may release after this object is gone.
  struct State;

  Supplicant() = default;

  std::shared_ptr<const PluginSet> plugins_;
  bool serves_storage_ = false;
  Ref root_;  // the connection to capteed lives while these are held
  Ref registrar_;
  std::shared_ptr<State> state_;
};

}  // namespace captee::supplicant
