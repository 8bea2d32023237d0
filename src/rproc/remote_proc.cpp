#include "captee/rproc/remote_proc.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "IRemoteprocControl.hpp"
#include "captee/detail/hex.hpp"
#include "captee/detail/printable.hpp"
#include "captee/detail/write_all.hpp"

namespace captee::rproc {

namespace {

using captee::detail::hex32;

void say(const Progress &p, const std::string &step) {
  if (p) {
    p(step);
  }
}

// Writes `bytes` to `path` (mode 0600) through a temporary file, so a reader
// never sees half a core.
bool write_file_atomically(const std::string &path, const std::vector<uint8_t> &bytes,
                           std::string *why) {
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    *why = "cannot create " + tmp + ": " + std::strerror(errno);
    return false;
  }
  if (const int e = detail::write_all(fd, bytes.data(), bytes.size()); e != 0) {
    *why = "cannot write " + tmp + ": " + std::strerror(e);
    ::close(fd);
    ::unlink(tmp.c_str());
    return false;
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
    *why = "cannot finish " + path + ": " + std::strerror(errno);
    ::unlink(tmp.c_str());
    return false;
  }
  return true;
}

}  // namespace

const char *to_string(State s) {
  switch (s) {
    case State::kOffline:
      return "offline";
    case State::kRunning:
      return "running";
    case State::kCrashed:
      return "crashed";
    case State::kAttached:
      return "attached";
    case State::kUnavailable:
      return "unavailable";
  }
  return "invalid";
}

RemoteProc::RemoteProc(uint32_t id, RemoteProcOptions options)
    : id_(id),
      opt_(std::move(options)),
      guard_(opt_.policy),
      rpmsg_([this](const std::string &line) { log(line); },
             [this](const std::string &why) { on_crash(0, "virtio: " + why); }),
      ttys_(rpmsg_, opt_.tty_dir, id, [this](const std::string &line) { log(line); }) {
  rpmsg_.set_observer([this](const RpmsgChannelInfo &c) { ttys_.channel_up(c); });
  st_.id = id;
  st_.recovery = opt_.recovery;
  st_.coredump = opt_.coredump;
  thread_ = std::thread(&RemoteProc::worker, this);
}

RemoteProc::~RemoteProc() {
  shutdown();
}

void RemoteProc::log(const std::string &line) const {
  if (opt_.log) {
    // Crash reasons, firmware names and errors come from capteed and the
    // firmware: escaped, one line.
    opt_.log("rproc " + std::to_string(id_) + ": " + printable(line));
  }
}

bool RemoteProc::aborted() const {
  return shutting_down_.load();
}

bool RemoteProc::lost() const {
  return link_ == nullptr || link_->lost();
}

void RemoteProc::set_state(State s) {
  std::lock_guard<std::mutex> lock(state_mu_);
  st_.state = s;
}

void RemoteProc::publish(bool on) {
  std::lock_guard<std::mutex> lock(state_mu_);
  published_ = on && resources_.has_value();
  st_.traces = published_ ? resources_->traces().size() : 0;
}

