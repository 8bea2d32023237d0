#include "gp_app_client.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <string>

#include "IAppController.h"
#include "IAppLoader.h"
#include "IGPAppClientCaptee.h"
#include "IGPSession.hpp"
#include "captee/gp_skeletons.hpp"
#include "gp_identity.hpp"
#include "tee_api_defines.h"

namespace captee::tee {
namespace {

// What a client's TEEC_OpenSession gets when the TA cannot be loaded: the
// code OP-TEE gives for the same cause (capteed's log says which cause).
TEE_Result tee_result_of_load_error(int32_t err) {
  switch (err) {
    case IAppLoader_ERROR_EMBEDDED_IMAGE_NOT_FOUND:
      return TEE_ERROR_ITEM_NOT_FOUND;
    case IAppLoader_ERROR_ELF_SIGNATURE_ERROR:
      return TEE_ERROR_SECURITY;             // unsigned, untrusted key, altered, UUID mismatch
    case IAppLoader_ERROR_INVALID_BUFFER:    // empty, unreadable, over the size limit
    case IAppLoader_ERROR_METADATA_INVALID:  // no or a malformed manifest
    case IAppLoader_ERROR_NO_NAME_IN_METADATA:
    case IAppLoader_ERROR_APP_ARCH_NOT_SUPPORTED:
    case IAppLoader_ERROR_ELF_LOADING:  // the TA host could not load it
      return TEE_ERROR_BAD_FORMAT;
    case IAppLoader_ERROR_ALREADY_LOADED:  // a single instance of another image runs
      return TEE_ERROR_BUSY;
    case Object_ERROR_KMEM:  // no slot left, the registry's or this uid's
    case IAppLoader_ERROR_MAX_NUM_APPS:
    case IAppLoader_ERROR_TA_APP_REGION_MALLOC_FAILURE:
    case IAppLoader_ERROR_TZ_HEAP_MALLOC_FAILURE:
      return TEE_ERROR_OUT_OF_MEMORY;
    default:
      return TEE_ERROR_GENERIC;
  }
}

using gp::clear_outputs;
using gp::OpenRequest;
using gp::ParamArgs;

// A result capteed answers itself (origin TEE), with nothing produced.
void answer(const ParamArgs &args, uint32_t value, uint32_t &ret_value, uint32_t &ret_origin) {
  clear_outputs(args);
  ret_value = value;
  ret_origin = TEE_ORIGIN_TEE;
}

bool died(int32_t err) {
  return err == Object_ERROR_DEFUNCT || err == Object_ERROR_UNAVAIL;
}

// The session the client holds; forwards to the TA's session. Implemented
// on the generated skeleton itself, not gp::SessionSkeleton: it only passes
// the call on, so it takes the arguments as the skeleton gives them and
// hands them to the generated stub as they are (buffers and objects by
// pointer, uncopied).
class GpSession final : public iface::IGPSessionSkeleton {
 public:
  GpSession(Ref controller, Ref inner)
      : controller_(std::move(controller)), inner_(std::move(inner)) {}

  int32_t close() override {
    // Synchronous, so a single-session TA can be opened again as soon as
    // TEEC_CloseSession returns (releases travel in batches). libminkteec
    // never calls it; for it the last release closes the session.
    close_inner();
    return Object_OK;
  }

  int32_t invokeCommand(uint32_t commandID, uint32_t cancelCode,
                        uint32_t cancellationRequestTimeout, uint32_t paramTypes,
                        uint32_t exParamTypes, std::span<const std::byte> i1,
                        std::span<const std::byte> i2, std::span<const std::byte> i3,
                        std::span<const std::byte> i4, std::span<std::byte> o1, size_t &o1_len,
                        std::span<std::byte> o2, size_t &o2_len, std::span<std::byte> o3,
                        size_t &o3_len, std::span<std::byte> o4, size_t &o4_len, Object imem1,
                        Object imem2, Object imem3, Object imem4, uint32_t &memrefOutSz1,
                        uint32_t &memrefOutSz2, uint32_t &memrefOutSz3, uint32_t &memrefOutSz4,
                        uint32_t &retValue, uint32_t &retOrigin) override {
    // TARGET_DEAD (origin TEE), nothing produced.
    auto dead_answer = [&] {
      o1_len = o2_len = o3_len = o4_len = 0;
      memrefOutSz1 = memrefOutSz2 = memrefOutSz3 = memrefOutSz4 = 0;
      retValue = TEE_ERROR_TARGET_DEAD;
      retOrigin = TEE_ORIGIN_TEE;
      return Object_OK;
    };
    if (dead_.load(std::memory_order_acquire)) {
      return dead_answer();
    }
    int32_t err = IGPSession_invokeCommand(
        inner_.get(), commandID, cancelCode, cancellationRequestTimeout, paramTypes, exParamTypes,
        i1.data(), i1.size(), i2.data(), i2.size(), i3.data(), i3.size(), i4.data(), i4.size(),
        o1.data(), o1.size(), &o1_len, o2.data(), o2.size(), &o2_len, o3.data(), o3.size(), &o3_len,
        o4.data(), o4.size(), &o4_len, imem1, imem2, imem3, imem4, &memrefOutSz1, &memrefOutSz2,
        &memrefOutSz3, &memrefOutSz4, &retValue, &retOrigin);
    if (died(err)) {
      dead_.store(true, std::memory_order_release);
      return dead_answer();
    }
    return err;
  }

 private:
  // Closes the TA's session synchronously (TA_CloseSessionEntryPoint runs)
  // before the controller goes, which may stop the TA process.
  void on_last_release() noexcept override {
    close_inner();
    inner_.reset();
  }

