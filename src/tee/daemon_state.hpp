// What the daemon's objects share: options, policy, registry, counters and
// the live connections. Internal to src/tee.
#pragma once

#include <atomic>
#include <chrono>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "captee/channel.hpp"
#include "captee/tee/daemon.hpp"

namespace captee::tee {

struct Daemon::State {
  DaemonOptions opts;
  ServiceRegistry registry;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();

  std::atomic<uint64_t> connections{0};
  std::atomic<uint64_t> connections_accepted{0};
  std::atomic<uint64_t> memory_objects{0};
  std::atomic<uint64_t> memory_bytes{0};
  std::atomic<uint64_t> private_objects{0};
  std::atomic<uint64_t> private_bytes{0};
  std::atomic<uint64_t> shared_allocated_total{0};
  std::atomic<uint64_t> callbacks_in_flight{0};
  std::function<uint64_t()> ta_count;
  std::function<std::vector<std::string>()> ta_names;
  TaAdmin ta_admin;

  std::mutex channels_mu;
  std::list<std::weak_ptr<Channel>> channels;

  std::unique_ptr<Listener> listener;
  std::atomic<bool> stopping{false};

  Ref memory_service;  // shared by every client
  std::mutex diagnostics_mu;
  std::map<uid_t, Ref> diagnostics;  // one per uid (a few: uids are the system's)

  // Counts one capteed -> client invoke for as long as it lives.
  struct InFlight {
    explicit InFlight(State &s) : s_(s) { s_.callbacks_in_flight.fetch_add(1); }
    ~InFlight() { s_.callbacks_in_flight.fetch_sub(1); }
    InFlight(const InFlight &) = delete;
    InFlight &operator=(const InFlight &) = delete;
    State &s_;
  };

  void log(LogLevel level, const std::string &line) const;
  DaemonStats stats();
  std::string services_json() const;
};

}  // namespace captee::tee