bool RemoteProc::attach(TeeLink &link, std::string *why) {
  std::lock_guard<std::mutex> op(op_mu_);
  link_ = &link;
  TaResult r;
  ta_ = link.open_session(id_, &r);
  if (!ta_) {
    *why = "the remoteproc TA refused a session for processor " + std::to_string(id_) + ": " +
           describe(r);
    link_ = nullptr;
    return false;
  }
  Ref p;
  int32_t rv = iface::IRemoteprocControl(link.control()).openProcessor(id_, p);
  host_ = iface::IRemoteprocHost(p);
  IRemoteprocHost_Info info{};
  std::vector<IRemoteprocHost_Region> regions(16);
  size_t n = 0;
  if (rv == Object_OK) {
    rv = host_.listRegions(regions, n);
  }
  std::vector<IRemoteprocHost_ReservedMemory> reserved(32 /* the platform's limit per processor */);
  size_t nr = 0;
  if (rv == Object_OK) {
    rv = host_.listReservedMemory(reserved, nr);
  }
  if (rv == Object_OK) {
    rv = host_.getInfo(info);
  }
  if (rv != Object_OK) {
    *why = "capteed's host face for processor " + std::to_string(id_) + " failed (error " +
           std::to_string(rv) + ")";
    ta_.reset();
    host_ = {};
    link_ = nullptr;
    return false;
  }
  regions.resize(n);
  regions_ = std::move(regions);
  reserved.resize(nr);
  reserved_ = std::move(reserved);
  // Crashes before we came are not ours to recover, except the one the
  // processor is still in: catch_up() queues that one.
  crashes_seen_ = info.state == IRemoteprocHost_STATE_CRASHED && info.crashes > 0 ? info.crashes - 1
                                                                                  : info.crashes;
  ta_loaded_ = info.granted != 0 || info.state != IRemoteprocHost_STATE_OFFLINE;
  ta_started_ = info.state != IRemoteprocHost_STATE_OFFLINE;
  State s = State::kOffline;
  if (info.state == IRemoteprocHost_STATE_RUNNING || info.state == IRemoteprocHost_STATE_CRASHED) {
    // Started before this manager: Linux's "attached". Its trace is read
    // through the loaded table; without the image it cannot be recovered.
    s = info.state == IRemoteprocHost_STATE_RUNNING ? State::kAttached : State::kCrashed;
    std::vector<std::byte> table(64 * 1024);
    size_t len = 0;
    uint32_t da = 0;
    std::string ignored;
    std::vector<std::string> notes;
    if (host_.readResourceTable(table, len, da) == Object_OK) {
      std::vector<uint8_t> bytes(reinterpret_cast<uint8_t *>(table.data()),
                                 reinterpret_cast<uint8_t *>(table.data()) + len);
      resources_ = Resources::handle(bytes, regions_, &ignored, &notes, reserved_);
      if (resources_ && resources_->map(host_, &ignored)) {
        publish(true);
      }
    }
  }
  {
    std::lock_guard<std::mutex> lock(state_mu_);
    st_.state = s;
    if (s != State::kOffline) {
      st_.firmware = st_.firmware.empty() ? "(started before captee-rprocd)" : st_.firmware;
    }
  }
  log(std::string("attached to capteed: ") + to_string(s));
  return true;
}

void RemoteProc::catch_up() {
  uint32_t crashes = 0;
  std::string reason;
  {
    std::lock_guard<std::mutex> op(op_mu_);
    IRemoteprocHost_Info info{};
    if (lost() || host_.getInfo(info) != Object_OK || info.state != IRemoteprocHost_STATE_CRASHED ||
        info.crashes <= crashes_seen_) {
      return;
    }
    crashes = info.crashes;
    char text[256];
    size_t len = 0;
    reason = host_.getCrashReason(std::as_writable_bytes(std::span(text)), len) == Object_OK
                 ? std::string(text, len)
                 : "crashed before captee-rprocd subscribed";
  }
  on_crash(crashes, std::move(reason));  // a duplicate of a notified one is dropped
}

void RemoteProc::detach() {
  std::lock_guard<std::mutex> op(op_mu_);
  publish(false);
  rpmsg_.detach();
  resources_.reset();
  ta_.reset();
  host_ = {};
  link_ = nullptr;
  ta_loaded_ = false;  // capteed is gone, and with it the firmware and its memory
  ta_started_ = false;
  std::lock_guard<std::mutex> lock(state_mu_);
  if (st_.state != State::kUnavailable) {
    st_.last_error = "capteed cannot be reached";
  }
  st_.state = State::kUnavailable;
}

