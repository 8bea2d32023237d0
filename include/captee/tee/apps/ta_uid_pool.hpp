// The uids TA hosts run as when capteed is root.
//
// A TA host that kept capteed's uid would share it with capteed and with
// every other TA: same-uid processes may signal and trace one another and
// read each other's /proc entries, so one confined TA would stand next to
// everything it must not reach. When capteed runs as root each TA host gets
// a uid of its own from a range no account uses (and the same number as its
// only group); the uid goes back to the pool when the process is reaped.
// Not used when capteed is not root: it cannot change uids, and the seccomp
// filter (sandbox.hpp) is then what keeps TAs apart.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace captee::tee::apps {

class TaUidPool {
 public:
  // Default range: high enough to stay clear of system and user accounts
  // and of systemd's dynamic users (61184-65519) and container ranges.
  static constexpr uid_t kDefaultBase = 1900000000;
  static constexpr uint32_t kDefaultCount = 4096;

  // Uids [base, base + count). count 0 or a range that wraps: an empty pool.
  TaUidPool(uid_t base, uint32_t count);

  // A free uid, or nullopt when all `count` are in use. Thread-safe.
  std::optional<uid_t> acquire();
  // Gives `uid` back; a uid outside the range or not in use is ignored.
  void release(uid_t uid);
  // Uids in use now.
  size_t in_use() const;

 private:
  uid_t base_;
  mutable std::mutex mu_;
  std::vector<bool> used_;
  size_t next_ = 0;  // round robin: a released uid is not handed out at once
  size_t in_use_ = 0;
};

// A uid taken from a pool for one process; gives it back when destroyed.
class TaUid {
 public:
  TaUid(std::shared_ptr<TaUidPool> pool, uid_t uid) : pool_(std::move(pool)), uid_(uid) {}
  ~TaUid() { pool_->release(uid_); }
  TaUid(const TaUid &) = delete;
  TaUid &operator=(const TaUid &) = delete;
  uid_t uid() const { return uid_; }

 private:
  std::shared_ptr<TaUidPool> pool_;
  uid_t uid_;
};

}  // namespace captee::tee::apps
