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

#include "captee/fwimage/sign.hpp"
#include "captee/fwimage/verify.hpp"

namespace fw = captee::fwimage;

namespace {

constexpr size_t kFirmwareSize = 16u << 20;

void put32(std::vector<uint8_t> &b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) {
    b[at + i] = static_cast<uint8_t>(v >> (8 * i));
  }
}

// An ARM ELF32 of exactly 16 MiB: two PT_LOAD segments (code, data) filling it.
std::vector<uint8_t> make_firmware() {
  std::vector<uint8_t> b(kFirmwareSize);
  for (size_t i = 0; i < b.size(); ++i) {
    b[i] = static_cast<uint8_t>(i * 2654435761u >> 24);
  }
  std::memset(b.data(), 0, 52 + 64);
  const uint8_t ident[] = {0x7F, 'E', 'L', 'F', 1, 1, 1};
  std::memcpy(b.data(), ident, sizeof ident);
  b[16] = 2;   // ET_EXEC
  b[18] = 40;  // EM_ARM
  put32(b, 20, 1);
  put32(b, 28, 52);
  b[40] = 52;
  b[42] = 32;
  b[44] = 2;
  b[46] = 40;
  const uint32_t code = 4096;
  const uint32_t split = 4u << 20;
  const uint32_t phdrs[2][8] = {{1, code, 0x0, 0x0, split - code, split - code, 5, 4096},
                                {1, split, 0x10000000, 0x10000000, uint32_t(kFirmwareSize) - split,
                                 uint32_t(kFirmwareSize) - split + 4096, 6, 4096}};
  for (int s = 0; s < 2; ++s) {
    for (int f = 0; f < 8; ++f) {
      put32(b, 52 + 32 * s + 4 * f, phdrs[s][f]);
    }
  }
  return b;
}

struct Fixture {
  std::vector<uint8_t> elf = make_firmware();
  std::string pem;
  std::vector<uint8_t> signed_image;

  Fixture() {
    EVP_PKEY *key = EVP_RSA_gen(2048);
    BIO *bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
    char *data = nullptr;
    const long len = BIO_get_mem_data(bio, &data);
    pem.assign(data, static_cast<size_t>(len));
    BIO_free(bio);
    EVP_PKEY_free(key);
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