Outcome RemoteProc::boot(std::vector<uint8_t> image, std::string name, const Progress &progress) {
  std::unique_lock<std::mutex> op(op_mu_, std::try_to_lock);
  if (!op.owns_lock()) {
    return Outcome::kBusy;
  }
  if (aborted()) {
    return Outcome::kShuttingDown;
  }
  if (lost()) {
    return Outcome::kUnavailable;
  }
  {
    std::lock_guard<std::mutex> lock(state_mu_);
    if (st_.state != State::kOffline) {
      st_.last_error = std::string("the processor is ") + to_string(st_.state) +
                       "; stop it before booting another firmware";
      return Outcome::kBadState;
    }
    st_.busy = true;
    st_.firmware = name;
    st_.last_error.clear();
  }
  image_ = std::move(image);
  log("booting " + name + " (" + std::to_string(image_.size()) + " bytes)");
  std::string why;
  const bool ok = do_boot(progress, &why);
  if (ok) {
    guard_.started(CrashLoopGuard::Clock::now());
    std::lock_guard<std::mutex> lock(state_mu_);
    st_.state = State::kRunning;
    st_.boot_count++;
  } else {
    fail_locked("boot of " + name + " failed: " + why);
  }
  std::lock_guard<std::mutex> lock(state_mu_);
  st_.busy = false;
  if (ok) {
    log("running " + name);
  }
  return ok ? Outcome::kOk : (lost() ? Outcome::kUnavailable : Outcome::kFailed);
}

bool RemoteProc::do_boot(const Progress &progress, std::string *why) {
  // 1. parse_fw: LOAD_FW, then the table, cached.
  say(progress, "authenticating and loading the image (LOAD_FW)");
  ta_loaded_ = true;  // from here on, a failure ends with RELEASE_FW
  TaResult r = ta_->load(image_);
  if (!r.ok()) {
    *why = "the TEE refused the image: " + describe(r);
    return false;
  }
  uint64_t da = 0, size = 0;
  r = ta_->resource_table(&da, &size);
  if (!r.ok()) {
    *why = "GET_RSC_TABLE failed: " + describe(r);
    return false;
  }
  if (aborted()) {
    *why = "captee-rprocd is shutting down";
    return false;
  }
  cached_table_.clear();
  std::vector<std::string> notes;
  if (size != 0) {
    std::vector<std::byte> table(size > 64 * 1024 ? 0 : size);
    size_t len = 0;
    uint32_t host_da = 0;
    if (table.empty() || host_.readResourceTable(table, len, host_da) != Object_OK || len != size ||
        host_da != da) {
      *why = "the resource table at " + hex32(da) + " (" + std::to_string(size) +
             " bytes) could not be read through the host face";
      return false;
    }
    cached_table_.assign(reinterpret_cast<uint8_t *>(table.data()),
                         reinterpret_cast<uint8_t *>(table.data()) + len);
    // 2. The resources, on the cached copy.
    say(progress,
        "handling the resource table (" + std::to_string(size) + " bytes at " + hex32(da) + ")");
    resources_ = Resources::handle(cached_table_, regions_, why, &notes, reserved_);
    if (!resources_) {
      return false;
    }
  } else {
    notes.push_back("the firmware has no resource table");
    resources_ = Resources::handle(cached_table_, regions_, why, &notes, reserved_);
    resources_.emplace();
  }
  for (const std::string &n : notes) {
    log(n);
  }
  if (!resources_->map(host_, why)) {
    return false;
  }
  // Linux's rpmsg probe: the vdevs' features, status and receive buffers.
  rpmsg_.attach(cached_table_, *resources_, host_);
  if (aborted()) {
    *why = "captee-rprocd is shutting down";
    return false;
  }
  // 3. load: LOAD_FW again, a no-op in the TA's LOADED state.
  r = ta_->load(image_);
  if (!r.ok()) {
    *why = "the second LOAD_FW failed: " + describe(r);
    return false;
  }
  // 4 and 5.
  return copy_table_and_start(progress, why);
}

