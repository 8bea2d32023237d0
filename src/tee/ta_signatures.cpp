#include "ta_signatures.hpp"

#include "IAppLoader.h"
#include "captee/detail/whole_file.hpp"
#include "captee/fwimage/signed_ta.hpp"

namespace captee::tee {
namespace {

// The short name a key's TAs carry as their authority ("key:" this): the
// first 16 hex digits of fwimage's SHA-256 fingerprint.
std::string short_fingerprint(const fwimage::PublicKey &key) {
  const std::string &full = key.fingerprint();
  const auto at = full.find("sha256:");
  return at == std::string::npos ? full : full.substr(at + 7, 16);
}

apps::ImageVerdict refused(std::string why) {
  apps::ImageVerdict v;
  v.error = IAppLoader_ERROR_ELF_SIGNATURE_ERROR;
  v.why = std::move(why);
  return v;
}

}  // namespace

std::optional<std::vector<TrustedTaKey>> load_trusted_ta_keys(const std::vector<std::string> &files,
                                                              std::string *why) {
  std::vector<TrustedTaKey> keys;
  for (const std::string &file : files) {
    std::vector<uint8_t> pem;
    if (detail::read_whole_file(file, pem, 1u << 20) != detail::FileRead::kOk) {
      *why = "--ta-pubkey " + file + ": cannot read it as a file of at most 1 MiB";
      return std::nullopt;
    }
    auto key = fwimage::PublicKey::from_pem(pem);
    if (!key) {
      *why = "--ta-pubkey " + file + ": " + key.error().message;
      return std::nullopt;
    }
    if (key->algorithm() != fwimage::KeyAlgorithm::kRsa) {
      *why = "--ta-pubkey " + file + ": OP-TEE's TA format is signed with RSA keys only";
      return std::nullopt;
    }
    std::string fp = short_fingerprint(key.value());
    keys.push_back({std::move(key.value()), std::move(fp), file});
  }
  return keys;
}

apps::ImageGate make_ta_image_gate(std::shared_ptr<const std::vector<TrustedTaKey>> keys,
                                   bool allow_unsigned) {
  return [keys = std::move(keys), allow_unsigned](std::span<const std::byte> file) {
    const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t *>(file.data()),
                                         file.size());
    if (!fwimage::looks_like_signed_ta(bytes)) {
      if (allow_unsigned) {
        apps::ImageVerdict v;
        v.size = file.size();
        return v;
      }
      return refused(keys->empty()
                         ? "not signed, and capteed trusts no TA key (--ta-pubkey) and does not "
                           "run unsigned TAs (--allow-unsigned-tas)"
                         : "not signed by a trusted key (unsigned TAs need --allow-unsigned-tas)");
    }
    auto ta = fwimage::parse_signed_ta(bytes);
    if (!ta) {
      return refused(ta.error().message);
    }
    apps::ImageVerdict v;
    v.offset = static_cast<size_t>(ta->image.data() - bytes.data());
    v.size = ta->image.size();
    if (ta->has_uuid) {
      v.uuid = ta->uuid;
    }
    if (keys->empty()) {
      if (!allow_unsigned) {
        return refused("signed, but capteed trusts no TA key (--ta-pubkey)");
      }
      return v;  // development mode: the image runs as an unsigned one would
    }
    std::vector<const fwimage::PublicKey *> candidates;
    candidates.reserve(keys->size());
    for (const TrustedTaKey &k : *keys) {
      candidates.push_back(&k.key);
    }
    auto signer = fwimage::verify_signed_ta(ta.value(), candidates);
    if (!signer) {
      return refused(signer.error().message);
    }
    v.signer = (*keys)[signer.value()].fingerprint;
    return v;
  };
}

}  // namespace captee::tee
