#include "gp_app_client.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>

#include "IAppController.h"
#include "IAppLoader.h"
#include "IGPAppClientCaptee.h"
#include "IGPAppClientTa.hpp"
#include "captee/gp_call_chain.hpp"
#include "captee/gp_skeletons.hpp"
#include "gp_identity.hpp"
#include "gp_session.hpp"
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

// Who opens sessions through one GpAppClient: a normal-world client, whose
// login identity is computed from its kernel credentials for each open, or
// a TA (TA-to-TA), whose identity capteed fixed when it loaded the TA.
struct Opener {
  ClientIdentity who;                // a client: its kernel identity
  std::optional<apps::TaCaller> ta;  // a TA: who it is (then `who` is unused)
};

// capteed's IGPAppClient (ops 0 and 1): finds the TA, then opens with the
// TA's openSessionAs, stating the identity capteed computed. Op 2
// (IGPAppClientTa.openSessionInChain) is the same open with a TA caller's
// call chain (decision 0028).
class GpAppClient final : public gp::AppClientSkeleton<iface::IGPAppClientTaSkeleton> {
 public:
  int32_t openSessionInChain(std::span<const std::byte> chain, std::span<const std::byte> uuid,
                             Object waitCBO, uint32_t cancelCode,
                             uint32_t cancellationRequestTimeout, uint32_t connectionMethod,
                             uint32_t connectionData, uint32_t paramTypes, uint32_t exParamTypes,
                             std::span<const std::byte> i1, std::span<const std::byte> i2,
                             std::span<const std::byte> i3, std::span<const std::byte> i4,
                             std::span<std::byte> o1, size_t &o1_len, std::span<std::byte> o2,
                             size_t &o2_len, std::span<std::byte> o3, size_t &o3_len,
                             std::span<std::byte> o4, size_t &o4_len, Object imem1, Object imem2,
                             Object imem3, Object imem4, uint32_t &memrefOutSz1,
                             uint32_t &memrefOutSz2, uint32_t &memrefOutSz3, uint32_t &memrefOutSz4,
                             Ref &session, uint32_t &retValue, uint32_t &retOrigin) override {
    gp::OpenRequest req =
        gp::open_request(uuid, waitCBO, cancelCode, cancellationRequestTimeout, connectionMethod,
                         connectionData, paramTypes, exParamTypes);
    req.chain = chain;
    return open(req,
                ParamArgs{{i1, i2, i3, i4},
                          {o1, o2, o3, o4},
                          {&o1_len, &o2_len, &o3_len, &o4_len},
                          {imem1, imem2, imem3, imem4},
                          {&memrefOutSz1, &memrefOutSz2, &memrefOutSz3, &memrefOutSz4}},
                session, retValue, retOrigin);
  }

  GpAppClient(std::shared_ptr<const BuiltinTaTable> builtins,
              std::weak_ptr<const BuiltinTaTable> weak_builtins,
              std::shared_ptr<apps::AppRegistry> registry,
              std::weak_ptr<apps::AppRegistry> weak_registry, Opener opener,
              std::vector<std::string> denied, std::shared_ptr<TaCallGraph> graph)
      : builtins_(std::move(builtins)),
        weak_builtins_(std::move(weak_builtins)),
        registry_(std::move(registry)),
        weak_registry_(std::move(weak_registry)),
        opener_(std::move(opener)),
        denied_(std::move(denied)),
        graph_(std::move(graph)) {
    if (opener_.ta) {
      ta_identity_ = gp_identity_of_ta(*opener_.ta);
    }
  }

