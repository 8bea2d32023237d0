// Runs build/bin/captee-sign as a user would: exit codes, OK/first failure,
// byte-identical signing, drop-in mode, inspect output.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
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

struct CliRun {
  int status = -1;
  std::string out;
  std::string err;
};

std::string quote(const std::string &s) {
  std::string q = "'";
  for (char c : s) {
    q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  }
  return q + "'";
}

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/captee-sign-test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string &name) const { return (dir_ / name).string(); }

  CliRun run(const std::vector<std::string> &args) const {
    std::string cmd = quote(CAPTEE_SIGN_BIN);
    for (const auto &a : args) {
      cmd += " " + quote(a);
    }
    cmd += " >" + quote(path("stdout")) + " 2>" + quote(path("stderr"));
    CliRun r;
    const int raw = std::system(cmd.c_str());
    r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    r.out = slurp(path("stdout"));
    r.err = slurp(path("stderr"));
    return r;
  }

  static std::string slurp(const std::string &p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  fs::path dir_;
};

TEST_F(Cli, SignIsByteIdenticalToTheScript) {
  CliRun r = run({"sign", "--in", rproc_data("sample-m4.elf"), "--out", path("x.sig"), "--key",
                  rproc_data("test-rsa2048.pem")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(read_bytes(path("x.sig")), read_bytes(rproc_data("sample-m4.rsa2048.sig")));
}

TEST_F(Cli, NoSubcommandSignsAsADropIn) {
  CliRun r = run({"--in", rproc_data("sample-m4.elf"), "--out", path("y.sig"), "--key",
                  rproc_data("test-rsa2048.pem"), "--key_type", "RSA"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(read_bytes(path("y.sig")), read_bytes(rproc_data("sample-m4.rsa2048.sig")));
}

TEST_F(Cli, VerifyAcceptsOpteeImages) {
  CliRun r = run({"verify", "--pubkey", rproc_data("test-rsa2048.pub.pem"),
                  rproc_data("sample-m4.rsa2048.sig")});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "OK\n");
  r = run(
      {"verify", "--pubkey", rproc_data("test-p256.pub.pem"), rproc_data("sample-m4.p256.sig")});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "OK\n");
}

TEST_F(Cli, VerifyNamesTheFirstFailure) {
  auto image = read_bytes(rproc_data("sample-m4.rsa2048.sig"));
  image[492 + 0x2000 + 5] ^= 1;  // a byte of segment 1 (resource table)
  testing::write_bytes(path("bad.sig"), image);
  CliRun r = run({"verify", "--pubkey", rproc_data("test-rsa2048.pub.pem"), path("bad.sig")});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("segment 1 of image 0: hash mismatch (TEE_ERROR_SECURITY)"),
            std::string::npos)
      << r.err;

  image = read_bytes(rproc_data("sample-m4.rsa2048.sig"));
  image[30] ^= 1;  // inside the signed TLVs
  testing::write_bytes(path("bad2.sig"), image);
  r = run({"verify", "--pubkey", rproc_data("test-rsa2048.pub.pem"), path("bad2.sig")});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("signature: verification failed (TEE_ERROR_SIGNATURE_INVALID)"),
            std::string::npos)
      << r.err;

  r = run(
      {"verify", "--pubkey", rproc_data("test-p256.pub.pem"), rproc_data("sample-m4.rsa2048.sig")});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("SIGNTYPE is RSA PKCS#1 v1.5 but the key is EC P-256"), std::string::npos);
}

TEST_F(Cli, EncryptedKeyWithKeyPwd) {
  const auto pem = read_bytes(rproc_data("test-rsa2048.pem"));
  const std::string enc =
      testing::encrypted_pem(std::string(pem.begin(), pem.end()), "pa55word", /*pkcs8=*/true);
  testing::write_bytes(path("enc.pem"), testing::as_bytes(enc));
  CliRun r = run({"sign", "--in", rproc_data("sample-m4.elf"), "--out", path("e.sig"), "--key",
                  path("enc.pem"), "--key_pwd", "pa55word"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(read_bytes(path("e.sig")), read_bytes(rproc_data("sample-m4.rsa2048.sig")));
  r = run({"sign", "--in", rproc_data("sample-m4.elf"), "--out", path("f.sig"), "--key",
           path("enc.pem")});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "captee-sign: " + path("enc.pem") +
                       ": private key: the PEM is encrypted and no passphrase was given\n");
}

TEST_F(Cli, SignRefusesNonArmAndNonElfInputs) {
  CliRun r = run({"sign", "--in", CAPTEE_SIGN_BIN, "--out", path("z.sig"), "--key",
                  rproc_data("test-rsa2048.pem")});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("is not a usable ELF32 file: ELF: not ELFCLASS32"), std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(path("z.sig")));

  r = run({"sign", "--in", rproc_data("README.md"), "--out", path("z.sig"), "--key",
           rproc_data("test-rsa2048.pem")});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("ELF: bad magic, not an ELF file"), std::string::npos) << r.err;

  auto elf = read_bytes(rproc_data("sample-m4.elf"));
  elf[18] = 62;  // e_machine x86-64
  testing::write_bytes(path("x86.elf"), elf);
  r = run({"sign", "--in", path("x86.elf"), "--out", path("z.sig"), "--key",
           rproc_data("test-rsa2048.pem")});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("is not an ARM firmware: ELF: e_machine is 62, expected 40 (ARM)"),
            std::string::npos)
      << r.err;
}

