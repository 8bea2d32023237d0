// Which ObjectStore (captee/tee/storage/object_store.hpp) capteed keeps TAs'
// persistent objects in: the one place that choice is made.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "captee/tee/storage/object_store.hpp"

namespace captee::tee {

// Default --storage-quota: what one TA may keep (ids, attributes and data).
inline constexpr uint64_t kDefaultStorageQuota = uint64_t(16) << 20;

// The store for capteed started with `state_dir` (empty: none) and
// `quota_bytes` per TA (not 0: the memory store has no other bound on what a
// TA makes capteed keep). Today always the in-memory store, whatever
// `state_dir`. Null, with `*why` set, if the store cannot be opened.
std::shared_ptr<storage::ObjectStore> choose_object_store(const std::string &state_dir,
                                                          uint64_t quota_bytes, std::string *why);

}  // namespace captee::tee
