// bench_gp_ta: the GP Internal Core API's property getters, inside a TA run
// by a real capteed (child process).
//
// gp.property_get.ns: one TEE_GetPropertyAsU32(TEE_PROPSET_CURRENT_TA,
//   "gpd.ta.dataSize"), timed by the TA itself over a batch of calls (so the
//   client's round trip is not in the figure): the iteration time is the
//   batch's, and the counter ns_per_get is that divided by the batch size.
// gp.property_get_ext.ns: the same for the TA's last extension property
//   (the longest walk of the TA set).
// gp.property_get_tee.ns: the same for gpd.tee.arith.maxBigIntSize (the TEE
//   set).
// gp.sha256_1m.ratio_openssl / gp.aes128gcm_1m.ratio_openssl (issue 15): a
//   SHA-256 digest of 1 MiB (TEE_DigestDoFinal), an AES-128-GCM encryption
//   of 1 MiB with its tag (TEE_AEInit + TEE_AEEncryptFinal), timed inside the
//   crypto benchmark TA over a batch, against the same operation with
//   OpenSSL's EVP called directly in this process, batch by batch in turns
//   (counter `ratio`: the median of the batches' ratios; `gp_us`,
//   `openssl_us`: the mean time of one operation).
// gp.rsa2048_sign.ratio_openssl: the same for an RSA-2048 PKCS#1 v1.5
//   signature of a SHA-256 digest (TEE_AsymmetricSignDigest against
//   EVP_PKEY_sign, each side with a 2048-bit key of its own generated once,
//   and an EVP_PKEY_CTX per signature on both sides, as the runtime makes).
// gp.ecdsa_p256_sign.ratio_openssl: the same for ECDSA P-256 over a SHA-256
//   digest (the TA's r || s conversion from DER included).
// gp.hotp_invoke.us: one full round trip client -> TA -> HMAC-SHA1 -> client
//   computing an RFC 4226 HOTP value (TEEC_InvokeCommand with the counter;
//   the TA makes an HMAC-SHA1 operation from its key object, computes and
//   truncates), timed by the client; the first ten counters' values are
//   checked against RFC 4226's appendix D.
#include <benchmark/benchmark.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/ec.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "captee/testing/bench_capteed.hpp"
#include "tee_client_api.h"

namespace {

constexpr TEEC_UUID kBenchTa = {0x7e57c0de, 0x00bf, 0x4000, {0x80, 0, 0, 0, 0, 0, 0, 0xbf}};
constexpr uint32_t kCmdGetU32 = 0;
constexpr uint32_t kBatch = 20000;
constexpr TEEC_UUID kCryptoTa = {0x7e57c0de, 0x00c0, 0x4000, {0x80, 0, 0, 0, 0, 0, 0, 0xc0}};
constexpr uint32_t kCryptoRun = 0;
constexpr uint32_t kCryptoHotp = 1;
constexpr uint32_t kCryptoBatch = 8;
constexpr size_t kMiB = size_t(1) << 20;

captee::testing::BenchCapteed &capteed() {
  static captee::testing::BenchCapteed d(CAPTEED_PATH, CAPTEE_TA_DIR, "gp-ta");
  return d;
}

void BM_GpPropertyGetU32(benchmark::State &state) {
  capteed();
  TEEC_Context ctx{};
  TEEC_Session s{};
  if (TEEC_InitializeContext(nullptr, &ctx) != TEEC_SUCCESS ||
      TEEC_OpenSession(&ctx, &s, &kBenchTa, TEEC_LOGIN_PUBLIC, nullptr, nullptr, nullptr) !=
          TEEC_SUCCESS) {
    state.SkipWithError("no session with the benchmark TA");
    return;
  }
  double ns_per_get = 0;
  for (auto _ : state) {
    TEEC_Operation op{};
    op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE);
    op.params[0].value = {kBatch, static_cast<uint32_t>(state.range(0))};
    if (TEEC_InvokeCommand(&s, kCmdGetU32, &op, nullptr) != TEEC_SUCCESS) {
      state.SkipWithError("the benchmark command failed");
      break;
    }
    const uint64_t ns = uint64_t(op.params[1].value.b) << 32 | op.params[1].value.a;
    state.SetIterationTime(double(ns) / 1e9);
    ns_per_get += double(ns) / kBatch;
  }
  state.counters["ns_per_get"] = benchmark::Counter(ns_per_get, benchmark::Counter::kAvgIterations);
  TEEC_CloseSession(&s);
  TEEC_FinalizeContext(&ctx);
}
BENCHMARK(BM_GpPropertyGetU32)->Arg(0)->Arg(1)->Arg(2)->UseManualTime();