TEST_F(Cli, SignErrorsAreOneSentence) {
  const std::string elf = rproc_data("sample-m4.elf");
  const std::string key = rproc_data("test-rsa2048.pem");
  CliRun r = run({"sign", "--in", elf, "--out", path("o"), "--key", path("missing.pem")});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err,
            "captee-sign: cannot read " + path("missing.pem") + ": No such file or directory\n");
  r = run({"sign", "--in", elf, "--out", path("o"), "--key", key, "--key_type", "DSA"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "captee-sign: sign: --key_type must be RSA or ECC, not 'DSA'\n");
  r = run({"sign", "--in", elf, "--out", path("o"), "--key", key, "--key_type", "ECC"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err,
            "captee-sign: sign: private key: key type ECC was asked for but the key is RSA\n");
  r = run({"sign", "--in", elf, "--out", path("o"), "--key", key, "--plat-tlv", "0x5", "x"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err,
            "captee-sign: sign: platform TLV ID 0x5 is not in the platform range "
            "0x10000..0x1ffff\n");
  r = run({"sign", "--in", elf, "--key", key});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "captee-sign: sign: no --out file was given\n");
  r = run({"verify", "--pubkey", rproc_data("test-rsa2048.pub.pem"), path("nothing.sig")});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("cannot read"), std::string::npos);
  r = run({"bogus"});
  EXPECT_NE(r.status, 0);
}

// OP-TEE's script signs any ARM ELF; the loader is what refuses two tables, so
// sign warns and verify (the TA's checks) refuses.
TEST_F(Cli, SignWarnsAndTheLoaderRefusesTwoResourceTables) {
  CliRun r =
      run({"sign", "--in", rproc_data("sample-m4.elf"), "--in", rproc_data("sample-m4.elf"),
           "--out", path("e.sig"), "--key", rproc_data("test-p256.pem"), "--key_type", "ECC"});
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.err,
            "captee-sign: warning: captee's remoteproc TA will refuse to load this image: "
            "resource table: found in image 0 and image 1, at most one is allowed\n");
  ASSERT_TRUE(fs::exists(path("e.sig")));
  r = run({"verify", "--pubkey", rproc_data("test-p256.pub.pem"), path("e.sig")});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "captee-sign: " + path("e.sig") +
                       ": resource table: found in image 0 and image 1, at most one is allowed "
                       "(TEE_ERROR_BAD_FORMAT)\n");
}

TEST_F(Cli, InspectShowsWhatItCanOfABrokenImage) {
  auto image = read_bytes(rproc_data("sample-m4.rsa2048.sig"));
  image[84 + 8] = 2;  // HASHTYPE value
  testing::write_bytes(path("hash2.sig"), image);
  CliRun r = run({"inspect", "--json", path("hash2.sig")});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "captee-sign: " + path("hash2.sig") + ": HASHTYPE 2 is not supported\n");
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["error"]["code"], "TEE_ERROR_NOT_SUPPORTED");
  EXPECT_EQ(j["tlvs"].size(), 6u);
  EXPECT_TRUE(j["images"].empty());
  EXPECT_TRUE(j["hash_type"].is_null());
  r = run({"inspect", path("hash2.sig")});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("error: HASHTYPE 2 is not supported (TEE_ERROR_NOT_SUPPORTED)"),
            std::string::npos)
      << r.out;
  image.resize(100);
  testing::write_bytes(path("short.sig"), image);
  r = run({"inspect", path("short.sig")});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "captee-sign: " + path("short.sig") +
                       ": header: lengths add up to 9884 bytes but the file is 100 bytes\n");
}

