#include "captee/rproc/rpmsg_host.hpp"

#include <algorithm>
#include <variant>

#include "captee/detail/little_endian.hpp"
#include "captee/fwimage/resource_table.hpp"

namespace captee::rproc {

namespace {

namespace fw = captee::fwimage;

// Messages waiting for slow listeners, at most; more are dropped and counted.
constexpr size_t kMaxQueued = 4096;
// Channels remembered (up or down) so they come back under their index.
constexpr size_t kMaxRegistry = 256;

const MappedResource *named(const std::vector<MappedResource> &list, const std::string &name) {
  for (const MappedResource &r : list) {
    if (r.name == name) {
      return &r;
    }
  }
  return nullptr;
}

}  // namespace

RpmsgHost::RpmsgHost(Log log, Log broken)
    : log_(std::move(log)), broken_(std::move(broken)), delivery_([this] { delivery_loop(); }) {}

RpmsgHost::~RpmsgHost() {
  detach();
  {
    std::lock_guard<std::mutex> lock(reg_mu_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  delivery_.join();
}

void RpmsgHost::attach(std::vector<uint8_t> &table, const Resources &res,
                       iface::IRemoteprocHost host) {
  detach();
  auto parsed = fw::parse_resource_table(table);
  if (!parsed) {
    return;  // Resources::handle refused it already; nothing to serve
  }
  std::vector<Bus> buses;
  uint32_t vdev_index = 0;
  for (const fw::RscEntry &e : parsed.value().entries) {
    const auto *v = std::get_if<fw::RscVdev>(&e.body);
    if (v == nullptr) {
      continue;
    }
    const uint32_t n = vdev_index++;
    const std::string vdev = "vdev" + std::to_string(n);
    if (v->id != kVirtioIdRpmsg) {
      log_(vdev + " is virtio device " + std::to_string(v->id) +
           "; captee-rprocd drives only rpmsg (7)");
      continue;
    }
    const MappedResource *rx = named(res.vrings(), vdev + "vring0");
    const MappedResource *tx = named(res.vrings(), vdev + "vring1");
    const MappedResource *pool = named(res.buffers(), vdev + "buffer");
    if (v->vrings.size() < 2 || rx == nullptr || tx == nullptr || pool == nullptr) {
      log_(vdev + ": rpmsg needs two vrings and a " + vdev +
           "buffer carveout or reserved region; not started");
      continue;
    }
    RpmsgVdevMemory m;
    m.rx_ring = rx->writable_bytes();
    m.tx_ring = tx->writable_bytes();
    m.rx_da = v->vrings[0].da;
    m.tx_da = v->vrings[1].da;
    m.rx_num = v->vrings[0].num;
    m.tx_num = v->vrings[1].num;
    m.rx_align = v->vrings[0].align;
    m.tx_align = v->vrings[1].align;
    m.rx_notifyid = v->vrings[0].notifyid;
    m.tx_notifyid = v->vrings[1].notifyid;
    m.pool = pool->writable_bytes();
    m.pool_da = pool->da;
    RpmsgEvents ev;
    ev.kick = [this](uint32_t notifyid) {
      // Called with use_mu_ held (shared): host_ is stable. The mailbox has
      // 32 channel bits at most; ids beyond cannot be signalled.
      if (notifyid < 32) {
        (void)host_.kick(1u << notifyid);
      }
    };
    ev.created = [this, n](const RpmsgChannel &c) { created(n, c); };
    ev.destroyed = [this, n](const RpmsgChannel &c) { destroyed(n, c); };
    ev.message = [this, n](uint32_t local, uint32_t, std::span<const uint8_t> p) {
      message(n, local, p);
    };
    ev.broken = [this, vdev](const std::string &why) {
      log_(vdev + ": the firmware broke the virtio rules: " + why);
      broken_(vdev + ": " + why);
    };
    ev.note = [this, vdev](const std::string &note) { log_(vdev + ": " + note); };
    std::string why;
    std::unique_ptr<RpmsgBus> bus = RpmsgBus::create(m, v->dfeatures, std::move(ev), &why);
    if (!bus) {
      log_(vdev + ": rpmsg not started: " + why);
      continue;
    }
    // What Linux's virtio core and rpmsg driver leave in the table before
    // START_FW; OpenAMP firmware waits for DRIVER_OK there.
    detail::store_le32(table.data() + e.offset + 16, RpmsgBus::negotiate(v->dfeatures));
    table[e.offset + 24] = kVirtioStatusAcknowledge | kVirtioStatusDriver | kVirtioStatusDriverOk;
    bus->start();
    buses.push_back({n, std::move(bus)});
  }
  std::unique_lock<std::shared_mutex> lock(use_mu_);
  buses_ = std::move(buses);
  host_ = std::move(host);
}

void RpmsgHost::detach() {
  {
    // Wake senders waiting for a buffer and take every channel down first.
    std::shared_lock<std::shared_mutex> lock(use_mu_);
    for (Bus &b : buses_) {
      b.bus->shut_down();
    }
  }
  std::unique_lock<std::shared_mutex> lock(use_mu_);  // waits for users of the buses
  buses_.clear();
  host_ = {};
}

void RpmsgHost::on_kick(uint32_t channels) {
  std::shared_lock<std::shared_mutex> lock(use_mu_);
  for (Bus &b : buses_) {
    b.bus->on_kick(channels);
  }
}

void RpmsgHost::created(uint32_t vdev, const RpmsgChannel &c) {
  std::lock_guard<std::mutex> lock(reg_mu_);
  // The lowest index of this name that is not up; its entry if it has one.
  uint32_t index = 0;
  auto entry = registry_.end();
  for (;; index++) {
    auto it = std::find_if(registry_.begin(), registry_.end(), [&](const RpmsgChannelInfo &r) {
      return r.name == c.name && r.index == index;
    });
    if (it == registry_.end() || !it->up) {
      entry = it;
      break;
    }
  }
  if (entry == registry_.end()) {
    if (registry_.size() >= kMaxRegistry) {
      auto down = std::find_if(registry_.begin(), registry_.end(),
                               [](const RpmsgChannelInfo &r) { return !r.up; });
      if (down == registry_.end()) {
        return;  // cannot happen: at most 64 up per vdev, and few vdevs
      }
      registry_.erase(down);
    }
    registry_.push_back({c.name, index, vdev, c.remote, c.local, true});
    entry = registry_.end() - 1;
  } else {
    *entry = {c.name, index, vdev, c.remote, c.local, true};
  }
  log_("rpmsg channel \"" + c.name + "\" #" + std::to_string(index) + " up: firmware address " +
       std::to_string(c.remote) + ", host address " + std::to_string(c.local));
  deliver_locked(c.name, index, [](RpmsgListener &l) { l.on_state(true); });
  if (observer_ && queue_.size() < kMaxQueued) {
    queue_.push_back([this, info = *entry] { observer_(info); });
    queue_cv_.notify_one();
  }
}

void RpmsgHost::set_observer(std::function<void(const RpmsgChannelInfo &)> observer) {
  std::lock_guard<std::mutex> lock(reg_mu_);
  observer_ = std::move(observer);
}

void RpmsgHost::destroyed(uint32_t vdev, const RpmsgChannel &c) {
  std::lock_guard<std::mutex> lock(reg_mu_);
  for (RpmsgChannelInfo &r : registry_) {
    if (r.up && r.vdev == vdev && r.local == c.local) {
      r.up = false;
      deliver_locked(r.name, r.index, [](RpmsgListener &l) { l.on_state(false); });
    }
  }
}

void RpmsgHost::message(uint32_t vdev, uint32_t local, std::span<const uint8_t> payload) {
  std::lock_guard<std::mutex> lock(reg_mu_);
  for (const RpmsgChannelInfo &r : registry_) {
    if (r.up && r.vdev == vdev && r.local == local) {
      deliver_locked(r.name, r.index,
                     [copy = std::vector<uint8_t>(payload.begin(), payload.end())](
                         RpmsgListener &l) { l.on_message(copy); });
      return;
    }
  }
}

void RpmsgHost::deliver_locked(const std::string &name, uint32_t index,
                               std::function<void(RpmsgListener &)> call) {
  for (const auto &[id, l] : listeners_) {
    if (l.name != name || l.index != index) {
      continue;
    }
    if (queue_.size() >= kMaxQueued) {
      lost_deliveries_++;
      continue;
    }
    queue_.push_back([listener = l.listener, call] { call(*listener); });
  }
  queue_cv_.notify_one();
}

void RpmsgHost::delivery_loop() {
  std::unique_lock<std::mutex> lock(reg_mu_);
  for (;;) {
    queue_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (stopping_ && queue_.empty()) {
      return;
    }
    std::function<void()> next = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    next();
    lock.lock();
  }
}

std::vector<RpmsgChannelInfo> RpmsgHost::channels() const {
  std::lock_guard<std::mutex> lock(reg_mu_);
  return registry_;
}

RpmsgHost::SendResult RpmsgHost::send(const std::string &name, uint32_t index,
                                      std::span<const uint8_t> payload) {
  RpmsgChannelInfo ch;
  {
    std::lock_guard<std::mutex> lock(reg_mu_);
    auto it = std::find_if(registry_.begin(), registry_.end(), [&](const RpmsgChannelInfo &r) {
      return r.name == name && r.index == index;
    });
    if (it == registry_.end()) {
      return SendResult::kNoChannel;
    }
    if (!it->up) {
      return SendResult::kDown;
    }
    ch = *it;
  }
  std::shared_lock<std::shared_mutex> lock(use_mu_);
  for (Bus &b : buses_) {
    if (b.vdev != ch.vdev) {
      continue;
    }
    switch (b.bus->send(ch.local, ch.remote, payload, std::chrono::seconds(2))) {
      case RpmsgBus::SendResult::kOk:
        return SendResult::kOk;
      case RpmsgBus::SendResult::kTooBig:
        return SendResult::kTooBig;
      case RpmsgBus::SendResult::kNoBuffer:
        return SendResult::kNoBuffer;
      case RpmsgBus::SendResult::kBroken:
        return SendResult::kDown;
    }
  }
  return SendResult::kDown;
}

uint64_t RpmsgHost::listen(const std::string &name, uint32_t index,
                           std::shared_ptr<RpmsgListener> l) {
  std::lock_guard<std::mutex> lock(reg_mu_);
  const uint64_t id = next_listener_++;
  listeners_[id] = {name, index, std::move(l)};
  return id;
}

void RpmsgHost::unlisten(uint64_t id) {
  std::lock_guard<std::mutex> lock(reg_mu_);
  listeners_.erase(id);
}

}  // namespace captee::rproc