bool RemoteProc::find_loaded_table_and_copy(std::string *why) {
  uint64_t da = 0, size = 0;
  TaResult r = ta_->resource_table(&da, &size);
  if (!r.ok()) {
    *why = "GET_RSC_TABLE failed: " + describe(r);
    return false;
  }
  if (size != cached_table_.size()) {
    *why = "the loaded resource table is " + std::to_string(size) + " bytes, the cached one " +
           std::to_string(cached_table_.size());
    return false;
  }
  if (size == 0) {
    return true;
  }
  if (!resources_->inside_carveout(da, size)) {
    *why = "the loaded resource table at " + hex32(da) + " is not inside a registered carveout";
    return false;
  }
  int32_t rv = host_.writeResourceTable(
      0, std::span<const std::byte>(reinterpret_cast<const std::byte *>(cached_table_.data()),
                                    cached_table_.size()));
  if (rv != Object_OK) {
    *why = std::string("the TEE refused the host's copy of the resource table (") +
           (rv == IRemoteprocHost_ERROR_PROTECTED ? "it changes a field the host may not change"
                                                  : "error " + std::to_string(rv)) +
           ")";
    return false;
  }
  return true;
}

void RemoteProc::release_locked() {
  publish(false);
  rpmsg_.detach();  // before the mappings its buses use go
  if (resources_) {
    resources_->unmap();
  }
  if (ta_ && ta_loaded_ && !lost()) {
    TaResult r = ta_->release();
    if (!r.ok()) {
      log("RELEASE_FW failed: " + describe(r));
    }
  }
  ta_loaded_ = false;
}

void RemoteProc::fail_locked(const std::string &why) {
  log(why);
  // STOP_FW only undoes a START_FW (one that raced a crash may have left it
  // started); a processor the TA holds LOADED is undone by RELEASE_FW alone,
  // which the TA refuses STOP_FW for.
  if (ta_ && ta_started_ && !lost()) {
    (void)ta_->stop();
  }
  ta_started_ = false;
  release_locked();
  std::lock_guard<std::mutex> lock(state_mu_);
  st_.state = lost() ? State::kUnavailable : State::kOffline;
  st_.last_error = why;
}

Outcome RemoteProc::stop() {
  std::unique_lock<std::mutex> op(op_mu_, std::try_to_lock);
  if (!op.owns_lock()) {
    return Outcome::kBusy;
  }
  if (lost()) {
    return Outcome::kUnavailable;
  }
  State s = status().state;
  if (s == State::kOffline) {
    std::lock_guard<std::mutex> lock(state_mu_);
    st_.last_error = "the processor is not running";
    return Outcome::kBadState;
  }
  // Linux's shutdown: the table pointer goes back to the cache (nothing
  // loaded is touched any more), STOP_FW, the resources, RELEASE_FW.
  publish(false);
  TaResult r = ta_->stop();
  if (!r.ok()) {
    log("STOP_FW: " + describe(r));
  }
  ta_started_ = false;
  release_locked();
  std::lock_guard<std::mutex> lock(state_mu_);
  st_.state = lost() ? State::kUnavailable : State::kOffline;
  log("stopped");
  return lost() ? Outcome::kUnavailable : Outcome::kOk;
}

Outcome RemoteProc::recover(const Progress &progress) {
  std::unique_lock<std::mutex> op(op_mu_, std::try_to_lock);
  if (!op.owns_lock()) {
    return Outcome::kBusy;
  }
  if (lost()) {
    return Outcome::kUnavailable;
  }
  if (status().state != State::kCrashed) {
    std::lock_guard<std::mutex> lock(state_mu_);
    st_.last_error = "only a crashed processor can be recovered";
    return Outcome::kBadState;
  }
  guard_.reset();
  return recover_locked(progress);
}

