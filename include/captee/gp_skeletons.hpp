// GP objects on the skeletons captee-idlc generates: an app object
// (IGPAppClient, or IGPAppClientCaptee with capteed's openSessionAs) and a
// session (IGPSession).
//
// The generated skeletons check the counts and every bundle's size (a wrong
// shape is Object_ERROR_INVALID before any of this runs; docs/IDL.md). These
// bases then turn the open ops into one OpenRequest and gather each call's
// four parameters into one ParamArgs (gp_params.hpp), so that each
// implementation writes one open and one invoke: the GP runtime inside
// captee-tahost, capteed's built-in TAs and capteed's GP service (which
// forwards to those).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "IGPAppClient.hpp"
#include "IGPAppClientCaptee.hpp"
#include "IGPSession.hpp"
#include "IGPSessionTa.hpp"
#include "captee/gp_params.hpp"
#include "captee/object.hpp"
#include "tee_api_defines.h"
#include "tee_api_types.h"

namespace captee::gp {

// An open, whichever op asked for it.
struct OpenRequest {
  std::span<const std::byte> uuid;  // the TA's UUID as the client sent it, unchecked
  Object wait = Object_NULL;        // the client's IWait (waitCBO), borrowed; may be NULL
  uint32_t cancel_code = 0;
  uint32_t cancel_timeout = 0xFFFFFFFFu;  // openSession (op 0) carries none
  uint32_t connection_method = 0;
  uint32_t connection_data = 0;
  uint32_t param_types = 0;
  uint32_t ex_param_types = 0;
  // openSessionAs: `client` is the identity the caller states. Only capteed's
  // GP service may be believed (captee/gp_ta_protocol.h).
  bool identity_stated = false;
  TEE_Identity client{};  // TEE_LOGIN_PUBLIC unless identity_stated
  // IGPAppClientTa.openSessionInChain: the caller's call chain as sent,
  // unchecked (gp_call_chain.hpp); empty for the other ops.
  std::span<const std::byte> chain;
};

// The request of an open op's common arguments (the client's identity not
// stated: TEE_LOGIN_PUBLIC until the caller sets one).
inline OpenRequest open_request(std::span<const std::byte> uuid, Object wait, uint32_t cancel_code,
                                uint32_t cancel_timeout, uint32_t connection_method,
                                uint32_t connection_data, uint32_t param_types,
                                uint32_t ex_param_types) {
  OpenRequest req;
  req.uuid = uuid;
  req.wait = wait;
  req.cancel_code = cancel_code;
  req.cancel_timeout = cancel_timeout;
  req.connection_method = connection_method;
  req.connection_data = connection_data;
  req.param_types = param_types;
  req.ex_param_types = ex_param_types;
  req.client.login = TEE_LOGIN_PUBLIC;
  return req;
}

// IGPSession.invokeCommand's scalars.
struct InvokeRequest {
  uint32_t command = 0;
  uint32_t cancel_code = 0;
  uint32_t cancel_timeout = 0;
  uint32_t param_types = 0;
  uint32_t ex_param_types = 0;
  // invokeInChain (decision 0028): the caller's call chain as sent,
  // unchecked (gp_call_chain.hpp); for invokeCommand, in_chain is false.
  bool in_chain = false;
  std::span<const std::byte> chain;
};

// IGPAppClient's openSession (op 0) and openSessionV2 (op 1) on `Skeleton`
// (iface::IGPAppClientSkeleton or one derived from it), both as open().
template <class Skeleton>
class AppClientSkeleton : public Skeleton {
 public:
  int32_t openSession(std::span<const std::byte> uuid, Object waitCBO, uint32_t cancelCode,
                      uint32_t connectionMethod, uint32_t connectionData, uint32_t paramTypes,
                      uint32_t exParamTypes, std::span<const std::byte> i1,
                      std::span<const std::byte> i2, std::span<const std::byte> i3,
                      std::span<const std::byte> i4, std::span<std::byte> o1, size_t &o1_len,
                      std::span<std::byte> o2, size_t &o2_len, std::span<std::byte> o3,
                      size_t &o3_len, std::span<std::byte> o4, size_t &o4_len, Object imem1,
                      Object imem2, Object imem3, Object imem4, uint32_t &memrefOutSz1,
                      uint32_t &memrefOutSz2, uint32_t &memrefOutSz3, uint32_t &memrefOutSz4,
                      Ref &session, uint32_t &retValue, uint32_t &retOrigin) final {
    // Op 0 carries no cancellation request timeout: GP's default, none.
    return openSessionV2(uuid, waitCBO, cancelCode, 0xFFFFFFFFu, connectionMethod, connectionData,
                         paramTypes, exParamTypes, i1, i2, i3, i4, o1, o1_len, o2, o2_len, o3,
                         o3_len, o4, o4_len, imem1, imem2, imem3, imem4, memrefOutSz1, memrefOutSz2,
                         memrefOutSz3, memrefOutSz4, session, retValue, retOrigin);
  }

