// A channel's two tables, named after what they hold:
//  - ExportTable: the objects this side hosts that the peer may name, by
//    handle. Every handle the peer sends is checked by one function,
//    ExportTable::validate_handle, whether it comes in a request's target, a
//    RECEIVER_HOSTED reference or a release;
//  - ImportTable: the proxies this side holds for the peer's objects, by the
//    peer's handle.
// Each table owns its lock; no code holds both except tables_empty().
//
// A handle is (generation << 16) | index: the index of the export table's
// slot, and the slot's generation, which changes each time the slot is
// reused, so a stale or guessed handle is refused (Object_ERROR_BADOBJ) and
// the connection stays up. Generations start at 1, so handle 0 is never
// valid. The primordial object takes the first slot of a fresh table: its
// handle is wire::kPrimordialHandle, which the peer names without being sent
// it (docs/WIRE.md).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "captee/object.h"
#include "captee/wire.hpp"

#pragma GCC visibility push(hidden)

namespace captee::detail {

constexpr uint32_t make_handle(uint32_t index, uint16_t generation) {
  return uint32_t(generation) << 16 | index;
}
constexpr uint32_t handle_index(uint32_t handle) {
  return handle & 0xFFFF;
}
constexpr uint16_t handle_generation(uint32_t handle) {
  return uint16_t(handle >> 16);
}
// Table sizes are agreed in the handshake, at most 0xFFFF entries: every
// index fits in the handle's low 16 bits.
inline constexpr uint32_t kMaxTableEntries = 0xFFFF;
// Slot 0, generation 1.
inline constexpr uint32_t kPrimordialHandle = make_handle(0, 1);
static_assert(kPrimordialHandle == wire::kPrimordialHandle,
              "the primordial export is the first slot of a fresh table");

class ImportTable;

class ExportTable {
 public:
  // `closing` is the channel's closed flag: once it is set, add() refuses,
  // so that an export either comes before take_all() or not at all.
  explicit ExportTable(const std::atomic<bool> &closing) : closing_(closing) {}
  ExportTable(const ExportTable &) = delete;
  ExportTable &operator=(const ExportTable &) = delete;

  // Exports `o` once more (the peer receives one more reference; the table
  // holds one reference of its own per entry): sets `handle`, and `first` if
  // the table was empty. An object already in the table keeps its handle.
  // Returns Object_ERROR_UNAVAIL once closing, Object_ERROR_NOSLOTS if
  // `max` entries are live or the entry's count would overflow.
  int32_t add(Object o, uint32_t max, uint32_t &handle, bool &first);

  // The object the peer's `handle` names, retained; NULL if the handle is
  // not a live entry's.
  Object lookup(uint32_t handle);

  // Drops `count` of the references the peer was sent for `handle`. The
  // last one removes the entry, and its object (for the caller to release,
  // outside any lock) is stored in `drop`. A handle that names no live entry
  // is ignored (the entry may be gone already, e.g. the connection closed
  // meanwhile). Returns false if the peer released more than it was sent.
  bool release(uint32_t handle, uint32_t count, Object &drop);

  // Empties the table; returns its objects for the caller to release
  // outside any lock. Generations are kept, so old handles stay refused.
  std::vector<Object> take_all();

  size_t size() const;  // live entries

 private:
  friend bool tables_empty(const ExportTable &, const ImportTable &);

  struct Entry {
    Object obj = Object_NULL;
    uint16_t gen = 0;
    uint32_t remote = 0;  // references the peer was sent and holds
    bool live = false;
  };
  struct ObjKey {
    void *invoke;
    void *ctx;
    bool operator==(const ObjKey &) const = default;
  };
  struct ObjKeyHash {
    size_t operator()(const ObjKey &k) const {
      return std::hash<void *>()(k.invoke) * 31 + std::hash<void *>()(k.ctx);
    }
  };

  // The one check of a handle from the peer: the live entry it names, or
  // null if its index is out of range, its slot is free or its generation
  // differs. Caller holds mu_.
  inline Entry *validate_handle(uint32_t handle);  // defined in handle_table.cpp

  const std::atomic<bool> &closing_;
  mutable std::mutex mu_;
  std::vector<Entry> entries_;
  std::vector<uint32_t> free_slots_;
  size_t live_ = 0;
  std::unordered_map<ObjKey, uint32_t, ObjKeyHash> by_obj_;
};

struct Proxy;
class ChannelImpl;

class ImportTable {
 public:
  // The channel, as a new proxy holds it (only new proxies take a reference).
  using Owner = std::enable_shared_from_this<ChannelImpl>;

  ImportTable() = default;
  ImportTable(const ImportTable &) = delete;
  ImportTable &operator=(const ImportTable &) = delete;

  // The proxy for the peer's `handle`, with one more local reference, and
  // one more reference received from the peer (what its eventual release
  // gives back); if there is none, a new proxy, which keeps its channel
  // `owner` alive. Null if there are `max` proxies already (the peer cannot
  // have exported more) or the proxy's count is at its limit.
  Proxy *import(uint32_t handle, uint32_t max, Owner &owner);

  // The proxy for the peer's primordial object, for peer_primordial(): a
  // new local reference to it if it exists; else, the first time only, a
  // new proxy (the handshake stands for the one reference the peer sent).
  // Null after that.
  Proxy *primordial(uint32_t max, Owner &owner);

  // Drops one local reference to `p`, which the caller found at 1 (the last
  // one, unless `p` was imported or retained again meanwhile). The count
  // reaches zero only under mu_, where import() finds proxies, so nobody can
  // revive a proxy that is going. Returns true if it was the last: `p` is
  // out of the table (the caller deletes it) and `received` says how many
  // references to give back to the peer.
  bool drop_last(Proxy *p, uint32_t &received);

  size_t size() const;

 private:
  friend bool tables_empty(const ExportTable &, const ImportTable &);
  Proxy *import_locked(uint32_t handle, uint32_t max, Owner &owner);

  mutable std::mutex mu_;
  std::unordered_map<uint32_t, Proxy *> proxies_;
  bool primordial_taken_ = false;
};

// True if the peer can name nothing here and this side can name nothing
// there: both tables empty at one moment (both locks held at once).
bool tables_empty(const ExportTable &exports, const ImportTable &imports);

}  // namespace captee::detail

#pragma GCC visibility pop
