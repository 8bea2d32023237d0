// captee-rprocd's core: every remote processor of the platform capteed
// emulates, kept connected to capteed, and served to clients as
// IRemoteProcManager / IRemoteProc objects.
//
// The manager connects to capteed (TeeLink), learns the processors from the
// non-secure face, attaches a RemoteProc to each and subscribes to their
// crash events. When capteed goes away the processors become UNAVAILABLE and
// a reconnect thread tries again every `reconnect_interval` until capteed is
// back; they are then attached again (a new capteed has a new SoC, so they
// are offline).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "captee/object.hpp"
#include "captee/rproc/remote_proc.hpp"
#include "captee/rproc/tee_link.hpp"

namespace captee::rproc {

struct ManagerOptions {
  std::string tee_socket;    // capteed's socket
  std::string firmware_dir;  // for IRemoteProc.bootFile; "" = none
  RemoteProcOptions proc;    // defaults for every processor
  std::chrono::milliseconds reconnect_interval{200};
};

class Manager {
 public:
  explicit Manager(ManagerOptions options);
  // shutdown().
  ~Manager();
  Manager(const Manager &) = delete;
  Manager &operator=(const Manager &) = delete;

  // Connects now if capteed is there, and starts the reconnect thread either
  // way (a manager may start before capteed). Returns whether it connected.
  bool start(std::string *why);

  // The IRemoteProcManager object for clients (a new reference). Thread-safe.
  Ref object();

  // The processor with this id, or nullptr. Borrowed until shutdown().
  RemoteProc *processor(uint32_t id);
  std::vector<uint32_t> ids() const;
  bool connected() const;
  const ManagerOptions &options() const { return opt_; }

  // SIGTERM: stops and releases every processor (aborting a boot in
  // progress), then drops the link. Idempotent.
  void shutdown();

  struct Shared;  // what the objects handed out share with the manager

 private:
  bool connect_locked(std::string *why);
  void close_objects();  // the objects handed out answer UNAVAIL from now on
  void drop_link_locked();
  void reconnect_loop();
  void log(const std::string &line) const;

  ManagerOptions opt_;
  std::shared_ptr<Shared> shared_;

  mutable std::mutex mu_;  // guards the link, the subscriptions and the flags
  std::condition_variable cv_;
  std::unique_ptr<TeeLink> link_;
  std::vector<Ref> subscriptions_;
  // Only grows (under both locks); lookups take procs_mu_ alone, so a client's
  // call never waits for a reconnect attempt holding mu_.
  mutable std::mutex procs_mu_;
  std::map<uint32_t, std::shared_ptr<RemoteProc>> procs_;
  std::atomic<bool> lost_{false};  // set by the link's close notifier, which takes no lock
  bool stopping_ = false;
  std::thread reconnect_;
};

}  // namespace captee::rproc