// The bench TA's input, as its TA_CreateEntryPoint fills it.
std::vector<uint8_t> crypto_input() {
  std::vector<uint8_t> data(kMiB);
  for (size_t i = 0; i < data.size(); ++i) {
    data[i] = uint8_t(i * 7u);
  }
  return data;
}

// This process's key pairs (RSA-2048, ECDSA P-256), generated once (nullptr
// if OpenSSL cannot); the TA has its own of the same kinds.
EVP_PKEY *bench_key(int what) {
  static EVP_PKEY *rsa = EVP_RSA_gen(2048);
  static EVP_PKEY *ec = EVP_EC_gen("P-256");
  return what == 2 ? rsa : ec;
}

// One signature of the input's first 32 bytes (a SHA-256 digest):
// RSA-2048 PKCS#1 v1.5 (what 2) or ECDSA P-256 (what 3).
bool sign_digest(int what, const std::vector<uint8_t> &in) {
  EVP_PKEY *key = bench_key(what);
  EVP_PKEY_CTX *c = key == nullptr ? nullptr : EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr);
  uint8_t sig[256];
  size_t len = sizeof sig;
  const bool ok = c != nullptr && EVP_PKEY_sign_init(c) == 1 &&
                  (what != 2 || (EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) == 1 &&
                                 EVP_PKEY_CTX_set_signature_md(c, EVP_sha256()) == 1)) &&
                  EVP_PKEY_sign(c, sig, &len, in.data(), 32) == 1;
  EVP_PKEY_CTX_free(c);
  benchmark::DoNotOptimize(sig);
  return ok;
}

// One batch of kCryptoBatch operations with EVP; false on failure.
bool openssl_batch(int what, const std::vector<uint8_t> &in, std::vector<uint8_t> &out) {
  static const uint8_t key[16] = {0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6,
                                  0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c};
  for (uint32_t i = 0; i < kCryptoBatch; ++i) {
    if (what == 2 || what == 3) {
      if (!sign_digest(what, in)) {
        return false;
      }
      continue;
    }
    if (what == 0) {
      uint8_t digest[32];
      unsigned len = 0;
      if (EVP_Digest(in.data(), in.size(), digest, &len, EVP_sha256(), nullptr) != 1) {
        return false;
      }
      benchmark::DoNotOptimize(digest);
      continue;
    }
    uint8_t nonce[12] = {uint8_t(i)};
    uint8_t tag[16];
    int len = 0;
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    bool ok = c != nullptr && EVP_EncryptInit_ex(c, EVP_aes_128_gcm(), nullptr, key, nonce) == 1 &&
              EVP_EncryptUpdate(c, out.data(), &len, in.data(), int(in.size())) == 1 &&
              EVP_EncryptFinal_ex(c, out.data() + len, &len) == 1 &&
              EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, sizeof tag, tag) == 1;
    EVP_CIPHER_CTX_free(c);
    if (!ok) {
      return false;
    }
  }
  return true;
}

