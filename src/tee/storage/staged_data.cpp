// One staged write's or create's bytes (staged_data.hpp).
#include "staged_data.hpp"

#include <new>

#include "ITrustedStorage.h"

namespace captee::tee::storage {

std::unique_ptr<StagedData> StagedData::begin(uint64_t *owner_staged, uint32_t handle,
                                              uint64_t offset, uint64_t size) {
  // The total never passes the cap, so the subtraction cannot wrap.
  if (*owner_staged > ITrustedStorage_MAX_STAGED ||
      size > ITrustedStorage_MAX_STAGED - *owner_staged) {
    return nullptr;
  }
  std::unique_ptr<StagedData> stage(new (std::nothrow)
                                        StagedData(owner_staged, handle, offset, size));
  if (!stage) {
    return nullptr;
  }
  try {
    stage->bytes_.raw().reserve(static_cast<size_t>(size));
  } catch (const std::bad_alloc &) {
    return nullptr;  // counted nothing yet: the destructor gives nothing back
  }
  *owner_staged += size;
  stage->counted_ = true;
  return stage;
}

StagedData::~StagedData() {
  bytes_.wipe();
  if (counted_) {
    *owner_staged_ -= size_;
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
