// The in-memory ObjectStore (memory_object_store.hpp).
#include "captee/tee/storage/memory_object_store.hpp"

#include <algorithm>

namespace captee::tee::storage {

namespace {

Bytes to_bytes(ByteView v) {
  return Bytes(v.begin(), v.end());
}

// The end of a write or truncation, if it stays within GP's largest stream.
bool end_within_limit(uint64_t offset, uint64_t length, uint64_t *end) {
  if (offset > kMaxDataPosition || length > kMaxDataPosition - offset) {
    return false;
  }
  *end = offset + length;
  return true;
}

}  // namespace

MemoryObjectStore::MemoryObjectStore(uint64_t quota_bytes) : quota_bytes_(quota_bytes) {}

MemoryObjectStore::OwnerKey MemoryObjectStore::key_of(const Owner &owner) {
  return {static_cast<uint8_t>(owner.authority.kind), uint64_t(owner.authority.uid),
          owner.authority.key, owner.uuid};
}

MemoryObjectStore::Object *MemoryObjectStore::find(const Owner &owner, Namespace ns, ByteView id) {
  auto o = owners_.find(key_of(owner));
  if (o == owners_.end()) {
    return nullptr;
  }
  auto it = o->second.objects.find({ns, to_bytes(id)});
  return it == o->second.objects.end() ? nullptr : &it->second;
}

MemoryObjectStore::OwnerObjects &MemoryObjectStore::objects_of(const Owner &owner) {
  auto [it, inserted] = owners_.try_emplace(key_of(owner));
  if (inserted) {
    it->second.owner = owner;
  }
  return it->second;
}

bool MemoryObjectStore::fits(uint64_t bytes, uint64_t grow) const {
  return quota_bytes_ == 0 || (grow <= quota_bytes_ && bytes <= quota_bytes_ - grow);
}

StoreStatus MemoryObjectStore::create(const Owner &owner, Namespace ns, ByteView id,
                                      const ObjectMeta &meta, ByteView attributes, ByteView data,
                                      bool overwrite) {
  if (id.size() > kMaxObjectIdLength || data.size() > kMaxDataPosition) {
    return StoreStatus::kInvalid;
  }
  std::lock_guard lock(mu_);
  OwnerObjects &mine = objects_of(owner);
  auto key = std::make_pair(ns, to_bytes(id));
  auto old = mine.objects.find(key);
  uint64_t freed = 0;
  if (old != mine.objects.end()) {
    if (!overwrite) {
      return StoreStatus::kExists;
    }
    freed = id.size() + old->second.attributes.size() + old->second.data.size();
  }
  // All three are bounded (id 64 bytes, the others by a message), so the sum
  // cannot wrap.
  const uint64_t need = uint64_t(id.size()) + attributes.size() + data.size();
  if (!fits(mine.bytes - freed, need)) {
    return StoreStatus::kNoSpace;
  }
  Object fresh{meta, to_bytes(attributes), to_bytes(data)};
  mine.objects.insert_or_assign(std::move(key), std::move(fresh));
  mine.bytes = mine.bytes - freed + need;
  return StoreStatus::kOk;
}

StoreStatus MemoryObjectStore::head(const Owner &owner, Namespace ns, ByteView id,
                                    ObjectHead *out) {
  std::lock_guard lock(mu_);
  const Object *o = find(owner, ns, id);
  if (o == nullptr) {
    return StoreStatus::kNotFound;
  }
  out->meta = o->meta;
  out->attributes = o->attributes;
  out->data_size = o->data.size();
  return StoreStatus::kOk;
}

StoreStatus MemoryObjectStore::read(const Owner &owner, Namespace ns, ByteView id, uint64_t offset,
                                    size_t length, Bytes *out) {
  std::lock_guard lock(mu_);
  const Object *o = find(owner, ns, id);
  if (o == nullptr) {
    return StoreStatus::kNotFound;
  }
  out->clear();
  if (offset < o->data.size()) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(length, o->data.size() - offset));
    out->assign(o->data.begin() + static_cast<ptrdiff_t>(offset),
                o->data.begin() + static_cast<ptrdiff_t>(offset + n));
  }
  return StoreStatus::kOk;
}

