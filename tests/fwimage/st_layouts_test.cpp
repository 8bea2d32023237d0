// The two layouts of ST's STM32Cube firmware that OP-TEE's sign_rproc_fw.py
// signs and captee-sign used to refuse (programs/st_layout.S with
// empty_table.ld or table_in_data.ld, linked by the cross toolchain): captee-sign
// signs them byte for byte as the script's computation does, warns about the
// table the host will not find, and inspect describes both.
//
// The expected bytes come from outside captee: a Python rendering of the
// script's computation (struct and hashlib walk the program headers; the
// openssl command line signs the digest with PKCS#1 v1.5). The rendering is
// first checked against an image OP-TEE's own script produced
// (shared/test-data/rproc/sample-m4.rsa2048.sig).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace captee::fwimage {
namespace {

using testing::read_bytes;
using testing::rproc_data;
namespace fs = std::filesystem;

// What sign_rproc_fw.py computes, for an RSA key, without its code: the hash
// table is each program header and the SHA-256 of its file bytes; the TLVs
// come in the script's order; the signature covers header and TLVs.
constexpr const char *kReferenceSigner = R"PY(
import hashlib, os, struct, subprocess, sys
key, out, *elfs = sys.argv[1:]
def r8(n):
    return (n + 7) & ~7
def tlv(kind, value):
    rec = struct.pack("<II", kind, len(value)) + value
    return rec + bytes((8 - len(rec) % 8) % 8)
def pkcs1_sha256(digest):
    d = out + ".digest"
    open(d, "wb").write(digest)
    sig = subprocess.run(["openssl", "pkeyutl", "-sign", "-inkey", key, "-in", d,
                          "-pkeyopt", "digest:sha256"], check=True, capture_output=True).stdout
    os.remove(d)
    return sig
table = b""
sizes = b""
images = b""
for path in elfs:
    e = open(path, "rb").read()
    phoff, = struct.unpack_from("<I", e, 28)
    phentsize, phnum = struct.unpack_from("<HH", e, 42)
    for i in range(phnum):
        ph = struct.unpack_from("<8I", e, phoff + i * phentsize)
        offset, filesz = ph[1], ph[4]
        table += struct.pack("<8I", *ph) + hashlib.sha256(e[offset:offset + filesz]).digest()
    sizes += struct.pack("<I", r8(len(e)))
    images += e + bytes(r8(len(e)) - len(e))
n = len(elfs)
tlvs = (tlv(1, b"\x01") + tlv(3, bytes([n])) + tlv(4, b"\x01" * n) + tlv(5, sizes) +
        tlv(2, b"\x01") + tlv(0x10, table))
sig_len = len(pkcs1_sha256(bytes(32)))
header = struct.pack("<5I", 0x3543A468, 1, len(tlvs), sig_len, len(images))
sig = pkcs1_sha256(hashlib.sha256(header + tlvs).digest())
open(out, "wb").write(header + tlvs + sig + bytes(r8(sig_len) - sig_len) + images)
)PY";

struct Outcome {
  int status = -1;
  std::string out, err;
};

class StLayouts : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/captee-st-layouts.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    std::ofstream(path("reference.py")) << kReferenceSigner;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string &name) const { return (dir_ / name).string(); }

  static std::string slurp(const std::string &p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  Outcome run(const std::string &command) const {
    const std::string cmd = command + " >'" + path("stdout") + "' 2>'" + path("stderr") + "'";
    const int raw = std::system(cmd.c_str());
    return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, slurp(path("stdout")), slurp(path("stderr"))};
  }

  // The reference signer's output for `elf`, with the OP-TEE test key.
  std::vector<uint8_t> reference(const std::string &elf, const std::string &out) const {
    Outcome r = run("python3 '" + path("reference.py") + "' '" + rproc_data("test-rsa2048.pem") +
                    "' '" + path(out) + "' '" + elf + "'");
    EXPECT_EQ(r.status, 0) << r.err;
    return read_bytes(path(out));
  }

  Outcome captee_sign(const std::string &args) const {
    return run(std::string("'") + CAPTEE_SIGN_BIN + "' " + args);
  }

  fs::path dir_;
};

