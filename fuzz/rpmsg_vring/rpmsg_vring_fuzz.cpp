// Fuzzes captee-rprocd's host side of virtio-rpmsg (RpmsgBus over two
// HostVirtqueues) with device-written ring state and rpmsg messages: the
// input is a firmware writing anything anywhere in its shared memory (both
// vrings and the buffer pool) between kicks, while the host sends.
//
// Input: byte 0 picks the geometry (vring size 1 << (b % 7), i.e. 1 to 64;
// alignment 4 << ((b >> 3) % 4)); then 7-byte steps {op, offset u16, value
// u32}: op % 4 = 0 writes a 32-bit word, 1 a 16-bit half-word at offset * 2
// of the shared block, 2 kicks the host, 3 has the host send value % 600
// bytes. The host must never touch memory outside the block (ASan), must keep
// its channel table within the limit with unique local addresses, and once
// broken must stay broken (sends fail, a payload too big for a buffer is
// still refused as such first).
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <set>
#include <vector>

#include "captee/rproc/rpmsg_bus.hpp"

namespace {

using namespace captee::rproc;

constexpr uint32_t kBase = 0x10040000;
constexpr uint32_t kRingBytes = 0x2000;  // each vring's room
constexpr uint32_t kPoolOffset = 2 * kRingBytes;
constexpr uint32_t kPoolBytes = 64 * 2 * kRpmsgBufSize;  // 64-entry rings at most
constexpr uint32_t kBlock = kPoolOffset + kPoolBytes;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) {
    return 0;
  }
  const uint32_t num = 1u << (data[0] % 7);
  const uint32_t align = 4u << ((data[0] >> 3) % 4);
  auto *block = static_cast<std::byte *>(std::aligned_alloc(4096, kBlock));
  std::memset(block, 0, kBlock);
  RpmsgVdevMemory m;
  m.rx_ring = {block, kRingBytes};
  m.tx_ring = {block + kRingBytes, kRingBytes};
  m.rx_da = kBase;
  m.tx_da = kBase + kRingBytes;
  m.rx_num = m.tx_num = num;
  m.rx_align = m.tx_align = align;
  m.rx_notifyid = 0;
  m.tx_notifyid = 1;
  m.pool = {block + kPoolOffset, num * 2 * kRpmsgBufSize};
  m.pool_da = kBase + kPoolOffset;
  bool was_broken = false;
  RpmsgEvents ev;
  ev.broken = [&](const std::string &) { was_broken = true; };
  std::string why;
  std::unique_ptr<RpmsgBus> bus = RpmsgBus::create(m, kVirtioRpmsgFNs, std::move(ev), &why);
  if (!bus) {
    __builtin_trap();  // every geometry above is a valid one
  }
  bus->start();
  std::vector<uint8_t> payload(600, 0x5A);
  for (size_t at = 1; at + 7 <= size; at += 7) {
    const uint8_t op = data[at];
    const uint32_t offset = (uint32_t{data[at + 1]} | uint32_t{data[at + 2]} << 8) * 2;
    uint32_t value;
    std::memcpy(&value, data + at + 3, 4);
    switch (op % 4) {
      case 0:
        if (offset + 4 <= kBlock) {
          std::memcpy(block + (offset & ~3u), &value, 4);
        }
        break;
      case 1:
        if (offset + 2 <= kBlock) {
          const auto half = static_cast<uint16_t>(value);
          std::memcpy(block + offset, &half, 2);
        }
        break;
      case 2:
        bus->on_kick(value);
        break;
      default: {
        const RpmsgBus::SendResult r =
            bus->send(1024, value >> 16, std::span<const uint8_t>(payload).first(value % 600),
                      std::chrono::milliseconds(0));
        // Once broken, every send that is not refused for its size fails.
        if (was_broken && r != RpmsgBus::SendResult::kBroken &&
            r != RpmsgBus::SendResult::kTooBig) {
          __builtin_trap();
        }
        break;
      }
    }
    const std::vector<RpmsgChannel> channels = bus->channels();
    std::set<uint32_t> locals;
    for (const RpmsgChannel &c : channels) {
      if (c.local < kRpmsgFirstLocalAddr || !locals.insert(c.local).second || c.name.empty() ||
          c.name.size() >= kRpmsgNameSize) {
        __builtin_trap();
      }
    }
    if (channels.size() > kRpmsgMaxChannels || (was_broken && !channels.empty())) {
      __builtin_trap();
    }
  }
  bus.reset();
  std::free(block);
  return 0;
}
