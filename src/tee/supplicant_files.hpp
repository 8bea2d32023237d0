// The files of capteed's durable store as one captee-supplicant
// registration serves them (internal to captee_tee): the storage listener
// registered under CAPTEE_STORAGE_LISTENER_ID, called one request at a time
// and never waited for longer than a deadline (decision 0030).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "call_deadline.hpp"
#include "captee/tee/apps/listeners.hpp"
#include "captee/tee/storage/listener_vfs.hpp"

namespace captee::tee {

class SupplicantFiles final : public storage::FileListener {
 public:
  // `entry` is the registration found under CAPTEE_STORAGE_LISTENER_ID.
  // `limit` bounds each request; `log` (may be empty) gets one line when a
  // request outlives it. Throws std::system_error if the deadline's thread
  // cannot start.
  SupplicantFiles(apps::ListenerTable::Entry entry, std::chrono::milliseconds limit,
                  std::function<void(const std::string &)> log);

  // storage::FileListener. False, besides the listener's own failures, once
  // the registration is revoked: a request that outlived the limit revokes
  // it, and closes the connection of the supplicant's process (the listener
  // is its own object: make_listener_registry), which ends the request that
  // waits on it at once and every later one, so no late answer or late file
  // change is ever taken for this store's. A listener in capteed's own
  // process (tests) cannot be cut off: its request ends when it returns.
  bool call(storage::ByteView request, std::span<uint8_t> reply) override;

  // A request outlived the limit: this registration is dead for good.
  bool revoked() const { return revoked_->load(std::memory_order_acquire); }

  // Whether `cbo` is this registration's listener.
  bool is(const Ref &cbo) const;

 private:
  const apps::ListenerTable::Entry entry_;
  const std::chrono::milliseconds limit_;
  const std::function<void(const std::string &)> log_;
  // Shared with the expiry action, which may outlive a call.
  const std::shared_ptr<std::atomic<bool>> revoked_ = std::make_shared<std::atomic<bool>>(false);
  CallDeadline deadline_;
};

}  // namespace captee::tee
