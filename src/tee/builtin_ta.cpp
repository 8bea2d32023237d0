// Built-in TAs as Mink objects: the app object answers the opens like the
// TA runtime in captee-tahost (src/gp_ta), on the same generated skeletons
// and with the same parameter rules (captee/gp_skeletons.hpp,
// captee/gp_params.hpp), and each session forwards invokeCommand.
#include "captee/tee/builtin_ta.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "captee/gp_params.hpp"
#include "captee/gp_skeletons.hpp"
#include "tee_api_defines.h"

namespace captee::tee {

namespace {

using gp::clear_outputs;
using gp::InvokeRequest;
using gp::OpenRequest;
using gp::ParamArgs;
using gp::Params;

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

class BuiltinSession final : public gp::SessionSkeleton {
 public:
  BuiltinSession(std::shared_ptr<BuiltinGpTa> ta, void *session)
      : ta_(std::move(ta)), session_(session) {}

  int32_t close() override {
    close_once();
    return Object_OK;
  }

 protected:
  int32_t invoke(const InvokeRequest &req, const ParamArgs &args, uint32_t &ret_value,
                 uint32_t &ret_origin) override {
    Params p;
    TEE_Result r = p.build(req.param_types, req.ex_param_types, args);
    if (r != TEE_SUCCESS) {
      clear_outputs(args);
      ret_value = r;
      ret_origin = TEE_ORIGIN_TEE;
      return Object_OK;
    }
    if (closed()) {
      clear_outputs(args);
      ret_value = TEE_ERROR_BAD_STATE;
      ret_origin = TEE_ORIGIN_TEE;
      return Object_OK;
    }
    r = ta_->invoke_command(session_, req.command, req.param_types, p.get());
    p.finish(args);
    ret_value = r;
    ret_origin = TEE_ORIGIN_TRUSTED_APP;
    return Object_OK;
  }

  void on_last_release() noexcept override { close_once(); }

 private:
  bool closed() {
    std::lock_guard<std::mutex> lock(mu_);
    return closed_;
  }
  void close_once() noexcept {
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

// Answers all three opens, openSessionAs included: capteed's GP service is
// the only holder of a built-in TA's app object (BuiltinTaTable::app_object).
class BuiltinAppClient final : public gp::TaAppSkeleton {
 public:
  explicit BuiltinAppClient(std::shared_ptr<BuiltinGpTa> ta) : ta_(std::move(ta)) {}

 protected:
  int32_t open(const OpenRequest &req, const ParamArgs &args, Ref &session, uint32_t &ret_value,
               uint32_t &ret_origin) override {
    Params p;
    TEE_Result r = p.build(req.param_types, req.ex_param_types, args);
    if (r != TEE_SUCCESS) {
      clear_outputs(args);
      ret_value = r;
      ret_origin = TEE_ORIGIN_TEE;
      return Object_OK;
    }
    void *ta_session = nullptr;
    r = ta_->open_session(req.client, req.param_types, p.get(), &ta_session);
    p.finish(args);
    ret_value = r;
    ret_origin = TEE_ORIGIN_TRUSTED_APP;
    if (r == TEE_SUCCESS) {
      session = make_object<BuiltinSession>(ta_, ta_session);
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
