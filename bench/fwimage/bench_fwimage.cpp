// Verifying and signing a 16 MiB firmware. The baseline is OpenSSL SHA-256 of
// the same signed bytes in the same program: verification is hash-bound, so
// its cost over the baseline is the parsing, the ELF checks and one RSA verify.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "captee/fwimage/tools/sign.hpp"
#include "captee/fwimage/verify.hpp"
#include "captee/testing/synthetic_elf.hpp"
#include "captee/testing/test_keys.hpp"

namespace fw = captee::fwimage;

namespace {

constexpr size_t kFirmwareSize = 16u << 20;

// An ARM ELF32 of about 16 MiB: two PT_LOAD segments (code at 0, data with a
// page of .bss at 0x10000000) filled with a pseudo-random pattern.
std::vector<uint8_t> make_firmware() {
  captee::testing::FakeElf spec;
  spec.first_data_offset = 4096;
  const size_t code = (4u << 20) - 4096;
  spec.segments.push_back({1, 0x0, captee::testing::patterned_bytes(code), 0, 5});
  spec.segments.push_back(
      {1, 0x10000000, captee::testing::patterned_bytes(kFirmwareSize - code - 4096), 4096, 6});
  return captee::testing::build_elf(spec);
}

struct Fixture {
  std::vector<uint8_t> elf = make_firmware();
  std::string pem;
  std::vector<uint8_t> signed_image;

  Fixture() {
    pem = captee::testing::rsa_private_pem(2048);
    auto out = fw::sign_images(request(), private_key());
    if (!out) {
      throw std::runtime_error(out.error().message);
    }
    signed_image = std::move(out).value();
  }
  fw::SignRequest request() const {
    fw::SignRequest r;
    r.images.emplace_back(elf);
    return r;
  }
  fw::PrivateKey private_key() const {
    return fw::PrivateKey::from_pem({reinterpret_cast<const uint8_t *>(pem.data()), pem.size()}, {})
        .value();
  }
};

const Fixture &fixture() {
  static const Fixture f;
  return f;
}

void BM_Sha256_16M(benchmark::State &state) {
  const auto &image = fixture().signed_image;
  uint8_t digest[32];
  for (auto _ : state) {
    unsigned int len = 0;
    EVP_Digest(image.data(), image.size(), digest, &len, EVP_sha256(), nullptr);
    benchmark::DoNotOptimize(digest);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * image.size()));
}
BENCHMARK(BM_Sha256_16M)->Unit(benchmark::kMillisecond);

void BM_Verify16M(benchmark::State &state) {
  const auto &f = fixture();
  const auto key = f.private_key().public_key().value();
  for (auto _ : state) {
    auto v = fw::verify_signed_image(f.signed_image, key);
    if (!v) {
      state.SkipWithError(v.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(v);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * f.signed_image.size()));
}
BENCHMARK(BM_Verify16M)->Unit(benchmark::kMillisecond);

void BM_Sign16M(benchmark::State &state) {
  const auto &f = fixture();
  const auto key = f.private_key();
  const auto request = f.request();
  for (auto _ : state) {
    auto out = fw::sign_images(request, key);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * f.elf.size()));
}
BENCHMARK(BM_Sign16M)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
