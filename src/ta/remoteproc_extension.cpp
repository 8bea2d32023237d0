#include "captee/ta/remoteproc_extension.hpp"

#include <CLI/CLI.hpp>

#include "CRemoteprocControl.h"
#include "captee/detail/whole_file.hpp"
#include "captee/platform/description.hpp"
#include "captee/platform/host_control.hpp"
#include "captee/platform/remote_processor.hpp"
#include "captee/ta/remoteproc_ta.hpp"
#include "captee/tee/builtin_ta.hpp"
#include "captee/tee/daemon.hpp"

namespace captee::ta {

namespace {

bool read_file(const std::string &path, std::string *out) {
  // A platform description or PEM key may come from a pipe, as with ifstream.
  return detail::read_whole_file(path, *out, UINT64_MAX, detail::FileKind::kAlsoStreams) ==
         detail::FileRead::kOk;
}

std::string uuid_string(const TEE_UUID &u) {
  char s[37];
  std::snprintf(s, sizeof s, "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x", u.timeLow,
                u.timeMid, u.timeHiAndVersion, u.clockSeqAndNode[0], u.clockSeqAndNode[1],
                u.clockSeqAndNode[2], u.clockSeqAndNode[3], u.clockSeqAndNode[4],
                u.clockSeqAndNode[5], u.clockSeqAndNode[6], u.clockSeqAndNode[7]);
  return s;
}

// The TA's GP entry points as capteed's built-in TA interface.
class BuiltinRemoteprocTa final : public tee::BuiltinGpTa {
 public:
  explicit BuiltinRemoteprocTa(RemoteprocTa &ta) : ta_(ta) {}
  TEE_Result open_session(const TEE_Identity &, uint32_t types, TEE_Param params[4],
                          void **session) override {
    return ta_.open_session(types, params, session);
  }
  TEE_Result invoke_command(void *session, uint32_t cmd, uint32_t types,
                            TEE_Param params[4]) override {
    return ta_.invoke_command(session, cmd, types, params);
  }
  void close_session(void *session) override { ta_.close_session(session); }

 private:
  RemoteprocTa &ta_;
};

}  // namespace

struct RemoteprocExtension::Runtime {
  std::unique_ptr<platform::Soc> soc;
  std::unique_ptr<RemoteprocTa> ta;
  std::unique_ptr<platform::HostControl> control;

  ~Runtime() {
    // Subscribers first (no event reaches a dying SoC), then the cores and
    // memory (joined and wiped), and the listeners' state last: a core thread
    // may still be in a listener until the SoC is gone.
    if (control) {
      control->shutdown();
    }
    ta.reset();
    soc.reset();
    control.reset();
  }
};

RemoteprocExtension::RemoteprocExtension() = default;
RemoteprocExtension::~RemoteprocExtension() {
  shutdown();
}

void RemoteprocExtension::add_options(CLI::App &app) {
  app.add_option("--platform", platform_file,
                 "Emulated SoC description (JSON, docs/REMOTEPROC.md); default: stm32mp15-m4");
  app.add_option("--rproc-pubkey", pubkey_files,
                 "Public key (PEM, RSA or EC P-256) trusted to sign remote-processor firmware; "
                 "repeatable");
}

bool RemoteprocExtension::install(tee::Daemon &daemon, tee::BuiltinTaTable &tas, std::string *why) {
  auto rt = std::make_unique<Runtime>();
  platform::PlatformDescription desc = platform::default_platform();
  if (platform_description) {
    desc = *platform_description;
  } else if (!platform_file.empty()) {
    std::string text;
    if (!read_file(platform_file, &text)) {
      *why = "cannot read the platform file " + platform_file;
      return false;
    }
    platform::ParseResult parsed = platform::parse_platform_json(text);
    if (!parsed.platform) {
      *why = "platform file " + platform_file + ": " + parsed.error;
      return false;
    }
    desc = std::move(*parsed.platform);
  }
  RemoteprocTaConfig config;
  config.public_keys_pem = public_keys_pem;
  const size_t inline_keys = public_keys_pem.size();
  for (const std::string &path : pubkey_files) {
    std::string pem;
    if (!read_file(path, &pem)) {
      *why = "cannot read the remote-processor key " + path;
      return false;
    }
    config.public_keys_pem.push_back(std::move(pem));
  }
  std::string error;
  rt->soc = platform::Soc::create(desc, &error);
  if (!rt->soc) {
    *why = "the emulated SoC could not be built: " + error;
    return false;
  }
  config.log = [&daemon](std::string_view line, bool problem) {
    daemon.log(problem ? tee::LogLevel::kWarn : tee::LogLevel::kInfo,
               "remoteproc TA: " + std::string(line));
  };
  rt->ta = RemoteprocTa::create(*rt->soc, std::move(config), &error);
  if (!rt->ta) {
    // Name the file, not just the index.
    for (size_t i = 0; i < pubkey_files.size(); i++) {
      if (error.rfind("remoteproc TA key " + std::to_string(inline_keys + i) + ":", 0) == 0) {
        error = pubkey_files[i] + error.substr(error.find(':'));
      }
    }
    *why = "remote-processor key " + error;
    return false;
  }
  rt->control = std::make_unique<platform::HostControl>(*rt->soc);
  if (!tas.add(uuid_string(kRemoteprocTaUuid), "remoteproc",
               std::make_shared<BuiltinRemoteprocTa>(*rt->ta))) {
    *why = "the remoteproc TA's UUID is registered twice";
    return false;
  }
  Ref service = rt->control->service();
  if (!daemon.services().add(CRemoteprocControl_UID, "remoteproc-control",
                             [service](const tee::ClientIdentity &) { return service; })) {
    *why = "the remoteproc-control service is registered twice";
    return false;
  }
  daemon.log(tee::LogLevel::kInfo, "remote processors: platform " + desc.name + ", " +
                                       std::to_string(desc.processors.size()) + " processor(s)");
  rt_ = std::move(rt);
  return true;
}

void RemoteprocExtension::shutdown() noexcept {
  rt_.reset();
}

platform::Soc *RemoteprocExtension::soc() {
  return rt_ ? rt_->soc.get() : nullptr;
}

RemoteprocTa *RemoteprocExtension::ta() {
  return rt_ ? rt_->ta.get() : nullptr;
}

}  // namespace captee::ta
