// The non-secure face as objects: IRemoteprocControl, IRemoteprocHost and
// event subscriptions (host_control.hpp).
#include "captee/platform/host_control.hpp"

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "IRemoteprocControl.hpp"
#include "IRemoteprocEvents.hpp"
#include "IRemoteprocHost.hpp"
#include "captee/platform/remote_processor.hpp"

namespace captee::platform {

namespace {

constexpr size_t kMaxCrashReason = 256;

int32_t to_object_error(Error e) {
  switch (e) {
    case Error::kOk:
      return Object_OK;
    case Error::kAccessDenied:
      return IRemoteprocHost_ERROR_NOT_GRANTED;
    case Error::kSecurity:
      return IRemoteprocHost_ERROR_PROTECTED;
    case Error::kBadParameters:
    case Error::kBadFormat:
      return Object_ERROR_INVALID;
    case Error::kBadState:
    case Error::kGeneric:
      break;
  }
  return Object_ERROR;
}

bool peer_gone(int32_t err) {
  return err == Object_ERROR_UNAVAIL || err == Object_ERROR_DEFUNCT;
}

// One subscriber's pending events and its delivery thread.
struct Subscription {
  Subscription(uint32_t id, Ref ev) : rproc_id(id), events(std::move(ev)) {}

  const uint32_t rproc_id;
  Ref events;  // the subscriber's IRemoteprocEvents, until run() takes it

  std::mutex mu;
  std::condition_variable cv;
  bool stop = false;           // guarded by mu
  bool done = false;           // the thread has returned (guarded by mu)
  uint32_t kicks = 0;          // guarded by mu
  bool crash_pending = false;  // guarded by mu
  uint32_t crashes = 0;        // guarded by mu
  std::string reason;          // guarded by mu
  std::thread thread;

  void post_kick(uint32_t channels) {
    {
      std::lock_guard<std::mutex> lock(mu);
      kicks |= channels;
    }
    cv.notify_one();
  }

  void post_crash(uint32_t count, const std::string &why) {
    {
      std::lock_guard<std::mutex> lock(mu);
      crash_pending = true;
      crashes = count;
      reason = why;
    }
    cv.notify_one();
  }

  void end() {
    {
      std::lock_guard<std::mutex> lock(mu);
      stop = true;
    }
    cv.notify_one();
  }

  bool finished() {
    std::lock_guard<std::mutex> lock(mu);
    return done;
  }

  void run() {
    // The thread owns the subscriber's object and lets go of it when it
    // returns: a retired subscription waits for the next reap, and a proxy
    // kept that long would keep a dead connection's socket open in capteed.
    iface::IRemoteprocEvents ev(std::move(events));
    std::unique_lock<std::mutex> lock(mu);
    for (;;) {
      cv.wait(lock, [&] { return stop || kicks != 0 || crash_pending; });
      if (stop) {
        break;
      }
      // A crash first: it explains the kicks that may follow it.
      int32_t err = Object_OK;
      if (crash_pending) {
        crash_pending = false;
        const uint32_t count = crashes;
        const std::string why = reason;
        lock.unlock();
        err = ev.onCrash(rproc_id, count,
                         std::as_bytes(std::span<const char>(why.data(), why.size())));
        lock.lock();
      } else {
        const uint32_t channels = std::exchange(kicks, 0u);
        lock.unlock();
        err = ev.onKick(rproc_id, channels);
        lock.lock();
      }
      if (peer_gone(err)) {
        break;  // the subscriber's process is gone; its connection releases the rest
      }
    }
    done = true;
  }
};

// Per processor: the crash count and the subscriptions.
struct ProcessorHub {
  RemoteProcessor *proc = nullptr;
  uint64_t crash_token = 0;
  std::mutex mu;  // guards everything below
  uint32_t crashes = 0;
  std::vector<std::shared_ptr<Subscription>> live;
  std::vector<std::shared_ptr<Subscription>> retired;  // ended, thread maybe still in a call

  // Joins retired subscriptions whose thread returned. Called with mu held.
  void reap_locked() {
    std::erase_if(retired, [](const std::shared_ptr<Subscription> &s) {
      if (!s->finished()) {
        return false;
      }
      if (s->thread.joinable()) {
        s->thread.join();
      }
      return true;
    });
  }
};

}  // namespace

struct HostControl::State {
  std::shared_mutex mu;  // shared for every operation, unique to shut down
  Soc *soc = nullptr;    // null once shut down
  std::vector<std::unique_ptr<ProcessorHub>> hubs;

