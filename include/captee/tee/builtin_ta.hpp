// Trusted apps built into capteed, served by the GP app client like any TA.
//
// Most TAs run in their own captee-tahost process. A few must live inside the
// TEE core because they drive what only the core holds: the remoteproc TA
// owns the emulated SoC's secure face. They keep the GP shape — a UUID,
// sessions, TA_InvokeCommandEntryPoint-style commands over TEE_Param[4] — so
// clients reach them through libteec unchanged (OP-TEE's pseudo-TAs and
// early TAs play the same role).
//
// A built-in TA is the C++ BuiltinGpTa below; capteed marshals the Mink
// IGPAppClientCaptee / IGPSession arguments into TEE_Params for it on the same
// generated skeletons and with the same rules as the TA runtime
// (captee/gp_skeletons.hpp, captee/gp_params.hpp), and the GP app client
// looks built-in UUIDs up before the TA directory.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "captee/object.hpp"
#include "tee_api_types.h"

namespace captee::tee {

// The GP entry points of one built-in TA instance (single instance: capteed
// makes no copies). Called concurrently from channel threads: implementations
// serialise what they need to. TEE_Param memrefs are borrowed for the call.
class BuiltinGpTa {
 public:
  virtual ~BuiltinGpTa() = default;
  // TA_OpenSessionEntryPoint, for the client capteed identified. On success
  // *session is the TA's handle, passed back to the other two.
  virtual TEE_Result open_session(const TEE_Identity &client, uint32_t param_types,
                                  TEE_Param params[4], void **session) = 0;
  // TA_InvokeCommandEntryPoint.
  virtual TEE_Result invoke_command(void *session, uint32_t command, uint32_t param_types,
                                    TEE_Param params[4]) = 0;
  // TA_CloseSessionEntryPoint; once per successful open_session.
  virtual void close_session(void *session) = 0;
};

// The built-in TAs by UUID. Filled before the daemon starts serving; read
// concurrently afterwards. Thread-safe.
class BuiltinTaTable {
 public:
  // `uuid` in canonical lower-case form ("80a4c275-0a47-..."). Returns false
  // (and changes nothing) for a malformed or already registered UUID.
  bool add(const std::string &uuid, std::string name, std::shared_ptr<BuiltinGpTa> ta);

  // The TA's app object (an IGPAppClientCaptee, answering openSessionAs as
  // the TA runtime does), a new reference; null Ref if `uuid` is not built in.
  Ref app_object(const std::string &uuid) const;

  struct Info {
    std::string uuid, name;
  };
  std::vector<Info> list() const;

 private:
  struct Entry {
    std::string uuid, name;
    Ref app;
  };
  mutable std::mutex mu_;
  std::vector<Entry> entries_;
};

}  // namespace captee::tee
