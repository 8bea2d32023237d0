// captee-sign: sign, verify and inspect OP-TEE signed remote-processor
// firmware, and sign TAs in OP-TEE's signed TA format (`ta`, `ta-verify`). Options of `sign` are
// those of OP-TEE's sign_rproc_fw.py, and the same options without a subcommand also sign, so it is
// a drop-in.
#include <openssl/crypto.h>

#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "captee/fwimage/elf32.hpp"
#include "captee/fwimage/tools/inspect.hpp"
#include "captee/fwimage/keys.hpp"
#include "captee/fwimage/tools/sign.hpp"
#include "captee/fwimage/signed_image.hpp"
#include "captee/fwimage/verify.hpp"
#include "file_io.hpp"
#include "ta_commands.hpp"

namespace fw = captee::fwimage;
using captee::sign_tool::read_file;
using captee::sign_tool::write_file;

namespace {

struct SignArgs {
  std::vector<std::string> inputs;
  std::string output;
  std::string key;
  std::string key_type = "RSA";
  std::string key_info;
  std::string key_pwd;
  std::vector<std::pair<std::string, std::string>> plat_tlvs;
};

int fail(const std::string &sentence) {
  std::fprintf(stderr, "captee-sign: %s\n", sentence.c_str());
  return 1;
}

void add_sign_options(CLI::App *app, SignArgs &a) {
  app->add_option("--in", a.inputs, "Firmware ELF file (repeatable; bundle order)");
  app->add_option("--out", a.output, "Signed image to write");
  app->add_option("--key", a.key, "PEM private key");
  app->add_option("--key_type", a.key_type, "RSA or ECC (default RSA)");
  app->add_option("--key_info", a.key_info, "File whose bytes become the PKEYINFO TLV");
  app->add_option("--key_pwd", a.key_pwd, "Passphrase of an encrypted PEM key");
  app->add_option("--plat-tlv", a.plat_tlvs,
                  "Platform TLV ID VALUE (repeatable); a VALUE starting with 0x is a 32-bit "
                  "integer, anything else a string");
}

int run_sign(SignArgs &a) {
  if (a.inputs.empty()) {
    return fail("sign: no --in firmware file was given");
  }
  if (a.output.empty()) {
    return fail("sign: no --out file was given");
  }
  if (a.key.empty()) {
    return fail("sign: no --key file was given");
  }
  fw::SignRequest request;
  if (a.key_type == "RSA") {
    request.sign_type = fw::kSignTypeRsaPkcs1Sha256;
  } else if (a.key_type == "ECC") {
    request.sign_type = fw::kSignTypeEcdsaP256Sha256;
  } else {
    return fail("sign: --key_type must be RSA or ECC, not '" + a.key_type + "'");
  }
  std::string error;
  std::vector<std::vector<uint8_t>> images;
  for (const std::string &path : a.inputs) {
    auto bytes = read_file(path, error);
    if (!bytes) {
      return fail(error);
    }
    auto elf = fw::parse_elf32(*bytes);
    if (!elf) {
      return fail("input " + path + " is not a usable ELF32 file: " + elf.error().message);
    }
    if (fw::Status arm = fw::require_arm(elf.value()); !arm) {
      return fail("input " + path + " is not an ARM firmware: " + arm.error().message);
    }
    images.push_back(std::move(*bytes));
  }
  for (const auto &image : images) {
    request.images.emplace_back(image);
  }
  if (!a.key_info.empty()) {
    auto info = read_file(a.key_info, error);
    if (!info) {
      return fail(error);
    }
    request.key_info = std::move(*info);
  }
  for (const auto &[id, value] : a.plat_tlvs) {
    auto tlv = fw::parse_platform_tlv(id, value);
    if (!tlv) {
      return fail("sign: " + tlv.error().message);
    }
    fw::add_platform_tlv(request.platform_tlvs, std::move(tlv).value());
  }
  auto pem = read_file(a.key, error);
  if (!pem) {
    return fail(error);
  }
  auto key = fw::PrivateKey::from_pem(*pem, a.key_pwd);
  OPENSSL_cleanse(pem->data(), pem->size());
  OPENSSL_cleanse(a.key_pwd.data(), a.key_pwd.size());
  if (!key) {
    return fail(a.key + ": " + key.error().message);
  }
  std::vector<std::string> warnings;
  auto signed_image = fw::sign_images(request, key.value(), &warnings);
  if (!signed_image) {
    return fail("sign: " + signed_image.error().message);
  }
  for (const std::string &w : warnings) {
    std::fprintf(stderr, "captee-sign: warning: %s\n", w.c_str());
  }
  if (!write_file(a.output, signed_image.value(), error)) {
    return fail(error);
  }
  return 0;
}

int run_verify(const std::string &pubkey_path, const std::string &path) {
  std::string error;
  auto pem = read_file(pubkey_path, error);
  if (!pem) {
    return fail(error);
  }
  auto key = fw::PublicKey::from_pem(*pem);
  if (!key) {
    return fail(pubkey_path + ": " + key.error().message);
  }
  auto file = read_file(path, error);
  if (!file) {
    return fail(error);
  }
  auto verified = fw::verify_signed_image(*file, key.value());
  if (!verified) {
    std::fprintf(stderr, "captee-sign: %s: %s (%s)\n", path.c_str(),
                 verified.error().message.c_str(), fw::tee_result_name(verified.error().code));
    return 1;
  }
  std::printf("OK\n");
  return 0;
}

int run_inspect(bool as_json, const std::string &path) {
  std::string error;
  auto file = read_file(path, error);
  if (!file) {
    return fail(error);
  }
  auto container = fw::parse_container(*file);
  if (!container) {
    return fail(path + ": " + container.error().message);
  }
  auto parsed = fw::parse_contents(container.value());
  if (!parsed) {
    // Show what can be read (header, TLVs) so the user sees why it is broken.
    fw::ParsedImage partial;
    partial.container = container.value();
    const std::string text = as_json ? fw::inspect_json(partial, &parsed.error())
                                     : fw::inspect_text(partial, &parsed.error());
    std::fwrite(text.data(), 1, text.size(), stdout);
    return fail(path + ": " + parsed.error().message);
  }
  const std::string text =
      as_json ? fw::inspect_json(parsed.value()) : fw::inspect_text(parsed.value());
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}

}  // namespace

