// Built-in TAs as Mink objects: the app object answers openSession like the
// TA runtime in captee-tahost (src/gp_ta), with the same parameter rules
// (captee/gp_params.hpp), and each session forwards invokeCommand.
#include "captee/tee/builtin_ta.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "IGPAppClient.h"
#include "IGPSession.h"
#include "captee/gp_params.hpp"
#include "captee/gp_ta_protocol.h"
#include "tee_api_defines.h"

namespace captee::tee {

namespace {

using gp::clear_outputs;
using gp::Params;
using gp::put_result;

bool canonical_uuid(const std::string &s) {
  if (s.size() != 36) {
    return false;
  }
  for (size_t i = 0; i < s.size(); i++) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-'
             : !(std::isdigit(static_cast<unsigned char>(s[i])) || (s[i] >= 'a' && s[i] <= 'f'))) {
      return false;
    }
  }
  return true;
}

class BuiltinSession final : public LocalObject {
 public:
  BuiltinSession(std::shared_ptr<BuiltinGpTa> ta, void *session)
      : ta_(std::move(ta)), session_(session) {}

 protected:
  int32_t on_invoke(uint32_t method, ObjectOp, ObjectArg *a, ObjectCounts k) override {
    if (method == IGPSession_OP_close) {
      if (k != ObjectCounts_pack(0, 0, 0, 0)) {
        return Object_ERROR_INVALID;
      }
      close();
      return Object_OK;
    }
    gp::InvokeRequest req;
    if (method != IGPSession_OP_invokeCommand || !gp::decode_invoke_request(k, a, &req)) {
      return Object_ERROR_INVALID;
    }
    uint32_t out_sz[4] = {};
    Params p;
    TEE_Result r = p.build(req.param_types, req.ex_param_types, &a[1], &a[6], &a[10]);
    if (r != TEE_SUCCESS) {
      clear_outputs(&a[6]);
      put_result(a[5], out_sz, r, TEE_ORIGIN_TEE);
      return Object_OK;
    }
    if (closed()) {
      clear_outputs(&a[6]);
      put_result(a[5], out_sz, TEE_ERROR_BAD_STATE, TEE_ORIGIN_TEE);
      return Object_OK;
    }
    r = ta_->invoke_command(session_, req.command, req.param_types, p.get());
    p.finish(&a[6], out_sz);
    put_result(a[5], out_sz, r, TEE_ORIGIN_TRUSTED_APP);
    return Object_OK;
  }

  void on_last_release() noexcept override { close(); }

 private:
  bool closed() {
    std::lock_guard<std::mutex> lock(mu_);
    return closed_;
  }
  void close() noexcept {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (closed_) {
        return;
      }
      closed_ = true;
    }
    ta_->close_session(session_);
  }

  std::shared_ptr<BuiltinGpTa> ta_;
  void *session_;
  std::mutex mu_;
  bool closed_ = false;  // guarded by mu_
};

class BuiltinAppClient final : public LocalObject {
 public:
  explicit BuiltinAppClient(std::shared_ptr<BuiltinGpTa> ta) : ta_(std::move(ta)) {}

 protected:
  int32_t on_invoke(uint32_t method, ObjectOp, ObjectArg *a, ObjectCounts k) override {
    gp::OpenRequest req;
    if (k != ObjectCounts_pack(6, 5, 5, 1) || a[6].b.size != 24 ||
        !gp::decode_open_request(method, a[0], &req)) {
      return Object_ERROR_INVALID;
    }
    a[16].o = Object_NULL;
    uint32_t out_sz[4] = {};
    Params p;
    TEE_Result r = p.build(req.param_types, req.ex_param_types, &a[2], &a[7], &a[12]);
    if (r != TEE_SUCCESS) {
      clear_outputs(&a[7]);
      put_result(a[6], out_sz, r, TEE_ORIGIN_TEE);
      return Object_OK;
    }
    void *session = nullptr;
    r = ta_->open_session(req.client, req.param_types, p.get(), &session);
    p.finish(&a[7], out_sz);
    put_result(a[6], out_sz, r, TEE_ORIGIN_TRUSTED_APP);
    if (r == TEE_SUCCESS) {
      a[16].o = make_object<BuiltinSession>(ta_, session).detach();
    }
    return Object_OK;
  }

 private:
  std::shared_ptr<BuiltinGpTa> ta_;
};

}  // namespace

bool BuiltinTaTable::add(const std::string &uuid, std::string name,
                         std::shared_ptr<BuiltinGpTa> ta) {
  if (!canonical_uuid(uuid) || !ta) {
    return false;
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (std::any_of(entries_.begin(), entries_.end(),
                  [&](const Entry &e) { return e.uuid == uuid; })) {
    return false;
  }
  entries_.push_back({uuid, std::move(name), make_object<BuiltinAppClient>(std::move(ta))});
  return true;
}

Ref BuiltinTaTable::app_object(const std::string &uuid) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const Entry &e : entries_) {
    if (e.uuid == uuid) {
      return e.app;
    }
  }
  return {};
}

std::vector<BuiltinTaTable::Info> BuiltinTaTable::list() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Info> out;
  for (const Entry &e : entries_) {
    out.push_back({e.uuid, e.name});
  }
  return out;
}

}  // namespace captee::tee
