#include "ta_test_support.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>

#include "captee/fwimage/resource_table.hpp"
#include "captee/fwimage/signed_image.hpp"

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

void TaFixture::build(const platform::PlatformDescription &desc, std::vector<std::string> keys) {
  if (ta_ && session_) {
    ta_->close_session(session_);
  }
  ta_.reset();
  soc_.reset();
  std::string error;
  soc_ = platform::Soc::create(desc, &error);
  ASSERT_TRUE(soc_) << error;
  RemoteprocTaConfig config;
  if (keys.empty()) {
    if (firmware_built()) {
      keys.push_back(dev_public_pem());
    }
    keys.push_back(test_data_text("test-rsa2048.pub.pem"));
    keys.push_back(test_data_text("test-p256.pub.pem"));
    keys.push_back(fwt::public_pem_of(fwt::rsa_private_pem(2048)));
  }
  config.public_keys_pem = std::move(keys);
  config.log = [this](std::string_view line, bool) {
    std::lock_guard<std::mutex> lock(log_mu_);
    log_.emplace_back(line);
  };
  ta_ = RemoteprocTa::create(*soc_, std::move(config), &error);
  ASSERT_TRUE(ta_) << error;
  ASSERT_EQ(ta_->open_session(kParamsNone, nullptr, &session_), TEE_SUCCESS);
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
