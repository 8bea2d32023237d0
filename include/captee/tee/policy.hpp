// Who may open which service: the only access check capteed makes at call
// time (everything else is "access is what you hold").
//
// A policy is a JSON document (format in docs/POLICY.md) listing, per service
// (by class uid or registered name), who may open it: everyone, or callers
// matching one of the listed uids, groups (primary or supplementary) or
// executables (path and/or SHA-256). Matching uses only the kernel-derived
// ClientIdentity; client claims are never consulted. Services without an
// entry follow the document's "default" ("deny" unless stated).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "captee/tee/credentials.hpp"

namespace captee::tee {

class Policy {
 public:
  struct Executable {
    std::string path;    // "" = any path
    std::string sha256;  // lowercase hex, "" = any content
  };
  struct Rule {
    std::optional<uint32_t> uid;  // service class uid; selects the service when set
    std::string name;             // registered name; selects it when uid is unset
    std::string ta_uuid;          // for a "tas" rule: the TA (lower-case canonical UUID)
    bool everyone = false;
    std::vector<uid_t> uids;
    std::vector<gid_t> gids;
    std::vector<Executable> executables;
  };

  // Every service open to everyone (tests, development).
  static Policy allow_all();
  // The built-in default, identical to etc/captee/policy.json: general
  // services open to everyone, remote-processor control to root and the
  // group "captee-rproc".
  static Policy builtin_default();

  // Parses a policy document. nullopt on error with one sentence in *why
  // naming the problem (and the JSON path). User and group names are resolved
  // with getpwnam/getgrnam; a name that does not exist is reported in
  // *warnings and never matches.
  static std::optional<Policy> parse(const std::string &json, std::string *why,
                                     std::vector<std::string> *warnings = nullptr);
  // Reads and parses `path`; *why names the file on error.
  static std::optional<Policy> load(const std::string &path, std::string *why,
                                    std::vector<std::string> *warnings = nullptr);

  // True if `who` may open service `uid` registered as `name`.
  bool allows(uint32_t uid, const std::string &name, const ClientIdentity &who) const;

  // The trusted apps (lower-case UUIDs) that `who` may not open sessions to,
  // from the document's "tas" rules; TAs without a rule are open to whoever
  // holds the GP app client. Evaluated when IClientEnv.open hands out the GP
  // app client, so it stays the one place policy meets credentials.
  std::vector<std::string> tas_denied_to(const ClientIdentity &who) const;

  const std::vector<Rule> &rules() const { return rules_; }
  const std::vector<Rule> &ta_rules() const { return ta_rules_; }
  bool default_allow() const { return default_allow_; }

 private:
  static bool matches(const Rule &rule, const ClientIdentity &who);

  std::vector<Rule> rules_;
  std::vector<Rule> ta_rules_;
  bool default_allow_ = false;
};

}  // namespace captee::tee
