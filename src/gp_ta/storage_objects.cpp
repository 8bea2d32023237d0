// Persistent objects (GP TEE Internal Core API 1.3.1 §5.7):
// TEE_OpenPersistentObject, TEE_CreatePersistentObject,
// TEE_CloseAndDeletePersistentObject(1), TEE_RenamePersistentObject, and
// the persistent side of TEE_CloseObject, TEE_GetObjectInfo1 and
// TEE_RestrictObjectUsage1 (objects.cpp calls them). capteed applies the
// access and sharing rules across all of this TA's handles
// (idl/ITrustedStorage.idl); the runtime checks what GP makes a panic
// before asking it.
#include <openssl/crypto.h>

#include <array>
#include <cstring>
#include <new>
#include <vector>

#include "ITrustedStorage.hpp"
#include "host_environment.hpp"
#include "storage.hpp"

using captee::gp_ta::persistent_or_panic;

namespace captee::gp_ta {

namespace {

// An object id copied out of the TA's memory before anything reads it: it
// may sit in memory a client shares, and change between a check and a use.
struct ObjectId {
  std::array<uint8_t, TEE_OBJECT_ID_MAX_LEN> bytes{};
  size_t size = 0;

  std::span<const std::byte> view() const {
    return {reinterpret_cast<const std::byte *>(bytes.data()), size};
  }
};

// GP: an id longer than TEE_OBJECT_ID_MAX_LEN, or a NULL one with a length,
// panics the TA.
ObjectId copy_id_or_panic(const void *id, size_t len) {
  if (len > TEE_OBJECT_ID_MAX_LEN || (id == nullptr && len != 0)) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  ObjectId out;
  if (len != 0) {
    std::memcpy(out.bytes.data(), id, len);
  }
  out.size = len;
  return out;
}

void wipe(std::vector<uint8_t> *bytes) {
  if (!bytes->empty()) {
    OPENSSL_cleanse(bytes->data(), bytes->size());
  }
}

// Fills in what GP's TEE_ObjectInfo says of a newly opened persistent
// object and makes it persistent.
void make_persistent(__TEE_ObjectHandle *o, uint32_t storage_handle, uint32_t flags,
                     uint64_t data_size) {
  o->storage_handle = storage_handle;
  o->data_position = 0;
  o->info.maxObjectSize = o->info.objectSize;  // GP: a persistent object's is its size
  o->info.dataSize = static_cast<uint32_t>(data_size);
  o->info.dataPosition = 0;
  o->info.handleFlags = TEE_HANDLE_FLAG_PERSISTENT | TEE_HANDLE_FLAG_INITIALIZED | flags;
}

}  // namespace

void close_persistent(__TEE_ObjectHandle *o) {
  if (const captee::iface::ITrustedStorage s(captee::gp_ta::trusted_storage()); s) {
    (void)s.close(o->storage_handle);  // a handle capteed lost is closed already
  }
  free_object(o);
}

TEE_Result refresh_persistent_info(__TEE_ObjectHandle *o) {
  const captee::iface::ITrustedStorage s(captee::gp_ta::trusted_storage());
  if (!s) {
    return TEE_ERROR_STORAGE_NOT_AVAILABLE;
  }
  ITrustedStorage_Head head{};
  const TEE_Result r = closing_if_corrupt(o, storage_result(s.getHead(o->storage_handle, head)));
  if (r == TEE_SUCCESS) {
    o->info.dataSize = static_cast<uint32_t>(head.dataSize);
    o->info.dataPosition = static_cast<uint32_t>(o->data_position);
  }
  return r;
}

TEE_Result restrict_persistent_usage(__TEE_ObjectHandle *o, uint32_t usage) {
  const captee::iface::ITrustedStorage s(captee::gp_ta::trusted_storage());
  if (!s) {
    return TEE_ERROR_STORAGE_NOT_AVAILABLE;
  }
  const TEE_Result r =
      closing_if_corrupt(o, storage_result(s.restrictUsage(o->storage_handle, usage)));
  if (r == TEE_SUCCESS) {
    o->info.objectUsage &= usage;
  }
  return r;
}

}  // namespace captee::gp_ta