int main(int argc, char **argv) {
  CLI::App app{"Sign, verify and inspect OP-TEE signed remote-processor firmware"};
  app.require_subcommand(0, 1);

  SignArgs drop_in;
  add_sign_options(&app, drop_in);

  SignArgs sign_args;
  CLI::App *sign = app.add_subcommand("sign", "Sign ELF firmware (sign_rproc_fw.py options)");
  add_sign_options(sign, sign_args);

  std::string pubkey;
  std::string verify_file;
  CLI::App *verify = app.add_subcommand("verify", "Authenticate a signed image");
  verify->add_option("--pubkey", pubkey, "PEM public key")->required();
  verify->add_option("FILE", verify_file, "Signed image")->required();

  bool as_json = false;
  std::string inspect_file;
  CLI::App *inspect = app.add_subcommand("inspect", "Describe a signed image");
  inspect->add_flag("--json", as_json, "Print JSON (schema in docs/FIRMWARE.md)");
  inspect->add_option("FILE", inspect_file, "Signed image")->required();

  int ta_exit = 0;
  captee::sign_tool::add_ta_commands(app, &ta_exit);

  CLI11_PARSE(app, argc, argv);

  if (*sign) {
    return run_sign(sign_args);
  }
  if (*verify) {
    return run_verify(pubkey, verify_file);
  }
  if (*inspect) {
    return run_inspect(as_json, inspect_file);
  }
  if (app.got_subcommand("ta") || app.got_subcommand("ta-verify")) {
    return ta_exit;
  }
  if (drop_in.inputs.empty() && drop_in.output.empty() && drop_in.key.empty()) {
    std::cout << app.help();
    return 1;
  }
  return run_sign(drop_in);
}
