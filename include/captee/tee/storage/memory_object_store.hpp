// An ObjectStore (object_store.hpp) kept in capteed's memory: what capteed
// uses when it has no durable store, and what tests use. Nothing survives
// capteed; within its life it keeps every promise of the interface,
// including the quota, so a TA sees the same results as with the durable
// store (TEE_ERROR_STORAGE_NO_SPACE at the same point).
//
// Thread-safety: every member is thread-safe (one lock over all owners:
// each call is a few copies in memory).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <tuple>

#include "captee/tee/storage/object_store.hpp"

namespace captee::tee::storage {

class MemoryObjectStore final : public ObjectStore {
 public:
  // `quota_bytes`: the most one owner may keep, counting each object's id,
  // attributes and data stream (as OwnerUsage::bytes); 0 means no limit
  // beyond memory.
  explicit MemoryObjectStore(uint64_t quota_bytes = 0);

  StoreStatus create(const Owner &owner, Namespace ns, ByteView id, const ObjectMeta &meta,
                     ByteView attributes, ByteView data, bool overwrite) override;
  StoreStatus head(const Owner &owner, Namespace ns, ByteView id, ObjectHead *out) override;
  StoreStatus read(const Owner &owner, Namespace ns, ByteView id, uint64_t offset, size_t length,
                   Bytes *out) override;
  StoreStatus write(const Owner &owner, Namespace ns, ByteView id, uint64_t offset,
                    ByteView data) override;
  StoreStatus truncate(const Owner &owner, Namespace ns, ByteView id, uint64_t size) override;
  StoreStatus set_usage(const Owner &owner, Namespace ns, ByteView id, uint32_t usage) override;
  StoreStatus rename(const Owner &owner, Namespace ns, ByteView from, ByteView to) override;
  StoreStatus remove(const Owner &owner, Namespace ns, ByteView id) override;
  StoreStatus list(const Owner &owner, Namespace ns, std::vector<Bytes> *ids) override;
  StoreStatus usage(std::vector<OwnerUsage> *out) override;

 private:
  struct Object {
    ObjectMeta meta;
    Bytes attributes;
    Bytes data;
  };
  // (authority kind, uid, key, uuid): an Owner made comparable.
  using OwnerKey = std::tuple<uint8_t, uint64_t, std::string, apps::TaUuid>;
  struct OwnerObjects {
    Owner owner;
    uint64_t bytes = 0;  // as the quota counts them
    std::map<std::pair<Namespace, Bytes>, Object> objects;
  };

  static OwnerKey key_of(const Owner &owner);
  // The object, or nullptr (the owner's record is made on demand by
  // `objects_of`; lookups do not create it).
  Object *find(const Owner &owner, Namespace ns, ByteView id);
  OwnerObjects &objects_of(const Owner &owner);
  // Whether the owner may grow from `bytes` by `grow` bytes.
  bool fits(uint64_t bytes, uint64_t grow) const;

  const uint64_t quota_bytes_;
  std::mutex mu_;
  std::map<OwnerKey, OwnerObjects> owners_;
};

}  // namespace captee::tee::storage
