// One staged write's or create's bytes (staged_data.hpp).
#include "staged_data.hpp"

#include <new>

#include "ITrustedStorage.h"

namespace captee::tee::storage {

std::unique_ptr<StagedData> StagedData::begin(uint64_t *owner_staged,
                                              std::atomic<uint64_t> *all_staged, uint32_t handle,
                                              uint64_t offset, uint64_t size) {
  // The totals never pass their caps, so the subtractions cannot wrap.
  if (*owner_staged > ITrustedStorage_MAX_STAGED ||
      size > ITrustedStorage_MAX_STAGED - *owner_staged) {
    return nullptr;
  }
  // Other owners stage in parallel (each under its own lock): claim the
  // bytes in the shared total before taking the memory.
  uint64_t all = all_staged->load();
  do {
    if (all > kMaxStagedAllTas || size > kMaxStagedAllTas - all) {
      return nullptr;
    }
  } while (!all_staged->compare_exchange_weak(all, all + size));
  std::unique_ptr<StagedData> stage(new (std::nothrow)
                                        StagedData(owner_staged, all_staged, handle, offset, size));
  if (stage) {
    try {
      stage->bytes_.raw().reserve(static_cast<size_t>(size));
    } catch (const std::bad_alloc &) {
      stage.reset();  // counted nothing yet: the destructor gives nothing back
    }
  }
  if (!stage) {
    all_staged->fetch_sub(size);
    return nullptr;
  }
  *owner_staged += size;
  stage->counted_ = true;
  return stage;
}

StagedData::~StagedData() {
  bytes_.wipe();
  if (counted_) {
    *owner_staged_ -= size_;
    all_staged_->fetch_sub(size_);
  }
}

bool StagedData::append(uint64_t at, ByteView piece) {
  const uint64_t have = bytes_.size();
  // at == offset_ + have, written so that nothing can wrap: have <= size_,
  // and offset_ + size_ was checked against kMaxDataPosition.
  if (at < offset_ || at - offset_ != have || piece.size() > size_ - have) {
    return false;
  }
  // Within the reserved capacity: no reallocation, so no copy to wipe.
  bytes_.raw().insert(bytes_.raw().end(), piece.begin(), piece.end());
  return true;
}

}  // namespace captee::tee::storage
