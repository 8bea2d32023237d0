// One remote processor, managed from the normal world the way Linux's
// remoteproc core with remoteproc_tee manages one: the TEE authenticates,
// loads, starts and stops the firmware (the remoteproc TA, through libteec);
// the host handles the resource table, reads the trace, and recovers from
// crashes.
//
// Boot (shared/specs/remoteproc.md, "Host-side sequences"):
//   1. parse_fw: LOAD_FW, GET_RSC_TABLE, read the loaded table and keep a
//      cached copy;
//   2. handle the resources on the cached copy (resources.hpp) and map the
//      trace buffers and vrings the TEE shares;
//   3. load: LOAD_FW again (a no-op in the TA's LOADED state);
//   4. find_loaded_rsc_table: GET_RSC_TABLE; the table must lie inside a
//      registered carveout;
//   5. copy the cached table over the loaded one, START_FW: RUNNING.
// Any failure undoes what was done and ends with RELEASE_FW (which wipes the
// processor's memory), leaving the processor offline with the reason.
//
// Shutdown: point at the cache, STOP_FW, drop the mappings, RELEASE_FW.
//
// Crash: the processor is CRASHED with the crash count and reason; with
// coredump enabled the core is written to the coredump directory; with
// recovery enabled, and unless the crash-loop guard gives up, recovery runs:
// STOP_FW, LOAD_FW (full re-authentication), map the resources again, copy
// the cached table back, START_FW.
//
// Thread-safety: every public member may be called from any thread.
// Operations (boot, stop, recover, crash handling) run one at a time; one
// asked for while another runs fails with kBusy, except crash handling, which
// waits its turn on the processor's own thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "IRemoteprocHost.hpp"
#include "captee/rproc/crash_loop_guard.hpp"
#include "captee/rproc/resources.hpp"
#include "captee/rproc/rpmsg_host.hpp"
#include "captee/rproc/rpmsg_tty.hpp"
#include "captee/rproc/tee_link.hpp"

namespace captee::rproc {

// Linux's processor states (numbered as Linux numbers them), plus
// kUnavailable: capteed cannot be reached. kAttached is Linux's state for a
// firmware that was started by someone else (here: before this manager
// started); it can be stopped, not recovered.
enum class State : uint32_t {
  kOffline = 0,
  kRunning = 2,
  kCrashed = 3,
  kAttached = 5,
  kUnavailable = 256
};
// "offline", "running", "crashed", "attached", "unavailable".
const char *to_string(State s);

struct RemoteProcOptions {
  bool recovery = true;
  bool coredump = false;
  std::string coredump_dir;  // where crash cores go (coredump enabled)
  // Where "rpmsg-tty" channels' pty links go (rproc<id>-ttyRPMSG<n>); "" for none.
  std::string tty_dir;
  RecoveryPolicy policy;
  // One line per event (boots, crashes, recoveries, failures). Thread-safe.
  std::function<void(const std::string &)> log;
};

struct RemoteProcStatus {
  uint32_t id = 0;
  State state = State::kUnavailable;
  bool busy = false;
  bool recovery = true;
  bool coredump = false;
  uint32_t crash_count = 0;
  uint32_t boot_count = 0;
  size_t traces = 0;
  std::string firmware;    // name of the firmware last booted ("" if none)
  std::string last_crash;  // reason of the last crash ("" if none)
  std::string last_error;  // why the last operation failed ("" if it did not)
  std::string last_coredump_file;
};

// What an operation came to.
enum class Outcome { kOk, kBusy, kBadState, kFailed, kUnavailable, kShuttingDown, kNotFound };

using Progress = std::function<void(const std::string &step)>;

class RemoteProc {
 public:
  RemoteProc(uint32_t id, RemoteProcOptions options);
  // shutdown().
  ~RemoteProc();
  RemoteProc(const RemoteProc &) = delete;
  RemoteProc &operator=(const RemoteProc &) = delete;

  uint32_t id() const { return id_; }

  // capteed is reachable through `link` (borrowed until detach()): opens the
  // TA session and the host face and takes the processor's state from
  // capteed. false with a sentence in *why if the TA or the face refuses.
  bool attach(TeeLink &link, std::string *why);
  // Called once the manager is subscribed to the processor's crash events:
  // a crash that came before the subscription (found at attach, or between
  // attach and subscribe) is queued as if it had been notified, so that it is
  // recovered (or, with no image to reload, released) like any other.
  void catch_up();
  // capteed went away: drop the session and the mappings; UNAVAILABLE.
  void detach();

