#include "ta_test_support.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>

#include "captee/fwimage/resource_table.hpp"
#include "captee/fwimage/signed_image.hpp"

#ifdef CAPTEE_TA_OVER_TEEC
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>

#include "captee/ta/remoteproc_extension.hpp"
#include "captee/tee/app_services.hpp"
#include "captee/tee/builtin_ta.hpp"
#include "captee/tee/daemon.hpp"
#include "tee_client_api.h"
#endif

namespace captee::ta::testing {

namespace fwt = captee::fwimage::testing;

bool eventually(const std::function<bool()> &cond, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return cond();
}

namespace {
Bytes read_if(const std::string &path) {
  return path.empty() ? Bytes{} : fwt::read_bytes(path);
}
}  // namespace

// The development key, OP-TEE's test RSA and P-256 keys, and fwimage's
// generated 2048-bit RSA key.
std::vector<std::string> default_keys() {
  std::vector<std::string> keys;
  if (firmware_built()) {
    keys.push_back(dev_public_pem());
  }
  keys.push_back(test_data_text("test-rsa2048.pub.pem"));
  keys.push_back(test_data_text("test-p256.pub.pem"));
  keys.push_back(fwt::public_pem_of(fwt::rsa_private_pem(2048)));
  return keys;
}

bool firmware_built() {
  return std::string(CAPTEE_FIRMWARE_SIGNED).size() > 0;
}
Bytes dev_signed_firmware() {
  return read_if(CAPTEE_FIRMWARE_SIGNED);
}
Bytes dev_signed_bundle() {
  return read_if(CAPTEE_FIRMWARE_BUNDLE_SIGNED);
}
std::string dev_public_pem() {
  Bytes b = read_if(CAPTEE_FIRMWARE_DEV_PUBKEY);
  return std::string(b.begin(), b.end());
}
std::string test_data_text(const std::string &name) {
  Bytes b = fwt::read_bytes(fwt::rproc_data(name));
  return std::string(b.begin(), b.end());
}

Bytes sign(const std::vector<Bytes> &images, const std::string &private_pem,
           std::vector<fwimage::PlatformTlv> tlvs) {
  fwimage::PrivateKey key = fwt::private_key(private_pem);
  fwimage::SignRequest req;
  for (const Bytes &i : images) {
    req.images.emplace_back(i);
  }
  req.sign_type = key.algorithm() == fwimage::KeyAlgorithm::kRsa
                      ? fwimage::kSignTypeRsaPkcs1Sha256
                      : fwimage::kSignTypeEcdsaP256Sha256;
  req.platform_tlvs = std::move(tlvs);
  auto out = fwimage::sign_images(req, key);
  EXPECT_TRUE(out.ok()) << out.error().message;
  return out.ok() ? out.value() : Bytes{};
}

#ifdef CAPTEE_TA_OVER_TEEC
bool over_teec() {
  return true;
}

struct TaFixture::Teec {
  std::string dir;
  std::unique_ptr<tee::Daemon> daemon;
  RemoteprocExtension ext;
  std::shared_ptr<tee::apps::AppRegistry> apps;
  TEEC_Context ctx{};
  TEEC_Session session{};
  bool context_open = false, session_open = false;

  ~Teec() {
    if (session_open) {
      TEEC_CloseSession(&session);
    }
    if (context_open) {
      TEEC_FinalizeContext(&ctx);
    }
    if (daemon) {
      daemon->stop();
    }
    if (apps) {
      apps->shutdown();
    }
    ext.shutdown();
    std::filesystem::remove_all(dir);
  }

