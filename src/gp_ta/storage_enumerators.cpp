// Persistent object enumeration (GP TEE Internal Core API 1.3.1 §5.8): the
// four enumerator functions and TEE_GetNextPersistentObject. Starting takes
// the list of this TA's ids from capteed; each step asks for that object's
// head, skipping objects deleted since. Enumerator handles, like object
// handles, are small numbers a TA may keep in 32 bits.
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <vector>

#include "ITrustedStorage.hpp"
#include "host_environment.hpp"
#include "storage.hpp"

// The object a TEE_ObjectEnumHandle names (tee_api_types.h leaves it opaque).
struct __TEE_ObjectEnumHandle {
  bool started = false;
  uint32_t ns = 0;
  std::vector<std::vector<uint8_t>> ids;
  size_t next = 0;
};

namespace {

std::mutex g_mu;
std::map<uintptr_t, std::unique_ptr<__TEE_ObjectEnumHandle>> g_enumerators;
uintptr_t g_next_value = 1;
constexpr uintptr_t kValueLimit = uintptr_t(1) << 31;
// How much of the id list one ITrustedStorage.list call brings.
constexpr size_t kListChunk = 16384;

__TEE_ObjectEnumHandle *enumerator_or_panic(TEE_ObjectEnumHandle handle) {
  {
    std::lock_guard lock(g_mu);
    auto it = g_enumerators.find(reinterpret_cast<uintptr_t>(handle));
    if (handle != TEE_HANDLE_NULL && it != g_enumerators.end()) {
      return it->second.get();
    }
  }
  TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
}

// All of this TA's ids in `ns`, in capteed's order, into `*ids`.
TEE_Result list_ids(const captee::iface::ITrustedStorage &s, uint32_t ns,
                    std::vector<std::vector<uint8_t>> *ids) {
  std::vector<std::byte> chunk(kListChunk);
  uint32_t total = 0;
  do {
    size_t len = 0;
    const TEE_Result r = captee::gp_ta::storage_result(
        s.list(ns, static_cast<uint32_t>(ids->size()), chunk, len, total));
    if (r != TEE_SUCCESS) {
      return r;
    }
    const size_t before = ids->size();
    size_t pos = 0;
    while (pos < len && len <= chunk.size()) {
      const size_t n = static_cast<size_t>(chunk[pos]);
      if (n > TEE_OBJECT_ID_MAX_LEN || len - pos - 1 < n) {
        return TEE_ERROR_STORAGE_NOT_AVAILABLE;  // not what capteed sends
      }
      const auto *first = reinterpret_cast<const uint8_t *>(chunk.data() + pos + 1);
      ids->emplace_back(first, first + n);
      pos += 1 + n;
    }
    if (ids->size() == before) {
      break;  // nothing more came: the list shrank meanwhile
    }
  } while (ids->size() < total);
  return TEE_SUCCESS;
}

}  // namespace