  void close_inner() noexcept {
    if (!closed_.exchange(true) && !dead_.load(std::memory_order_acquire)) {
      (void)IGPSession_close(inner_.get());
    }
  }

  Ref controller_;
  Ref inner_;
  std::atomic<bool> dead_{false};
  std::atomic<bool> closed_{false};
};

std::string uuid_string(const void *raw) {
  // TEEC_UUID as stored in the client's memory (host order fields).
  uint32_t time_low = 0;
  uint16_t time_mid = 0;
  uint16_t time_hi = 0;
  uint8_t node[8];
  const auto *p = static_cast<const uint8_t *>(raw);
  std::memcpy(&time_low, p, 4);
  std::memcpy(&time_mid, p + 4, 2);
  std::memcpy(&time_hi, p + 6, 2);
  std::memcpy(node, p + 8, 8);
  char s[37];
  std::snprintf(s, sizeof s, "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x", time_low, time_mid,
                time_hi, node[0], node[1], node[2], node[3], node[4], node[5], node[6], node[7]);
  return s;
}

// capteed's IGPAppClient (ops 0 and 1): finds the TA, then opens with the
// TA's openSessionAs, stating the identity capteed computed.
class GpAppClient final : public gp::AppClientSkeleton<iface::IGPAppClientSkeleton> {
 public:
  GpAppClient(std::shared_ptr<const BuiltinTaTable> builtins,
              std::shared_ptr<apps::AppRegistry> registry, ClientIdentity who,
              std::vector<std::string> denied)
      : builtins_(std::move(builtins)),
        registry_(std::move(registry)),
        who_(std::move(who)),
        denied_(std::move(denied)) {}

 protected:
  int32_t open(const OpenRequest &req, const ParamArgs &args, Ref &session, uint32_t &ret_value,
               uint32_t &ret_origin) override {
    if (req.uuid.size() != 16) {
      return IGPAppClient_ERROR_INVALID_UUID_LEN;
    }
    GpIdentity identity;
    if (uint32_t r = gp_identity_for(who_, req.connection_method, req.connection_data, &identity);
        r != TEE_SUCCESS) {
      answer(args, r, ret_value, ret_origin);
      return Object_OK;
    }
    const std::string uuid = uuid_string(req.uuid.data());
    if (std::find(denied_.begin(), denied_.end(), uuid) != denied_.end()) {
      answer(args, TEE_ERROR_ACCESS_DENIED, ret_value, ret_origin);
      return Object_OK;
    }
    Ref controller;  // keeps a TA process alive; none for built-in TAs
    Ref app = builtins_ ? builtins_->app_object(uuid) : Ref();
    int32_t err = Object_OK;
    if (!app) {
      // The TA directory's image, as this client: only an instance of the
      // TA directory's authority is ever shared with it, never one a user
      // loaded from a buffer; a TA it starts counts against its uid's caps.
      err = registry_->load_embedded(uuid, who_.uid, controller);
      if (err != Object_OK) {
        answer(args, tee_result_of_load_error(err), ret_value, ret_origin);
        return Object_OK;
      }
      Object app_obj = Object_NULL;
      err = IAppController_getAppObject(controller.get(), &app_obj);
      app = Ref::adopt(app_obj);
      if (err != Object_OK) {
        answer(args, TEE_ERROR_TARGET_DEAD, ret_value, ret_origin);
        return Object_OK;
      }
    }
    if (app.is_null()) {
      // A controller that answered without an app object; a stub cannot
      // invoke nothing, and a null Ref answers this.
      return Object_ERROR_BADOBJ;
    }
    IGPAppClientCaptee_Uuid client_uuid;
    std::memcpy(client_uuid.bytes, identity.uuid.data(), sizeof client_uuid.bytes);
    Object inner_obj = Object_NULL;
    err = IGPAppClientCaptee_openSessionAs(
        app.get(), req.uuid.data(), req.uuid.size(), req.wait, req.cancel_code, req.cancel_timeout,
        req.connection_method, req.connection_data, req.param_types, req.ex_param_types,
        identity.login, &client_uuid, args.in[0].data(), args.in[0].size(), args.in[1].data(),
        args.in[1].size(), args.in[2].data(), args.in[2].size(), args.in[3].data(),
        args.in[3].size(), args.out[0].data(), args.out[0].size(), args.out_len[0],
        args.out[1].data(), args.out[1].size(), args.out_len[1], args.out[2].data(),
        args.out[2].size(), args.out_len[2], args.out[3].data(), args.out[3].size(),
        args.out_len[3], args.mem[0], args.mem[1], args.mem[2], args.mem[3], args.out_size[0],
        args.out_size[1], args.out_size[2], args.out_size[3], &inner_obj, &ret_value, &ret_origin);
    if (died(err)) {
      answer(args, TEE_ERROR_TARGET_DEAD, ret_value, ret_origin);
      return Object_OK;
    }
    if (err != Object_OK) {
      return err;
    }
    Ref inner = Ref::adopt(inner_obj);
    if (ret_value == TEE_SUCCESS && inner) {
      session = make_object<GpSession>(std::move(controller), std::move(inner));
    }
    return Object_OK;
  }

 private:
  std::shared_ptr<const BuiltinTaTable> builtins_;
  std::shared_ptr<apps::AppRegistry> registry_;
  ClientIdentity who_;
  std::vector<std::string> denied_;
};

}  // namespace

Ref make_gp_app_client(std::shared_ptr<const BuiltinTaTable> builtins,
                       std::shared_ptr<apps::AppRegistry> registry, const ClientIdentity &who,
                       std::vector<std::string> denied) {
  return make_object<GpAppClient>(std::move(builtins), std::move(registry), who, std::move(denied));
}

}  // namespace captee::tee
