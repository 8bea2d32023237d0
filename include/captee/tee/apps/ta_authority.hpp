// Who vouches for a loaded TA: its authority.
//
// A TA's UUID and name are whatever its builder wrote into the manifest:
// anyone can build an image that bears another TA's UUID and name. So a UUID
// names a TA only together with the authority its image came from, and
// capteed keys everything about a running TA on the pair (authority, UUID):
//
//   - a load shares a running single-instance TA only if the authority and
//     the image (its SHA-256) are the same;
//   - loadEmbedded, connect by name and GP openSession by UUID reach only
//     instances of a trusted authority (the administrator's --ta-dir, and
//     later a trusted signing key), never one a user loaded from a buffer;
//     a user's connect also reaches that user's own instances;
//   - different authorities may run the same UUID side by side, each seeing
//     only its own.
//
// Features that key state on a TA's UUID (trusted storage, persistent time,
// TA-to-TA client identity, GP sessions) must key it on (authority, UUID), so
// that a user's TA bearing another's UUID never reaches that TA's stored
// objects, time or callers.
//
// Thread-safety: a value type.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <utility>

namespace captee::tee::apps {

enum class TaAuthorityKind : uint8_t {
  // The administrator's --ta-dir: loadEmbedded, and the GP TAs capteed runs
  // from that directory.
  kTaDir = 1,
  // Loaded from a buffer but signed by a key capteed trusts (--ta-pubkey);
  // `key` is the key's fingerprint.
  kSigningKey = 2,
  // Loaded from a buffer or a memory region by the client whose kernel uid
  // (SO_PEERCRED, never a claim) is `uid`.
  kUser = 3,
};

struct TaAuthority {
  TaAuthorityKind kind = TaAuthorityKind::kUser;
  uid_t uid = 0;    // kUser: the loading client's kernel uid; 0 otherwise
  std::string key;  // kSigningKey: the key's fingerprint; empty otherwise

  static TaAuthority ta_dir() { return {TaAuthorityKind::kTaDir, 0, {}}; }
  static TaAuthority user(uid_t u) { return {TaAuthorityKind::kUser, u, {}}; }
  static TaAuthority signing_key(std::string fingerprint) {
    return {TaAuthorityKind::kSigningKey, 0, std::move(fingerprint)};
  }

  // Whether name and UUID lookups (loadEmbedded, connect, GP openSession) may
  // reach an instance of this authority for any client.
  bool trusted() const { return kind != TaAuthorityKind::kUser; }

  // "ta-dir", "uid:<n>" or "key:<fingerprint>" (as `captee ta list` shows it).
  std::string to_string() const {
    switch (kind) {
      case TaAuthorityKind::kTaDir:
        return "ta-dir";
      case TaAuthorityKind::kSigningKey:
        return "key:" + key;
      case TaAuthorityKind::kUser:
        break;
    }
    return "uid:" + std::to_string(uid);
  }

  friend bool operator==(const TaAuthority &, const TaAuthority &) = default;
};

}  // namespace captee::tee::apps