  // Boots `image` (a signed firmware image). kBadState unless offline; the
  // reason of a failure is status().last_error.
  Outcome boot(std::vector<uint8_t> image, std::string name, const Progress &progress = {});
  // Running or crashed -> offline (memory wiped). kBadState when offline.
  Outcome stop();
  // Runs the recovery sequence now (CRASHED only); starts a new crash streak.
  Outcome recover(const Progress &progress = {});
  // Fault injection through the host face. kBadState unless running.
  Outcome crash(const std::string &reason);
  // The board's console and GPIO inputs, through the host face (kNotFound
  // when the platform has none, kFailed for a pin that does not exist).
  // *bytes gets at most `max` raw bytes of output from byte number `from`.
  Outcome read_console(uint64_t from, size_t max, std::string *bytes, uint64_t *next);
  Outcome write_console(const std::string &bytes, uint32_t *taken);
  Outcome set_gpio_input(uint32_t port, uint32_t pin, uint32_t level);
  void set_recovery(bool enabled);
  void set_coredump(bool enabled);

  // Called from the host face's event thread: queues the crash for this
  // processor's own thread and returns at once.
  void on_crash(uint32_t crashes, std::string reason);
  // Called from the host face's event thread: the firmware kicked these
  // mailbox channels (the rpmsg buses look at their rings).
  void on_kick(uint32_t channels);
  // The firmware's rpmsg channels (docs/REMOTEPROC.md, "rpmsg").
  RpmsgHost &rpmsg() { return rpmsg_; }
  // The stable pty path of "rpmsg-tty" channel `index` ("" without one).
  std::string rpmsg_tty_path(uint32_t index) const { return ttys_.path(index); }

  RemoteProcStatus status() const;
  // The text of trace buffer `index` (kNotFound if there is none mapped).
  Outcome trace(size_t index, std::string *text) const;
  // The last core taken, or one taken now from a crashed processor.
  Outcome coredump(std::vector<uint8_t> *core);

  // SIGTERM: aborts a boot in progress at its next step, stops and releases
  // the firmware, ends the processor's thread. Idempotent.
  void shutdown();

 private:
  void worker();
  void handle_crash(uint32_t crashes, const std::string &reason);
  // A vdev broke the virtio rules: the running firmware is crashed with the
  // reason, so that recovery (when enabled) boots it afresh.
  void handle_vdev_broken(const std::string &reason);
  // The steps, with op_mu_ held.
  bool do_boot(const Progress &progress, std::string *why);
  bool reload_and_start(const Progress &progress, std::string *why);
  Outcome recover_locked(const Progress &progress);
  bool find_loaded_table_and_copy(std::string *why);
  bool copy_table_and_start(const Progress &progress, std::string *why);
  void release_locked();
  void take_coredump_locked();
  void fail_locked(const std::string &why);
  void publish(bool on);
  void set_state(State s);
  bool lost() const;
  void log(const std::string &line) const;
  bool aborted() const;

  const uint32_t id_;
  RemoteProcOptions opt_;

  // Operations: held for a whole boot, stop or recovery.
  mutable std::mutex op_mu_;
  TeeLink *link_ = nullptr;                               // guarded by op_mu_
  std::unique_ptr<TeeLink::Session> ta_;                  // guarded by op_mu_
  iface::IRemoteprocHost host_;                           // guarded by op_mu_
  std::vector<IRemoteprocHost_Region> regions_;           // guarded by op_mu_
  std::vector<IRemoteprocHost_ReservedMemory> reserved_;  // guarded by op_mu_
  std::vector<uint8_t> image_;                            // the booted image, for recovery (op_mu_)
  std::vector<uint8_t> cached_table_;                     // Linux's cached table (op_mu_)
  // The handled resources. Changed with op_mu_ held and published_ false;
  // read by trace() with state_mu_ held and published_ true.
  std::optional<Resources> resources_;
  bool ta_loaded_ = false;     // the TA may hold firmware (op_mu_)
  bool ta_started_ = false;    // START_FW was sent since the last STOP_FW (op_mu_)
  CrashLoopGuard guard_;       // guarded by op_mu_
  uint32_t crashes_seen_ = 0;  // capteed's crash count last handled (op_mu_)

  // What status() shows.
  mutable std::mutex state_mu_;
  RemoteProcStatus st_;
  bool published_ = false;          // guarded by state_mu_
  std::vector<uint8_t> last_core_;  // guarded by state_mu_

  // The processor's thread: crash handling and delayed recovery.
  std::mutex q_mu_;
  std::condition_variable q_cv_;
  std::deque<std::pair<uint32_t, std::string>> crashes_;  // guarded by q_mu_
  bool stopping_ = false;                                 // guarded by q_mu_
  std::atomic<bool> shutting_down_{false};
  std::thread thread_;

  // After resources_: its buses use resources_'s mappings, so it goes first.
  RpmsgHost rpmsg_;
  RpmsgTtys ttys_;  // uses rpmsg_: goes first
};

}  // namespace captee::rproc
