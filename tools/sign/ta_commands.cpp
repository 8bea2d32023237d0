#include "ta_commands.hpp"

#include <cstdio>
#include <memory>
#include <string>

#include "captee/detail/uuid_text.hpp"
#include "captee/fwimage/keys.hpp"
#include "captee/fwimage/signed_ta.hpp"
#include "captee/fwimage/tools/sign_ta.hpp"
#include "file_io.hpp"

namespace captee::sign_tool {
namespace {

namespace fw = captee::fwimage;

struct TaSignArgs {
  std::string key;
  std::string key_pwd;
  std::string uuid;
  uint32_t ta_version = 0;
  std::string algo = "TEE_ALG_RSASSA_PKCS1_V1_5_SHA256";
  std::string input;
  std::string output;
};

int fail(const std::string &sentence) {
  std::fprintf(stderr, "captee-sign: %s\n", sentence.c_str());
  return 1;
}

// "8-4-4-4-12" hex, either case, to RFC 4122 byte order.
bool parse_uuid(const std::string &text, std::array<uint8_t, 16> *out) {
  if (text.size() != 36) {
    return false;
  }
  size_t n = 0;
  for (size_t i = 0; i < text.size();) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i] != '-') {
        return false;
      }
      ++i;
      continue;
    }
    auto nibble = [](char c) -> int {
      if (c >= '0' && c <= '9')
        return c - '0';
      if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
      if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
      return -1;
    };
    const int hi = nibble(text[i]);
    const int lo = nibble(text[i + 1]);
    if (hi < 0 || lo < 0) {
      return false;
    }
    (*out)[n++] = static_cast<uint8_t>(hi << 4 | lo);
    i += 2;
  }
  return n == 16;
}

int run_sign(const TaSignArgs &a) {
  std::array<uint8_t, 16> uuid{};
  if (!parse_uuid(a.uuid, &uuid)) {
    return fail("ta: --uuid " + a.uuid + " is not a UUID (8-4-4-4-12 hex digits)");
  }
  uint32_t algo = 0;
  if (a.algo == "TEE_ALG_RSASSA_PKCS1_V1_5_SHA256") {
    algo = fw::kTaAlgRsaPkcs1Sha256;
  } else if (a.algo == "TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA256") {
    algo = fw::kTaAlgRsaPssSha256;
  } else {
    return fail(
        "ta: --algo must be TEE_ALG_RSASSA_PKCS1_V1_5_SHA256 or "
        "TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA256");
  }
  std::string error;
  auto pem = read_file(a.key, error);
  if (!pem) {
    return fail("ta: " + error);
  }
  auto key = fw::PrivateKey::from_pem(*pem, a.key_pwd);
  if (!key) {
    return fail("ta: " + a.key + ": " + key.error().message);
  }
  auto elf = read_file(a.input, error);
  if (!elf) {
    return fail("ta: " + error);
  }
  auto signed_ta = fw::sign_ta(*elf, uuid, a.ta_version, algo, key.value());
  if (!signed_ta) {
    return fail("ta: " + signed_ta.error().message);
  }
  if (!write_file(a.output, signed_ta.value(), error)) {
    return fail("ta: " + error);
  }
  return 0;
}

int run_verify(const std::string &pubkey, const std::string &path) {
  std::string error;
  auto pem = read_file(pubkey, error);
  if (!pem) {
    return fail("ta-verify: " + error);
  }
  auto key = fw::PublicKey::from_pem(*pem);
  if (!key) {
    return fail("ta-verify: " + pubkey + ": " + key.error().message);
  }
  auto file = read_file(path, error);
  if (!file) {
    return fail("ta-verify: " + error);
  }
  auto ta = fw::parse_signed_ta(*file);
  if (!ta) {
    return fail("ta-verify: " + path + ": " + ta.error().message);
  }
  const fw::PublicKey *keys[] = {&key.value()};
  auto signer = fw::verify_signed_ta(ta.value(), keys);
  if (!signer) {
    return fail("ta-verify: " + path + ": " + signer.error().message);
  }
  std::printf("%s: signed by %s\n", path.c_str(), key->fingerprint().c_str());
  if (ta->has_uuid) {
    std::printf("uuid %s, ta-version %u\n", captee::detail::uuid_text(ta->uuid).c_str(),
                ta->ta_version);
  }
  std::printf("image %zu bytes\n", ta->image.size());
  return 0;
}

}  // namespace

void add_ta_commands(CLI::App &app, int *exit_code) {
  auto args = std::make_shared<TaSignArgs>();
  CLI::App *ta =
      app.add_subcommand("ta", "Sign a TA's ELF as OP-TEE's sign_encrypt.py does (a bootstrap TA)");
  ta->add_option("--key", args->key, "PEM RSA private key (TA_SIGN_KEY)")->required();
  ta->add_option("--key_pwd", args->key_pwd, "Passphrase of an encrypted PEM key");
  ta->add_option("--uuid", args->uuid, "The TA's UUID (its BINARY)")->required();
  ta->add_option("--ta-version", args->ta_version, "The TA's version (default 0)");
  ta->add_option("--algo", args->algo,
                 "TEE_ALG_RSASSA_PKCS1_V1_5_SHA256 (default) or "
                 "TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA256");
  ta->add_option("--in", args->input, "The TA's ELF")->required();
  ta->add_option("--out", args->output, "The signed TA to write")->required();
  ta->callback([args, exit_code] { *exit_code = run_sign(*args); });

  auto pubkey = std::make_shared<std::string>();
  auto file = std::make_shared<std::string>();
  CLI::App *verify = app.add_subcommand("ta-verify", "Check a signed TA against a key");
  verify->add_option("--pubkey", *pubkey, "PEM key (public, or a private key's public half)")
      ->required();
  verify->add_option("FILE", *file, "Signed TA")->required();
  verify->callback([pubkey, file, exit_code] { *exit_code = run_verify(*pubkey, *file); });
}

}  // namespace captee::sign_tool
