// The durable store's seal thread (decision 0032): while the caller's thread
// puts a large write's chunks into SQLite, this thread seals the chunks
// after them, so the two costs (about 0.3 ms each per MiB on the test
// machine) overlap instead of adding. Internal to captee_tee_storage.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "captee/tee/storage/storage_crypto.hpp"

namespace captee::tee::storage::durable {

class SealThread {
 public:
  // One run: records 0..count-1, record i sealed by `sealer` with the AAD
  // aad(i) over the plaintext plain(i). `sealer` is the thread's alone for
  // the run (a Sealer is not thread-safe), and everything the functions
  // read must stay valid until finish() returns.
  struct Run {
    Sealer *sealer = nullptr;
    size_t count = 0;
    std::function<std::vector<uint8_t>(size_t)> aad;
    std::function<std::span<const uint8_t>(size_t)> plain;
  };

  SealThread();
  // Ends a run in progress (as finish()) and stops the thread.
  ~SealThread();
  SealThread(const SealThread &) = delete;
  SealThread &operator=(const SealThread &) = delete;

  // Starts `run` on the thread. At most one at a time: each start() is
  // followed by finish() before the next.
  void start(Run run);
  // Waits until record i is sealed and returns it, borrowed until finish();
  // nullptr if sealing failed at or before i.
  const std::vector<uint8_t> *wait_for(size_t i);
  // Stops the run early if it is not done and waits until the thread has
  // left it; the records are dropped. Always called, on every path, before
  // what the run reads goes away.
  void finish();

 private:
  void loop();

  std::mutex mu_;
  std::condition_variable wake_;      // the thread: a run, or stop
  std::condition_variable progress_;  // wait_for and finish: a record, or the run's end
  Run run_;
  std::vector<std::vector<uint8_t>> sealed_;
  size_t done_ = 0;  // records sealed so far
  bool failed_ = false;
  bool running_ = false;
  bool cancel_ = false;
  bool stop_ = false;
  std::thread thread_;  // last: started once the members above exist
};

}  // namespace captee::tee::storage::durable