StoreStatus MemoryObjectStore::write(const Owner &owner, Namespace ns, ByteView id, uint64_t offset,
                                     ByteView data) {
  uint64_t end = 0;
  if (!end_within_limit(offset, data.size(), &end)) {
    return StoreStatus::kInvalid;
  }
  std::lock_guard lock(mu_);
  Object *o = find(owner, ns, id);
  if (o == nullptr) {
    return StoreStatus::kNotFound;
  }
  OwnerObjects &mine = objects_of(owner);
  const uint64_t grow = end > o->data.size() ? end - o->data.size() : 0;
  if (!fits(mine.bytes, grow)) {
    return StoreStatus::kNoSpace;
  }
  if (end > o->data.size()) {
    o->data.resize(static_cast<size_t>(end), 0);  // the gap reads as zeros
  }
  std::copy(data.begin(), data.end(), o->data.begin() + static_cast<ptrdiff_t>(offset));
  mine.bytes += grow;
  return StoreStatus::kOk;
}

StoreStatus MemoryObjectStore::truncate(const Owner &owner, Namespace ns, ByteView id,
                                        uint64_t size) {
  if (size > kMaxDataPosition) {
    return StoreStatus::kInvalid;
  }
  std::lock_guard lock(mu_);
  Object *o = find(owner, ns, id);
  if (o == nullptr) {
    return StoreStatus::kNotFound;
  }
  OwnerObjects &mine = objects_of(owner);
  const uint64_t old = o->data.size();
  if (size > old && !fits(mine.bytes, size - old)) {
    return StoreStatus::kNoSpace;
  }
  o->data.resize(static_cast<size_t>(size), 0);
  mine.bytes = mine.bytes - old + size;
  return StoreStatus::kOk;
}

StoreStatus MemoryObjectStore::set_usage(const Owner &owner, Namespace ns, ByteView id,
                                         uint32_t usage) {
  std::lock_guard lock(mu_);
  Object *o = find(owner, ns, id);
  if (o == nullptr) {
    return StoreStatus::kNotFound;
  }
  o->meta.object_usage = usage;
  return StoreStatus::kOk;
}

StoreStatus MemoryObjectStore::rename(const Owner &owner, Namespace ns, ByteView from,
                                      ByteView to) {
  if (to.size() > kMaxObjectIdLength) {
    return StoreStatus::kInvalid;
  }
  std::lock_guard lock(mu_);
  if (find(owner, ns, from) == nullptr) {
    return StoreStatus::kNotFound;
  }
  OwnerObjects &mine = objects_of(owner);
  if (mine.objects.count({ns, to_bytes(to)}) != 0) {
    return StoreStatus::kExists;
  }
  // The id counts towards the quota: a longer one may not fit.
  const uint64_t grow = to.size() > from.size() ? to.size() - from.size() : 0;
  if (!fits(mine.bytes, grow)) {
    return StoreStatus::kNoSpace;
  }
  auto node = mine.objects.extract({ns, to_bytes(from)});
  node.key().second = to_bytes(to);
  mine.objects.insert(std::move(node));
  mine.bytes = mine.bytes - from.size() + to.size();
  return StoreStatus::kOk;
}

StoreStatus MemoryObjectStore::remove(const Owner &owner, Namespace ns, ByteView id) {
  std::lock_guard lock(mu_);
  auto o = owners_.find(key_of(owner));
  if (o == owners_.end()) {
    return StoreStatus::kNotFound;
  }
  auto it = o->second.objects.find({ns, to_bytes(id)});
  if (it == o->second.objects.end()) {
    return StoreStatus::kNotFound;
  }
  o->second.bytes -= id.size() + it->second.attributes.size() + it->second.data.size();
  o->second.objects.erase(it);
  if (o->second.objects.empty()) {
    owners_.erase(o);
  }
  return StoreStatus::kOk;
}

StoreStatus MemoryObjectStore::list(const Owner &owner, Namespace ns, std::vector<Bytes> *ids) {
  std::lock_guard lock(mu_);
  ids->clear();
  auto o = owners_.find(key_of(owner));
  if (o == owners_.end()) {
    return StoreStatus::kOk;
  }
  for (const auto &[key, object] : o->second.objects) {
    if (key.first == ns) {
      ids->push_back(key.second);
    }
  }
  return StoreStatus::kOk;
}

StoreStatus MemoryObjectStore::usage(std::vector<OwnerUsage> *out) {
  std::lock_guard lock(mu_);
  out->clear();
  for (const auto &[key, mine] : owners_) {
    if (mine.objects.empty()) {
      continue;  // made by a call that then failed
    }
    out->push_back({mine.owner, mine.objects.size(), mine.bytes});
  }
  return StoreStatus::kOk;
}

}  // namespace captee::tee::storage