TEST_F(StLayouts, TheReferenceSignerReproducesTheOpteeScriptsImage) {
  EXPECT_EQ(reference(rproc_data("sample-m4.elf"), "sample.sig"),
            read_bytes(rproc_data("sample-m4.rsa2048.sig")));
}

TEST_F(StLayouts, AnEmptyResourceTableSectionIsNoTable) {
  const std::string elf = CAPTEE_EMPTY_TABLE_ELF;
  Outcome r = captee_sign("sign --in '" + elf + "' --out '" + path("empty.sig") + "' --key '" +
                          rproc_data("test-rsa2048.pem") + "'");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "") << "an empty table is no table: nothing to warn about";
  EXPECT_EQ(read_bytes(path("empty.sig")), reference(elf, "empty.ref"));

  r = captee_sign("verify --pubkey '" + rproc_data("test-rsa2048.pub.pem") + "' '" +
                  path("empty.sig") + "'");
  EXPECT_EQ(r.status, 0) << r.err;
  r = captee_sign("inspect '" + path("empty.sig") + "'");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("resource table: none\n"), std::string::npos) << r.out;
  r = captee_sign("inspect --json '" + path("empty.sig") + "'");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(nlohmann::json::parse(r.out)["resource_table"].is_null());
}

TEST_F(StLayouts, ATableLinkedLikeDataIsSignedWithAWarning) {
  const std::string elf = CAPTEE_TABLE_IN_DATA_ELF;
  Outcome r = captee_sign("sign --in '" + elf + "' --out '" + path("data.sig") + "' --key '" +
                          rproc_data("test-rsa2048.pem") + "'");
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string warning =
      "image 0: the resource table's section address is 0x1000000c but its bytes are loaded at "
      "0x00000044, so the host finds no table at 0x1000000c before the firmware runs: no trace "
      "buffer or virtio device is set up (as with OP-TEE and Linux); link .resource_table where "
      "it is loaded to use them";
  EXPECT_EQ(r.err, "captee-sign: warning: " + warning + "\n");
  EXPECT_EQ(read_bytes(path("data.sig")), reference(elf, "data.ref"));

  r = captee_sign("verify --pubkey '" + rproc_data("test-rsa2048.pub.pem") + "' '" +
                  path("data.sig") + "'");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "OK\n");

  r = captee_sign("inspect '" + path("data.sig") + "'");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("resource table: image 0, da 0x1000000c, 68 bytes, 1 entries, loaded at "
                       "0x00000044\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("  warning: " + warning + "\n"), std::string::npos) << r.out;
  r = captee_sign("inspect --json '" + path("data.sig") + "'");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out)["resource_table"];
  EXPECT_EQ(j["device_addr"], 0x1000000c);
  EXPECT_EQ(j["load_addr"], 0x44);
  EXPECT_EQ(j["found_at_run_time"], false);
  EXPECT_EQ(j["entries"][0]["type"], "trace");
  EXPECT_EQ(j["entries"][0]["name"], "trace0");
  ASSERT_EQ(j["warnings"].size(), 1u);
  EXPECT_EQ(j["warnings"][0], warning);
}

// A table the host finds where it looks gets no warning: the sample firmware.
TEST_F(StLayouts, ATableLoadedWhereItSaysIsNotWarnedAbout) {
  Outcome r = captee_sign("sign --in '" + rproc_data("sample-m4.elf") + "' --out '" +
                          path("sample.sig") + "' --key '" + rproc_data("test-rsa2048.pem") + "'");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "");
  r = captee_sign("inspect --json '" + path("sample.sig") + "'");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out)["resource_table"];
  EXPECT_EQ(j["found_at_run_time"], true);
  EXPECT_EQ(j["load_addr"], j["device_addr"]);
  EXPECT_TRUE(j["warnings"].empty());
}

}  // namespace
}  // namespace captee::fwimage
