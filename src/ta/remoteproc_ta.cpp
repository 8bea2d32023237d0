#include "captee/ta/remoteproc_ta.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "captee/detail/hex.hpp"
#include "captee/platform/remote_processor.hpp"
#include "captee/ta/coredump.hpp"
#include "captee/fwimage/keys.hpp"
#include "firmware_loader.hpp"
#include "tee_api_defines.h"

namespace captee::ta {

// One rproc_id's context: OP-TEE's struct remoteproc_context.
struct RemoteprocTa::Context {
  uint32_t rproc_id = 0;
  platform::RemoteProcessor *proc = nullptr;  // borrowed from the Soc
  std::vector<fwimage::PublicKey> keys;       // trusted, each with the fingerprint logs name it by
  std::mutex mu;                              // serialises commands on this processor
  FirmwareState state = FirmwareState::kOff;
  // Firmware bytes are in the carveouts (LOADED, STARTED, or OFF after a STOP
  // until RELEASE or the next LOAD): what GET_COREDUMP may read.
  bool memory_loaded = false;
  LoadedFirmware firmware;
};

namespace {

constexpr uint32_t kNone = TEE_PARAM_TYPE_NONE;
constexpr uint32_t kValueIn = TEE_PARAM_TYPE_VALUE_INPUT;

const char *command_name(uint32_t cmd) {
  switch (cmd) {
    case kRprocLoadFw:
      return "LOAD_FW";
    case kRprocStartFw:
      return "START_FW";
    case kRprocStopFw:
      return "STOP_FW";
    case kRprocGetRscTable:
      return "GET_RSC_TABLE";
    case kRprocGetCoredump:
      return "GET_COREDUMP";
    case kRprocReleaseFw:
      return "RELEASE_FW";
  }
  return "unknown";
}

// The parameter types each command requires (OP-TEE checks them exactly).
bool expected_param_types(uint32_t cmd, uint32_t *types) {
  switch (cmd) {
    case kRprocLoadFw:
      *types = TEE_PARAM_TYPES(kValueIn, TEE_PARAM_TYPE_MEMREF_INPUT, kNone, kNone);
      return true;
    case kRprocStartFw:
    case kRprocStopFw:
    case kRprocReleaseFw:
      *types = TEE_PARAM_TYPES(kValueIn, kNone, kNone, kNone);
      return true;
    case kRprocGetRscTable:
      *types = TEE_PARAM_TYPES(kValueIn, TEE_PARAM_TYPE_VALUE_OUTPUT, TEE_PARAM_TYPE_VALUE_OUTPUT,
                               kNone);
      return true;
    case kRprocGetCoredump:
      *types = TEE_PARAM_TYPES(kValueIn, TEE_PARAM_TYPE_MEMREF_OUTPUT, kNone, kNone);
      return true;
  }
  return false;
}

const char *result_name(TEE_Result r) {
  return fwimage::tee_result_name(static_cast<fwimage::TeeResult>(r));
}

using captee::detail::hex32;

// One PEM public key (or the public half of a private key).
fwimage::Result<fwimage::PublicKey> trusted_key(std::string_view pem) {
  return fwimage::PublicKey::from_pem({reinterpret_cast<const uint8_t *>(pem.data()), pem.size()});
}

void log_to_stderr(std::string_view line, bool) {
  std::fprintf(stderr, "captee remoteproc TA: %.*s\n", static_cast<int>(line.size()), line.data());
}

}  // namespace

const char *to_string(FirmwareState state) {
  switch (state) {
    case FirmwareState::kOff:
      return "OFF";
    case FirmwareState::kLoaded:
      return "LOADED";
    case FirmwareState::kStarted:
      return "STARTED";
  }
  return "?";
}

RemoteprocTa::RemoteprocTa(LogSink log) : log_(log ? std::move(log) : LogSink(log_to_stderr)) {}

struct RemoteprocTa::Session {
  // The rproc_id named at open, or -1 for a session opened without one. Only
  // checked at open: as upstream, a command addresses whichever rproc_id its
  // params[0] names (contexts belong to the TA, not to sessions).
  int64_t rproc_id = -1;
};

RemoteprocTa::~RemoteprocTa() = default;

std::unique_ptr<RemoteprocTa> RemoteprocTa::create(platform::Soc &soc, RemoteprocTaConfig config,
                                                   std::string *error) {
  std::unique_ptr<RemoteprocTa> ta(new RemoteprocTa(std::move(config.log)));
  for (size_t i = 0; i < config.public_keys_pem.size(); i++) {
    if (auto k = trusted_key(config.public_keys_pem[i]); !k) {
      *error = "remoteproc TA key " + std::to_string(i) + ": " + k.error().message;
      return nullptr;
    }
  }
  for (const platform::ProcessorDescription &pd : soc.description().processors) {
    auto ctx = std::make_unique<Context>();
    ctx->rproc_id = pd.id;
    ctx->proc = soc.processor(pd.id);
    if (ctx->proc == nullptr) {
      *error = "the SoC has no processor " + std::to_string(pd.id);
      return nullptr;
    }
    // Each context owns its key objects (they are move-only); parsing twice
    // is cheap and happens once per TA.
    for (const std::string &pem : config.public_keys_pem) {
      ctx->keys.push_back(trusted_key(pem).value());
    }
    for (size_t i = 0; i < pd.public_keys_pem.size(); i++) {
      auto k = trusted_key(pd.public_keys_pem[i]);
      if (!k) {
        *error = "processor " + std::to_string(pd.id) + " public_keys[" + std::to_string(i) +
                 "]: " + k.error().message;
        return nullptr;
      }
      ctx->keys.push_back(std::move(k).value());
    }
    std::string line = "rproc " + std::to_string(pd.id) + ": trusted keys:";
    for (const fwimage::PublicKey &k : ctx->keys) {
      line += " " + k.fingerprint();
    }
    if (ctx->keys.empty()) {
      line += " none (every image will be refused)";
    }
    ta->log_(line, false);
    ta->contexts_.push_back(std::move(ctx));
  }
  return ta;
}

RemoteprocTa::Context *RemoteprocTa::context(uint32_t rproc_id) const {
  for (const auto &c : contexts_) {
    if (c->rproc_id == rproc_id) {
      return c.get();
    }
  }
  return nullptr;
}

FirmwareState RemoteprocTa::state(uint32_t rproc_id) const {
  Context *c = context(rproc_id);
  if (c == nullptr) {
    return FirmwareState::kOff;
  }
  std::lock_guard<std::mutex> lock(c->mu);
  return c->state;
}

std::vector<std::string> RemoteprocTa::key_fingerprints(uint32_t rproc_id) const {
  std::vector<std::string> out;
  if (Context *c = context(rproc_id)) {
    for (const fwimage::PublicKey &k : c->keys) {
      out.push_back(k.fingerprint());
    }
  }
  return out;
}

TEE_Result RemoteprocTa::open_session(uint32_t param_types, TEE_Param params[4], void **session) {
  if (session == nullptr) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  auto s = std::make_unique<Session>();
  if (param_types == TEE_PARAM_TYPES(kNone, kNone, kNone, kNone)) {
    // A session not tied to one processor; commands name their rproc_id.
  } else if (param_types == TEE_PARAM_TYPES(kValueIn, kNone, kNone, kNone) && params != nullptr) {
    if (context(params[0].value.a) == nullptr) {
      log_("open session: no remote processor " + std::to_string(params[0].value.a), true);
      return TEE_ERROR_BAD_PARAMETERS;
    }
    s->rproc_id = params[0].value.a;
  } else {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  std::lock_guard<std::mutex> lock(sessions_mu_);
  *session = s.get();
  sessions_.push_back(std::move(s));
  return TEE_SUCCESS;
}

void RemoteprocTa::close_session(void *session) {
  std::lock_guard<std::mutex> lock(sessions_mu_);
  std::erase_if(sessions_, [&](const std::unique_ptr<Session> &s) { return s.get() == session; });
}

bool RemoteprocTa::session_exists(void *session) const {
  std::lock_guard<std::mutex> lock(sessions_mu_);
  return std::any_of(sessions_.begin(), sessions_.end(),
                     [&](const std::unique_ptr<Session> &s) { return s.get() == session; });
}

TEE_Result RemoteprocTa::invoke_command(void *session, uint32_t cmd, uint32_t param_types,
                                        TEE_Param params[4]) {
  uint32_t expected = 0;
  if (!session_exists(session) || params == nullptr || !expected_param_types(cmd, &expected) ||
      param_types != expected) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  Context *c = context(params[0].value.a);
  if (c == nullptr) {
    log_(std::string(command_name(cmd)) + ": no remote processor " +
             std::to_string(params[0].value.a),
         true);
    return TEE_ERROR_BAD_PARAMETERS;
  }
  std::lock_guard<std::mutex> lock(c->mu);
  const FirmwareState before = c->state;
  TEE_Result r = TEE_ERROR_BAD_PARAMETERS;
  switch (cmd) {
    case kRprocLoadFw:
      r = load_fw(*c, params);
      break;
    case kRprocStartFw:
      r = start_fw(*c);
      break;
    case kRprocStopFw:
      r = stop_fw(*c);
      break;
    case kRprocGetRscTable:
      r = get_rsc_table(*c, params);
      break;
    case kRprocGetCoredump:
      r = get_coredump(*c, params);
      break;
    case kRprocReleaseFw:
      r = release_fw(*c);
      break;
  }
  if (r == TEE_ERROR_BAD_STATE) {
    log_("rproc " + std::to_string(c->rproc_id) + ": " + command_name(cmd) + " refused in state " +
             to_string(before),
         true);
  }
  return r;
}

TEE_Result RemoteprocTa::load_fw(Context &c, TEE_Param params[4]) {
  switch (c.state) {
    case FirmwareState::kLoaded:
      return TEE_SUCCESS;  // Linux loads twice (parse_fw, then load): the second is a no-op
    case FirmwareState::kStarted:
      return TEE_ERROR_BAD_STATE;
    case FirmwareState::kOff:
      break;
  }
  const std::string who = "rproc " + std::to_string(c.rproc_id) + ": LOAD_FW";
  if (params[1].memref.buffer == nullptr || params[1].memref.size == 0) {
    log_(who + " failed: no image (TEE_ERROR_BAD_PARAMETERS)", true);
    return TEE_ERROR_BAD_PARAMETERS;
  }
  const std::span<const uint8_t> image(static_cast<const uint8_t *>(params[1].memref.buffer),
                                       params[1].memref.size);
  // The firmware stopped earlier may still be in the carveouts: the loader
  // reloads the same image warm and wipes before any other.
  const fwimage::Sha256Digest previous = c.firmware.digest;
  LoadResult r = load_firmware(*c.proc, image, c.keys, c.memory_loaded ? &previous : nullptr);
  c.memory_loaded = false;
  if (r.code != TEE_SUCCESS) {
    log_(who + " failed: " + r.message + " (" + result_name(r.code) + "); every region was wiped",
         true);
    return r.code;
  }
  c.firmware = std::move(r.firmware);
  c.state = FirmwareState::kLoaded;
  c.memory_loaded = true;
  log_(who + ": " + std::to_string(c.firmware.images) + " image(s)" +
           (c.firmware.warm ? " (same image, reloaded warm)" : "") + ", " +
           std::to_string(c.firmware.segments) + " segment(s) signed by " + c.firmware.signer +
           ", boot at " + hex32(c.firmware.boot_da) +
           (c.firmware.rsc_size ? ", resource table at " + hex32(c.firmware.rsc_da)
                                : std::string(", no resource table")),
       false);
  for (const std::string &note : c.firmware.grant_notes) {
    log_(who + ": " + note, false);
  }
  return TEE_SUCCESS;
}

TEE_Result RemoteprocTa::start_fw(Context &c) {
  switch (c.state) {
    case FirmwareState::kOff:
      return TEE_ERROR_BAD_STATE;
    case FirmwareState::kStarted:
      return TEE_SUCCESS;
    case FirmwareState::kLoaded:
      break;
  }
  if (platform::Status s = c.proc->start(c.firmware.boot_da); !s.ok()) {
    log_("rproc " + std::to_string(c.rproc_id) + ": START_FW failed: " + s.message, true);
    return to_tee_result(s.code);
  }
  c.state = FirmwareState::kStarted;
  return TEE_SUCCESS;
}

TEE_Result RemoteprocTa::stop_fw(Context &c) {
  switch (c.state) {
    case FirmwareState::kOff:
      return TEE_SUCCESS;
    case FirmwareState::kLoaded:
      return TEE_ERROR_BAD_STATE;
    case FirmwareState::kStarted:
      break;
  }
  if (platform::Status s = c.proc->stop(); !s.ok()) {
    return to_tee_result(s.code);
  }
  // The memory stays until RELEASE_FW or the next LOAD_FW, so the host can
  // take a core dump after a crash (Linux's recovery: stop, dump, reload).
  c.state = FirmwareState::kOff;
  return TEE_SUCCESS;
}

TEE_Result RemoteprocTa::get_rsc_table(Context &c, TEE_Param params[4]) {
  if (c.state == FirmwareState::kOff) {
    return TEE_ERROR_BAD_STATE;
  }
  // The emulated SoC has one address space per processor: the "physical"
  // address OP-TEE reports is the device address here.
  params[1].value.a = c.firmware.rsc_size ? c.firmware.rsc_da : 0;
  params[1].value.b = 0;
  params[2].value.a = c.firmware.rsc_size;
  params[2].value.b = 0;
  return TEE_SUCCESS;
}

TEE_Result RemoteprocTa::get_coredump(Context &c, TEE_Param params[4]) {
  const platform::CoreState core = c.proc->state();
  if (!c.memory_loaded || core == platform::CoreState::kRunning) {
    return TEE_ERROR_BAD_STATE;
  }
  CoreDumpInput in;
  in.pid = c.rproc_id + 1;
  if (auto crash = c.proc->core().last_crash()) {
    in.registers = crash->registers;
    in.crash_reason = crash->reason;
    in.signal = crash_signal(crash->reason);
  } else {
    in.registers = c.proc->core().registers();
  }
  for (const auto &region : c.proc->regions()) {
    in.regions.push_back({region->da(), region->description().access, region->bytes()});
  }
  const uint64_t need = coredump_size(in);
  if (need > UINT32_MAX) {
    return TEE_ERROR_OUT_OF_MEMORY;
  }
  if (params[1].memref.buffer == nullptr || params[1].memref.size < need) {
    params[1].memref.size = static_cast<size_t>(need);
    return TEE_ERROR_SHORT_BUFFER;
  }
  const size_t written =
      write_coredump(in, {static_cast<uint8_t *>(params[1].memref.buffer), params[1].memref.size});
  params[1].memref.size = written;
  log_("rproc " + std::to_string(c.rproc_id) + ": GET_COREDUMP: " + std::to_string(written) +
           " bytes" + (in.crash_reason.empty() ? std::string() : ", crash: " + in.crash_reason),
       false);
  return TEE_SUCCESS;
}

TEE_Result RemoteprocTa::release_fw(Context &c) {
  if (c.state == FirmwareState::kStarted) {
    return TEE_ERROR_BAD_STATE;
  }
  if (platform::Status s = c.proc->release(); !s.ok()) {
    log_("rproc " + std::to_string(c.rproc_id) + ": RELEASE_FW failed: " + s.message, true);
    return to_tee_result(s.code);
  }
  c.state = FirmwareState::kOff;
  c.memory_loaded = false;
  c.firmware = {};
  return TEE_SUCCESS;
}

}  // namespace captee::ta
