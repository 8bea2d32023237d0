#include "captee/rproc/rpmsg_bus.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "captee/detail/hex.hpp"
#include "captee/detail/little_endian.hpp"

namespace captee::rproc {

using captee::detail::hex32;
using captee::detail::load_le16;
using captee::detail::load_le32;
using captee::detail::store_le16;
using captee::detail::store_le32;

struct RpmsgBus::Pending {
  std::vector<std::function<void()>> calls;
};

namespace {

// Notes about dropped messages stop after this many per bus, so a firmware
// cannot flood the log; the count of dropped messages keeps going.
constexpr uint32_t kMaxNotes = 8;

bool overlap(uint64_t a, uint64_t a_len, uint64_t b, uint64_t b_len) {
  return a < b + b_len && b < a + a_len;
}

}  // namespace

std::unique_ptr<RpmsgBus> RpmsgBus::create(const RpmsgVdevMemory &m, uint32_t features,
                                           RpmsgEvents events, std::string *why) {
  if (m.rx_num == 0) {
    *why = "vring 0 has no entries";
    return nullptr;
  }
  // Linux's pool: twice vring 0's size, at most 512 buffers.
  const uint32_t num_bufs = m.rx_num >= kRpmsgMaxBufs / 2 ? kRpmsgMaxBufs : m.rx_num * 2;
  const uint64_t pool_bytes = uint64_t{num_bufs} * kRpmsgBufSize;
  if (m.pool.size() < pool_bytes || uint64_t{m.pool_da} + pool_bytes > (1ull << 32)) {
    *why = "the vdev buffer at " + hex32(m.pool_da) + " has " + std::to_string(m.pool.size()) +
           " bytes; " + std::to_string(num_bufs) + " buffers of " + std::to_string(kRpmsgBufSize) +
           " need " + std::to_string(pool_bytes);
    return nullptr;
  }
  const uint64_t rx_bytes = split_vring_bytes(m.rx_num, m.rx_align);
  const uint64_t tx_bytes = split_vring_bytes(m.tx_num, m.tx_align);
  if (overlap(m.rx_da, rx_bytes, m.tx_da, tx_bytes) ||
      overlap(m.rx_da, rx_bytes, m.pool_da, pool_bytes) ||
      overlap(m.tx_da, tx_bytes, m.pool_da, pool_bytes)) {
    *why = "the vrings at " + hex32(m.rx_da) + " and " + hex32(m.tx_da) + " and the buffers at " +
           hex32(m.pool_da) + " overlap";
    return nullptr;
  }
  std::unique_ptr<RpmsgBus> bus(new RpmsgBus);
  const auto pool_size = static_cast<uint32_t>(pool_bytes);
  std::string e;
  bus->rx_ =
      HostVirtqueue::create(m.rx_ring, m.rx_da, m.rx_num, m.rx_align, m.pool_da, pool_size, &e);
  if (bus->rx_) {
    bus->tx_ =
        HostVirtqueue::create(m.tx_ring, m.tx_da, m.tx_num, m.tx_align, m.pool_da, pool_size, &e);
  }
  if (!bus->tx_) {
    *why = e;
    return nullptr;
  }
  bus->mem_ = m;
  bus->mem_.pool = m.pool.first(pool_bytes);
  bus->features_ = negotiate(features);
  bus->num_bufs_ = num_bufs;
  bus->events_ = std::move(events);
  return bus;
}

RpmsgBus::~RpmsgBus() = default;

void RpmsgBus::run(Pending &p) {
  for (auto &call : p.calls) {
    call();
  }
}

void RpmsgBus::start() {
  std::lock_guard<std::mutex> lock(mu_);
  for (uint32_t i = 0; i < num_bufs_ / 2; i++) {
    if (!rx_->add(mem_.pool_da + i * kRpmsgBufSize, kRpmsgBufSize, /*device_writes=*/true)) {
      break;  // vring 0 is full: the rest of the half stays unused, as in Linux
    }
  }
}

void RpmsgBus::break_locked(const std::string &why, Pending *out) {
  if (broken_) {
    return;
  }
  broken_ = true;
  for (const RpmsgChannel &c : channels_) {
    if (events_.destroyed) {
      out->calls.push_back([this, c] { events_.destroyed(c); });
    }
  }
  channels_.clear();
  if (events_.broken) {
    out->calls.push_back([this, why] { events_.broken(why); });
  }
  tx_freed_.notify_all();
}

uint32_t RpmsgBus::allocate_local_locked() const {
  for (uint32_t addr = kRpmsgFirstLocalAddr;; addr++) {
    if (std::none_of(channels_.begin(), channels_.end(),
                     [&](const RpmsgChannel &c) { return c.local == addr; })) {
      return addr;
    }
  }
}

void RpmsgBus::handle_ns_locked(uint32_t src, std::span<const uint8_t> msg, Pending *out) {
  auto note = [&](std::string text) {
    if (events_.note) {
      out->calls.push_back([this, text = std::move(text)] { events_.note(text); });
    }
  };
  if (msg.size() != kRpmsgNsMsgSize) {
    note("a name-service message from " + std::to_string(src) + " has " +
         std::to_string(msg.size()) + " bytes, not " + std::to_string(kRpmsgNsMsgSize) +
         "; dropped");
    return;
  }
  // The name is NUL-terminated within its 32 bytes; Linux forces the last
  // byte to NUL, so at most 31 characters count.
  const auto *n = reinterpret_cast<const char *>(msg.data());
  std::string name(n, strnlen(n, kRpmsgNameSize - 1));
  const uint32_t addr = load_le32(msg.data() + kRpmsgNameSize);
  const uint32_t flags = load_le32(msg.data() + kRpmsgNameSize + 4);
  if (name.empty()) {
    note("a name-service message from " + std::to_string(src) + " has no name; dropped");
    return;
  }
  auto same = [&](const RpmsgChannel &c) { return c.name == name && c.remote == addr; };
  if ((flags & kRpmsgNsDestroy) != 0) {
    auto it = std::find_if(channels_.begin(), channels_.end(), same);
    if (it == channels_.end()) {
      note("the firmware destroyed channel \"" + name + "\" at " + std::to_string(addr) +
           ", which it never announced");
      return;
    }
    RpmsgChannel c = *it;
    channels_.erase(it);
    if (events_.destroyed) {
      out->calls.push_back([this, c] { events_.destroyed(c); });
    }
    return;
  }
  if (std::any_of(channels_.begin(), channels_.end(), same)) {
    note("the firmware announced channel \"" + name + "\" at " + std::to_string(addr) +
         " twice; the second is ignored");
    return;
  }
  if (channels_.size() >= kRpmsgMaxChannels) {
    note("the firmware announced channel \"" + name + "\" beyond the " +
         std::to_string(kRpmsgMaxChannels) + " a vdev may have; ignored");
    return;
  }
  RpmsgChannel c{std::move(name), addr, allocate_local_locked()};
  channels_.push_back(c);
  if (events_.created) {
    out->calls.push_back([this, c] { events_.created(c); });
  }
}

void RpmsgBus::receive_locked(Pending *out) {
  bool consumed = false;
  for (uint32_t n = 0; n < rx_->num(); n++) {
    HostVirtqueue::Used used;
    std::string violation;
    HostVirtqueue::Take t = rx_->take(&used, &violation);
    if (t == HostVirtqueue::Take::kNone) {
      break;
    }
    if (t == HostVirtqueue::Take::kViolation) {
      break_locked(violation, out);
      return;
    }
    consumed = true;
    // One copy out of shared memory, then parse the copy: the firmware cannot
    // change a length between its check and its use.
    uint8_t buf[kRpmsgBufSize];
    const uint32_t len = std::min(used.len, kRpmsgBufSize);
    std::memcpy(buf, mem_.pool.data() + (used.da - mem_.pool_da), len);
    std::string drop;
    if (len < kRpmsgHeaderSize) {
      drop = "a " + std::to_string(len) + "-byte message is shorter than the rpmsg header";
    } else if (load_le16(buf + 12) > len - kRpmsgHeaderSize) {
      drop = "a message says its payload is " + std::to_string(load_le16(buf + 12)) +
             " bytes; its buffer holds " + std::to_string(len - kRpmsgHeaderSize);
    } else {
      const uint32_t src = load_le32(buf), dst = load_le32(buf + 4);
      std::span<const uint8_t> payload(buf + kRpmsgHeaderSize, load_le16(buf + 12));
      if (dst == kRpmsgNsAddr && (features_ & kVirtioRpmsgFNs) != 0) {
        handle_ns_locked(src, payload, out);
      } else if (std::any_of(channels_.begin(), channels_.end(),
                             [&](const RpmsgChannel &c) { return c.local == dst; })) {
        if (events_.message) {
          out->calls.push_back(
              [this, dst, src, copy = std::vector<uint8_t>(payload.begin(), payload.end())] {
                events_.message(dst, src, copy);
              });
        }
      } else {
        drop = "a message from " + std::to_string(src) + " to " + std::to_string(dst) +
               " has no endpoint";
      }
    }
    if (!drop.empty() && dropped_++ < kMaxNotes && events_.note) {
      out->calls.push_back([this, drop] { events_.note(drop + "; dropped"); });
    }
    // The buffer goes back to the firmware whatever was in it (Linux loses
    // it on a malformed message; a firmware should not starve itself so).
    rx_->add(used.da, kRpmsgBufSize, /*device_writes=*/true);
  }
  if (consumed && rx_->notify_wanted() && events_.kick) {
    const uint32_t id = mem_.rx_notifyid;
    out->calls.push_back([this, id] { events_.kick(id); });
  }
}

void RpmsgBus::reclaim_locked(Pending *out) {
  for (uint32_t n = 0; n < tx_->num(); n++) {
    HostVirtqueue::Used used;
    std::string violation;
    HostVirtqueue::Take t = tx_->take(&used, &violation);
    if (t == HostVirtqueue::Take::kNone) {
      break;
    }
    if (t == HostVirtqueue::Take::kViolation) {
      break_locked(violation, out);
      return;
    }
    free_tx_.push_back(used.da);
  }
  if (!free_tx_.empty()) {
    tx_freed_.notify_all();
  }
}

void RpmsgBus::on_kick(uint32_t) {
  // Both queues are looked at on any kick: cheap, and a firmware that kicks
  // the "wrong" channel still makes progress (each look is bounded by num).
  Pending p;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (broken_ || stopped_) {
      return;
    }
    receive_locked(&p);
    if (!broken_) {
      reclaim_locked(&p);
    }
  }
  run(p);
}