Outcome RemoteProc::recover_locked(const Progress &progress) {
  {
    std::lock_guard<std::mutex> lock(state_mu_);
    st_.busy = true;
  }
  log("recovering");
  // 1. STOP_FW (the memory stays for the dump, taken when the crash came).
  say(progress, "stopping the crashed firmware (STOP_FW)");
  publish(false);
  rpmsg_.detach();
  TaResult r = ta_->stop();
  std::string why;
  bool ok = false;
  if (!r.ok()) {
    why = "STOP_FW failed: " + describe(r);
  } else if (image_.empty()) {
    ta_started_ = false;
    why = "there is no image to reload (the firmware was started before captee-rprocd)";
  } else {
    ta_started_ = false;
    ok = reload_and_start(progress, &why);
  }
  if (ok) {
    guard_.started(CrashLoopGuard::Clock::now());
    std::lock_guard<std::mutex> lock(state_mu_);
    st_.state = State::kRunning;
    st_.boot_count++;
    st_.last_error.clear();
  } else {
    fail_locked("recovery failed: " + why);
  }
  std::lock_guard<std::mutex> lock(state_mu_);
  st_.busy = false;
  if (ok) {
    log("recovered; boot " + std::to_string(st_.boot_count));
  }
  return ok ? Outcome::kOk : (lost() ? Outcome::kUnavailable : Outcome::kFailed);
}

bool RemoteProc::reload_and_start(const Progress &progress, std::string *why) {
  // 3. Load again: a full re-authentication (the TA wipes the old firmware).
  say(progress, "authenticating and loading the image again (LOAD_FW)");
  TaResult r = ta_->load(image_);
  if (!r.ok()) {
    *why = "the TEE refused the image: " + describe(r);
    return false;
  }
  // The windows belong to a load: map them again (the allocation stays).
  if (!resources_) {
    resources_.emplace();
  }
  if (!resources_->map(host_, why)) {
    return false;
  }
  rpmsg_.attach(cached_table_, *resources_, host_);
  // 4 and 5: the cached table back, START_FW.
  return copy_table_and_start(progress, why);
}

bool RemoteProc::copy_table_and_start(const Progress &progress, std::string *why) {
  if (!find_loaded_table_and_copy(why)) {
    return false;
  }
  publish(true);
  if (aborted()) {
    *why = "captee-rprocd is shutting down";
    return false;
  }
  say(progress, "starting the firmware (START_FW)");
  ta_started_ = true;  // from here on, undoing needs STOP_FW too
  TaResult r = ta_->start();
  if (!r.ok()) {
    *why = "START_FW failed: " + describe(r);
    return false;
  }
  return true;
}

Outcome RemoteProc::crash(const std::string &reason) {
  std::unique_lock<std::mutex> op(op_mu_, std::try_to_lock);
  if (!op.owns_lock()) {
    return Outcome::kBusy;
  }
  if (lost()) {
    return Outcome::kUnavailable;
  }
  int32_t rv = host_.injectCrash(std::span<const std::byte>(
      reinterpret_cast<const std::byte *>(reason.data()), std::min<size_t>(reason.size(), 256)));
  if (rv == IRemoteprocHost_ERROR_NOT_RUNNING) {
    std::lock_guard<std::mutex> lock(state_mu_);
    st_.last_error = "the processor is not running";
    return Outcome::kBadState;
  }
  return rv == Object_OK ? Outcome::kOk : Outcome::kFailed;
}

Outcome RemoteProc::read_console(uint64_t from, size_t max, std::string *bytes, uint64_t *next) {
  std::unique_lock<std::mutex> op(op_mu_, std::try_to_lock);
  if (!op.owns_lock()) {
    return Outcome::kBusy;
  }
  if (lost()) {
    return Outcome::kUnavailable;
  }
  bytes->assign(max, '\0');
  size_t len = 0;
  const int32_t rv = host_.readConsole(from, std::as_writable_bytes(std::span(*bytes)), len, *next);
  if (rv == IRemoteprocHost_ERROR_NO_DEVICE) {
    return Outcome::kNotFound;
  }
  if (rv != Object_OK) {
    return Outcome::kFailed;
  }
  bytes->resize(std::min(len, max));
  return Outcome::kOk;
}

Outcome RemoteProc::write_console(const std::string &bytes, uint32_t *taken) {
  std::unique_lock<std::mutex> op(op_mu_, std::try_to_lock);
  if (!op.owns_lock()) {
    return Outcome::kBusy;
  }
  if (lost()) {
    return Outcome::kUnavailable;
  }
  const int32_t rv = host_.writeConsole(std::as_bytes(std::span(bytes)), *taken);
  if (rv == IRemoteprocHost_ERROR_NO_DEVICE) {
    return Outcome::kNotFound;
  }
  return rv == Object_OK ? Outcome::kOk : Outcome::kFailed;
}

