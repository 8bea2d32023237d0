// LOAD_FW of a signed 16 MiB image: private copy of the signed head,
// signature check, ELF decoding, the copy of every segment into the carveout
// and SHA-256 of the destination copy. Measured twice: through libteec, with
// the image in TEEC_AllocateSharedMemory memory, to the built-in TA of an
// in-process capteed (the real socket, GP app client and parameter mapping,
// as Linux's remoteproc_tee uses it), and called directly on RemoteprocTa.
// The baseline, in the same program, is the least any loader must do:
// OpenSSL SHA-256 over 16 MiB plus one memcpy of 16 MiB.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "captee/fwimage/tools/sign.hpp"
#include "captee/testing/synthetic_elf.hpp"
#include "captee/testing/test_keys.hpp"
#include "captee/platform/remote_processor.hpp"
#include "captee/ta/remoteproc_extension.hpp"
#include "captee/ta/remoteproc_ta.hpp"
#include "captee/tee/app_services.hpp"
#include "captee/tee/builtin_ta.hpp"
#include "captee/tee/daemon.hpp"
#include "tee_api_defines.h"
#include "tee_client_api.h"

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>

namespace fw = captee::fwimage;
namespace pl = captee::platform;
namespace ta = captee::ta;

namespace {

// The signed image is 16 MiB in all: libteec's largest shared memory.
constexpr size_t kFirmwareSize = (16u << 20) - 8192;

// An ARM ELF32 whose one PT_LOAD segment (plus 4 KiB of .bss) goes to device
// address 0.
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
  std::string public_pem;
  std::vector<uint8_t> signed_image;
  std::unique_ptr<pl::Soc> soc;
  std::unique_ptr<ta::RemoteprocTa> rproc_ta;
  void *session = nullptr;

  Fixture() {
    const std::string &priv = captee::testing::rsa_private_pem(2048);
    const std::string pub = captee::testing::public_pem_of(priv);
    public_pem = pub;
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

// capteed in this process, with the remoteproc TA over the 32 MiB platform,
// and a libteec session to it holding the image in allocated shared memory.
struct TeecFixture {
  std::string dir;
  std::unique_ptr<captee::tee::Daemon> daemon;
  ta::RemoteprocExtension ext;
  std::shared_ptr<captee::tee::apps::AppRegistry> apps;
  TEEC_Context ctx{};
  TEEC_Session session{};
  TEEC_SharedMemory shm{};

  TeecFixture() {
    Fixture &f = fixture();
    char tmpl[] = "/tmp/captee-bench-ta-XXXXXX";
    dir = ::mkdtemp(tmpl);
    captee::tee::DaemonOptions opts;
    opts.socket_path = dir + "/captee.sock";
    opts.policy = captee::tee::Policy::allow_all();
    daemon = std::make_unique<captee::tee::Daemon>(std::move(opts));
    ext.platform_description = big_platform();
    ext.public_keys_pem = {f.public_pem};
    auto builtins = std::make_shared<captee::tee::BuiltinTaTable>();
    std::string why;
    if (!ext.install(*daemon, *builtins, &why)) {
      throw std::runtime_error(why);
    }
    apps = captee::tee::install_app_services(*daemon, {}, builtins);
    if (!daemon->start(&why)) {
      throw std::runtime_error(why);
    }
    ::setenv("CAPTEE_SOCKET", (dir + "/captee.sock").c_str(), 1);
    TEEC_UUID uuid = {0x80a4c275, 0x0a47, 0x4905, {0x82, 0x85, 0x14, 0x86, 0xa9, 0x77, 0x1a, 0x08}};
    shm.size = f.signed_image.size();
    shm.flags = TEEC_MEM_INPUT;
    TEEC_Result r = TEEC_InitializeContext(nullptr, &ctx);
    if (r == TEEC_SUCCESS) {
      r = TEEC_OpenSession(&ctx, &session, &uuid, TEEC_LOGIN_PUBLIC, nullptr, nullptr, nullptr);
    }
    if (r == TEEC_SUCCESS) {
      r = TEEC_AllocateSharedMemory(&ctx, &shm);
    }
    if (r != TEEC_SUCCESS) {
      throw std::runtime_error("libteec session to the remoteproc TA: " + std::to_string(r));
    }
    std::memcpy(shm.buffer, f.signed_image.data(), f.signed_image.size());
  }
  ~TeecFixture() {
    TEEC_ReleaseSharedMemory(&shm);
    TEEC_CloseSession(&session);
    TEEC_FinalizeContext(&ctx);
    daemon->stop();
    apps->shutdown();
    ext.shutdown();
    std::filesystem::remove_all(dir);
  }

  TEEC_Result invoke(uint32_t cmd, bool with_image) {
    TEEC_Operation op{};
    op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, with_image ? TEEC_MEMREF_WHOLE : TEEC_NONE,
                                     TEEC_NONE, TEEC_NONE);
    op.params[1].memref.parent = &shm;
    return TEEC_InvokeCommand(&session, cmd, &op, nullptr);
  }
};

void BM_TeecLoadFw16M(benchmark::State &state) {
  // Per run, not static: libteec must be finished with before the main
  // thread's thread-locals go away at exit.
  TeecFixture f;
  for (auto _ : state) {
    if (f.invoke(ta::kRprocLoadFw, true) != TEEC_SUCCESS) {
      state.SkipWithError("LOAD_FW through libteec failed");
      break;
    }
    state.PauseTiming();
    f.invoke(ta::kRprocReleaseFw, false);
    state.ResumeTiming();
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(kFirmwareSize));
}
BENCHMARK(BM_TeecLoadFw16M)->Unit(benchmark::kMillisecond)->UseRealTime();

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