// The TA's batch and OpenSSL's in turns, as interleaved.hpp does for round
// trips: load on the machine falls on both sides alike.
void BM_GpCryptoVsOpenssl(benchmark::State &state) {
  capteed();
  const int what = int(state.range(0));
  TEEC_Context ctx{};
  TEEC_Session s{};
  if (TEEC_InitializeContext(nullptr, &ctx) != TEEC_SUCCESS ||
      TEEC_OpenSession(&ctx, &s, &kCryptoTa, TEEC_LOGIN_PUBLIC, nullptr, nullptr, nullptr) !=
          TEEC_SUCCESS) {
    state.SkipWithError("no session with the crypto benchmark TA");
    return;
  }
  const std::vector<uint8_t> in = crypto_input();
  std::vector<uint8_t> out(kMiB + 16);
  // Key generation (the TA's at its first RSA batch, this process's here) is
  // not measured.
  if (what == 2 || what == 3) {
    TEEC_Operation warm{};
    warm.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE);
    warm.params[0].value = {1, uint32_t(what)};
    if (bench_key(what) == nullptr ||
        TEEC_InvokeCommand(&s, kCryptoRun, &warm, nullptr) != TEEC_SUCCESS) {
      state.SkipWithError("no signing key");
      return;
    }
  }
  std::vector<double> ratios;
  double gp_ns = 0, openssl_ns = 0;
  for (auto _ : state) {
    TEEC_Operation op{};
    op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE);
    op.params[0].value = {kCryptoBatch, uint32_t(what)};
    if (TEEC_InvokeCommand(&s, kCryptoRun, &op, nullptr) != TEEC_SUCCESS) {
      state.SkipWithError("the crypto benchmark command failed");
      break;
    }
    const double ta = double(uint64_t(op.params[1].value.b) << 32 | op.params[1].value.a);
    const auto t0 = std::chrono::steady_clock::now();
    if (!openssl_batch(what, in, out)) {
      state.SkipWithError("OpenSSL failed");
      break;
    }
    const double local =
        std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
    state.SetIterationTime(ta / 1e9);
    ratios.push_back(ta / local);
    gp_ns += ta;
    openssl_ns += local;
  }
  if (!ratios.empty()) {
    std::nth_element(ratios.begin(), ratios.begin() + long(ratios.size() / 2), ratios.end());
    const double calls = double(ratios.size()) * kCryptoBatch;
    state.counters["ratio"] = ratios[ratios.size() / 2];
    state.counters["gp_us"] = gp_ns / calls / 1e3;
    state.counters["openssl_us"] = openssl_ns / calls / 1e3;
  }
  TEEC_CloseSession(&s);
  TEEC_FinalizeContext(&ctx);
}
BENCHMARK(BM_GpCryptoVsOpenssl)->Arg(0)->Arg(1)->Arg(2)->Arg(3)->UseManualTime();

void BM_GpHotpInvoke(benchmark::State &state) {
  // RFC 4226, appendix D: the HOTP values of counters 0 to 9 for the key
  // "12345678901234567890".
  static const uint32_t kRfc4226[10] = {755224, 287082, 359152, 969429, 338314,
                                        254676, 287922, 162583, 399871, 520489};
  capteed();
  TEEC_Context ctx{};
  TEEC_Session s{};
  if (TEEC_InitializeContext(nullptr, &ctx) != TEEC_SUCCESS ||
      TEEC_OpenSession(&ctx, &s, &kCryptoTa, TEEC_LOGIN_PUBLIC, nullptr, nullptr, nullptr) !=
          TEEC_SUCCESS) {
    state.SkipWithError("no session with the crypto benchmark TA");
    return;
  }
  uint64_t counter = 0;
  for (auto _ : state) {
    TEEC_Operation op{};
    op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE);
    op.params[0].value = {uint32_t(counter), uint32_t(counter >> 32)};
    if (TEEC_InvokeCommand(&s, kCryptoHotp, &op, nullptr) != TEEC_SUCCESS) {
      state.SkipWithError("the HOTP command failed");
      break;
    }
    if (counter < 10 && op.params[1].value.a != kRfc4226[counter]) {
      state.SkipWithError("a HOTP value is not RFC 4226's");
      break;
    }
    ++counter;
  }
  TEEC_CloseSession(&s);
  TEEC_FinalizeContext(&ctx);
}
BENCHMARK(BM_GpHotpInvoke);

}  // namespace

BENCHMARK_MAIN();