extern "C" {

TEE_Result TEE_AllocatePersistentObjectEnumerator(TEE_ObjectEnumHandle *objectEnumerator) {
  if (objectEnumerator == nullptr) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  *objectEnumerator = TEE_HANDLE_NULL;
  auto e = std::unique_ptr<__TEE_ObjectEnumHandle>(new (std::nothrow) __TEE_ObjectEnumHandle);
  if (!e) {
    return TEE_ERROR_OUT_OF_MEMORY;
  }
  std::lock_guard lock(g_mu);
  while (g_enumerators.count(g_next_value) != 0) {
    g_next_value = g_next_value + 1 < kValueLimit ? g_next_value + 1 : 1;
  }
  const uintptr_t value = g_next_value;
  g_next_value = g_next_value + 1 < kValueLimit ? g_next_value + 1 : 1;
  try {
    g_enumerators.emplace(value, std::move(e));
  } catch (const std::bad_alloc &) {
    return TEE_ERROR_OUT_OF_MEMORY;
  }
  *objectEnumerator = reinterpret_cast<TEE_ObjectEnumHandle>(value);
  return TEE_SUCCESS;
}

void TEE_FreePersistentObjectEnumerator(TEE_ObjectEnumHandle objectEnumerator) {
  if (objectEnumerator == TEE_HANDLE_NULL) {
    return;
  }
  enumerator_or_panic(objectEnumerator);
  std::lock_guard lock(g_mu);
  g_enumerators.erase(reinterpret_cast<uintptr_t>(objectEnumerator));
}

void TEE_ResetPersistentObjectEnumerator(TEE_ObjectEnumHandle objectEnumerator) {
  __TEE_ObjectEnumHandle *e = enumerator_or_panic(objectEnumerator);
  e->started = false;
  e->ids.clear();
  e->next = 0;
}

TEE_Result TEE_StartPersistentObjectEnumerator(TEE_ObjectEnumHandle objectEnumerator,
                                               uint32_t storageID) {
  __TEE_ObjectEnumHandle *e = enumerator_or_panic(objectEnumerator);
  TEE_ResetPersistentObjectEnumerator(objectEnumerator);
  uint32_t ns = 0;
  captee::iface::ITrustedStorage s;
  TEE_Result r = captee::gp_ta::storage_for(storageID, &ns, &s);
  if (r != TEE_SUCCESS) {
    return r;
  }
  std::vector<std::vector<uint8_t>> ids;
  try {
    r = list_ids(s, ns, &ids);
  } catch (const std::bad_alloc &) {
    r = TEE_ERROR_OUT_OF_MEMORY;
  }
  if (r != TEE_SUCCESS) {
    return r;
  }
  if (ids.empty()) {
    return TEE_ERROR_ITEM_NOT_FOUND;  // GP: no object in this storage
  }
  e->ids = std::move(ids);
  e->ns = ns;
  e->started = true;
  return TEE_SUCCESS;
}

TEE_Result TEE_GetNextPersistentObject(TEE_ObjectEnumHandle objectEnumerator,
                                       TEE_ObjectInfo *objectInfo, void *objectID,
                                       size_t *objectIDLen) {
  __TEE_ObjectEnumHandle *e = enumerator_or_panic(objectEnumerator);
  if (objectID == nullptr || objectIDLen == nullptr) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  if (!e->started) {
    return TEE_ERROR_ITEM_NOT_FOUND;
  }
  const captee::iface::ITrustedStorage s(captee::gp_ta::trusted_storage());
  if (!s) {
    return TEE_ERROR_STORAGE_NOT_AVAILABLE;
  }
  while (e->next < e->ids.size()) {
    const std::vector<uint8_t> &id = e->ids[e->next++];
    ITrustedStorage_Head head{};
    const TEE_Result r = captee::gp_ta::storage_result(
        s.stat(e->ns, {reinterpret_cast<const std::byte *>(id.data()), id.size()}, head));
    if (r == TEE_ERROR_ITEM_NOT_FOUND) {
      continue;  // deleted since the enumeration started
    }
    if (r != TEE_SUCCESS) {
      return r;
    }
    if (objectInfo != nullptr) {
      *objectInfo = TEE_ObjectInfo{};
      objectInfo->objectType = head.objectType;
      objectInfo->objectSize = head.objectSize;
      objectInfo->maxObjectSize = head.objectSize;
      objectInfo->objectUsage = head.objectUsage;
      objectInfo->dataSize = static_cast<uint32_t>(head.dataSize);
      objectInfo->handleFlags = TEE_HANDLE_FLAG_PERSISTENT | TEE_HANDLE_FLAG_INITIALIZED;
    }
    // GP: the buffer holds TEE_OBJECT_ID_MAX_LEN bytes.
    if (!id.empty()) {
      std::memcpy(objectID, id.data(), id.size());
    }
    *objectIDLen = id.size();
    return TEE_SUCCESS;
  }
  return TEE_ERROR_ITEM_NOT_FOUND;
}

}  // extern "C"