using captee::gp_ta::copy_id_or_panic;
using captee::gp_ta::storage_result;

extern "C" {

TEE_Result TEE_OpenPersistentObject(uint32_t storageID, const void *objectID, size_t objectIDLen,
                                    uint32_t flags, TEE_ObjectHandle *object) {
  if (object == nullptr || (flags & ~captee::gp_ta::kOpenFlags) != 0) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  *object = TEE_HANDLE_NULL;
  const auto id = copy_id_or_panic(objectID, objectIDLen);
  uint32_t ns = 0;
  captee::iface::ITrustedStorage s;
  if (const TEE_Result r = captee::gp_ta::storage_for(storageID, &ns, &s); r != TEE_SUCCESS) {
    return r;
  }
  std::vector<uint8_t> attributes;
  try {
    attributes.resize(ITrustedStorage_MAX_ATTRIBUTES);
  } catch (const std::bad_alloc &) {
    return TEE_ERROR_OUT_OF_MEMORY;
  }
  uint32_t handle = 0;
  ITrustedStorage_Head head{};
  size_t attributes_len = 0;
  TEE_Result r = storage_result(s.open(
      ns, id.view(), flags, handle, head,
      {reinterpret_cast<std::byte *>(attributes.data()), attributes.size()}, attributes_len));
  if (r != TEE_SUCCESS) {
    return r;
  }
  __TEE_ObjectHandle *o = nullptr;
  r = captee::gp_ta::object_from_attributes(
      head, std::span<const uint8_t>(attributes.data(), attributes_len), &o);
  captee::gp_ta::wipe(&attributes);
  if (r != TEE_SUCCESS) {
    (void)s.close(handle);
    return r;
  }
  captee::gp_ta::make_persistent(o, handle, flags, head.dataSize);
  *object = reinterpret_cast<TEE_ObjectHandle>(o->handle_value);
  return TEE_SUCCESS;
}

TEE_Result TEE_CreatePersistentObject(uint32_t storageID, const void *objectID, size_t objectIDLen,
                                      uint32_t flags, TEE_ObjectHandle attributes,
                                      const void *initialData, size_t initialDataLen,
                                      TEE_ObjectHandle *object) {
  if ((flags & ~captee::gp_ta::kCreateFlags) != 0 ||
      (initialData == nullptr && initialDataLen != 0)) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  if (object != nullptr) {
    *object = TEE_HANDLE_NULL;
  }
  const auto id = copy_id_or_panic(objectID, objectIDLen);
  // GP: the attributes come from an initialised object, transient or
  // persistent; TEE_HANDLE_NULL makes a pure data object.
  const __TEE_ObjectHandle *from = nullptr;
  if (attributes != TEE_HANDLE_NULL) {
    from = captee::gp_ta::object_or_panic(attributes);
    if ((from->info.handleFlags & TEE_HANDLE_FLAG_INITIALIZED) == 0) {
      TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
    }
  }
  uint32_t ns = 0;
  captee::iface::ITrustedStorage s;
  if (const TEE_Result r = captee::gp_ta::storage_for(storageID, &ns, &s); r != TEE_SUCCESS) {
    return r;
  }
  ITrustedStorage_Head meta{};
  meta.objectType = TEE_TYPE_DATA;
  meta.objectUsage = 0xFFFFFFFF;
  std::vector<uint8_t> bytes;
  if (from != nullptr) {
    meta.objectType = from->info.objectType;
    meta.objectSize = from->info.objectSize;
    meta.maxObjectSize =
        captee::gp_ta::is_persistent(from) ? from->info.objectSize : from->info.maxObjectSize;
    meta.objectUsage = from->info.objectUsage;
    const TEE_Result r = captee::gp_ta::serialise_attributes(from, &bytes);
    if (r != TEE_SUCCESS) {
      captee::gp_ta::wipe(&bytes);
      return r == TEE_ERROR_OUT_OF_MEMORY ? r : TEE_ERROR_GENERIC;
    }
  }
  uint32_t handle = 0;
  const std::span<const std::byte> stored(reinterpret_cast<const std::byte *>(bytes.data()),
                                          bytes.size());
  const std::span<const std::byte> data(static_cast<const std::byte *>(initialData),
                                        initialDataLen);
  TEE_Result r = TEE_SUCCESS;
  if (initialDataLen <= ITrustedStorage_MAX_TRANSFER) {
    r = storage_result(s.create(ns, id.view(), flags, meta, stored, data, handle));
  } else {
    // More than one transfer: staged, then one atomic create.
    r = captee::gp_ta::stage_data(s, ITrustedStorage_STAGE_CREATE, 0, data);
    if (r == TEE_SUCCESS) {
      r = storage_result(s.createStaged(ns, id.view(), flags, meta, stored, handle));
    }
  }
  if (r != TEE_SUCCESS) {
    captee::gp_ta::wipe(&bytes);
    return r;
  }
  // The new handle's object: its key rebuilt from what was stored, as an
  // open would, so both paths give the same object.
  __TEE_ObjectHandle *o = nullptr;
  r = captee::gp_ta::object_from_attributes(meta, bytes, &o);
  captee::gp_ta::wipe(&bytes);
  if (r != TEE_SUCCESS) {
    (void)s.close(handle);
    return r == TEE_ERROR_CORRUPT_OBJECT ? TEE_ERROR_GENERIC : r;
  }
  const uint32_t open_flags = flags & captee::gp_ta::kOpenFlags;
  captee::gp_ta::make_persistent(o, handle, open_flags, initialDataLen);
  if (object == nullptr) {
    captee::gp_ta::close_persistent(o);  // GP 1.2: a NULL object closes it at once
  } else {
    *object = reinterpret_cast<TEE_ObjectHandle>(o->handle_value);
  }
  return TEE_SUCCESS;
}

TEE_Result TEE_CloseAndDeletePersistentObject1(TEE_ObjectHandle object) {
  if (object == TEE_HANDLE_NULL) {
    return TEE_SUCCESS;  // the specification's no-op, not a deletion
  }
  __TEE_ObjectHandle *o = persistent_or_panic(object);
  if ((o->info.handleFlags & TEE_DATA_FLAG_ACCESS_WRITE_META) == 0) {
    TEE_Panic(TEE_ERROR_ACCESS_CONFLICT);
  }
  const captee::iface::ITrustedStorage s(captee::gp_ta::trusted_storage());
  TEE_Result r = TEE_ERROR_STORAGE_NOT_AVAILABLE;
  if (s) {
    // capteed closes its handle whatever the outcome.
    r = storage_result(s.closeAndDelete(o->storage_handle));
  }
  captee::gp_ta::free_object(o);
  return r == TEE_ERROR_CORRUPT_OBJECT ? TEE_SUCCESS : r;  // a corrupt object is deleted too
}

void TEE_CloseAndDeletePersistentObject(TEE_ObjectHandle object) {
  (void)TEE_CloseAndDeletePersistentObject1(object);
}

TEE_Result TEE_RenamePersistentObject(TEE_ObjectHandle object, const void *newObjectID,
                                      size_t newObjectIDLen) {
  __TEE_ObjectHandle *o = persistent_or_panic(object);
  if ((o->info.handleFlags & TEE_DATA_FLAG_ACCESS_WRITE_META) == 0) {
    TEE_Panic(TEE_ERROR_ACCESS_CONFLICT);
  }
  const auto id = copy_id_or_panic(newObjectID, newObjectIDLen);
  const captee::iface::ITrustedStorage s(captee::gp_ta::trusted_storage());
  if (!s) {
    return TEE_ERROR_STORAGE_NOT_AVAILABLE;
  }
  return captee::gp_ta::closing_if_corrupt(o,
                                           storage_result(s.rename(o->storage_handle, id.view())));
}

}  // extern "C"