Outcome RemoteProc::set_gpio_input(uint32_t port, uint32_t pin, uint32_t level) {
  std::unique_lock<std::mutex> op(op_mu_, std::try_to_lock);
  if (!op.owns_lock()) {
    return Outcome::kBusy;
  }
  if (lost()) {
    return Outcome::kUnavailable;
  }
  const int32_t rv = host_.setGpioInput(port, pin, level);
  if (rv == IRemoteprocHost_ERROR_NO_DEVICE) {
    return Outcome::kNotFound;
  }
  return rv == Object_OK ? Outcome::kOk : Outcome::kFailed;
}

void RemoteProc::set_recovery(bool enabled) {
  std::lock_guard<std::mutex> lock(state_mu_);
  st_.recovery = enabled;
}

void RemoteProc::set_coredump(bool enabled) {
  std::lock_guard<std::mutex> lock(state_mu_);
  st_.coredump = enabled;
}

void RemoteProc::on_crash(uint32_t crashes, std::string reason) {
  {
    std::lock_guard<std::mutex> lock(q_mu_);
    if (stopping_ || crashes_.size() > 16) {
      return;  // bounded: a crash storm collapses into the ones queued
    }
    crashes_.emplace_back(crashes, std::move(reason));
  }
  q_cv_.notify_one();
}

void RemoteProc::on_kick(uint32_t channels) {
  rpmsg_.on_kick(channels);
}

void RemoteProc::handle_vdev_broken(const std::string &reason) {
  std::unique_lock<std::mutex> op(op_mu_);
  if (aborted() || lost() || status().state != State::kRunning) {
    return;
  }
  const std::string why = reason.substr(0, 256);
  (void)host_.injectCrash(
      std::span<const std::byte>(reinterpret_cast<const std::byte *>(why.data()), why.size()));
}

void RemoteProc::worker() {
  std::unique_lock<std::mutex> lock(q_mu_);
  for (;;) {
    q_cv_.wait(lock, [&] { return stopping_ || !crashes_.empty(); });
    if (stopping_) {
      return;
    }
    auto [count, reason] = std::move(crashes_.front());
    crashes_.pop_front();
    lock.unlock();
    if (count == 0) {
      handle_vdev_broken(reason);  // queued by rpmsg_, not by capteed
    } else {
      handle_crash(count, reason);
    }
    lock.lock();
  }
}

void RemoteProc::handle_crash(uint32_t crashes, const std::string &reason) {
  std::unique_lock<std::mutex> op(op_mu_);
  if (aborted() || lost() || crashes <= crashes_seen_) {
    return;
  }
  crashes_seen_ = crashes;
  IRemoteprocHost_Info info{};
  if (host_.getInfo(info) != Object_OK || info.state != IRemoteprocHost_STATE_CRASHED) {
    return;  // already stopped or restarted by an operation that came first
  }
  bool recovery = false;
  bool coredump = false;
  {
    std::lock_guard<std::mutex> lock(state_mu_);
    recovery = st_.recovery;
    coredump = st_.coredump;
    last_core_.clear();
  }
  log("crashed: " + reason);
  rpmsg_.detach();  // endpoints go down now; a recovery brings them back
  if (coredump) {
    take_coredump_locked();
  }
  {
    // Published once the crash is handled: whoever sees kCrashed can stop
    // or recover at once, instead of finding this operation still running
    // (kBusy) while the endpoints go down or the core is dumped.
    std::lock_guard<std::mutex> lock(state_mu_);
    st_.state = State::kCrashed;
    st_.crash_count++;
    st_.last_crash = reason;
  }
  if (!recovery) {
    return;
  }
  std::optional<std::chrono::milliseconds> delay = guard_.crashed(CrashLoopGuard::Clock::now());
  if (!delay) {
    const std::string why =
        "automatic recovery stopped: the firmware crashed " + std::to_string(guard_.streak()) +
        " times in a row within " +
        std::to_string(guard_.policy().stable_after.count() / 1000.0).substr(0, 3) +
        " s of starting; 'recover' tries again";
    log(why);
    std::lock_guard<std::mutex> lock(state_mu_);
    st_.last_error = why;
    return;
  }
  op.unlock();
  {
    // The back-off, cut short by shutdown.
    std::unique_lock<std::mutex> q(q_mu_);
    q_cv_.wait_for(q, *delay, [&] { return stopping_; });
    if (stopping_) {
      return;
    }
  }
  op.lock();
  if (aborted() || lost() || status().state != State::kCrashed) {
    return;  // someone stopped or recovered it meanwhile
  }
  recover_locked({});
}

