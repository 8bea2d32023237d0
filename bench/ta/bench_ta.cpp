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
#include "captee/testing/synthetic_elf.hpp"
#include "captee/testing/test_keys.hpp"
#include "captee/platform/remote_processor.hpp"
#include "captee/ta/remoteproc_ta.hpp"
#include "tee_api_defines.h"

namespace fw = captee::fwimage;
namespace pl = captee::platform;
namespace ta = captee::ta;

namespace {

constexpr size_t kFirmwareSize = 16u << 20;

// An ARM ELF32 of about 16 MiB whose one PT_LOAD segment (plus 4 KiB of
// .bss) goes to device address 0.
std::vector<uint8_t> make_firmware() {
  captee::testing::FakeElf spec;
  spec.first_data_offset = 4096;
  spec.segments.push_back(
      {1, 0x0, captee::testing::patterned_bytes(kFirmwareSize - 4096), 4096, 7});
  return captee::testing::build_elf(spec);
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
    const std::string &priv = captee::testing::rsa_private_pem(2048);
    const std::string pub = captee::testing::public_pem_of(priv);
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
    rproc_ta = ta::RemoteprocTa::create(*soc, {{pub}, [](std::string_view, bool) {}}, &error);
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