  int32_t openSessionV2(std::span<const std::byte> uuid, Object waitCBO, uint32_t cancelCode,
                        uint32_t cancellationRequestTimeout, uint32_t connectionMethod,
                        uint32_t connectionData, uint32_t paramTypes, uint32_t exParamTypes,
                        std::span<const std::byte> i1, std::span<const std::byte> i2,
                        std::span<const std::byte> i3, std::span<const std::byte> i4,
                        std::span<std::byte> o1, size_t &o1_len, std::span<std::byte> o2,
                        size_t &o2_len, std::span<std::byte> o3, size_t &o3_len,
                        std::span<std::byte> o4, size_t &o4_len, Object imem1, Object imem2,
                        Object imem3, Object imem4, uint32_t &memrefOutSz1, uint32_t &memrefOutSz2,
                        uint32_t &memrefOutSz3, uint32_t &memrefOutSz4, Ref &session,
                        uint32_t &retValue, uint32_t &retOrigin) final {
    return open(open_request(uuid, waitCBO, cancelCode, cancellationRequestTimeout,
                             connectionMethod, connectionData, paramTypes, exParamTypes),
                ParamArgs{{i1, i2, i3, i4},
                          {o1, o2, o3, o4},
                          {&o1_len, &o2_len, &o3_len, &o4_len},
                          {imem1, imem2, imem3, imem4},
                          {&memrefOutSz1, &memrefOutSz2, &memrefOutSz3, &memrefOutSz4}},
                session, retValue, retOrigin);
  }