  TEEC_Result invoke(uint32_t cmd, TEEC_Operation *op) {
    uint32_t origin = 0;
    return TEEC_InvokeCommand(&session, cmd, op, &origin);
  }
};

void TaFixture::build(const platform::PlatformDescription &desc, std::vector<std::string> keys) {
  teardown();
  if (keys.empty()) {
    keys = default_keys();
  }
  teec_ = std::make_unique<Teec>();
  char tmpl[] = "/tmp/captee-ta-teec-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  teec_->dir = tmpl;
  tee::DaemonOptions opts;
  opts.socket_path = teec_->dir + "/captee.sock";
  opts.policy = tee::Policy::allow_all();
  opts.log_level = tee::LogLevel::kInfo;
  opts.log = [this](tee::LogLevel, const std::string &line) {
    std::lock_guard<std::mutex> lock(log_mu_);
    log_.push_back(line);
  };
  teec_->daemon = std::make_unique<tee::Daemon>(std::move(opts));
  teec_->ext.platform_description = desc;
  teec_->ext.public_keys_pem = std::move(keys);
  auto builtins = std::make_shared<tee::BuiltinTaTable>();
  std::string why;
  ASSERT_TRUE(teec_->ext.install(*teec_->daemon, *builtins, &why)) << why;
  teec_->apps = tee::install_app_services(*teec_->daemon, {}, builtins);
  ASSERT_TRUE(teec_->daemon->start(&why)) << why;
  soc_ = teec_->ext.soc();
  ta_ = teec_->ext.ta();
  ASSERT_EQ(ta_->open_session(kParamsNone, nullptr, &session_), TEE_SUCCESS);

  ::setenv("CAPTEE_SOCKET", (teec_->dir + "/captee.sock").c_str(), 1);
  ASSERT_EQ(TEEC_InitializeContext(nullptr, &teec_->ctx), TEEC_SUCCESS);
  teec_->context_open = true;
  TEEC_UUID uuid = {0x80a4c275, 0x0a47, 0x4905, {0x82, 0x85, 0x14, 0x86, 0xa9, 0x77, 0x1a, 0x08}};
  uint32_t origin = 0;
  ASSERT_EQ(TEEC_OpenSession(&teec_->ctx, &teec_->session, &uuid, TEEC_LOGIN_PUBLIC, nullptr,
                             nullptr, &origin),
            TEEC_SUCCESS);
  teec_->session_open = true;
}

void TaFixture::teardown() {
  if (ta_ != nullptr && session_ != nullptr) {
    ta_->close_session(session_);
  }
  session_ = nullptr;
  ta_ = nullptr;
  soc_ = nullptr;
  teec_.reset();
}

TEE_Result TaFixture::invoke(uint32_t cmd, uint32_t rproc_id) {
  TEEC_Operation op{};
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
  op.params[0].value.a = rproc_id;
  return teec_->invoke(cmd, &op);
}

TEE_Result TaFixture::load(const Bytes &image, uint32_t rproc_id) {
  TEEC_SharedMemory shm{};
  shm.size = image.size();
  shm.flags = TEEC_MEM_INPUT;
  if (TEEC_Result r = TEEC_AllocateSharedMemory(&teec_->ctx, &shm); r != TEEC_SUCCESS) {
    return r;
  }
  if (!image.empty()) {
    std::memcpy(shm.buffer, image.data(), image.size());
  }
  TEEC_Operation op{};
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_MEMREF_WHOLE, TEEC_NONE, TEEC_NONE);
  op.params[0].value.a = rproc_id;
  op.params[1].memref.parent = &shm;
  TEE_Result r = teec_->invoke(kRprocLoadFw, &op);
  TEEC_ReleaseSharedMemory(&shm);
  return r;
}

TEE_Result TaFixture::rsc_table(uint64_t *da, uint64_t *size, uint32_t rproc_id) {
  TEEC_Operation op{};
  op.paramTypes =
      TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_VALUE_OUTPUT, TEEC_VALUE_OUTPUT, TEEC_NONE);
  op.params[0].value.a = rproc_id;
  op.params[1].value = {0xdead, 0xbeef};
  op.params[2].value = {0xdead, 0xbeef};
  TEE_Result r = teec_->invoke(kRprocGetRscTable, &op);
  *da = op.params[1].value.a | uint64_t{op.params[1].value.b} << 32;
  *size = op.params[2].value.a | uint64_t{op.params[2].value.b} << 32;
  return r;
}

TEE_Result TaFixture::coredump(Bytes *out, uint32_t rproc_id) {
  TEEC_Operation op{};
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_MEMREF_TEMP_OUTPUT, TEEC_NONE, TEEC_NONE);
  op.params[0].value.a = rproc_id;
  TEE_Result r = teec_->invoke(kRprocGetCoredump, &op);
  if (r != TEE_ERROR_SHORT_BUFFER) {
    return r;
  }
  out->assign(op.params[1].tmpref.size, 0xEE);
  op.params[1].tmpref.buffer = out->data();
  r = teec_->invoke(kRprocGetCoredump, &op);
  out->resize(r == TEE_SUCCESS ? op.params[1].tmpref.size : 0);
  return r;
}
#else
bool over_teec() {
  return false;
}

struct TaFixture::Teec {};

