// Data streams of persistent objects (GP TEE Internal Core API 1.3.1 §5.9):
// TEE_ReadObjectData, TEE_WriteObjectData, TEE_TruncateObjectData,
// TEE_SeekObjectData. Each handle has its own data position, kept here;
// capteed sees offsets. A read larger than ITrustedStorage_MAX_TRANSFER goes
// in several calls; a write that large is staged in capteed and committed as
// one, so every write is atomic (decision 0031).
#include <algorithm>
#include <cstddef>

#include "ITrustedStorage.hpp"
#include "host_environment.hpp"
#include "storage.hpp"

using captee::gp_ta::closing_if_corrupt;
using captee::gp_ta::persistent_or_panic;
using captee::gp_ta::storage_result;

namespace {

// A handle opened without `access` (TEE_DATA_FLAG_ACCESS_*) used for it: a
// programming error GP makes a panic.
void require_access(const __TEE_ObjectHandle *o, uint32_t access) {
  if ((o->info.handleFlags & access) == 0) {
    TEE_Panic(TEE_ERROR_ACCESS_CONFLICT);
  }
}

void set_position(__TEE_ObjectHandle *o, uint64_t position) {
  o->data_position = position;
  o->info.dataPosition = static_cast<uint32_t>(position);  // never past TEE_DATA_MAX_POSITION
}

}  // namespace

extern "C" {

TEE_Result TEE_ReadObjectData(TEE_ObjectHandle object, void *buffer, size_t size, size_t *count) {
  __TEE_ObjectHandle *o = persistent_or_panic(object);
  if (count == nullptr || (buffer == nullptr && size != 0)) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  require_access(o, TEE_DATA_FLAG_ACCESS_READ);
  *count = 0;
  const captee::iface::ITrustedStorage s(captee::gp_ta::trusted_storage());
  if (!s) {
    return TEE_ERROR_STORAGE_NOT_AVAILABLE;
  }
  auto *out = static_cast<std::byte *>(buffer);
  size_t done = 0;
  while (done < size && o->data_position < TEE_DATA_MAX_POSITION) {
    const size_t chunk = std::min<size_t>(size - done, ITrustedStorage_MAX_TRANSFER);
    size_t got = 0;
    const TEE_Result r =
        storage_result(s.read(o->storage_handle, o->data_position, {out + done, chunk}, got));
    if (r != TEE_SUCCESS) {
      return closing_if_corrupt(o, r);
    }
    if (got > chunk) {
      return TEE_ERROR_STORAGE_NOT_AVAILABLE;  // capteed said it wrote past the buffer
    }
    done += got;
    set_position(o, o->data_position + got);
    if (got < chunk) {
      break;  // the end of the stream
    }
  }
  *count = done;
  return TEE_SUCCESS;
}

TEE_Result TEE_WriteObjectData(TEE_ObjectHandle object, const void *buffer, size_t size) {
  __TEE_ObjectHandle *o = persistent_or_panic(object);
  if (buffer == nullptr && size != 0) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  require_access(o, TEE_DATA_FLAG_ACCESS_WRITE);
  // GP: the stream may not grow past TEE_DATA_MAX_POSITION (the position
  // never exceeds it, so the subtraction cannot wrap).
  if (size > TEE_DATA_MAX_POSITION - o->data_position) {
    return TEE_ERROR_OVERFLOW;
  }
  const captee::iface::ITrustedStorage s(captee::gp_ta::trusted_storage());
  if (!s) {
    return TEE_ERROR_STORAGE_NOT_AVAILABLE;
  }
  // Writing nothing changes nothing, not even past the end (docs/GP.md).
  if (size == 0) {
    return TEE_SUCCESS;
  }
  const std::span<const std::byte> data(static_cast<const std::byte *>(buffer), size);
  TEE_Result r = TEE_SUCCESS;
  if (size <= ITrustedStorage_MAX_TRANSFER) {
    r = storage_result(s.write(o->storage_handle, o->data_position, data));
  } else {
    // Larger than one transfer: staged, then one atomic write.
    r = captee::gp_ta::stage_data(s, o->storage_handle, o->data_position, data);
    if (r == TEE_SUCCESS) {
      r = storage_result(s.stageCommit(o->storage_handle));
    }
  }
  if (r != TEE_SUCCESS) {
    return closing_if_corrupt(o, r);
  }
  set_position(o, o->data_position + size);
  return TEE_SUCCESS;
}

TEE_Result TEE_TruncateObjectData(TEE_ObjectHandle object, size_t size) {
  __TEE_ObjectHandle *o = persistent_or_panic(object);
  require_access(o, TEE_DATA_FLAG_ACCESS_WRITE);
  if (size > TEE_DATA_MAX_POSITION) {
    return TEE_ERROR_STORAGE_NO_SPACE;  // no stream may be that long
  }
  const captee::iface::ITrustedStorage s(captee::gp_ta::trusted_storage());
  if (!s) {
    return TEE_ERROR_STORAGE_NOT_AVAILABLE;
  }
  // The data position stays where it is, even past the new end (GP).
  return closing_if_corrupt(o, storage_result(s.truncate(o->storage_handle, size)));
}

TEE_Result TEE_SeekObjectData(TEE_ObjectHandle object, intmax_t offset, TEE_Whence whence) {
  __TEE_ObjectHandle *o = persistent_or_panic(object);
  int64_t base = 0;
  switch (whence) {
    case TEE_DATA_SEEK_SET:
      break;
    case TEE_DATA_SEEK_CUR:
      base = static_cast<int64_t>(o->data_position);
      break;
    case TEE_DATA_SEEK_END: {
      // The end now: another handle may have moved it.
      const TEE_Result r = captee::gp_ta::refresh_persistent_info(o);
      if (r != TEE_SUCCESS) {
        return r;
      }
      base = o->info.dataSize;
      break;
    }
    default:
      TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  int64_t target = 0;
  if (__builtin_add_overflow(base, static_cast<int64_t>(offset), &target)) {
    return TEE_ERROR_OVERFLOW;
  }
  if (target < 0) {
    target = 0;  // GP: a position before the start is the start
  }
  if (static_cast<uint64_t>(target) > TEE_DATA_MAX_POSITION) {
    return TEE_ERROR_OVERFLOW;  // the position is unchanged
  }
  set_position(o, static_cast<uint64_t>(target));
  return TEE_SUCCESS;
}

}  // extern "C"
