#include "captee/tee/apps/ta_uid_pool.hpp"

#include <limits>

namespace captee::tee::apps {

TaUidPool::TaUidPool(uid_t base, uint32_t count) : base_(base) {
  // (uid_t)-1 means "unchanged" to setresuid: the range must end below it.
  const uint64_t end = uint64_t(base) + count;
  if (end < std::numeric_limits<uid_t>::max()) {
    used_.assign(count, false);
  }
}

std::optional<uid_t> TaUidPool::acquire() {
  std::lock_guard lock(mu_);
  for (size_t i = 0; i < used_.size(); ++i) {
    const size_t slot = (next_ + i) % used_.size();
    if (!used_[slot]) {
      used_[slot] = true;
      next_ = (slot + 1) % used_.size();
      ++in_use_;
      return static_cast<uid_t>(base_ + slot);
    }
  }
  return std::nullopt;
}

void TaUidPool::release(uid_t uid) {
  std::lock_guard lock(mu_);
  if (uid < base_ || uid - base_ >= used_.size() || !used_[uid - base_]) {
    return;
  }
  used_[uid - base_] = false;
  --in_use_;
}

size_t TaUidPool::in_use() const {
  std::lock_guard lock(mu_);
  return in_use_;
}

}  // namespace captee::tee::apps
