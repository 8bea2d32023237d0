#include "instance.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

#include "ITaHost.hpp"
#include "captee/fd_object.hpp"
#include "captee/tee/apps/app_loader.hpp"
#include "captee/tee/apps/host.hpp"
#include "exit_watch.hpp"
#include "forker.hpp"

namespace captee::tee::apps::detail {

namespace {

// What a client holds for an object hosted by a TA: forwards to the import
// under the TA's deadline and turns the TA's death into DEFUNCT. An app
// object (direct) sent to a client that accepts channel references goes as a
// direct channel to the TA process instead (docs/decisions/0002).
class TaObject final : public DirectObject {
 public:
  // `key`: the direct channel's own key (0: the instance's, the app
  // object's).
  TaObject(std::shared_ptr<Instance> inst, Ref target, bool direct = false, uint32_t key = 0)
      : inst_(std::move(inst)), target_(std::move(target)), direct_(direct), key_(key) {}
  const Instance *instance() const { return inst_.get(); }
  const std::shared_ptr<Instance> &shared_instance() const { return inst_; }
  Object target() const { return target_.get(); }

  int open_direct(uint32_t &key) override {
    if (!direct_) {
      return -1;
    }
    int fd = inst_->open_direct(target_.get(), key);
    if (fd >= 0 && key_ != 0) {
      key = key_;
    }
    return fd;
  }

 protected:
  int32_t on_invoke(uint32_t, ObjectOp op, ObjectArg *a, ObjectCounts k) override {
    return inst_->call(target_.get(), op, a, k);
  }

