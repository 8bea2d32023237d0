#include "gp_app_client.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <string>

#include "IAppController.h"
#include "IAppLoader.h"
#include "IGPAppClient.h"
#include "IGPSession.h"
#include "captee/gp_ta_protocol.h"
#include "gp_identity.hpp"

namespace captee::tee {
namespace {

constexpr uint32_t kTeeSuccess = 0;
constexpr uint32_t kItemNotFound = 0xFFFF0008u;
constexpr uint32_t kTargetDead = 0xFFFF3024u;
constexpr uint32_t kOutOfMemory = 0xFFFF000Cu;
constexpr uint32_t kAccessDenied = 0xFFFF0001u;
constexpr uint32_t kOriginTee = 3;

// The 24-byte output bundle both ops share (spec §5.5, §5.6).
void set_result(ObjectArg &bundle, uint32_t value, uint32_t origin) {
  uint32_t words[6] = {0, 0, 0, 0, value, origin};
  std::memcpy(bundle.b.ptr, words, sizeof words);
}

bool died(int32_t err) {
  return err == Object_ERROR_DEFUNCT || err == Object_ERROR_UNAVAIL;
}

// The session the client holds; forwards to the TA's session.
class GpSession final : public LocalObject {
 public:
  GpSession(Ref controller, Ref inner)
      : controller_(std::move(controller)), inner_(std::move(inner)) {}

 protected:
  int32_t on_invoke(uint32_t method, ObjectOp op, ObjectArg *a, ObjectCounts k) override {
    if (method == IGPSession_OP_close) {
      if (k != ObjectCounts_pack(0, 0, 0, 0)) {
        return Object_ERROR_INVALID;
      }
      // Synchronous, so a single-session TA can be opened again as soon as
      // TEEC_CloseSession returns (releases travel in batches). libminkteec
      // never calls it; for it the last release closes the session.
      close_inner();
      return Object_OK;
    }
    if (method != IGPSession_OP_invokeCommand) {
      return Object_ERROR_INVALID;
    }
    if (k != ObjectCounts_pack(5, 5, 4, 0) || a[0].bi.size != 20 || a[5].b.size != 24) {
      return Object_ERROR_INVALID;
    }
    if (dead_.load(std::memory_order_acquire)) {
      dead_answer(a);
      return Object_OK;
    }
    int32_t err = inner_.invoke_raw(op, a, k);
    if (died(err)) {
      dead_.store(true, std::memory_order_release);
      dead_answer(a);
      return Object_OK;
    }
    return err;
  }

 private:
  static void dead_answer(ObjectArg *a) {
    set_result(a[5], kTargetDead, kOriginTee);
    for (int i = 6; i < 10; ++i) {
      a[i].b.size = 0;
    }
  }

  // Closes the TA's session synchronously (TA_CloseSessionEntryPoint runs)
  // before the controller goes, which may stop the TA process.
  void on_last_release() noexcept override {
    close_inner();
    inner_.reset();
  }

  void close_inner() noexcept {
    if (!closed_.exchange(true) && !dead_.load(std::memory_order_acquire)) {
      (void)inner_.invoke_raw(IGPSession_OP_close, nullptr, 0);
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

class GpAppClient final : public LocalObject {
 public:
  GpAppClient(std::shared_ptr<const BuiltinTaTable> builtins,
              std::shared_ptr<apps::AppRegistry> registry, ClientIdentity who,
              std::vector<std::string> denied)
      : builtins_(std::move(builtins)),
        registry_(std::move(registry)),
        who_(std::move(who)),
        denied_(std::move(denied)) {}

 protected:
  int32_t on_invoke(uint32_t method, ObjectOp op, ObjectArg *a, ObjectCounts k) override {
    if (method != IGPAppClient_OP_openSession && method != IGPAppClient_OP_openSessionV2) {
      return Object_ERROR_INVALID;
    }
    size_t bundle_in = method == IGPAppClient_OP_openSession ? 20 : 24;
    if (k != ObjectCounts_pack(6, 5, 5, 1) || a[0].bi.size != bundle_in || a[6].b.size != 24) {
      return Object_ERROR_INVALID;
    }
    a[16].o = Object_NULL;
    if (a[1].bi.size != 16) {
      return IGPAppClient_ERROR_INVALID_UUID_LEN;
    }
    size_t out_cap[4];
    for (int i = 0; i < 4; ++i) {
      out_cap[i] = a[7 + i].b.size;
      a[7 + i].b.size = 0;  // nothing produced unless the TA answers
    }
    // The V2 bundle, then the identity capteed vouches for.
    uint32_t bi[6] = {};
    if (method == IGPAppClient_OP_openSession) {
      uint32_t v1[5];
      std::memcpy(v1, a[0].bi.ptr, sizeof v1);
      bi[0] = v1[0];
      bi[1] = 0xFFFFFFFFu;
      bi[2] = v1[1];
      bi[3] = v1[2];
      bi[4] = v1[3];
      bi[5] = v1[4];
    } else {
      std::memcpy(bi, a[0].bi.ptr, sizeof bi);
    }
    GpIdentity identity;
    if (uint32_t r = gp_identity_for(who_, bi[2], bi[3], &identity); r != kTeeSuccess) {
      set_result(a[6], r, kOriginTee);
      return Object_OK;
    }
    uint8_t bundle[CAPTEE_GP_OPEN_AS_BUNDLE_SIZE];
    std::memcpy(bundle, bi, sizeof bi);
    std::memcpy(bundle + 24, &identity.login, 4);
    std::memcpy(bundle + 28, identity.uuid.data(), 16);
    const std::string uuid = uuid_string(a[1].bi.ptr);
    if (std::find(denied_.begin(), denied_.end(), uuid) != denied_.end()) {
      set_result(a[6], kAccessDenied, kOriginTee);
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
        // No slot left (the registry's, or this client's uid at its cap) is
        // a resource running out, not a missing TA.
        const bool exhausted = err == Object_ERROR_KMEM || err == IAppLoader_ERROR_MAX_NUM_APPS;
        set_result(a[6], exhausted ? kOutOfMemory : kItemNotFound, kOriginTee);
        return Object_OK;
      }
      Object app_obj = Object_NULL;
      err = IAppController_getAppObject(controller.get(), &app_obj);
      app = Ref::adopt(app_obj);
      if (err != Object_OK) {
        set_result(a[6], kTargetDead, kOriginTee);
        return Object_OK;
      }
    }
    // Restore the output capacities the TA may fill.
    for (int i = 0; i < 4; ++i) {
      a[7 + i].b.size = out_cap[i];
    }
    ObjectArg fwd[17];
    std::memcpy(fwd, a, sizeof fwd);
    fwd[0].bi = {bundle, sizeof bundle};
    err = app.invoke_raw(CAPTEE_GP_OP_OPEN_SESSION_AS | (op & ~ObjectOp_METHOD_MASK), fwd, k);
    for (int i = 1; i < 17; ++i) {
      a[i] = fwd[i];  // output sizes and the session
    }
    if (died(err)) {
      set_result(a[6], kTargetDead, kOriginTee);
      a[16].o = Object_NULL;
      for (int i = 7; i < 11; ++i) {
        a[i].b.size = 0;
      }
      return Object_OK;
    }
    if (err != Object_OK) {
      return err;
    }
    Ref inner = Ref::adopt(a[16].o);
    a[16].o = Object_NULL;
    uint32_t words[6];
    std::memcpy(words, a[6].b.ptr, sizeof words);
    if (words[4] == kTeeSuccess && inner) {
      a[16].o = make_object<GpSession>(std::move(controller), std::move(inner)).detach();
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