 protected:
  int32_t open(const OpenRequest &req, const ParamArgs &args, Ref &session, uint32_t &ret_value,
               uint32_t &ret_origin) override {
    if (req.uuid.size() != 16) {
      return IGPAppClient_ERROR_INVALID_UUID_LEN;
    }
    // A TA caller's chain of direct hops (decision 0028); malformed, the
    // open is refused before anything is loaded.
    gp::CallChain chain;
    if (!req.chain.empty() && !gp::CallChain::parse(req.chain, chain)) {
      clear_outputs(args);
      return Object_ERROR_INVALID;
    }
    GpIdentity identity;
    if (opener_.ta) {
      // A TA claims nothing: TEE_LOGIN_TRUSTED_APP asks for the identity
      // capteed bound to it; any other login is a claim and is refused.
      if (req.connection_method != TEE_LOGIN_TRUSTED_APP) {
        answer(args, TEE_ERROR_ACCESS_DENIED, ret_value, ret_origin);
        return Object_OK;
      }
      identity = ta_identity_;
    } else if (uint32_t r = gp_identity_for(opener_.who, req.connection_method, req.connection_data,
                                            &identity);
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
    std::shared_ptr<const BuiltinTaTable> builtins = builtins_ ? builtins_ : weak_builtins_.lock();
    Ref app = builtins ? builtins->app_object(uuid) : Ref();
    int32_t err = Object_OK;
    if (!app) {
      std::shared_ptr<apps::AppRegistry> registry = registry_ ? registry_ : weak_registry_.lock();
      if (!registry) {
        answer(args, TEE_ERROR_GENERIC, ret_value, ret_origin);  // capteed is stopping
        return Object_OK;
      }
      // The TA directory's image, as this client: only an instance of the
      // TA directory's authority is ever shared with it, never one a user
      // loaded from a buffer; a TA it starts counts against its uid's caps
      // (a TA's: the uid whose load started that TA).
      const uid_t uid = opener_.ta ? opener_.ta->loaded_by : opener_.who.uid;
      err = registry->load_embedded(uuid, uid, controller);
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
    GpCallSite site;
    if (opener_.ta) {
      site = {graph_, opener_.ta->app_id, apps::controller_app_id(controller.get())};
    }
    std::optional<TaCallGraph::Edge> edge =
        site.graph ? site.graph->enter(site.caller, site.callee, chain.ids())
                   : TaCallGraph::Edge::none();
    if (!edge) {
      // The TA to open waits for the caller: opening would wait for ever.
      answer(args, TEE_ERROR_BUSY, ret_value, ret_origin);
      return Object_OK;
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
      session = make_gp_session(std::move(controller), std::move(inner), std::move(site));
    }
    return Object_OK;
  }

 private:
  // A client's service keeps the built-in TAs and the registry; a TA's only
  // points to them: the registry holds the TA (and so its service) itself,
  // and a TA's service must not keep the built-in TAs past the daemon (a
  // channel thread may drop the last TA after capteed shut its extensions).
  std::shared_ptr<const BuiltinTaTable> builtins_;
  std::weak_ptr<const BuiltinTaTable> weak_builtins_;
  std::shared_ptr<apps::AppRegistry> registry_;
  std::weak_ptr<apps::AppRegistry> weak_registry_;
  const Opener opener_;
  GpIdentity ta_identity_;  // when opener_.ta
  std::vector<std::string> denied_;
  std::shared_ptr<TaCallGraph> graph_;
};

}  // namespace

Ref make_gp_app_client(std::shared_ptr<const BuiltinTaTable> builtins,
                       std::shared_ptr<apps::AppRegistry> registry, const ClientIdentity &who,
                       std::vector<std::string> denied) {
  return make_object<GpAppClient>(std::move(builtins), std::weak_ptr<const BuiltinTaTable>(),
                                  std::move(registry), std::weak_ptr<apps::AppRegistry>(),
                                  Opener{who, std::nullopt}, std::move(denied), nullptr);
}

Ref make_ta_gp_app_client(std::weak_ptr<const BuiltinTaTable> builtins,
                          std::weak_ptr<apps::AppRegistry> registry,
                          std::shared_ptr<TaCallGraph> graph, const apps::TaCaller &ta,
                          std::vector<std::string> denied) {
  return make_object<GpAppClient>(nullptr, std::move(builtins), nullptr, std::move(registry),
                                  Opener{ClientIdentity{}, ta}, std::move(denied),
                                  std::move(graph));
}

}  // namespace captee::tee