 protected:
  // One open. `params` and req's spans and objects are borrowed for the
  // call; each *out_len starts at its capacity. Set `session` only when the
  // result is Object_OK (the skeleton drops it otherwise).
  virtual int32_t open(const OpenRequest &req, const ParamArgs &params, Ref &session,
                       uint32_t &ret_value, uint32_t &ret_origin) = 0;
};

// A GP TA's app object: ops 0 and 1, and op 2 openSessionAs with the
// identity capteed computed (IGPAppClientCaptee.idl).
class TaAppSkeleton : public AppClientSkeleton<iface::IGPAppClientCapteeSkeleton> {
 public:
  int32_t openSessionAs(std::span<const std::byte> uuid, Object waitCBO, uint32_t cancelCode,
                        uint32_t cancellationRequestTimeout, uint32_t connectionMethod,
                        uint32_t connectionData, uint32_t paramTypes, uint32_t exParamTypes,
                        uint32_t login, const ::IGPAppClientCaptee_Uuid &clientUuid,
                        std::span<const std::byte> i1, std::span<const std::byte> i2,
                        std::span<const std::byte> i3, std::span<const std::byte> i4,
                        std::span<std::byte> o1, size_t &o1_len, std::span<std::byte> o2,
                        size_t &o2_len, std::span<std::byte> o3, size_t &o3_len,
                        std::span<std::byte> o4, size_t &o4_len, Object imem1, Object imem2,
                        Object imem3, Object imem4, uint32_t &memrefOutSz1, uint32_t &memrefOutSz2,
                        uint32_t &memrefOutSz3, uint32_t &memrefOutSz4, Ref &session,
                        uint32_t &retValue, uint32_t &retOrigin) final;
};

// An IGPSession on `Skeleton` (iface::IGPSessionSkeleton or one derived
// from it) whose invokeCommand is invoke(); close() stays the
// implementation's.
template <class Skeleton>
class SessionSkeletonOn : public Skeleton {
 public:
  int32_t invokeCommand(uint32_t commandID, uint32_t cancelCode,
                        uint32_t cancellationRequestTimeout, uint32_t paramTypes,
                        uint32_t exParamTypes, std::span<const std::byte> i1,
                        std::span<const std::byte> i2, std::span<const std::byte> i3,
                        std::span<const std::byte> i4, std::span<std::byte> o1, size_t &o1_len,
                        std::span<std::byte> o2, size_t &o2_len, std::span<std::byte> o3,
                        size_t &o3_len, std::span<std::byte> o4, size_t &o4_len, Object imem1,
                        Object imem2, Object imem3, Object imem4, uint32_t &memrefOutSz1,
                        uint32_t &memrefOutSz2, uint32_t &memrefOutSz3, uint32_t &memrefOutSz4,
                        uint32_t &retValue, uint32_t &retOrigin) final {
    return invoke(
        InvokeRequest{
            commandID, cancelCode, cancellationRequestTimeout, paramTypes, exParamTypes, false, {}},
        ParamArgs{{i1, i2, i3, i4},
                  {o1, o2, o3, o4},
                  {&o1_len, &o2_len, &o3_len, &o4_len},
                  {imem1, imem2, imem3, imem4},
                  {&memrefOutSz1, &memrefOutSz2, &memrefOutSz3, &memrefOutSz4}},
        retValue, retOrigin);
  }

 protected:
  // One invokeCommand; `params` is borrowed for the call and each *out_len
  // starts at its capacity.
  virtual int32_t invoke(const InvokeRequest &req, const ParamArgs &params, uint32_t &ret_value,
                         uint32_t &ret_origin) = 0;
};

using SessionSkeleton = SessionSkeletonOn<iface::IGPSessionSkeleton>;

// A GP TA's own session (IGPSessionTa.idl): invokeCommand and
// invokeInChain both as invoke(), the latter with req.in_chain set.
class TaSessionSkeleton : public SessionSkeletonOn<iface::IGPSessionTaSkeleton> {
 public:
  int32_t invokeInChain(std::span<const std::byte> chain, uint32_t commandID, uint32_t cancelCode,
                        uint32_t cancellationRequestTimeout, uint32_t paramTypes,
                        uint32_t exParamTypes, std::span<const std::byte> i1,
                        std::span<const std::byte> i2, std::span<const std::byte> i3,
                        std::span<const std::byte> i4, std::span<std::byte> o1, size_t &o1_len,
                        std::span<std::byte> o2, size_t &o2_len, std::span<std::byte> o3,
                        size_t &o3_len, std::span<std::byte> o4, size_t &o4_len, Object imem1,
                        Object imem2, Object imem3, Object imem4, uint32_t &memrefOutSz1,
                        uint32_t &memrefOutSz2, uint32_t &memrefOutSz3, uint32_t &memrefOutSz4,
                        uint32_t &retValue, uint32_t &retOrigin) final {
    return this->invoke(InvokeRequest{commandID, cancelCode, cancellationRequestTimeout, paramTypes,
                                      exParamTypes, true, chain},
                        ParamArgs{{i1, i2, i3, i4},
                                  {o1, o2, o3, o4},
                                  {&o1_len, &o2_len, &o3_len, &o4_len},
                                  {imem1, imem2, imem3, imem4},
                                  {&memrefOutSz1, &memrefOutSz2, &memrefOutSz3, &memrefOutSz4}},
                        retValue, retOrigin);
  }
};

}  // namespace captee::gp
