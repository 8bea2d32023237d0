// The root object and client environments (IClientEnv, spec §5.1).
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "IClientEnv.hpp"
#include "daemon_state.hpp"

namespace captee::tee {

// One class plays both roles: the root a connection starts with (registration
// ops hand out environments) and the environments themselves (open). Both
// carry the connection's kernel identity; an environment also carries the
// claims it was registered with and, for registerWithWhitelist, the uids it
// may open.
//
// The executable in the identity counts for an open only if `binding` says
// so for that request (issue 20, finding 4; see credentials.hpp); without a
// binding it never counts.
class ClientEnv final : public iface::IClientEnvSkeleton {
 public:
  ClientEnv(std::shared_ptr<Daemon::State> state, ClientIdentity who,
            std::optional<std::vector<uint32_t>> whitelist = std::nullopt,
            std::shared_ptr<const ExecutableBinding> binding = nullptr)
      : state_(std::move(state)),
        who_(std::move(who)),
        whitelist_(std::move(whitelist)),
        binding_(std::move(binding)) {}

  // The connection's identity as taken at accept.
  const ClientIdentity &identity() const { return who_; }

  int32_t open(uint32_t uid, Ref &obj) override;
  int32_t registerLegacy(std::span<const std::byte> credentials, Ref &clientEnv) override;
  int32_t registerAsClient(Object credentials, Ref &clientEnv) override;
  int32_t registerWithWhitelist(Object credentials, std::span<const uint32_t> uids,
                                Ref &clientEnv) override;
  int32_t notifyDomainChange() override { return Object_OK; }
  int32_t registerWithCredentials(Object credentials, Ref &clientEnv) override;
  int32_t loadCmnlibFromBuffer(std::span<const std::byte>) override { return Object_ERROR_INVALID; }
  int32_t configTaRegion(uint64_t, uint32_t) override { return Object_ERROR_INVALID; }
  int32_t adciAccept() override { return Object_ERROR_INVALID; }
  int32_t adciShutdown() override { return Object_ERROR_INVALID; }

 private:
  int32_t make_env(ClientClaims claims, std::optional<std::vector<uint32_t>> whitelist, Ref &out);
  // The identity the request being served is decided on: identity(),
  // without the executable unless binding_ says it counts.
  ClientIdentity caller() const;

  std::shared_ptr<Daemon::State> state_;
  ClientIdentity who_;
  std::optional<std::vector<uint32_t>> whitelist_;
  std::shared_ptr<const ExecutableBinding> binding_;
};

}  // namespace captee::tee