void TaFixture::build(const platform::PlatformDescription &desc, std::vector<std::string> keys) {
  teardown();
  std::string error;
  owned_soc_ = platform::Soc::create(desc, &error);
  ASSERT_TRUE(owned_soc_) << error;
  soc_ = owned_soc_.get();
  RemoteprocTaConfig config;
  if (keys.empty()) {
    keys = default_keys();
  }
  config.public_keys_pem = std::move(keys);
  config.log = [this](std::string_view line, bool) {
    std::lock_guard<std::mutex> lock(log_mu_);
    log_.emplace_back(line);
  };
  owned_ta_ = RemoteprocTa::create(*soc_, std::move(config), &error);
  ASSERT_TRUE(owned_ta_) << error;
  ta_ = owned_ta_.get();
  ASSERT_EQ(ta_->open_session(kParamsNone, nullptr, &session_), TEE_SUCCESS);
}

void TaFixture::teardown() {
  if (ta_ != nullptr && session_ != nullptr) {
    ta_->close_session(session_);
  }
  session_ = nullptr;
  ta_ = nullptr;
  owned_ta_.reset();
  soc_ = nullptr;
  owned_soc_.reset();
}

TEE_Result TaFixture::invoke(uint32_t cmd, uint32_t rproc_id) {
  TEE_Param p[4] = {};
  p[0].value.a = rproc_id;
  return ta_->invoke_command(session_, cmd, kParamsId, p);
}

TEE_Result TaFixture::load(const Bytes &image, uint32_t rproc_id) {
  TEE_Param p[4] = {};
  p[0].value.a = rproc_id;
  p[1].memref.buffer = const_cast<uint8_t *>(image.data());
  p[1].memref.size = image.size();
  return ta_->invoke_command(
      session_, kRprocLoadFw,
      TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_MEMREF_INPUT, 0, 0), p);
}

TEE_Result TaFixture::rsc_table(uint64_t *da, uint64_t *size, uint32_t rproc_id) {
  TEE_Param p[4] = {};
  p[0].value.a = rproc_id;
  p[1].value = {0xdead, 0xbeef};
  p[2].value = {0xdead, 0xbeef};
  TEE_Result r =
      ta_->invoke_command(session_, kRprocGetRscTable,
                          TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_VALUE_OUTPUT,
                                          TEE_PARAM_TYPE_VALUE_OUTPUT, 0),
                          p);
  *da = p[1].value.a | uint64_t{p[1].value.b} << 32;
  *size = p[2].value.a | uint64_t{p[2].value.b} << 32;
  return r;
}

TEE_Result TaFixture::coredump(Bytes *out, uint32_t rproc_id) {
  TEE_Param p[4] = {};
  p[0].value.a = rproc_id;
  const uint32_t types =
      TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_MEMREF_OUTPUT, 0, 0);
  TEE_Result r = ta_->invoke_command(session_, kRprocGetCoredump, types, p);
  if (r != TEE_ERROR_SHORT_BUFFER) {
    return r;
  }
  out->assign(p[1].memref.size, 0xEE);
  p[1].memref.buffer = out->data();
  r = ta_->invoke_command(session_, kRprocGetCoredump, types, p);
  out->resize(r == TEE_SUCCESS ? p[1].memref.size : 0);
  return r;
}
#endif

TaFixture::TaFixture() = default;
TaFixture::~TaFixture() {
  teardown();
}

void TaFixture::TearDown() {
  teardown();
}

std::string TaFixture::trace(uint32_t rproc_id) {
  uint64_t da = 0, size = 0;
  if (rsc_table(&da, &size, rproc_id) != TEE_SUCCESS || size == 0) {
    return "<no resource table>";
  }
  std::span<uint8_t> table =
      proc(rproc_id).translate(static_cast<uint32_t>(da), static_cast<uint32_t>(size));
  auto parsed = fwimage::parse_resource_table(table);
  if (!parsed) {
    return "<bad table: " + parsed.error().message + ">";
  }
  for (const fwimage::RscEntry &e : parsed->entries) {
    if (const auto *t = std::get_if<fwimage::RscTrace>(&e.body)) {
      std::span<uint8_t> buf = proc(rproc_id).translate(t->da, t->len);
      auto end = std::find(buf.begin(), buf.end(), uint8_t{0});
      return std::string(buf.begin(), end);
    }
  }
  return "<no trace>";
}

bool TaFixture::memory_wiped(uint32_t rproc_id) {
  for (const auto &r : proc(rproc_id).regions()) {
    auto b = proc(rproc_id).translate(r->da(), r->size());  // the secure probe
    if (std::any_of(b.begin(), b.end(), [](uint8_t v) { return v != 0; })) {
      return false;
    }
  }
  return true;
}

bool TaFixture::log_contains(const std::string &text) {
  std::lock_guard<std::mutex> lock(log_mu_);
  return std::any_of(log_.begin(), log_.end(),
                     [&](const std::string &l) { return l.find(text) != std::string::npos; });
}

}  // namespace captee::ta::testing
