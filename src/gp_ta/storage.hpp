// What the storage family's files (storage_*.cpp: GP TEE Internal Core API
// 1.3.1 §5.7 to §5.9) share: the way to capteed's ITrustedStorage
// (idl/ITrustedStorage.idl), its results as GP's, and how a persistent
// object's attributes are kept (storage_attributes.cpp).
//
// A persistent object is a live object of objects.hpp whose handleFlags
// have TEE_HANDLE_FLAG_PERSISTENT: its key (if any) is rebuilt from the
// stored attributes when it is opened, so operations use it as they use a
// transient one; `storage_handle` is capteed's number for the open handle.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "ITrustedStorage.hpp"
#include "objects.hpp"
#include "tee_internal_api.h"

namespace captee::gp_ta {

// The open flags GP defines for TEE_OpenPersistentObject, and with
// TEE_DATA_FLAG_OVERWRITE for TEE_CreatePersistentObject.
inline constexpr uint32_t kOpenFlags = TEE_DATA_FLAG_ACCESS_READ | TEE_DATA_FLAG_ACCESS_WRITE |
                                       TEE_DATA_FLAG_ACCESS_WRITE_META | TEE_DATA_FLAG_SHARE_READ |
                                       TEE_DATA_FLAG_SHARE_WRITE;
inline constexpr uint32_t kCreateFlags = kOpenFlags | TEE_DATA_FLAG_OVERWRITE;

// The ITrustedStorage namespace of a GP storage id: TEE_STORAGE_PRIVATE and
// TEE_STORAGE_PRIVATE_REE are one, TEE_STORAGE_PRIVATE_RPMB the other; false
// for any other id (the caller answers TEE_ERROR_ITEM_NOT_FOUND).
bool storage_namespace(uint32_t storage_id, uint32_t *ns);

// What every function that takes a storage id does first: the id's
// namespace into `*ns` and this TA's ITrustedStorage into `*s` (both left
// unchanged on failure). TEE_ERROR_ITEM_NOT_FOUND for a storage id GP does
// not define, TEE_ERROR_STORAGE_NOT_AVAILABLE when the TA runs without one.
TEE_Result storage_for(uint32_t storage_id, uint32_t *ns, captee::iface::ITrustedStorage *s);

// Sends `data` (more than ITrustedStorage_MAX_TRANSFER) to capteed as the
// stage of `handle` (ITrustedStorage_STAGE_CREATE for a create's data) at
// stream offset `offset`, in pieces of at most MAX_TRANSFER; the caller
// commits it (stageCommit or createStaged), which makes the whole of it one
// atomic store change. TEE_ERROR_STORAGE_NO_SPACE, sending nothing, past
// ITrustedStorage_MAX_STAGED; otherwise storage_result's results.
TEE_Result stage_data(const captee::iface::ITrustedStorage &s, uint32_t handle, uint64_t offset,
                      std::span<const std::byte> data);

// The GP result of an ITrustedStorage call's result. Results the runtime's
// own checks rule out (a bad handle, access the handle lacks, an invalid
// argument) panic the TA: they mean its state is broken. A transport error
// (capteed unreachable) is TEE_ERROR_STORAGE_NOT_AVAILABLE.
TEE_Result storage_result(int32_t r);

// The persistent object `handle` names; panics the TA if it names none or
// a transient object (GP: a persistent-only function given a transient
// handle panics).
__TEE_ObjectHandle *persistent_or_panic(TEE_ObjectHandle handle);

// Returns `r`, the result of a call on `o`'s handle, after GP's rule for
// TEE_ERROR_CORRUPT_OBJECT: the store has deleted the object and the handle
// is closed (`o` is freed).
TEE_Result closing_if_corrupt(__TEE_ObjectHandle *o, TEE_Result r);

// The attributes of `o` (a transient or persistent object, initialised) in
// the stored format (storage_attributes.cpp) into `*out`.
TEE_Result serialise_attributes(const __TEE_ObjectHandle *o, std::vector<uint8_t> *out);

// A new live object of `head`'s type, size and usage, its key rebuilt from
// `attributes` through the transient objects' population path; the caller
// makes it persistent. TEE_ERROR_CORRUPT_OBJECT if the bytes do not
// describe such a key.
TEE_Result object_from_attributes(const ITrustedStorage_Head &head,
                                  std::span<const uint8_t> attributes, __TEE_ObjectHandle **out);

}  // namespace captee::gp_ta
