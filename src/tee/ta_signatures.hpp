// Which TA files capteed runs: OP-TEE's signed TA format checked against
// the keys given with --ta-pubkey, and unsigned TAs only in the development
// mode --allow-unsigned-tas (docs/GP.md, "Signed TAs").
//
// Internal to capteed: it lives in this layer, not in tee_apps, so that
// captee-tahost does not link fwimage or capteed's crypto (see
// image_sha256.hpp).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "captee/fwimage/keys.hpp"
#include "captee/tee/apps/app_loader.hpp"

namespace captee::tee {

struct TrustedTaKey {
  fwimage::PublicKey key;
  std::string fingerprint;  // first 16 hex digits of PublicKey::fingerprint()'s SHA-256
  std::string file;         // where it was read from, for logs
};

// Reads each file as a public key, or the public half of a private key (the
// dev kit's keys/default_ta.pem). nullopt with *why naming the file and the
// reason if one cannot be read or is not an RSA key.
std::optional<std::vector<TrustedTaKey>> load_trusted_ta_keys(const std::vector<std::string> &files,
                                                              std::string *why);

// The check AppLoaderConfig::image_gate runs on each TA file:
//   - a signed file must parse and verify against one of `keys` (with no
//     keys, only in the development mode, where its image runs unverified);
//     the verdict carries the header's UUID, which the loader compares with
//     the manifest and the file's name, and the signer's fingerprint;
//   - an unsigned ELF runs only with `allow_unsigned`.
// Refusals answer IAppLoader_ERROR_ELF_SIGNATURE_ERROR with the reason.
apps::ImageGate make_ta_image_gate(std::shared_ptr<const std::vector<TrustedTaKey>> keys,
                                   bool allow_unsigned);

}  // namespace captee::tee