 private:
  std::shared_ptr<Instance> inst_;
  Ref target_;
  bool direct_;
  uint32_t key_;
};

// Keys of direct channels: one per instance, never reused in this process,
// so a client's channel for a key always leads to the same TA process.
std::atomic<uint32_t> g_next_key{1};

uint32_t new_key() {
  uint32_t k;
  do {
    k = g_next_key.fetch_add(1, std::memory_order_relaxed);
  } while (k == 0);
  return k;
}

std::string describe(int status) {
  if (WIFSIGNALED(status)) {
    return "killed by signal " + std::to_string(WTERMSIG(status));
  }
  if (WIFEXITED(status)) {
    return "exited with status " + std::to_string(WEXITSTATUS(status));
  }
  return "ended";
}

void set_why(std::string *why, std::string s) {
  if (why != nullptr) {
    *why = std::move(s);
  }
}

// The host leads its own process group: anything it started dies with it.
// Only before the host is reaped: afterwards its pid (and so the group id)
// may belong to another process.
void kill_group(pid_t pid) {
  ::kill(-pid, SIGKILL);
  ::kill(pid, SIGKILL);  // in case it had not made its group yet
}

}  // namespace

void Proc::signal_kill() {
  std::lock_guard lock(mu);
  dead.store(true, std::memory_order_release);
  if (!reaped && pid > 0) {
    kill_group(pid);
  }
}

void Proc::reap() {
  uint64_t watch = 0;
  {
    std::lock_guard lock(mu);
    watch = std::exchange(exit_watch, 0);
  }
  unwatch_exit(watch);  // outside mu: its callback takes mu
  std::lock_guard lock(mu);
  dead.store(true, std::memory_order_release);
  if (reaped || pid <= 0) {
    return;
  }
  kill_group(pid);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  reaped = true;
  exit_reason = describe(status);
  uid.reset();
  if (live) {
    live->fetch_sub(1, std::memory_order_relaxed);
  }
}

std::shared_ptr<Instance> Instance::spawn(const SpawnParams &p, std::string *why) {
  // First, while nothing else needs undoing: given back when `uid` goes.
  std::unique_ptr<TaUid> uid;
  if (p.uids && ::geteuid() == 0) {
    auto u = p.uids->acquire();
    if (!u) {
      set_why(why, "every TA uid is in use");
      return nullptr;
    }
    uid = std::make_unique<TaUid>(p.uids, *u);
  }
  // Two channels: on `sv` the loader calls the TA and exports nothing itself
  // (so its invoking threads read their replies directly, no pool hand-off);
  // on `ev` the TA calls the host environment. Without an environment there
  // is no second channel.
  int sv[2];
  int ev[2] = {-1, -1};
  const bool with_env = !p.host_env.is_null();
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
    set_why(why, std::string("socketpair: ") + std::strerror(errno));
    return nullptr;
  }
  if (with_env && ::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ev) != 0) {
    set_why(why, std::string("socketpair: ") + std::strerror(errno));
    ::close(sv[0]);
    ::close(sv[1]);
    return nullptr;
  }
  // The host's stdin and stdout lead nowhere; stderr stays for its log.
  const int null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  // Everything the child needs is prepared before fork: after it, only
  // async-signal-safe calls.
  std::string mem = std::to_string(p.memory_limit);
  const pid_t parent = ::getpid();
  std::vector<std::string> args = {p.tahost_path,
                                   "--channel-fd",
                                   "3",
                                   "--image-fd",
                                   "4",
                                   "--memory-limit",
                                   mem,
                                   "--deadline-ms",
                                   std::to_string(p.deadline_ms),
                                   "--max-direct",
                                   std::to_string(p.max_direct),
                                   "--parent-pid",
                                   std::to_string(parent)};
  if (uid) {
    args.emplace_back("--run-as");
    args.emplace_back(std::to_string(uid->uid()));
  }
  if (!p.seccomp) {
    args.emplace_back("--no-seccomp");
  }
  if (p.claimed_identities) {
    args.emplace_back("--claimed-identities");
  }
  if (p.instance_id != 0) {
    args.emplace_back("--instance-id");
    args.emplace_back(std::to_string(p.instance_id));
  }
  if (with_env) {
    args.emplace_back("--env-fd");
    args.emplace_back("5");
  }
  std::vector<char *> argv;
  for (auto &s : args) {
    argv.push_back(s.data());
  }
  argv.push_back(nullptr);

  auto inst = std::shared_ptr<Instance>(new Instance());
  inst->proc_ = std::make_shared<Proc>();
  inst->proc_->live = p.live;
  inst->proc_->uid = std::move(uid);
  inst->deadline_ms_ = p.deadline_ms;
  inst->max_direct_ = p.max_direct;
  inst->key_ = new_key();
  inst->watchdog_ = p.watchdog;
  auto proc = inst->proc_;
  inst->expire_ = [proc] { proc->signal_kill(); };

  const pid_t pid = fork_from_forker_thread([&] {
    int s = ::fcntl(sv[1], F_DUPFD, 10);
    int img = ::fcntl(p.image_fd, F_DUPFD, 10);
    int env = with_env ? ::fcntl(ev[1], F_DUPFD, 10) : -1;
    int nul = ::fcntl(null_fd, F_DUPFD, 10);
    if (s < 0 || img < 0 || nul < 0 || ::dup2(s, 3) < 0 || ::dup2(img, 4) < 0 ||
        (with_env && (env < 0 || ::dup2(env, 5) < 0)) || ::dup2(nul, 0) < 0 || ::dup2(nul, 1) < 0) {
      _exit(127);
    }
    ::close_range(with_env ? 6 : 5, ~0u, 0);
    // Its own process group, so that capteed can kill whatever the host
    // might start; and killed with capteed even if capteed is killed
    // outright (the forker thread never ends before the process does).
    if (::setpgid(0, 0) != 0 || ::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != parent) {
      _exit(127);
    }
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execv(argv[0], argv.data());
    _exit(127);
  });
  const int fork_errno = errno;
  if (null_fd >= 0) {
    ::close(null_fd);
  }
  if (pid > 0) {
    ::setpgid(pid, pid);  // whichever of parent and child gets there first
  }
  ::close(sv[1]);
  if (with_env) {
    ::close(ev[1]);
  }
  if (pid < 0) {
    ::close(sv[0]);
    if (with_env) {
      ::close(ev[0]);
    }
    set_why(why, std::string("fork: ") + std::strerror(fork_errno));
    return nullptr;
  }
  proc->pid = pid;
  {
    std::weak_ptr<Proc> weak = proc;
    const uint64_t watch = watch_exit(pid, [weak] {
      if (auto p = weak.lock()) {
        p->signal_kill();
      }
    });
    std::lock_guard lock(proc->mu);
    proc->exit_watch = watch;
  }
  if (p.live) {
    p.live->fetch_add(1, std::memory_order_relaxed);
  }

  // A TA that hangs in its constructor or init is killed like a looping call.
  Watchdog::Watch startup;
  startup.deadline = Watchdog::Clock::now() + std::chrono::milliseconds(p.startup_timeout_ms);
  startup.expire = &inst->expire_;
  p.watchdog->arm(startup);
  ChannelOptions copts;
  copts.handshake_timeout_ms = p.startup_timeout_ms;
  copts.accept_channel_refs = false;  // a TA never redirects capteed
  std::string cwhy;
  inst->channel_ = start_channel(sv[0], Ref(), copts, &cwhy);
  if (inst->channel_) {
    inst->channel_->on_close([proc] { proc->reap(); });
  }
  if (with_env) {
    ChannelOptions eopts = copts;
    eopts.pool_threads = 1;  // TA callbacks (listeners) are rare and serial per TA
    inst->env_channel_ = inst->channel_ ? start_channel(ev[0], p.host_env, eopts, &cwhy) : nullptr;
    if (!inst->channel_) {
      ::close(ev[0]);
    }
    if (inst->env_channel_) {
      inst->env_channel_->on_close([proc] { proc->reap(); });
    }
  }
  int32_t rv = Object_ERROR_UNAVAIL;
  if (inst->channel_ && (!with_env || inst->env_channel_)) {
    inst->root_ = inst->channel_->peer_primordial();
    rv = iface::ITaHost(inst->root_).getAppObject(inst->app_);
  }
  p.watchdog->disarm(startup);
  if (rv != Object_OK) {
    inst->terminate();
    set_why(why, inst->channel_
                     ? "the TA did not start (" + proc->exit_reason + ", error " +
                           std::to_string(rv) + ")"
                     : "the TA host did not start: " + cwhy + " (" + proc->exit_reason + ")");
    return nullptr;
  }
  return inst;
}

