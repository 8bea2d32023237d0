#include "client_env.hpp"

#include <algorithm>

#include "IOpener.h"

namespace captee::tee {

ClientIdentity ClientEnv::caller() const {
  ClientIdentity id = who_;
  if (id.exe_path.empty() && id.exe_sha256.empty()) {
    return id;
  }
  const std::string why =
      binding_ ? binding_->why_not_bound() : "it is not bound to the connection";
  if (!why.empty()) {
    state_->log(LogLevel::kInfo, "pid " + std::to_string(who_.pid) + " uid " +
                                     std::to_string(who_.uid) + ": executable " + id.exe_path +
                                     " not counted: " + why);
    id.exe_path.clear();
    id.exe_sha256.clear();
  }
  return id;
}

int32_t ClientEnv::open(uint32_t uid, Ref &obj) {
  auto entry = state_->registry.find(uid);
  if (!entry) {
    return IOpener_ERROR_NOT_FOUND;
  }
  const ClientIdentity who = caller();
  bool listed =
      !whitelist_ || std::find(whitelist_->begin(), whitelist_->end(), uid) != whitelist_->end();
  if (!listed || !state_->opts.policy.allows(uid, entry->name, who)) {
    state_->log(LogLevel::kInfo, "denied " + entry->name + " to uid " + std::to_string(who.uid) +
                                     " pid " + std::to_string(who.pid));
    return IOpener_ERROR_PRIVILEGE;
  }
  Ref service = entry->factory(who);
  if (service.is_null()) {
    return Object_ERROR;
  }
  obj = std::move(service);
  return Object_OK;
}

int32_t ClientEnv::make_env(ClientClaims claims, std::optional<std::vector<uint32_t>> whitelist,
                            Ref &out) {
  if (claims.uid && *claims.uid != who_.uid) {
    // Recorded, never believed: the kernel's uid stands.
    state_->log(LogLevel::kInfo, "pid " + std::to_string(who_.pid) + " claims uid " +
                                     std::to_string(*claims.uid) + " but is uid " +
                                     std::to_string(who_.uid));
  }
  ClientIdentity id = who_;
  id.claims = std::move(claims);
  if (whitelist_ && whitelist) {
    // A whitelist can only narrow what this environment already allows.
    std::vector<uint32_t> narrowed;
    for (uint32_t u : *whitelist) {
      if (std::find(whitelist_->begin(), whitelist_->end(), u) != whitelist_->end()) {
        narrowed.push_back(u);
      }
    }
    whitelist = std::move(narrowed);
  } else if (whitelist_) {
    whitelist = whitelist_;
  }
  out = make_object<ClientEnv>(state_, std::move(id), std::move(whitelist), binding_);
  return Object_OK;
}

int32_t ClientEnv::registerLegacy(std::span<const std::byte> credentials, Ref &clientEnv) {
  ClientClaims claims;
  if (!credentials.empty()) {
    auto parsed = parse_cbor_credentials(credentials);
    if (!parsed) {
      return Object_ERROR_INVALID;
    }
    claims = std::move(*parsed);
  }
  return make_env(std::move(claims), std::nullopt, clientEnv);
}

int32_t ClientEnv::registerAsClient(Object credentials, Ref &clientEnv) {
  ClientClaims claims;
  if (!Object_isNull(credentials)) {
    Daemon::State::InFlight counted(*state_);
    int32_t rv = read_cbor_credentials(credentials, &claims);
    if (rv != Object_OK) {
      state_->log(LogLevel::kInfo, "pid " + std::to_string(who_.pid) +
                                       ": unreadable CBOR credentials (" + std::to_string(rv) +
                                       ")");
      return rv == Object_ERROR_SIZE_IN ? rv : Object_ERROR_INVALID;
    }
  }
  return make_env(std::move(claims), std::nullopt, clientEnv);
}

int32_t ClientEnv::registerWithWhitelist(Object credentials, std::span<const uint32_t> uids,
                                         Ref &clientEnv) {
  ClientClaims claims;
  if (!Object_isNull(credentials)) {
    Daemon::State::InFlight counted(*state_);
    if (read_cbor_credentials(credentials, &claims) != Object_OK) {
      return Object_ERROR_INVALID;
    }
  }
  return make_env(std::move(claims), std::vector<uint32_t>(uids.begin(), uids.end()), clientEnv);
}

int32_t ClientEnv::registerWithCredentials(Object credentials, Ref &clientEnv) {
  ClientClaims claims;
  if (!Object_isNull(credentials)) {
    Daemon::State::InFlight counted(*state_);
    if (read_property_credentials(credentials, &claims) != Object_OK) {
      return Object_ERROR_INVALID;
    }
  }
  return make_env(std::move(claims), std::nullopt, clientEnv);
}

}  // namespace captee::tee
