// GET_COREDUMP: when it is allowed, SHORT_BUFFER sizing, and a core file that
// arm-none-eabi-readelf parses, with the crash registers in NT_PRSTATUS.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>

#include "captee/ta/coredump.hpp"
#include "ta_test_support.hpp"

namespace captee::ta::testing {
namespace {

namespace fwt = captee::fwimage::testing;

uint32_t le32(const Bytes &b, size_t at) {
  return b[at] | b[at + 1] << 8 | b[at + 2] << 16 | uint32_t{b[at + 3]} << 24;
}

// Runs `arm-none-eabi-readelf -a -W` on `bytes`; returns its combined output
// and sets *status to the exit status.
std::string readelf(const Bytes &bytes, int *status) {
  char path[] = "/tmp/captee-coredump-XXXXXX";
  const int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  EXPECT_EQ(write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  close(fd);
  std::string out;
  FILE *p = popen(("arm-none-eabi-readelf -a -W " + std::string(path) + " 2>&1").c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) {
    out.append(buf, n);
  }
  *status = pclose(p);
  if (getenv("CAPTEE_KEEP_COREDUMP") == nullptr) {
    unlink(path);
  }
  return out;
}

class Coredump : public TaFixture {
 protected:
  void boot_sample() {
    ASSERT_EQ(load(fwt::read_bytes(fwt::rproc_data("sample-m4.rsa2048.sig"))), TEE_SUCCESS);
    ASSERT_EQ(invoke(kRprocStartFw), TEE_SUCCESS);
    ASSERT_TRUE(eventually([&] { return trace().find("firmware up") != std::string::npos; }));
  }
};

TEST_F(Coredump, RefusedWhileRunningAllowedOnceCrashed) {
  boot_sample();
  Bytes dump;
  EXPECT_EQ(coredump(&dump), TEE_ERROR_BAD_STATE);
  ASSERT_TRUE(proc().core().inject_crash("watchdog"));
  ASSERT_TRUE(eventually([&] { return proc().state() == platform::CoreState::kCrashed; }));
  // The TA's own state does not change on a crash (as OP-TEE).
  EXPECT_EQ(state(), FirmwareState::kStarted);
  ASSERT_EQ(coredump(&dump), TEE_SUCCESS);

  int status = -1;
  const std::string out = readelf(dump, &status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("CORE (Core file)"), std::string::npos) << out;
  EXPECT_NE(out.find("Machine:                           ARM"), std::string::npos) << out;
  EXPECT_NE(out.find("NT_PRSTATUS"), std::string::npos) << out;
  EXPECT_NE(out.find("LOAD           0x"), std::string::npos) << out;
  EXPECT_NE(out.find("0x00000000 0x00000000 0x10000 0x10000 RWE"), std::string::npos) << out;
  EXPECT_NE(out.find("0x10000000 0x10000000 0x60000 0x60000 RWE"), std::string::npos) << out;
  EXPECT_EQ(out.find("Warning"), std::string::npos) << out;
  EXPECT_EQ(out.find("Error"), std::string::npos) << out;
  EXPECT_NE(out.find("CAPTEE"), std::string::npos) << out;  // the crash-reason note
  EXPECT_NE(std::string(dump.begin(), dump.begin() + 1024).find("injected crash: watchdog"),
            std::string::npos);

  // The registers in NT_PRSTATUS are the crash registers.
  const platform::CoreRegisters regs = proc().core().last_crash()->registers;
  const uint32_t phoff = le32(dump, 28);
  const uint32_t note_off = le32(dump, phoff + 4);
  EXPECT_EQ(le32(dump, note_off), 5u);                    // namesz "CORE"
  EXPECT_EQ(le32(dump, note_off + 4), kArmPrstatusSize);  // descsz
  EXPECT_EQ(le32(dump, note_off + 8), kNtPrstatus);
  const size_t prstatus = note_off + 12 + 8;
  EXPECT_EQ(le32(dump, prstatus + kArmPrstatusRegOffset + 13 * 4), regs.sp);
  EXPECT_EQ(le32(dump, prstatus + kArmPrstatusRegOffset + 15 * 4), regs.pc);
  EXPECT_EQ(le32(dump, prstatus + kArmPrstatusRegOffset + 16 * 4), regs.xpsr);
  EXPECT_NE(regs.pc, 0u);

  // Memory content: the trace banner is in the SRAM segment.
  const std::string text(dump.begin(), dump.end());
  EXPECT_NE(text.find("sample: firmware up"), std::string::npos);

  // Linux recovery: STOP, then the dump is still available, RELEASE ends it.
  ASSERT_EQ(invoke(kRprocStopFw), TEE_SUCCESS);
  EXPECT_EQ(coredump(&dump), TEE_SUCCESS);
  ASSERT_EQ(invoke(kRprocReleaseFw), TEE_SUCCESS);
  EXPECT_EQ(coredump(&dump), TEE_ERROR_BAD_STATE);
}

TEST_F(Coredump, RealFaultGivesItsSignalAndRegisters) {
  // A firmware whose reset handler executes UDF at 0x108.
  Bytes code(12, 0);
  const uint32_t sp = 0x10001000, reset = 0x9;
  std::memcpy(code.data(), &sp, 4);
  std::memcpy(code.data() + 4, &reset, 4);
  code[8] = 0x00;  // udf #0 (0xDE00)
  code[9] = 0xDE;
  fwt::FakeElf elf;
  elf.segments.push_back({1, 0x0, code, 0});
  ASSERT_EQ(load(sign({fwt::build_elf(elf)}, test_data_text("test-rsa2048.pem"))), TEE_SUCCESS);
  ASSERT_EQ(invoke(kRprocStartFw), TEE_SUCCESS);
  ASSERT_TRUE(eventually([&] { return proc().state() == platform::CoreState::kCrashed; }));
  Bytes dump;
  ASSERT_EQ(coredump(&dump), TEE_SUCCESS);
  const uint32_t note_off = le32(dump, le32(dump, 28) + 4);
  const size_t prstatus = note_off + 12 + 8;
  EXPECT_EQ(le32(dump, prstatus), 4u);                                     // si_signo SIGILL
  EXPECT_EQ(le32(dump, prstatus + kArmPrstatusRegOffset + 15 * 4), 0x8u);  // pc at the UDF
  int status = -1;
  const std::string out = readelf(dump, &status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(std::string(dump.begin(), dump.begin() + 1024).find("undefined instruction"),
            std::string::npos);
}

TEST_F(Coredump, ShortBufferReportsTheSizeNeeded) {
  ASSERT_EQ(load(fwt::read_bytes(fwt::rproc_data("sample-m4.rsa2048.sig"))), TEE_SUCCESS);
  const uint32_t types =
      TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_MEMREF_OUTPUT, 0, 0);
  TEE_Param p[4] = {};
  EXPECT_EQ(ta_->invoke_command(session_, kRprocGetCoredump, types, p), TEE_ERROR_SHORT_BUFFER);
  const size_t need = p[1].memref.size;
  // Header, 3 program headers, the note, and both regions (64 KiB + 384 KiB).
  EXPECT_GT(need, size_t{0x10000 + 0x60000});
  EXPECT_LT(need, size_t{0x10000 + 0x60000 + 1024});

  Bytes small(need - 1, 0xEE);
  p[1].memref.buffer = small.data();
  p[1].memref.size = small.size();
  EXPECT_EQ(ta_->invoke_command(session_, kRprocGetCoredump, types, p), TEE_ERROR_SHORT_BUFFER);
  EXPECT_EQ(p[1].memref.size, need);
  EXPECT_TRUE(std::all_of(small.begin(), small.end(), [](uint8_t b) { return b == 0xEE; }));

  Bytes big(need + 100, 0xEE);
  p[1].memref.buffer = big.data();
  p[1].memref.size = big.size();
  EXPECT_EQ(ta_->invoke_command(session_, kRprocGetCoredump, types, p), TEE_SUCCESS);
  EXPECT_EQ(p[1].memref.size, need);
  // A core dump of a loaded (never started) firmware has zero registers.
  int status = -1;
  big.resize(need);
  const std::string out = readelf(big, &status);
  EXPECT_EQ(status, 0) << out;
}

TEST(CoredumpFormat, SizeAccountsForAlignmentAndReason) {
  Bytes a(5, 1), b(3, 2);
  CoreDumpInput in;
  in.regions = {{0x0, platform::kRwx, a}, {0x1000, platform::kRead, b}};
  const uint64_t plain = coredump_size(in);
  // 52 + 3*32 + note (12 + 8 + 148) + .shstrtab (12) + 2 section headers + 5 + pad 3 + 3
  EXPECT_EQ(plain, 52u + 96u + 168u + 12u + 80u + 8u + 3u);
  Bytes out(plain);
  EXPECT_EQ(write_coredump(in, out), plain);
  EXPECT_EQ(write_coredump(in, std::span<uint8_t>(out.data(), plain - 1)), 0u);
  in.crash_reason = "x";
  EXPECT_EQ(coredump_size(in), plain + 12 + 8 + 4);
}

}  // namespace
}  // namespace captee::ta::testing
