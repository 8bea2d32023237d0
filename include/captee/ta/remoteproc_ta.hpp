// The remoteproc trusted application: OP-TEE's ta/remoteproc, with the same
// UUID, commands, parameters and state machine, over captee's emulated SoC.
//
// A remote processor (a Cortex-M next to the application cores) must run only
// firmware its owner signed, from memory the normal world cannot touch while
// it is loaded. The normal world hands the TA a signed image
// (shared/specs/rproc-signed-image.md); the TA copies the signed head into
// private memory, checks the signature with a provisioned key, copies every
// PT_LOAD segment into the processor's carveouts through the platform's secure
// face (which hashes the destination copy), and only then lets the host start
// the core. Release wipes the carveouts.
//
// This class is transport-independent: it exposes the GP TA entry points
// (open_session / invoke_command / close_session with TEE_Param[4]), so the
// daemon that serves libteec clients only has to marshal parameters.
//
// Contexts: one per rproc_id, shared by every session (OP-TEE's TA is single
// instance and keep-alive, so a second session sees the same firmware state).
//
// Thread-safety: every entry point may be called from any thread. Commands on
// one rproc_id are serialised; commands on different rproc_ids run in
// parallel. Crashes of the emulated core do not change the TA's state (see
// invoke_command).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "captee/remoteproc_ta_protocol.h"
#include "tee_api_types.h"

namespace captee::platform {
class Soc;
}

namespace captee::ta {

// 80a4c275-0a47-4905-8285-1486a9771a08, OP-TEE's TA_REMOTEPROC_UUID.
inline constexpr TEE_UUID kRemoteprocTaUuid = CAPTEE_REMOTEPROC_TA_UUID;

// Command ids (OP-TEE's TA_RPROC_CMD_*, from remoteproc_ta_protocol.h).
// params[0] is always VALUE_INPUT with value.a = rproc_id.
enum RemoteprocCommand : uint32_t {
  kRprocLoadFw = CAPTEE_RPROC_CMD_LOAD_FW,    // [1] MEMREF_INPUT: the whole signed image
  kRprocStartFw = CAPTEE_RPROC_CMD_START_FW,  // -
  kRprocStopFw = CAPTEE_RPROC_CMD_STOP_FW,    // -
  // [1], [2] VALUE_OUTPUT: address, size (lo/hi)
  kRprocGetRscTable = CAPTEE_RPROC_CMD_GET_RSC_TABLE,
  kRprocGetCoredump = CAPTEE_RPROC_CMD_GET_COREDUMP,  // [1] MEMREF_OUTPUT: ELF32 core file
  kRprocReleaseFw = CAPTEE_RPROC_CMD_RELEASE_FW,      // -
};

// The TA's view of one processor (OP-TEE's REMOTEPROC_OFF/LOADED/STARTED).
enum class FirmwareState { kOff, kLoaded, kStarted };
const char *to_string(FirmwareState state);

// Where the TA writes one line per event (loads, refusals, key fingerprints).
// `problem` marks refusals and failures (a daemon logs them as warnings).
// Called with the context's lock held; must not call back into the TA.
using LogSink = std::function<void(std::string_view line, bool problem)>;

struct RemoteprocTaConfig {
  // PEM public keys (RSA or EC P-256) trusted for every processor, in addition
  // to each processor's `public_keys` from the platform description.
  std::vector<std::string> public_keys_pem;
  // Defaults to one line per event on stderr.
  LogSink log;
};

// The platform TLV that overrides the boot address: a 4-byte little-endian
// device address of the vector table (captee's choice, after ST's BOOTADDR).
inline constexpr uint32_t kTlvBootAddress = 0x10001;

class RemoteprocTa {
 public:
  // `soc` is borrowed and must outlive the TA; only the TA should use its
  // processors' secure face. Every key is parsed here.
  // Returns nullptr and sets *error (naming the bad key) on failure.
  static std::unique_ptr<RemoteprocTa> create(platform::Soc &soc, RemoteprocTaConfig config,
                                              std::string *error);
  ~RemoteprocTa();
  RemoteprocTa(const RemoteprocTa &) = delete;
  RemoteprocTa &operator=(const RemoteprocTa &) = delete;

  // TA_OpenSessionEntryPoint. Accepts params[0] VALUE_INPUT with the rproc_id
  // (as Linux's remoteproc_tee driver opens it) or no parameters at all.
  // On success *session is an opaque handle owned by the TA until
  // close_session. Errors: BAD_PARAMETERS (other types, unknown rproc_id).
  TEE_Result open_session(uint32_t param_types, TEE_Param params[4], void **session);

  // TA_InvokeCommandEntryPoint. `params` is borrowed for the call; output
  // values and memref sizes are written back into it.
  // Errors: BAD_PARAMETERS for an unknown command, wrong parameter types, an
  // unknown rproc_id or an unknown session; BAD_STATE where the state machine
  // (docs/REMOTEPROC.md) refuses; the GP code of the first failed check for
  // LOAD_FW; SHORT_BUFFER (with params[1].memref.size set to the size needed)
  // for GET_COREDUMP.
  // A crash of the emulated core leaves the context STARTED, as in OP-TEE:
  // the host learns CRASHED from the platform, then STOP_FW stops the core.
  TEE_Result invoke_command(void *session, uint32_t cmd, uint32_t param_types, TEE_Param params[4]);

  // TA_CloseSessionEntryPoint. Firmware state is kept (keep-alive TA).
  void close_session(void *session);

  // The context state of `rproc_id` (kOff for unknown ids). For tests and
  // diagnostics.
  FirmwareState state(uint32_t rproc_id) const;

  // "RSA-2048 sha256:<hex>" / "EC-P256 sha256:<hex>" for every key trusted
  // for `rproc_id`: SHA-256 of the DER SubjectPublicKeyInfo.
  std::vector<std::string> key_fingerprints(uint32_t rproc_id) const;

 private:
  struct Context;  // one per rproc_id (defined in the .cpp)
  struct Session;

  explicit RemoteprocTa(LogSink log);
  Context *context(uint32_t rproc_id) const;
  bool session_exists(void *session) const;
  // The commands, called with the context's lock held.
  TEE_Result load_fw(Context &c, TEE_Param params[4]);
  TEE_Result start_fw(Context &c);
  TEE_Result stop_fw(Context &c);
  TEE_Result get_rsc_table(Context &c, TEE_Param params[4]);
  TEE_Result get_coredump(Context &c, TEE_Param params[4]);
  TEE_Result release_fw(Context &c);

  LogSink log_;
  std::vector<std::unique_ptr<Context>> contexts_;  // fixed after create()
  mutable std::mutex sessions_mu_;
  std::vector<std::unique_ptr<Session>> sessions_;
};

}  // namespace captee::ta