TEST_F(Cli, InspectJsonDescribesEverything) {
  testing::write_bytes(path("info.bin"), std::vector<uint8_t>{0xAA, 0xBB});
  const std::string fw = CAPTEE_FIRMWARE_ELF;
  const std::string elf = fw.empty() ? rproc_data("sample-m4.elf") : fw;
  CliRun r = run({"sign", "--in", elf, "--out", path("f.sig"), "--key", rproc_data("test-p256.pem"),
                  "--key_type", "ECC", "--key_info", path("info.bin"), "--plat-tlv", "0x10000",
                  "0xcafe", "--plat-tlv", "0x10001", "hello"});
  ASSERT_EQ(r.status, 0) << r.err;
  r = run({"verify", "--pubkey", rproc_data("test-p256.pub.pem"), path("f.sig")});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "OK\n");
  r = run({"inspect", "--json", path("f.sig")});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["header"]["magic"], "0x3543a468");
  EXPECT_EQ(j["sign_type"], "ECDSA-P256-SHA256");
  EXPECT_EQ(j["key_info"], "aabb");
  ASSERT_EQ(j["platform_tlvs"].size(), 2u);
  EXPECT_EQ(j["platform_tlvs"][0]["u32"], 0xcafe);
  EXPECT_EQ(j["platform_tlvs"][1]["string"], "hello");
  ASSERT_EQ(j["images"].size(), 1u);
  for (const auto &s : j["images"][0]["segments"]) {
    EXPECT_EQ(s["type"], "PT_LOAD");
    EXPECT_EQ(s["sha256_ok"], true);
    EXPECT_EQ(s["sha256"].get<std::string>().size(), 64u);
  }
  EXPECT_EQ(j["tlvs"][0]["name"], "SIGNTYPE");
  EXPECT_EQ(j["tlvs"][5]["name"], "HASHTABLE");
  EXPECT_EQ(j["tlvs"][6]["name"], "PKEYINFO");
  EXPECT_EQ(j["resource_table"]["device_addr"], 0x10000000);
  if (!fw.empty()) {
    const auto &entries = j["resource_table"]["entries"];
    ASSERT_EQ(entries.size(), 3u);
    EXPECT_EQ(entries[0]["type"], "carveout");
    EXPECT_EQ(entries[1]["type"], "trace");
    EXPECT_EQ(entries[2]["type"], "vdev");
    EXPECT_EQ(entries[2]["vrings"].size(), 2u);
  }
  r = run({"inspect", path("f.sig")});
  ASSERT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("platform TLVs:"), std::string::npos);
  EXPECT_NE(r.out.find("\"hello\""), std::string::npos);
}

TEST_F(Cli, InspectPrintsNamesFromTheImageInert) {
  // captee's sample firmware with its trace entry renamed to an OSC sequence
  // (window title) and a C1 CSI: inspect shows the name, escaped (issue 20,
  // finding 5).
  if (std::string(CAPTEE_FIRMWARE_ELF).empty()) {
    GTEST_SKIP() << "the sample firmware (which has a resource table) was not cross-built";
  }
  auto elf = read_bytes(CAPTEE_FIRMWARE_ELF);
  const std::string trace0 = "trace0";
  auto at = std::search(elf.begin(), elf.end(), trace0.begin(), trace0.end());
  ASSERT_NE(at, elf.end());
  const std::string hostile = "\x1b]2;x\x07\x9b";
  ASSERT_LE(hostile.size(), 31u);  // within the 32-byte name, NUL kept
  std::copy(hostile.begin(), hostile.end(), at);
  testing::write_bytes(path("hostile.elf"), elf);
  CliRun r = run({"sign", "--in", path("hostile.elf"), "--out", path("hostile.sig"), "--key",
                  rproc_data("test-rsa2048.pem")});
  ASSERT_EQ(r.status, 0) << r.err;
  auto inert = [](const std::string &s) {
    return std::all_of(s.begin(), s.end(), [](char c) {
      return c == '\n' || (uint8_t(c) >= 0x20 && uint8_t(c) < 0x7F);
    });
  };
  r = run({"inspect", path("hostile.sig")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(inert(r.out));
  EXPECT_NE(r.out.find("name=\\x1b]2;x\\x07\\x9b"), std::string::npos);
  r = run({"inspect", "--json", path("hostile.sig")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(inert(r.out));
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["resource_table"]["entries"][1]["name"].get<std::string>().rfind("\x1b]2;x\x07", 0),
            0u);
}

}  // namespace
}  // namespace captee::fwimage
