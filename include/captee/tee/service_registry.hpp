// The services capteed can open, by class UID.
//
// IClientEnv.open(uid) looks the UID up here *after* the policy allowed the
// caller; the factory then makes (or shares) the service object for that
// caller. Built-in services (memory, diagnostics) are registered by the
// Daemon; other layers (the app loader, the GP app client, remote-processor
// control) register theirs the same way before the daemon starts serving.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "captee/object.hpp"
#include "captee/tee/credentials.hpp"

namespace captee::tee {

class ServiceRegistry {
 public:
  // Makes the service object for one caller. Returns a new reference, or a
  // null Ref if the service cannot serve (IClientEnv.open then answers
  // Object_ERROR). Called on a channel thread; must be thread-safe. It may
  // hand every caller the same object (return obj.ref()).
  using Factory = std::function<Ref(const ClientIdentity &)>;

  struct Entry {
    uint32_t uid = 0;
    std::string name;
    Factory factory;
  };

  // Registers `factory` under class `uid` with a human-readable `name` (used by
  // the policy and `captee services`). Returns false (and changes nothing) if
  // the uid is 0 (IOpener_INVALID_ID), already registered, or the name is
  // empty or already taken.
  // Thread-safety: all members are safe to call concurrently.
  bool add(uint32_t uid, std::string name, Factory factory);

  // The entry for `uid`, or nullopt.
  std::optional<Entry> find(uint32_t uid) const;
  // The uid registered under `name`, or nullopt.
  std::optional<uint32_t> uid_of(const std::string &name) const;
  // Every entry (factories included), by uid.
  std::vector<Entry> list() const;

 private:
  mutable std::mutex mu_;
  std::map<uint32_t, Entry> by_uid_;
};

}  // namespace captee::tee
