// One TA process and the objects it hosts (internal).
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "captee/channel.hpp"
#include "captee/object.hpp"
#include "captee/tee/apps/ta_uid_pool.hpp"
#include "watchdog.hpp"

namespace captee::tee::apps::detail {

struct SpawnParams {
  std::string tahost_path;
  int image_fd = -1;  // borrowed; the child inherits a copy
  uint64_t memory_limit = 0;
  uint32_t deadline_ms = 0;
  int startup_timeout_ms = 5000;
  bool seccomp = true;
  Ref host_env;  // the TA's captee_ta_init argument
  std::shared_ptr<Watchdog> watchdog;
  std::shared_ptr<std::atomic<size_t>> live;  // incremented while the process lives
  unsigned max_direct = 0;                    // direct client channels the host may serve at once
  // Where the host's own uid comes from when capteed is root; null: the host
  // keeps capteed's uid.
  std::shared_ptr<TaUidPool> uids;
  bool claimed_identities = false;  // HostOptions::claimed_identities
  uint64_t instance_id = 0;         // HostOptions::instance_id
};

// The process itself, shared with the channel's close notifier (which must
// not own the Instance: its destruction closes the channel).
struct Proc {
  pid_t pid = -1;              // also the process group of the host and anything it started
  std::unique_ptr<TaUid> uid;  // given back once the process is reaped
  uint64_t exit_watch = 0;     // exit_watch.hpp key, 0 once reaped
  std::shared_ptr<std::atomic<size_t>> live;
  std::atomic<bool> dead{false};
  std::mutex mu;
  bool reaped = false;
  std::string exit_reason;

  void signal_kill();  // SIGKILL to the host's process group unless already reaped
  void reap();         // SIGKILL to the group + waitpid once; decrements *live
};

class Instance : public std::enable_shared_from_this<Instance> {
 public:
  // Spawns captee-tahost and fetches the TA's app object. Null with the
  // reason in *why if the process cannot start or the TA refuses to.
  static std::shared_ptr<Instance> spawn(const SpawnParams &p, std::string *why);
  ~Instance();

  // A new wrapped reference to the app object (DEFUNCT once dead). Sent to a
  // peer that accepts channel references, it becomes a direct channel to the
  // TA process (open_direct) instead of being forwarded.
  Ref app_object();

  // A socket whose other end the TA host now serves `target` (an import from
  // this TA) on, as a direct channel under the host's own deadline; -1 if the
  // host refuses (slots taken, dead, max_direct 0). `key` is this instance's
  // (unique in the process, never reused).
  int open_direct(Object target, uint32_t &key);

  // Invokes `target` (an object imported from this TA) under the per-call
  // deadline; failure of the process becomes Object_ERROR_DEFUNCT; output
  // objects are wrapped so they keep these guarantees.
  int32_t call(Object target, ObjectOp op, ObjectArg *a, ObjectCounts k);

  // SIGKILL, close the channel, reap. Idempotent; safe from any thread.
  void terminate();

  bool alive() const { return !proc_->dead.load(std::memory_order_acquire); }
  pid_t pid() const { return proc_->pid; }
  // How the process ended ("" while alive), e.g. "killed by signal 11".
  std::string exit_reason() const;

 private:
  Instance() = default;

  // The invoke function of root_ seen through call(), so that the generated
  // ITaHost stubs run under the TA's deadline: Object{&invoke_root, this},
  // borrowed for one call and never retained.
  static int32_t invoke_root(ObjectCxt h, ObjectOp op, ObjectArg *a, ObjectCounts k);

  std::shared_ptr<Proc> proc_;
  std::shared_ptr<Channel> channel_;      // the loader calls the TA
  std::shared_ptr<Channel> env_channel_;  // the TA calls the host environment
  Ref app_;                               // the raw import
  Ref root_;                              // the host root (ITaHost.idl)
  uint32_t key_ = 0;
  unsigned max_direct_ = 0;
  uint32_t deadline_ms_ = 0;
  std::shared_ptr<Watchdog> watchdog_;
  std::function<void()> expire_;
};

}  // namespace captee::tee::apps::detail
