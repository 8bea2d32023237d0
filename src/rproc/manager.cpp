#include "captee/rproc/manager.hpp"

#include <shared_mutex>

#include "IRemoteprocControl.hpp"
#include "IRemoteprocEvents.hpp"
#include "IRemoteprocHost.hpp"
#include "captee/detail/printable.hpp"

namespace captee::rproc {

namespace {

// Receives one processor's events from capteed (on a channel thread): hands
// crashes to the processor's own thread and kicks to its rpmsg buses.
class EventSink final : public iface::IRemoteprocEventsSkeleton {
 public:
  explicit EventSink(std::weak_ptr<RemoteProc> proc) : proc_(std::move(proc)) {}
  int32_t onCrash(uint32_t, uint32_t crashes, std::span<const std::byte> reason) override {
    if (auto p = proc_.lock()) {
      std::string why(reinterpret_cast<const char *>(reason.data()),
                      std::min<size_t>(reason.size(), 256));
      p->on_crash(crashes, std::move(why));
    }
    return Object_OK;
  }
  int32_t onKick(uint32_t, uint32_t channels) override {
    if (auto p = proc_.lock()) {
      p->on_kick(channels);
    }
    return Object_OK;
  }

 private:
  std::weak_ptr<RemoteProc> proc_;
};

}  // namespace

Manager::Manager(ManagerOptions options) : opt_(std::move(options)) {}

Manager::~Manager() {
  shutdown();
}

void Manager::log(const std::string &line) const {
  if (opt_.proc.log) {
    opt_.proc.log(printable(line));  // capteed's and firmware's words in it
  }
}

bool Manager::start(std::string *why) {
  std::unique_lock<std::mutex> lock(mu_);
  const bool ok = connect_locked(why);
  if (!reconnect_.joinable()) {
    reconnect_ = std::thread(&Manager::reconnect_loop, this);
  }
  return ok;
}

bool Manager::connect_locked(std::string *why) {
  auto link = TeeLink::connect(
      opt_.tee_socket,
      [this] {
        lost_.store(true);
        cv_.notify_all();  // the loop also looks every reconnect_interval
      },
      why);
  if (!link) {
    return false;
  }
  iface::IRemoteprocControl control(link->control());
  std::vector<uint32_t> ids(64);
  size_t n = 0;
  if (int32_t rv = control.listProcessors(ids, n); rv != Object_OK) {
    *why = "capteed did not list its remote processors (error " + std::to_string(rv) + ")";
    return false;
  }
  ids.resize(n);
  link_ = std::move(link);
  lost_.store(false);
  for (uint32_t id : ids) {
    std::shared_ptr<RemoteProc> slot;
    {
      std::lock_guard<std::mutex> procs(procs_mu_);
      auto &s = procs_[id];
      if (!s) {
        s = std::make_shared<RemoteProc>(id, opt_.proc);
      }
      slot = s;
    }
    std::string w;
    if (!slot->attach(*link_, &w)) {
      log(w);
      continue;
    }
    Ref p, sub;
    if (control.openProcessor(id, p) == Object_OK &&
        iface::IRemoteprocHost(p).subscribe(make_object<EventSink>(slot), sub) == Object_OK) {
      subscriptions_.push_back(std::move(sub));
      slot->catch_up();
    } else {
      log("rproc " + std::to_string(id) + ": no crash events from capteed");
    }
  }
  log("connected to capteed at " + opt_.tee_socket + ", " + std::to_string(ids.size()) +
      " processor(s)");
  return true;
}

void Manager::drop_link_locked() {
  std::map<uint32_t, std::shared_ptr<RemoteProc>> procs;
  {
    std::lock_guard<std::mutex> lock(procs_mu_);
    procs = procs_;
  }
  for (auto &[id, p] : procs) {
    p->detach();
  }
  subscriptions_.clear();
  link_.reset();
}

void Manager::reconnect_loop() {
  std::unique_lock<std::mutex> lock(mu_);
  bool reported = false;
  while (!stopping_) {
    cv_.wait_for(lock, opt_.reconnect_interval,
                 [&] { return stopping_ || lost_.load() || !link_; });
    if (stopping_) {
      break;
    }
    if ((lost_.load() || (link_ && link_->lost())) && link_) {
      log("capteed went away; processors are unavailable until it is back");
      drop_link_locked();
      lost_.store(false);
      reported = false;
    }
    if (!link_) {
      std::string why;
      if (connect_locked(&why)) {
        reported = false;
      } else if (!reported) {
        log(why + "; retrying every " + std::to_string(opt_.reconnect_interval.count()) + " ms");
        reported = true;
      }
      if (!link_) {
        cv_.wait_for(lock, opt_.reconnect_interval, [&] { return stopping_; });
      }
    }
  }
}

RemoteProc *Manager::processor(uint32_t id) {
  std::lock_guard<std::mutex> lock(procs_mu_);
  auto it = procs_.find(id);
  return it == procs_.end() ? nullptr : it->second.get();
}

std::vector<uint32_t> Manager::ids() const {
  std::lock_guard<std::mutex> lock(procs_mu_);
  std::vector<uint32_t> out;
  for (const auto &[id, p] : procs_) {
    out.push_back(id);
  }
  return out;
}

bool Manager::connected() const {
  std::lock_guard<std::mutex> lock(mu_);
  return link_ != nullptr && !lost_.load() && !link_->lost();
}

void Manager::shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) {
      return;
    }
    stopping_ = true;
  }
  cv_.notify_all();
  if (reconnect_.joinable()) {
    reconnect_.join();
  }
  // Processors first (a boot in progress aborts at its next step; each is
  // stopped and released), then the clients' objects (after the calls in
  // flight return), then the events and the link.
  std::map<uint32_t, std::shared_ptr<RemoteProc>> procs;
  {
    std::lock_guard<std::mutex> lock(procs_mu_);
    procs = procs_;
  }
  for (auto &[id, p] : procs) {
    p->shutdown();
  }
  close_objects();
  std::lock_guard<std::mutex> lock(mu_);
  subscriptions_.clear();
  link_.reset();
}

}  // namespace captee::rproc
