// The objects one TA owner has open, over all its processes, and GP's
// sharing rules between their handles (GP TEE Internal Core API 1.3.1
// §5.7.1): the part of the ITrustedStorage binding that decides whether an
// open, create, rename or delete may go ahead. Not thread-safe: the binding
// holds the owner's lock around every use.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "captee/tee/storage/object_store.hpp"

namespace captee::tee::storage {

// One object with handles on it. Handles point here, so a rename moves every
// handle with the object.
struct OpenObject {
  Namespace ns = Namespace::kRee;
  Bytes id;
  std::vector<uint32_t> handle_flags;  // one entry per open handle
};

class OwnerOpens {
 public:
  // Whether a new handle with `flags` may join the handles already on
  // (ns, id): TEE_DATA_FLAG_ACCESS_WRITE_META wants the object alone, and
  // if any handle reads (writes), all must share reading (writing).
  bool may_open(Namespace ns, ByteView id, uint32_t flags) const;

  // Whether any handle is open on (ns, id).
  bool is_open(Namespace ns, ByteView id) const;

  // Records a handle with `flags` on (ns, id); the caller checked may_open.
  std::shared_ptr<OpenObject> add(Namespace ns, ByteView id, uint32_t flags);

  // Forgets one handle with `flags` on `object`.
  void remove(const std::shared_ptr<OpenObject> &object, uint32_t flags);

  // Moves `object` (open by exactly one handle) to `to`.
  void rename(const std::shared_ptr<OpenObject> &object, ByteView to);

  // Handles open, over all objects.
  size_t handles() const { return handles_; }

 private:
  using Key = std::pair<Namespace, Bytes>;
  std::map<Key, std::shared_ptr<OpenObject>> objects_;
  size_t handles_ = 0;
};

// One owner's open objects, shared by all its processes' bindings, and the
// lock that serialises that owner's calls.
struct OwnerState {
  std::mutex mu;
  OwnerOpens opens;
  // Bytes the owner's bindings hold staged (staged_data.hpp), at most
  // ITrustedStorage_MAX_STAGED.
  uint64_t staged_bytes = 0;
  // Bytes all owners' bindings hold staged, at most kMaxStagedAllTas: one
  // counter shared by every owner of this TrustedStorage.
  std::shared_ptr<std::atomic<uint64_t>> all_staged;
};

}  // namespace captee::tee::storage
