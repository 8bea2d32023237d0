// capteed's remote processors: the emulated SoC, the remoteproc TA as a
// built-in GP TA (reachable through libteec under OP-TEE's UUID), and the
// SoC's non-secure face as the CRemoteprocControl_UID service.
//
// Options it adds to capteed:
//   --platform FILE      the SoC description (JSON, docs/REMOTEPROC.md);
//                        default: the built-in stm32mp15-m4
//   --rproc-pubkey PEM   a public key (RSA or EC P-256) trusted to sign
//                        firmware for every processor; repeatable
// Keys can also be given per processor in the platform JSON. A file that
// cannot be read or parsed keeps capteed from starting, naming the file.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "captee/platform/description.hpp"
#include "captee/tee/daemon_extension.hpp"

namespace captee::platform {
class Soc;
}

namespace captee::ta {

class RemoteprocTa;

class RemoteprocExtension final : public tee::DaemonExtension {
 public:
  RemoteprocExtension();
  ~RemoteprocExtension() override;

  void add_options(CLI::App &app) override;
  bool install(tee::Daemon &daemon, tee::BuiltinTaTable &tas, std::string *why) override;
  // Ends subscriptions, stops every core and wipes every region.
  void shutdown() noexcept override;

  // The SoC and the TA while installed (nullptr otherwise). Borrowed; for
  // in-process tests that look at secure memory (the "secure probe").
  platform::Soc *soc();
  RemoteprocTa *ta();

  // What the options set; in-process hosts (tests) may set them directly.
  std::string platform_file;
  std::vector<std::string> pubkey_files;
  // In-process hosts only: used instead of platform_file when set, and
  // trusted in addition to pubkey_files.
  std::optional<platform::PlatformDescription> platform_description;
  std::vector<std::string> public_keys_pem;

 private:
  struct Runtime;
  std::unique_ptr<Runtime> rt_;
};

}  // namespace captee::ta