Instance::~Instance() {
  terminate();
}

void Instance::terminate() {
  proc_->signal_kill();
  if (channel_) {
    channel_->close();
  }
  if (env_channel_) {
    env_channel_->close();
  }
  proc_->reap();
}

std::string Instance::exit_reason() const {
  std::lock_guard lock(proc_->mu);
  return proc_->exit_reason;
}

Ref Instance::app_object() {
  return make_object<TaObject>(shared_from_this(), app_, /*direct=*/true);
}

int Instance::open_direct(Object target, uint32_t &key) {
  if (max_direct_ == 0 || !alive() || root_.is_null()) {
    return -1;
  }
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
    return -1;
  }
  // The host gets its end as an fd object; ours (this process's copy of it)
  // is closed when `sock` goes, so capteed keeps nothing of the channel.
  Ref sock = FdObject::adopt(sv[1], FdObject::kRead | FdObject::kWrite);
  // Under the TA's deadline like any call: a TA too busy to attach is a TA
  // too busy to answer.
  const Object root{&Instance::invoke_root, this};
  if (ITaHost_attachClient(root, sock.get(), target) != Object_OK) {
    ::close(sv[0]);
    return -1;
  }
  key = key_;
  return sv[0];
}

int32_t Instance::invoke_root(ObjectCxt h, ObjectOp op, ObjectArg *a, ObjectCounts k) {
  auto *self = static_cast<Instance *>(h);
  return self->call(self->root_.get(), op, a, k);
}

int32_t Instance::call(Object target, ObjectOp op, ObjectArg *a, ObjectCounts k) {
  if (!alive()) {
    return Object_ERROR_DEFUNCT;
  }
  // Our own wrappers go back to the TA as the originals (no round trip
  // through this process when the TA calls them).
  const size_t oi = ObjectCounts_indexOI(k);
  const size_t noi = ObjectCounts_numOI(k);
  Object saved[ObjectCounts_maxOI];
  bool swapped[ObjectCounts_maxOI] = {};
  for (size_t i = 0; i < noi; ++i) {
    auto *t = LocalObject::from_as<TaObject>(a[oi + i].o);
    if (t != nullptr && t->instance() == this) {
      saved[i] = a[oi + i].o;
      a[oi + i].o = t->target();
      swapped[i] = true;
    }
  }
  Watchdog::Watch w;
  if (deadline_ms_ > 0) {
    w.deadline = Watchdog::Clock::now() + std::chrono::milliseconds(deadline_ms_);
    w.expire = &expire_;
    watchdog_->arm(w);
  }
  int32_t rv = Object_invoke(target, op, a, k);
  bool fired = deadline_ms_ > 0 && watchdog_->disarm(w);
  for (size_t i = 0; i < noi; ++i) {
    if (swapped[i]) {
      a[oi + i].o = saved[i];
    }
  }
  const size_t oo = ObjectCounts_indexOO(k);
  const size_t noo = ObjectCounts_numOO(k);
  if (fired || ((rv == Object_ERROR_UNAVAIL || rv == Object_ERROR_DEFUNCT) &&
                (!alive() || channel_->closed()))) {
    if (rv == Object_OK) {
      for (size_t i = 0; i < noo; ++i) {
        Ref::adopt(a[oo + i].o).reset();
        a[oo + i].o = Object_NULL;
      }
    }
    proc_->signal_kill();
    return Object_ERROR_DEFUNCT;
  }
  if (rv == Object_OK) {
    for (size_t i = 0; i < noo; ++i) {
      Object o = a[oo + i].o;
      if (!Object_isNull(o) && LocalObject::from_as<FdObject>(o) == nullptr) {
        a[oo + i].o = make_object<TaObject>(shared_from_this(), Ref::adopt(o)).detach();
      }
    }
  }
  return rv;
}

}  // namespace captee::tee::apps::detail

namespace captee::tee::apps {

Ref direct_form(Object ta_object) {
  const auto *t = LocalObject::from_as<detail::TaObject>(ta_object);
  if (t == nullptr || !t->shared_instance()->alive()) {
    return Ref();
  }
  return make_object<detail::TaObject>(t->shared_instance(), Ref::share(t->target()),
                                       /*direct=*/true, detail::new_key());
}

}  // namespace captee::tee::apps