void RemoteProc::take_coredump_locked() {
  std::vector<uint8_t> core;
  TaResult r = ta_->coredump(&core);
  if (!r.ok()) {
    log("GET_COREDUMP failed: " + describe(r));
    return;
  }
  std::string file;
  if (!opt_.coredump_dir.empty()) {
    uint32_t count = 0;
    {
      std::lock_guard<std::mutex> lock(state_mu_);
      count = st_.crash_count;
    }
    char stamp[32];
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    ::gmtime_r(&now, &tm);
    std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    file = opt_.coredump_dir + "/rproc" + std::to_string(id_) + "-crash" + std::to_string(count) +
           "-" + stamp + ".core";
    std::string why;
    if (write_file_atomically(file, core, &why)) {
      log("core dump written to " + file + " (" + std::to_string(core.size()) + " bytes)");
    } else {
      log("core dump not written: " + why);
      file.clear();
    }
  }
  std::lock_guard<std::mutex> lock(state_mu_);
  last_core_ = std::move(core);
  if (!file.empty()) {
    st_.last_coredump_file = file;
  }
}

RemoteProcStatus RemoteProc::status() const {
  std::lock_guard<std::mutex> lock(state_mu_);
  return st_;
}

Outcome RemoteProc::trace(size_t index, std::string *text) const {
  std::lock_guard<std::mutex> lock(state_mu_);
  if (!published_ || index >= resources_->traces().size()) {
    return Outcome::kNotFound;
  }
  *text = trace_text(resources_->traces()[index]);
  return Outcome::kOk;
}

Outcome RemoteProc::coredump(std::vector<uint8_t> *core) {
  {
    std::lock_guard<std::mutex> lock(state_mu_);
    if (!last_core_.empty()) {
      *core = last_core_;
      return Outcome::kOk;
    }
  }
  std::unique_lock<std::mutex> op(op_mu_, std::try_to_lock);
  if (!op.owns_lock()) {
    return Outcome::kBusy;
  }
  if (lost()) {
    return Outcome::kUnavailable;
  }
  if (status().state != State::kCrashed) {
    return Outcome::kNotFound;
  }
  take_coredump_locked();
  std::lock_guard<std::mutex> lock(state_mu_);
  if (last_core_.empty()) {
    return Outcome::kFailed;
  }
  *core = last_core_;
  return Outcome::kOk;
}

void RemoteProc::shutdown() {
  shutting_down_.store(true);
  {
    std::lock_guard<std::mutex> lock(q_mu_);
    stopping_ = true;
  }
  q_cv_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
  std::lock_guard<std::mutex> op(op_mu_);
  if (ta_ && !lost()) {
    const State s = status().state;
    if (s == State::kRunning || s == State::kCrashed || s == State::kAttached) {
      (void)ta_->stop();
      log("stopped for shutdown");
    }
    ta_started_ = false;
    release_locked();
  }
  publish(false);
  resources_.reset();
  ta_.reset();
  host_ = {};
  link_ = nullptr;
  std::lock_guard<std::mutex> lock(state_mu_);
  if (st_.state != State::kUnavailable) {
    st_.state = State::kOffline;
  }
}

}  // namespace captee::rproc
