// What "capteed is back to normal" means, for the hostile and chaos suites:
// its counters (connections, objects, memory objects and bytes, TAs,
// callbacks in flight) and its open descriptors are back at the baseline
// taken when it was quiet, `captee stats --json` says the same, and a
// well-behaved client is served correctly.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "../tee/tee_harness.hpp"
#include "CDiagnostics.h"
#include "CMemoryService.h"
#include "IClientEnv.hpp"
#include "IDiagnosticsCaptee.hpp"
#include "IMemoryService.hpp"
#include "captee/memory.hpp"

namespace captee::test {

struct Baseline {
  IDiagnosticsCaptee_Counters counters{};
  size_t fds = 0;
  size_t threads = 0;
  nlohmann::json cli;  // `captee stats --json` (its connection counts itself)
  bool quiet = false;  // reached: nothing else connected, steady descriptors
  // Connections that belong to capteed's normal state (a storage
  // supplicant's), besides the asking one.
  unsigned standing = 0;
};

inline nlohmann::json cli_stats(const std::string &cli_path, const std::string &socket) {
  auto [rc, out] = run_capture(cli_path + " --socket " + socket + " stats --json");
  return rc == 0 ? nlohmann::json::parse(out, nullptr, false) : nlohmann::json();
}

inline bool same(const IDiagnosticsCaptee_Counters &a, const IDiagnosticsCaptee_Counters &b) {
  return a.connections == b.connections && a.objects == b.objects &&
         a.memoryObjects == b.memoryObjects && a.memoryBytes == b.memoryBytes && a.tas == b.tas &&
         a.callbacksInFlight == b.callbacksInFlight;
}

inline std::string describe(const IDiagnosticsCaptee_Counters &c) {
  return "connections " + std::to_string(c.connections) + ", objects " + std::to_string(c.objects) +
         ", memory objects " + std::to_string(c.memoryObjects) + " (" +
         std::to_string(c.memoryBytes) + " bytes), TAs " + std::to_string(c.tas) +
         ", callbacks in flight " + std::to_string(c.callbacksInFlight);
}

// Waits until capteed is quiet (no connection but the asking one, no
// callback running, a steady descriptor count) and records that state. The
// descriptors are counted while this process has no connection open, so
// they are what an idle capteed holds.
inline Baseline quiet_baseline(pid_t pid, const std::string &socket, const std::string &cli_path,
                               unsigned standing = 0) {
  Baseline b;
  b.standing = standing;
  b.quiet =
      eventually(
          [&] {
            b.cli = cli_stats(cli_path, socket);
            return b.cli.is_object() && b.cli["connections"] == 1 + standing &&
                   b.cli["objects"] >= 1;
          },
          30000) &&
      eventually(
          [&] {
            b.counters = counters_at(socket);
            return b.counters.connections == 1 + standing && b.counters.callbacksInFlight == 0;
          },
          30000) &&
      eventually(
          [&] {
            size_t before = fd_count(pid);
            size_t threads_before = thread_count(pid);
            std::this_thread::sleep_for(std::chrono::milliseconds(300));
            b.fds = fd_count(pid);
            b.threads = thread_count(pid);
            return b.fds > 0 && before == b.fds && b.threads > 0 && threads_before == b.threads;
          },
          30000);
  return b;
}

// A well-behaved client's whole round: register, open memory and
// diagnostics, allocate shared memory, map it, write and read it back, ask
// the pool and the service list. Returns "" or what went wrong.
inline std::string serve_well_behaved(const std::string &socket) {
  std::string why;
  Ref root = connect(socket, {}, &why);
  if (root.is_null()) {
    return "cannot connect: " + why;
  }
  Ref env, mem_ref, diag_ref, m;
  if (iface::IClientEnv(root).registerAsClient(Ref(), env) != Object_OK) {
    return "registerAsClient failed";
  }
  if (iface::IClientEnv(env).open(CMemoryService_UID, mem_ref) != Object_OK ||
      iface::IClientEnv(env).open(CDiagnostics_UID, diag_ref) != Object_OK) {
    return "open failed";
  }
  iface::IMemoryService mem(mem_ref);
  if (mem.allocate(IMemoryService_POOL_SHARED, 8192,
                   IMemoryService_RIGHT_READ | IMemoryService_RIGHT_WRITE, m) != Object_OK) {
    return "allocate failed";
  }
  auto map = Mapping::map(m.get(), FdObject::kRead | FdObject::kWrite);
  if (!map || map->bytes().size() != 8192) {
    return "the memory object does not map";
  }
  std::memcpy(map->bytes().data(), "well-behaved", 12);
  IMemoryService_ObjectInfo info{};
  if (mem.queryObject(m, info) != Object_OK || info.size != 8192) {
    return "queryObject failed";
  }
  if (std::memcmp(map->bytes().data(), "well-behaved", 12) != 0) {
    return "the memory does not hold what was written";
  }
  std::vector<std::byte> json(4096);
  size_t len = 0;
  if (iface::IDiagnosticsCaptee(diag_ref).queryServicesJson(json, len) != Object_OK ||
      std::string(reinterpret_cast<const char *>(json.data()), len).find("\"memory\"") ==
          std::string::npos) {
    return "the service list is wrong";
  }
  return "";
}

// The end of every hostile case: capteed serves a well-behaved client and
// is back at `base`, by its counters, by `captee stats --json` and by its
// descriptors. `tas` is the TA count expected (loaded ones that stay).
inline void expect_back_to_baseline(pid_t pid, const std::string &socket, const Baseline &base,
                                    const std::string &cli_path) {
  EXPECT_EQ(serve_well_behaved(socket), "");
  IDiagnosticsCaptee_Counters now{};
  EXPECT_TRUE(eventually(
      [&] {
        now = counters_at(socket);
        return same(now, base.counters);
      },
      30000))
      << "now: " << describe(now) << "\nbaseline: " << describe(base.counters);
  EXPECT_TRUE(eventually([&] { return fd_count(pid) == base.fds; }, 30000))
      << fd_count(pid) << " descriptors open in capteed, " << base.fds << " at the baseline";
  EXPECT_TRUE(eventually([&] { return thread_count(pid) == base.threads; }, 30000))
      << thread_count(pid) << " threads in capteed, " << base.threads << " at the baseline";
  nlohmann::json j;
  EXPECT_TRUE(eventually(
      [&] {
        j = cli_stats(cli_path, socket);
        return j.is_object() && j["connections"] == 1 + base.standing &&
               j["objects"] == base.cli["objects"];
      },
      30000))
      << j.dump() << "\nbaseline: " << base.cli.dump();
  if (j.is_object()) {
    for (const char *k :
         {"objects", "memory_objects", "memory_bytes", "tas", "callbacks_in_flight"}) {
      EXPECT_EQ(j[k], base.cli[k]) << k;
    }
  }
}

}  // namespace captee::test
