// capteed as a library: the secure world behind one listening socket.
//
// Each accepted connection gets its own root object bound to the peer's
// kernel identity (captee/tee/credentials.hpp). The root answers
// IClientEnv.registerAsClient (op 2), registerWithCredentials (op 5),
// registerLegacy (op 1) and registerWithWhitelist (op 3) with a client
// environment, whose open(uid) consults the Policy and then the
// ServiceRegistry. The root also answers open (op 0) itself, with the same
// identity, for clients that skip registration.
//
// Built-in services: the memory service (CMemoryService_UID) and diagnostics
// (CDiagnostics_UID, also IDiagnosticsCaptee for captee's counters).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "captee/tee/policy.hpp"
#include "captee/tee/service_registry.hpp"

namespace captee::tee {

enum class LogLevel { kError = 0, kWarn = 1, kInfo = 2, kDebug = 3 };

struct DaemonOptions {
  std::string socket_path;      // required
  unsigned socket_mode = 0666;  // who may connect is the policy's business
  Policy policy = Policy::builtin_default();
  std::string ta_dir;     // handed to the app loader (not used by the core)
  std::string state_dir;  // ditto
  LogLevel log_level = LogLevel::kWarn;
  // Called for each log line (default: stderr). Must be thread-safe. Lines
  // come escaped by printable() (captee/detail/printable.hpp): one line,
  // no control characters, whatever names clients, TAs or firmware chose.
  std::function<void(LogLevel, const std::string &)> log;
  // Channel pool threads per connection (requests from that client).
  unsigned pool_threads_per_connection = 2;
  // Connections one uid may have open at once (0: no limit); root is never
  // limited. A connection past it is closed at accept, and logged.
  unsigned max_connections_per_uid = 256;
  // Memory service limits.
  uint64_t private_pool_bytes = 256ull << 20;
  uint64_t max_object_bytes = 64ull << 20;
};

// capteed's counters (`captee stats --json`).
struct DaemonStats {
  uint64_t connections = 0;               // live client channels
  uint64_t connections_accepted = 0;      // since start
  uint64_t objects = 0;                   // objects exported by capteed, all channels
  uint64_t memory_objects = 0;            // memory objects alive in capteed
  uint64_t memory_bytes = 0;              // their bytes
  uint64_t private_objects = 0;           // of which TEE-private
  uint64_t shared_allocated_total = 0;    // shared-pool objects handed out, ever
  uint64_t tas = 0;                       // loaded TAs (app loader hook)
  uint64_t tas_loaded = 0;                // TAs held, running or not (TA admin hook)
  uint64_t tas_keep_alive = 0;            // of which held by keep-alive
  uint64_t ta_loads_refused_uid_cap = 0;  // loads refused: the uid at its cap
  uint64_t tas_unloaded_by_admin = 0;     // `captee ta unload` since start
  uint64_t callbacks_in_flight = 0;       // capteed -> client object invokes running
  uint64_t uptime_ms = 0;
  uint64_t pid = 0;
};

class Daemon {
 public:
  // Registers the built-in services. Nothing listens yet.
  explicit Daemon(DaemonOptions opts);
  ~Daemon();  // stop()
  Daemon(const Daemon &) = delete;
  Daemon &operator=(const Daemon &) = delete;

  // Where other layers register their services (before start()).
  ServiceRegistry &services();

  // Hooks for layers that own TAs: the number of loaded TAs and their names
  // (reported by diagnostics and stats). Set before start().
  void set_ta_hooks(std::function<uint64_t()> count,
                    std::function<std::vector<std::string>()> names);

  // What the TA layer lets diagnostics show and an administrator do
  // (`captee ta list`, `captee ta unload`, the TA counters of `captee
  // stats`). Set before start(); any member may be empty.
  struct TaAdmin {
    // The loaded TAs as a JSON array (docs/TA.md, "Who loaded what").
    std::function<std::string()> list_json;
    // Stops TA `id` for the client with kernel uid `caller`: 0, ENOENT (no
    // such TA) or EPERM (not root, and not the TA's loader).
    std::function<int(uint64_t id, uid_t caller)> unload;
    // Fills the tas_* counters of `stats`.
    std::function<void(DaemonStats &stats)> counters;
  };
  void set_ta_admin(TaAdmin admin);

  // Counts an invoke from capteed into a client-hosted object while the
  // returned guard lives (callbacks_in_flight). Thread-safe.
  class CallbackGuard {
   public:
    explicit CallbackGuard(Daemon &d);
    ~CallbackGuard();
    CallbackGuard(const CallbackGuard &) = delete;
    CallbackGuard &operator=(const CallbackGuard &) = delete;

   private:
    Daemon &d_;
  };

  // Binds the socket and starts accepting. false with *why on failure.
  // Ready when this returns true: the socket accepts connections.
  bool start(std::string *why);
  // Stops accepting, closes every connection (releasing everything clients
  // held), and joins the acceptor threads. Idempotent.
  void stop();

  DaemonStats stats() const;
  const DaemonOptions &options() const;
  // Writes one line through the configured sink if `level` is enabled.
  // Thread-safe.
  void log(LogLevel level, const std::string &line) const;

  struct State;  // shared with the objects the daemon hands out

 private:
  std::shared_ptr<State> state_;
};

// The stats as the JSON object `captee stats --json` prints.
std::string stats_json(const DaemonStats &s);

}  // namespace captee::tee
