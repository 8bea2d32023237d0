// LOAD_FW of a signed 16 MiB image, called directly on RemoteprocTa: private
// copy of the signed head, signature check, ELF decoding, the copy of every
// segment into the carveout and SHA-256 of the destination copy. The baseline,
// in the same program, is the least any loader must do: OpenSSL SHA-256 over
// 16 MiB plus one memcpy of 16 MiB. (Through libteec the image would come
// from shared memory; the TA does the same work on it.)
#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "captee/fwimage/sign.hpp"
#include "captee/platform/remote_processor.hpp"
#include "captee/ta/remoteproc_ta.hpp"
#include "tee_api_defines.h"

namespace fw = captee::fwimage;
namespace pl = captee::platform;
namespace ta = captee::ta;

namespace {

constexpr size_t kFirmwareSize = 16u << 20;

void put32(std::vector<uint8_t> &b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) {
    b[at + i] = static_cast<uint8_t>(v >> (8 * i));
  }
}

// An ARM ELF32 of exactly 16 MiB whose one PT_LOAD segment (plus 4 KiB of
// .bss) goes to device address 0.
std::vector<uint8_t> make_firmware() {
  std::vector<uint8_t> b(kFirmwareSize);
  for (size_t i = 0; i < b.size(); ++i) {
    b[i] = static_cast<uint8_t>(i * 2654435761u >> 24);
  }
  std::memset(b.data(), 0, 52 + 32);
  const uint8_t ident[] = {0x7F, 'E', 'L', 'F', 1, 1, 1};
  std::memcpy(b.data(), ident, sizeof ident);
  b[16] = 2;   // ET_EXEC
  b[18] = 40;  // EM_ARM
  put32(b, 20, 1);
  put32(b, 28, 52);
  b[40] = 52;
  b[42] = 32;
  b[44] = 1;
  b[46] = 40;
  const uint32_t off = 4096, filesz = uint32_t(kFirmwareSize) - off;
  const uint32_t phdr[8] = {1, off, 0x0, 0x0, filesz, filesz + 4096, 7, 4096};
  for (int f = 0; f < 8; ++f) {
    put32(b, 52 + 4 * f, phdr[f]);
  }
  return b;
}

std::string pem_of(EVP_PKEY *key, bool private_half) {
  BIO *bio = BIO_new(BIO_s_mem());
  if (private_half) {
    PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  } else {
    PEM_write_bio_PUBKEY(bio, key);
  }
  char *data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(len));
  BIO_free(bio);
  return pem;
}

// A one-processor platform with 32 MiB of memory at device address 0.
pl::PlatformDescription big_platform() {
  pl::PlatformDescription d;
  d.name = "bench-32m";
  pl::ProcessorDescription p;
  p.id = 0;
  p.name = "m4";
  p.mailbox_da = 0x4C001000;
  p.regions.push_back({"ram", 0x0, 32u << 20, true, pl::kRwx});
  d.processors.push_back(p);
  return d;
}

struct Fixture {
  std::vector<uint8_t> signed_image;
  std::unique_ptr<pl::Soc> soc;
  std::unique_ptr<ta::RemoteprocTa> rproc_ta;
  void *session = nullptr;

  Fixture() {
    EVP_PKEY *key = EVP_RSA_gen(2048);
    const std::string priv = pem_of(key, true), pub = pem_of(key, false);
    EVP_PKEY_free(key);
    const std::vector<uint8_t> elf = make_firmware();
    fw::SignRequest r;
    r.images.emplace_back(elf);
    auto out = fw::sign_images(
        r,
        fw::PrivateKey::from_pem({reinterpret_cast<const uint8_t *>(priv.data()), priv.size()}, {})
            .value());
    if (!out) {
      throw std::runtime_error(out.error().message);
    }
    signed_image = std::move(out).value();
    std::string error;
    soc = pl::Soc::create(big_platform(), &error);
    if (!soc) {
      throw std::runtime_error(error);
    }
    rproc_ta = ta::RemoteprocTa::create(*soc, {{pub}, [](std::string_view) {}}, &error);
    if (!rproc_ta || rproc_ta->open_session(TEE_PARAM_TYPES(0, 0, 0, 0), nullptr, &session)) {
      throw std::runtime_error("remoteproc TA: " + error);
    }
  }

  TEE_Result invoke(uint32_t cmd, bool with_image) {
    TEE_Param p[4] = {};
    p[0].value.a = 0;
    uint32_t types = TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, 0, 0, 0);
    if (with_image) {
      p[1].memref.buffer = signed_image.data();
      p[1].memref.size = signed_image.size();
      types = TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_MEMREF_INPUT, 0, 0);
    }
    return rproc_ta->invoke_command(session, cmd, types, p);
  }
};

Fixture &fixture() {
  static Fixture f;
  return f;
}

void BM_LoadFw16M(benchmark::State &state) {
  Fixture &f = fixture();
  for (auto _ : state) {
    if (f.invoke(ta::kRprocLoadFw, true) != TEE_SUCCESS) {
      state.SkipWithError("LOAD_FW failed");
      break;
    }
    state.PauseTiming();
    f.invoke(ta::kRprocReleaseFw, false);  // wipes 32 MiB: not part of LOAD_FW
    state.ResumeTiming();
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(kFirmwareSize));
}
BENCHMARK(BM_LoadFw16M)->Unit(benchmark::kMillisecond);

void BM_Sha256PlusMemcpy16M(benchmark::State &state) {
  Fixture &f = fixture();
  std::vector<uint8_t> dst(f.signed_image.size(), 1);  // pages touched once, as the carveout's
  uint8_t digest[32];
  for (auto _ : state) {
    std::memcpy(dst.data(), f.signed_image.data(), f.signed_image.size());
    unsigned int len = 0;
    EVP_Digest(dst.data(), dst.size(), digest, &len, EVP_sha256(), nullptr);
    benchmark::DoNotOptimize(digest);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(kFirmwareSize));
}
BENCHMARK(BM_Sha256PlusMemcpy16M)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