  ProcessorHub *hub(uint32_t id) {
    for (auto &h : hubs) {
      if (h->proc->id() == id) {
        return h.get();
      }
    }
    return nullptr;
  }
};

namespace {

using StatePtr = std::shared_ptr<HostControl::State>;

// The object a subscriber holds; its last release ends the subscription.
class SubscriptionHandle final : public LocalObject {
 public:
  SubscriptionHandle(StatePtr state, ProcessorHub *hub, std::shared_ptr<Subscription> sub)
      : state_(std::move(state)), hub_(hub), sub_(std::move(sub)) {}

 protected:
  int32_t on_invoke(uint32_t, ObjectOp, ObjectArg *, ObjectCounts) override {
    return Object_ERROR_INVALID;
  }
  void on_last_release() noexcept override {
    std::shared_lock<std::shared_mutex> alive(state_->mu);
    if (state_->soc == nullptr) {
      return;  // shutdown ended it already
    }
    std::lock_guard<std::mutex> lock(hub_->mu);
    auto it = std::find(hub_->live.begin(), hub_->live.end(), sub_);
    if (it != hub_->live.end()) {
      hub_->live.erase(it);
      sub_->end();
      hub_->retired.push_back(sub_);
    }
    hub_->reap_locked();
  }

 private:
  StatePtr state_;
  ProcessorHub *hub_;
  std::shared_ptr<Subscription> sub_;
};

class RemoteprocHost final : public iface::IRemoteprocHostSkeleton {
 public:
  RemoteprocHost(StatePtr state, uint32_t id) : state_(std::move(state)), id_(id) {}

  int32_t getInfo(::IRemoteprocHost_Info &info) override {
    return with_processor([&](RemoteProcessor &p, ProcessorHub &hub) {
      info = {};
      info.rprocId = id_;
      info.state = static_cast<uint32_t>(p.state());
      info.core = p.description().core == CoreType::kCortexM33 ? IRemoteprocHost_CORE_CORTEX_M33
                                                               : IRemoteprocHost_CORE_CORTEX_M4;
      info.granted = p.host_granted() ? 1 : 0;
      if (auto crash = p.core().last_crash()) {
        info.faultAddress = crash->fault_address;
      }
      {
        std::lock_guard<std::mutex> lock(hub.mu);
        info.crashes = hub.crashes;
      }
      info.instructions = p.core().instructions_retired();
      return Object_OK;
    });
  }

  int32_t getCrashReason(std::span<std::byte> reason, size_t &reason_len) override {
    return with_processor([&](RemoteProcessor &p, ProcessorHub &) {
      std::string why;
      if (auto crash = p.core().last_crash()) {
        why = crash->reason;
      }
      if (why.size() > reason.size()) {
        return Object_ERROR_SIZE_OUT;
      }
      std::memcpy(reason.data(), why.data(), why.size());
      reason_len = why.size();
      return Object_OK;
    });
  }

  int32_t listRegions(std::span<::IRemoteprocHost_Region> regions, size_t &len) override {
    return with_processor([&](RemoteProcessor &p, ProcessorHub &) {
      const auto &all = p.description().regions;
      if (all.size() > regions.size()) {
        return Object_ERROR_SIZE_OUT;
      }
      for (size_t i = 0; i < all.size(); i++) {
        ::IRemoteprocHost_Region r{};
        r.da = all[i].da;
        r.size = all[i].size;
        r.secure = all[i].secure ? 1 : 0;
        r.access = all[i].access;
        std::memcpy(r.name, all[i].name.data(), std::min(all[i].name.size(), sizeof r.name - 1));
        regions[i] = r;
      }
      len = all.size();
      return Object_OK;
    });
  }

  int32_t listReservedMemory(std::span<::IRemoteprocHost_ReservedMemory> regions,
                             size_t &len) override {
    return with_processor([&](RemoteProcessor &p, ProcessorHub &) {
      const ProcessorDescription &d = p.description();
      if (d.reserved_memory.size() > regions.size()) {
        return Object_ERROR_SIZE_OUT;
      }
      for (size_t i = 0; i < d.reserved_memory.size(); i++) {
        const ReservedMemoryDescription &m = d.reserved_memory[i];
        ::IRemoteprocHost_ReservedMemory r{};
        r.address = m.address;
        r.da = host_to_da(d, m.address, m.size).value_or(0);  // validate() makes it exist
        r.size = m.size;
        r.noMap = m.no_map ? 1 : 0;
        std::memcpy(r.name, m.name.data(), std::min(m.name.size(), sizeof r.name - 1));
        regions[i] = r;
      }
      len = d.reserved_memory.size();
      return Object_OK;
    });
  }