RpmsgBus::SendResult RpmsgBus::send(uint32_t src, uint32_t dst, std::span<const uint8_t> payload,
                                    std::chrono::milliseconds wait) {
  if (payload.size() > kRpmsgMaxPayload) {
    return SendResult::kTooBig;
  }
  Pending p;
  SendResult result = SendResult::kOk;
  {
    std::unique_lock<std::mutex> lock(mu_);
    const auto deadline = std::chrono::steady_clock::now() + wait;
    for (;;) {
      if (broken_ || stopped_) {
        result = SendResult::kBroken;
        break;
      }
      if (next_fresh_tx_ >= num_bufs_ / 2 || tx_->outstanding() >= tx_->num()) {
        reclaim_locked(&p);
      }
      uint32_t da = 0;
      bool have = false;
      if (!broken_ && tx_->outstanding() < tx_->num()) {
        if (next_fresh_tx_ < num_bufs_ / 2) {
          // Linux's get_a_tx_buf: the unused half first, in order, then
          // buffers the firmware gave back.
          da = mem_.pool_da + (num_bufs_ / 2 + next_fresh_tx_++) * kRpmsgBufSize;
          have = true;
        } else if (!free_tx_.empty()) {
          da = free_tx_.front();
          free_tx_.erase(free_tx_.begin());
          have = true;
        }
      }
      if (have) {
        uint8_t head[kRpmsgHeaderSize] = {};
        store_le32(head, src);
        store_le32(head + 4, dst);
        store_le16(head + 12, static_cast<uint16_t>(payload.size()));
        std::byte *b = mem_.pool.data() + (da - mem_.pool_da);
        std::memcpy(b, head, sizeof head);
        if (!payload.empty()) {
          std::memcpy(b + kRpmsgHeaderSize, payload.data(), payload.size());
        }
        tx_->add(da, static_cast<uint32_t>(kRpmsgHeaderSize + payload.size()),
                 /*device_writes=*/false);
        if (tx_->notify_wanted() && events_.kick) {
          const uint32_t id = mem_.tx_notifyid;
          p.calls.push_back([this, id] { events_.kick(id); });
        }
        break;
      }
      if (broken_) {
        result = SendResult::kBroken;
        break;
      }
      // Every buffer is with the firmware: wait for it to give one back,
      // looking at the used ring now and then in case it does not kick.
      if (std::chrono::steady_clock::now() >= deadline) {
        result = SendResult::kNoBuffer;
        break;
      }
      tx_freed_.wait_for(lock, std::chrono::milliseconds(5));
    }
  }
  run(p);
  return result;
}

void RpmsgBus::shut_down() {
  Pending p;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
    for (const RpmsgChannel &c : channels_) {
      if (events_.destroyed) {
        p.calls.push_back([this, c] { events_.destroyed(c); });
      }
    }
    channels_.clear();
    tx_freed_.notify_all();
  }
  run(p);
}

std::vector<RpmsgChannel> RpmsgBus::channels() const {
  std::lock_guard<std::mutex> lock(mu_);
  return channels_;
}

bool RpmsgBus::broken() const {
  std::lock_guard<std::mutex> lock(mu_);
  return broken_;
}

}  // namespace captee::rproc
