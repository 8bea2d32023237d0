// captee remote-processor demo: the remoteproc TA (OP-TEE's UUID, commands
// and state machine) authenticates a signed firmware bundle, loads it into the
// emulated SoC's protected memories and boots it on the emulated Cortex-M4,
// which really runs it. The firmware's trace buffer, a mailbox round trip, a
// core dump and the wipe on release are shown.
//
//   captee-rproc-demo SIGNED_IMAGE PUBLIC_KEY_PEM [CORE_FILE]
//
// The TA is driven through its GP entry points directly; once capteed and
// libteec exist, the same commands travel through TEEC_InvokeCommand.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "captee/fwimage/resource_table.hpp"
#include "captee/platform/remote_processor.hpp"
#include "captee/ta/remoteproc_ta.hpp"
#include "tee_api_defines.h"

namespace {

using namespace captee;

std::vector<uint8_t> read_file(const char *path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "captee-rproc-demo: cannot read %s\n", path);
    std::exit(1);
  }
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

const char *result_name(TEE_Result r) {
  switch (r) {
    case TEE_SUCCESS:
      return "TEE_SUCCESS";
    case TEE_ERROR_BAD_STATE:
      return "TEE_ERROR_BAD_STATE";
    case TEE_ERROR_SECURITY:
      return "TEE_ERROR_SECURITY";
    case TEE_ERROR_SIGNATURE_INVALID:
      return "TEE_ERROR_SIGNATURE_INVALID";
    case TEE_ERROR_SHORT_BUFFER:
      return "TEE_ERROR_SHORT_BUFFER";
    default:
      return "error";
  }
}

struct Ta {
  ta::RemoteprocTa &ta;
  void *session;

  // Invokes `cmd` on rproc_id 0; `params` (four entries) receives the outputs.
  TEE_Result command(uint32_t cmd,
                     uint32_t types = TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, 0, 0, 0),
                     TEE_Param *params = nullptr) {
    TEE_Param none[4] = {};
    TEE_Param *p = params != nullptr ? params : none;
    p[0].value.a = 0;  // rproc_id
    return ta.invoke_command(session, cmd, types, p);
  }
  TEE_Result load(std::vector<uint8_t> &image) {
    TEE_Param p[4] = {};
    p[1].memref.buffer = image.data();
    p[1].memref.size = image.size();
    return command(ta::kRprocLoadFw,
                   TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_MEMREF_INPUT, 0, 0),
                   p);
  }
};

// Finds the firmware's trace buffer through its resource table, as the host does.
bool find_trace(platform::RemoteProcessor &proc, uint32_t table_da, uint32_t table_size,
                uint32_t *da, uint32_t *len) {
  auto table = fwimage::parse_resource_table(proc.translate(table_da, table_size));
  if (!table.ok()) {
    return false;
  }
  for (const auto &entry : table->entries) {
    if (const auto *trace = std::get_if<fwimage::RscTrace>(&entry.body)) {
      *da = trace->da;
      *len = trace->len;
      return true;
    }
  }
  return false;
}

std::string trace_text(platform::RemoteProcessor &proc, uint32_t da, uint32_t len) {
  auto bytes = proc.translate(da, len);
  std::string s(reinterpret_cast<const char *>(bytes.data()), bytes.size());
  return s.substr(0, s.find('\0'));
}

}  // namespace

