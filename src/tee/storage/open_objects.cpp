// GP's sharing rules over one owner's open handles (open_objects.hpp).
#include "open_objects.hpp"

#include <algorithm>

#include "tee_api_defines.h"

namespace captee::tee::storage {

namespace {

// Two handles on one object may coexist (GP §5.7.1): neither may change
// the meta data, and whoever reads (writes) needs both to share reading
// (writing).
bool compatible(uint32_t a, uint32_t b) {
  if (((a | b) & TEE_DATA_FLAG_ACCESS_WRITE_META) != 0) {
    return false;
  }
  const uint32_t both = a & b;
  if (((a | b) & TEE_DATA_FLAG_ACCESS_READ) != 0 && (both & TEE_DATA_FLAG_SHARE_READ) == 0) {
    return false;
  }
  if (((a | b) & TEE_DATA_FLAG_ACCESS_WRITE) != 0 && (both & TEE_DATA_FLAG_SHARE_WRITE) == 0) {
    return false;
  }
  return true;
}

Bytes to_bytes(ByteView v) {
  return Bytes(v.begin(), v.end());
}

}  // namespace

bool OwnerOpens::may_open(Namespace ns, ByteView id, uint32_t flags) const {
  auto it = objects_.find({ns, to_bytes(id)});
  if (it == objects_.end()) {
    return true;
  }
  return std::all_of(it->second->handle_flags.begin(), it->second->handle_flags.end(),
                     [flags](uint32_t other) { return compatible(flags, other); });
}

bool OwnerOpens::is_open(Namespace ns, ByteView id) const {
  return objects_.count({ns, to_bytes(id)}) != 0;
}

std::shared_ptr<OpenObject> OwnerOpens::add(Namespace ns, ByteView id, uint32_t flags) {
  auto &slot = objects_[{ns, to_bytes(id)}];
  if (!slot) {
    slot = std::make_shared<OpenObject>();
    slot->ns = ns;
    slot->id = to_bytes(id);
  }
  slot->handle_flags.push_back(flags);
  ++handles_;
  return slot;
}

void OwnerOpens::remove(const std::shared_ptr<OpenObject> &object, uint32_t flags) {
  auto &f = object->handle_flags;
  auto it = std::find(f.begin(), f.end(), flags);
  if (it == f.end()) {
    return;  // not recorded: nothing to forget
  }
  f.erase(it);
  --handles_;
  if (f.empty()) {
    objects_.erase({object->ns, object->id});
  }
}

void OwnerOpens::rename(const std::shared_ptr<OpenObject> &object, ByteView to) {
  auto node = objects_.extract({object->ns, object->id});
  object->id = to_bytes(to);
  if (!node.empty()) {
    node.key().second = object->id;
    objects_.insert(std::move(node));
  }
}

}  // namespace captee::tee::storage