  int32_t mapResource(uint32_t da, uint32_t size, Ref &memory, uint32_t &baseDa) override {
    return with_processor([&](RemoteProcessor &p, ProcessorHub &) {
      RemoteProcessor::HostPages pages;
      if (Status s = p.host_map(da, size, &pages); !s.ok()) {
        return to_object_error(s.code);
      }
      memory = std::move(pages.memory);
      baseDa = pages.base_da;
      return Object_OK;
    });
  }

  int32_t readResourceTable(std::span<std::byte> table, size_t &table_len, uint32_t &da) override {
    return with_processor([&](RemoteProcessor &p, ProcessorHub &) {
      std::vector<uint8_t> bytes;
      if (Status s = p.host_read_table(&bytes, &da); !s.ok()) {
        return to_object_error(s.code);
      }
      if (bytes.size() > table.size()) {
        return Object_ERROR_SIZE_OUT;
      }
      std::memcpy(table.data(), bytes.data(), bytes.size());
      table_len = bytes.size();
      return Object_OK;
    });
  }

  int32_t writeResourceTable(uint32_t offset, std::span<const std::byte> bytes) override {
    return with_processor([&](RemoteProcessor &p, ProcessorHub &) {
      Status s = p.host_write_table(
          offset,
          std::span<const uint8_t>(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size()));
      return to_object_error(s.code);
    });
  }

  int32_t kick(uint32_t channels) override {
    return with_processor([&](RemoteProcessor &p, ProcessorHub &) {
      if (p.state() != CoreState::kRunning) {
        return IRemoteprocHost_ERROR_NOT_RUNNING;
      }
      p.mailbox().kick(channels);
      return Object_OK;
    });
  }

  int32_t takeKicks(uint32_t &channels) override {
    return with_processor([&](RemoteProcessor &p, ProcessorHub &) {
      channels = p.mailbox().host_pending();
      p.mailbox().ack(channels);
      return Object_OK;
    });
  }

  int32_t subscribe(Object events, Ref &subscription) override {
    if (Object_isNull(events)) {
      return Object_ERROR_INVALID;
    }
    return with_processor([&](RemoteProcessor &, ProcessorHub &hub) {
      std::lock_guard<std::mutex> lock(hub.mu);
      hub.reap_locked();
      if (hub.live.size() >= kMaxSubscriptionsPerProcessor) {
        return IRemoteprocHost_ERROR_TOO_MANY;
      }
      auto sub = std::make_shared<Subscription>(id_, Ref::share(events));
      sub->thread = std::thread([sub] { sub->run(); });
      hub.live.push_back(sub);
      subscription = make_object<SubscriptionHandle>(state_, &hub, std::move(sub));
      return Object_OK;
    });
  }

  int32_t injectCrash(std::span<const std::byte> reason) override {
    if (reason.size() > kMaxCrashReason) {
      return Object_ERROR_SIZE_IN;
    }
    // Printable text only: it ends up in logs and core-dump notes.
    std::string why(reinterpret_cast<const char *>(reason.data()), reason.size());
    for (char &c : why) {
      if (c < 0x20 || c > 0x7e) {
        c = '?';
      }
    }
    return with_processor([&](RemoteProcessor &p, ProcessorHub &) {
      return p.core().inject_crash(why.empty() ? "requested by the host" : why)
                 ? Object_OK
                 : IRemoteprocHost_ERROR_NOT_RUNNING;
    });
  }

  int32_t readConsole(uint64_t from, std::span<std::byte> bytes, size_t &bytes_len,
                      uint64_t &next) override {
    return with_processor([&](RemoteProcessor &p, ProcessorHub &) {
      UartConsole *console = p.console();
      if (console == nullptr) {
        return IRemoteprocHost_ERROR_NO_DEVICE;
      }
      uint64_t first = 0;
      const std::string out = console->output_from(from, bytes.size(), &first);
      std::memcpy(bytes.data(), out.data(), out.size());
      bytes_len = out.size();
      next = first + out.size();
      return Object_OK;
    });
  }

  int32_t writeConsole(std::span<const std::byte> bytes, uint32_t &taken) override {
    return with_processor([&](RemoteProcessor &p, ProcessorHub &) {
      UartConsole *console = p.console();
      if (console == nullptr) {
        return IRemoteprocHost_ERROR_NO_DEVICE;
      }
      // At most the queue's size is ever taken, so this fits in 32 bits.
      taken = static_cast<uint32_t>(console->send(
          std::span<const uint8_t>(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size())));
      return Object_OK;
    });
  }