int main(int argc, char **argv) {
  if (argc != 3 && argc != 4) {
    std::fprintf(stderr, "usage: captee-rproc-demo SIGNED_IMAGE PUBLIC_KEY_PEM [CORE_FILE]\n");
    return 2;
  }
  std::vector<uint8_t> image = read_file(argv[1]);
  std::vector<uint8_t> pem = read_file(argv[2]);

  std::string error;
  auto soc = platform::Soc::create(platform::default_platform(), &error);
  ta::RemoteprocTaConfig config;
  config.public_keys_pem.emplace_back(pem.begin(), pem.end());
  config.log = [](std::string_view line, bool) {
    std::printf("   [ta] %.*s\n", static_cast<int>(line.size()), line.data());
  };
  auto rproc_ta = soc ? ta::RemoteprocTa::create(*soc, config, &error) : nullptr;
  if (!rproc_ta) {
    std::fprintf(stderr, "captee-rproc-demo: cannot start the remoteproc TA: %s\n", error.c_str());
    return 1;
  }
  platform::RemoteProcessor &m4 = *soc->processor(0);

  TEE_Param open[4] = {};
  void *session = nullptr;
  open[0].value.a = 0;
  rproc_ta->open_session(TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, 0, 0, 0), open, &session);
  Ta ta{*rproc_ta, session};

  std::printf("1. START_FW before anything is loaded -> %s\n",
              result_name(ta.command(ta::kRprocStartFw)));

  // Change one byte of the signature (it follows the 20-byte header and the TLVs).
  std::vector<uint8_t> tampered = image;
  uint32_t tlv_len = 0;
  std::memcpy(&tlv_len, image.data() + 8, 4);
  tampered.at(20 + tlv_len + 10) ^= 0x01;
  std::printf("2. LOAD_FW with one signature byte changed -> %s\n", result_name(ta.load(tampered)));

  std::printf("3. LOAD_FW of the signed image (%zu bytes) -> %s\n", image.size(),
              result_name(ta.load(image)));

  TEE_Param rsc[4] = {};
  TEE_Result r = ta.command(ta::kRprocGetRscTable,
                            TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_VALUE_OUTPUT,
                                            TEE_PARAM_TYPE_VALUE_OUTPUT, 0),
                            rsc);
  std::printf("4. GET_RSC_TABLE -> %s: resource table at 0x%08x, %u bytes\n", result_name(r),
              rsc[1].value.a, rsc[2].value.a);

  std::printf("5. START_FW -> %s; the emulated Cortex-M4 runs the firmware\n",
              result_name(ta.command(ta::kRprocStartFw)));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  uint32_t trace_da = 0, trace_len = 0;
  if (!find_trace(m4, rsc[1].value.a, rsc[2].value.a, &trace_da, &trace_len)) {
    std::fprintf(stderr, "captee-rproc-demo: the firmware has no trace resource\n");
    return 1;
  }
  std::string trace = trace_text(m4, trace_da, trace_len);
  std::printf("   trace buffer (trace resource at 0x%08x, %u bytes):\n", trace_da, trace_len);
  size_t start = 0;
  while (start < trace.size()) {
    size_t nl = trace.find('\n', start);
    std::printf("     | %s\n", trace.substr(start, nl - start).c_str());
    if (nl == std::string::npos) {
      break;
    }
    start = nl + 1;
  }
  std::printf("   %.1f million instructions retired so far\n",
              static_cast<double>(m4.core().instructions_retired()) / 1e6);

  std::printf("6. the host kicks mailbox channel 1\n");
  m4.mailbox().kick(1u << 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::printf("   firmware answered: host-pending channels 0x%x; its trace now ends with:\n",
              m4.mailbox().host_pending());
  trace = trace_text(m4, trace_da, trace_len);
  const size_t last = trace.find_last_of('\n', trace.size() >= 2 ? trace.size() - 2 : 0);
  std::printf("     | %s", trace.substr(last == std::string::npos ? 0 : last + 1).c_str());

  std::printf("7. RELEASE_FW while running -> %s\n", result_name(ta.command(ta::kRprocReleaseFw)));
  r = ta.command(ta::kRprocStopFw);
  std::printf("8. STOP_FW -> %s (processor %s)\n", result_name(r), platform::to_string(m4.state()));

  std::vector<uint8_t> dump(1024 * 1024);
  TEE_Param cd[4] = {};
  cd[1].memref.buffer = dump.data();
  cd[1].memref.size = 16;
  r = ta.command(ta::kRprocGetCoredump,
                 TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_MEMREF_OUTPUT, 0, 0),
                 cd);
  std::printf("9. GET_COREDUMP into 16 bytes -> %s, needs %zu bytes\n", result_name(r),
              cd[1].memref.size);
  const size_t needed = cd[1].memref.size;
  cd[1].memref.size = dump.size();
  r = ta.command(ta::kRprocGetCoredump,
                 TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_MEMREF_OUTPUT, 0, 0),
                 cd);
  std::printf("   GET_COREDUMP -> %s: an ELF32 core file of %zu bytes (%s)\n", result_name(r),
              cd[1].memref.size, needed == cd[1].memref.size ? "as announced" : "size changed");
  if (r == TEE_SUCCESS && argc == 4) {
    std::FILE *f = std::fopen(argv[3], "wb");
    if (f != nullptr) {
      std::fwrite(dump.data(), 1, cd[1].memref.size, f);
      std::fclose(f);
      std::printf("   written to %s\n", argv[3]);
    }
  }

  r = ta.command(ta::kRprocReleaseFw);
  std::printf("10. RELEASE_FW -> %s; the trace buffer now reads \"%s\" (wiped)\n", result_name(r),
              trace_text(m4, trace_da, trace_len).c_str());
  rproc_ta->close_session(session);
  return 0;
}
