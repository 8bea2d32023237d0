#include "captee/tee/service_registry.hpp"

namespace captee::tee {

bool ServiceRegistry::add(uint32_t uid, std::string name, Factory factory) {
  std::lock_guard lk(mu_);
  if (uid == 0 || name.empty() || !factory || by_uid_.count(uid) != 0) {
    return false;
  }
  for (const auto &[u, e] : by_uid_) {
    if (e.name == name) {
      return false;
    }
  }
  by_uid_[uid] = Entry{uid, std::move(name), std::move(factory)};
  return true;
}

std::optional<ServiceRegistry::Entry> ServiceRegistry::find(uint32_t uid) const {
  std::lock_guard lk(mu_);
  auto it = by_uid_.find(uid);
  if (it == by_uid_.end()) {
    return std::nullopt;
  }
  return it->second;
}

std::optional<uint32_t> ServiceRegistry::uid_of(const std::string &name) const {
  std::lock_guard lk(mu_);
  for (const auto &[u, e] : by_uid_) {
    if (e.name == name) {
      return u;
    }
  }
  return std::nullopt;
}

std::vector<ServiceRegistry::Entry> ServiceRegistry::list() const {
  std::lock_guard lk(mu_);
  std::vector<Entry> out;
  for (const auto &[u, e] : by_uid_) {
    out.push_back(e);
  }
  return out;
}

}  // namespace captee::tee