  int32_t setGpioInput(uint32_t port, uint32_t pin, uint32_t level) override {
    if (level > 1) {
      return Object_ERROR_INVALID;
    }
    return with_processor([&](RemoteProcessor &p, ProcessorHub &) {
      GpioPins *gpio = p.gpio();
      if (gpio == nullptr) {
        return IRemoteprocHost_ERROR_NO_DEVICE;
      }
      return gpio->set_input(port, pin, level == 1) ? Object_OK : Object_ERROR_INVALID;
    });
  }

 private:
  template <typename F>
  int32_t with_processor(F &&f) {
    std::shared_lock<std::shared_mutex> alive(state_->mu);
    if (state_->soc == nullptr) {
      return Object_ERROR_UNAVAIL;
    }
    ProcessorHub *hub = state_->hub(id_);
    return hub == nullptr ? Object_ERROR_UNAVAIL : f(*hub->proc, *hub);
  }

  StatePtr state_;
  uint32_t id_;
};

class RemoteprocControl final : public iface::IRemoteprocControlSkeleton {
 public:
  explicit RemoteprocControl(StatePtr state) : state_(std::move(state)) {}

  int32_t listProcessors(std::span<uint32_t> ids, size_t &ids_len) override {
    std::shared_lock<std::shared_mutex> alive(state_->mu);
    if (state_->soc == nullptr) {
      return Object_ERROR_UNAVAIL;
    }
    if (state_->hubs.size() > ids.size()) {
      return Object_ERROR_SIZE_OUT;
    }
    for (size_t i = 0; i < state_->hubs.size(); i++) {
      ids[i] = state_->hubs[i]->proc->id();
    }
    ids_len = state_->hubs.size();
    return Object_OK;
  }

  int32_t openProcessor(uint32_t id, Ref &processor) override {
    std::shared_lock<std::shared_mutex> alive(state_->mu);
    if (state_->soc == nullptr) {
      return Object_ERROR_UNAVAIL;
    }
    if (state_->hub(id) == nullptr) {
      return IRemoteprocControl_ERROR_NO_SUCH_PROCESSOR;
    }
    processor = make_object<RemoteprocHost>(state_, id);
    return Object_OK;
  }

 private:
  StatePtr state_;
};

}  // namespace

HostControl::HostControl(Soc &soc) : state_(std::make_shared<State>()) {
  state_->soc = &soc;
  for (const ProcessorDescription &d : soc.description().processors) {
    auto hub = std::make_unique<ProcessorHub>();
    hub->proc = soc.processor(d.id);
    ProcessorHub *h = hub.get();
    // Both run on the core's thread: post and return.
    hub->crash_token = hub->proc->core().subscribe([h](const CrashInfo &info) {
      std::lock_guard<std::mutex> lock(h->mu);
      ++h->crashes;
      for (auto &s : h->live) {
        s->post_crash(h->crashes, info.reason);
      }
    });
    hub->proc->mailbox().on_firmware_kick([h](uint32_t channels) {
      std::lock_guard<std::mutex> lock(h->mu);
      if (h->live.empty()) {
        return false;  // left pending for takeKicks
      }
      for (auto &s : h->live) {
        s->post_kick(channels);
      }
      return true;
    });
    state_->hubs.push_back(std::move(hub));
  }
  service_ = make_object<RemoteprocControl>(state_);
}

HostControl::~HostControl() {
  shutdown();
}

Ref HostControl::service() const {
  return service_;
}

void HostControl::shutdown() {
  std::vector<std::shared_ptr<Subscription>> ending;
  {
    std::unique_lock<std::shared_mutex> lock(state_->mu);
    if (state_->soc == nullptr) {
      return;
    }
    for (auto &h : state_->hubs) {
      h->proc->core().unsubscribe(h->crash_token);
      h->proc->mailbox().on_firmware_kick(nullptr);
      std::lock_guard<std::mutex> hub_lock(h->mu);
      for (auto &s : h->live) {
        s->end();
        ending.push_back(s);
      }
      for (auto &s : h->retired) {
        ending.push_back(s);
      }
      h->live.clear();
      h->retired.clear();
    }
    state_->soc = nullptr;
  }
  for (auto &s : ending) {
    if (s->thread.joinable()) {
      s->thread.join();
    }
  }
}

}  // namespace captee::platform
