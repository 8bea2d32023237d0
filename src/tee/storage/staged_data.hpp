// The bytes of one staged write or create (idl/ITrustedStorage.idl,
// decision 0031): what a TA sends in pieces of at most MAX_TRANSFER, held
// in capteed until the binding makes it one store change. Internal to the
// ITrustedStorage binding (binding.cpp).
//
// Memory: the whole size is reserved when the stage begins (so pieces never
// reallocate and leave unwiped copies behind) and counted in the owner's
// staged total, which stays at most ITrustedStorage_MAX_STAGED, and in the
// total over all owners, which stays at most kMaxStagedAllTas. Destroying
// a stage wipes what it received and gives its size back to that total.
// Not thread-safe: the binding holds the owner's lock around every use,
// construction and destruction included.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "ITrustedStorage.h"
#include "captee/tee/storage/object_store.hpp"
#include "captee/tee/storage/storage_crypto.hpp"

namespace captee::tee::storage {

// What all TAs together may hold staged: four TAs at their own cap. The cap
// per TA bounds one TA; a user may load many TAs of their own (decision
// 0031), and this keeps capteed's memory bounded whatever is loaded.
inline constexpr uint64_t kMaxStagedAllTas = uint64_t{4} * ITrustedStorage_MAX_STAGED;

class StagedData {
 public:
  // A stage of `size` bytes through `handle` (ITrustedStorage_STAGE_CREATE
  // for a create) at `offset`, counted in `*owner_staged` (the owner's
  // total) and `*all_staged` (every owner's), which must outlive the stage.
  // Null when the owner's total would pass ITrustedStorage_MAX_STAGED, the
  // total over all owners kMaxStagedAllTas, or the memory cannot be had;
  // the caller checked that offset + size stays within kMaxDataPosition.
  static std::unique_ptr<StagedData> begin(uint64_t *owner_staged,
                                           std::atomic<uint64_t> *all_staged, uint32_t handle,
                                           uint64_t offset, uint64_t size);
  ~StagedData();
  StagedData(const StagedData &) = delete;
  StagedData &operator=(const StagedData &) = delete;

  uint32_t handle() const { return handle_; }
  // Where the staged bytes go in the object's stream.
  uint64_t offset() const { return offset_; }

  // Adds `piece`, sent for stream offset `at`: false (nothing added) unless
  // `at` is where the last piece ended and the piece stays within the size.
  bool append(uint64_t at, ByteView piece);

  // Whether every byte of the size has arrived.
  bool complete() const { return bytes_.size() == size_; }

  ByteView bytes() const { return bytes_.view(); }

 private:
  StagedData(uint64_t *owner_staged, std::atomic<uint64_t> *all_staged, uint32_t handle,
             uint64_t offset, uint64_t size)
      : owner_staged_(owner_staged),
        all_staged_(all_staged),
        handle_(handle),
        offset_(offset),
        size_(size) {}

  uint64_t *const owner_staged_;
  std::atomic<uint64_t> *const all_staged_;
  const uint32_t handle_;
  const uint64_t offset_;
  const uint64_t size_;
  bool counted_ = false;  // whether size_ is in *owner_staged_ and *all_staged_
  SecretBytes bytes_;
};

}  // namespace captee::tee::storage
