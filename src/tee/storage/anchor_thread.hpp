// The durable store's anchor thread (decision 0029): it writes the rollback
// root's intent to the RPMB while the caller's thread commits the same
// generation to SQLite, so a durable change waits for the slower of the two
// flushes instead of their sum; and once the store has been idle for a
// while it writes the confirmation of the last intent, off every caller's
// path. Internal to captee_tee_storage.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace captee::tee::storage::durable {

class AnchorThread {
 public:
  // `confirm_when_idle` runs on the thread once no commit has armed it for
  // `idle`; it returns false when it could not run yet (the store was busy),
  // and is then tried again after another `idle`.
  AnchorThread(std::chrono::milliseconds idle, std::function<bool()> confirm_when_idle);
  // Stops the thread after the write in progress, if any; a pending
  // confirmation is dropped (the store's destructor confirms itself).
  ~AnchorThread();
  AnchorThread(const AnchorThread &) = delete;
  AnchorThread &operator=(const AnchorThread &) = delete;

  // Runs `write` on the thread. At most one at a time: each start_write is
  // followed by finish_write, which waits for it and returns its result.
  void start_write(std::function<bool()> write);
  bool finish_write();
  // After a commit: the confirmation is due once the store stays idle for
  // `idle` from now (a later commit pushes it back).
  void arm_confirm();

 private:
  void run();

  const std::chrono::milliseconds idle_;
  const std::function<bool()> confirm_;
  std::mutex mu_;
  std::condition_variable wake_;      // the thread: a write, an armed confirmation, stop
  std::condition_variable finished_;  // finish_write: the write is done
  std::function<bool()> write_;
  bool write_done_ = false;
  bool write_ok_ = false;
  bool confirm_armed_ = false;
  std::chrono::steady_clock::time_point confirm_at_;
  bool stop_ = false;
  std::thread thread_;  // last: started once the members above exist
};

}  // namespace captee::tee::storage::durable
