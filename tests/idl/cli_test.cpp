// The captee-idlc binary: file naming, Mink-style spellings, exit status and
// messages.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace captee::idl::test {
namespace {

namespace fs = std::filesystem;

struct CliRun {
  int status = -1;
  std::string output;  // stdout and stderr
};

CliRun run(const std::string &args) {
  CliRun r;
  const std::string cmd = std::string(CAPTEE_IDLC_PATH) + " " + args + " 2>&1";
  FILE *p = popen(cmd.c_str(), "r");
  if (p == nullptr) {
    return r;
  }
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) {
    r.output.append(buf, n);
  }
  const int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

std::string read(const fs::path &path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::path(IDL_TEST_BINARY_DIR) /
          ("cli-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  void TearDown() override { fs::remove_all(dir); }
  void write(const std::string &name, const std::string &text) {
    std::ofstream(dir / name, std::ios::binary) << text;
  }
  fs::path dir;
  const std::string golden = std::string(IDL_TEST_SOURCE_DIR) + "/golden";
};

TEST_F(Cli, WritesStubSkeletonAndCppHeadersByBaseName) {
  const std::string in = golden + "/Golden.idl";
  CliRun r = run("--lang c -o " + dir.string() + " " + in);
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output, "");
  EXPECT_EQ(read(dir / "Golden.h"), read(golden + "/Golden.h.golden"));
  r = run("--skel -I " + golden + " -o " + dir.string() + " " + in);
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(read(dir / "Golden_invoke.h"), read(golden + "/Golden_invoke.h.golden"));
  r = run("--lang cpp -o " + dir.string() + " " + in);
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(read(dir / "Golden.hpp"), read(golden + "/Golden.hpp.golden"));
}

TEST_F(Cli, AcceptsMinkSpellings) {
  const std::string in = golden + "/Golden.idl";
  CliRun r = run("--c " + in + " -o " + (dir / "X.h").string());
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(read(dir / "X.h"), read(golden + "/Golden.h.golden"));
  r = run("--cpp " + in + " -o " + (dir / "Y.hpp").string());
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(read(dir / "Y.hpp"), read(golden + "/Golden.hpp.golden"));
}

TEST_F(Cli, WritesADepfileListingIncludes) {
  CliRun r = run("--depfile " + (dir / "d.d").string() + " -o " + dir.string() + " " + golden +
                 "/Golden.idl");
  EXPECT_EQ(r.status, 0) << r.output;
  const std::string dep = read(dir / "d.d");
  EXPECT_NE(dep.find("Golden.h:"), std::string::npos);
  EXPECT_NE(dep.find("GoldenBase.idl"), std::string::npos);
}

TEST_F(Cli, SearchesIncludeDirsFirst) {
  fs::create_directories(dir / "inc");
  std::ofstream(dir / "inc" / "Dep.idl") << "interface IDep { method f(); };\n";
  write("Main.idl", "include \"Dep.idl\"\ninterface IMain : IDep { };\n");
  CliRun r = run("-o " + dir.string() + " " + (dir / "Main.idl").string());
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("error: cannot find included file \"Dep.idl\""), std::string::npos)
      << r.output;
  r = run("-I " + (dir / "inc").string() + " -o " + dir.string() + " " +
          (dir / "Main.idl").string());
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(read(dir / "Main.h").find("#include \"Dep.h\""), std::string::npos);
}

TEST_F(Cli, MalformedInputFailsWithLocatedMessageAndNoOutput) {
  write("Bad.idl", "interface IBad {\n  method f(in uint32 x)\n};\n");
  CliRun r = run("-o " + dir.string() + " " + (dir / "Bad.idl").string());
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.output, (dir / "Bad.idl").string() + ":3:1: error: expected ';', found '}'\n");
  EXPECT_FALSE(fs::exists(dir / "Bad.h"));
}

TEST_F(Cli, BundleOrderBySizeIsCheckedForAlignment) {
  write("Order.idl",
        "struct P { uint32 a; uint32 b; uint32 c; };\n"
        "interface I {\n"
        "  method prims(in uint8 a, in uint64 b);\n"
        "  method mixed(in P p, in uint64 x);\n"
        "};\n");
  CliRun r = run("--bundle-params-by-size -o " + dir.string() + " " + (dir / "Order.idl").string());
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.output,
            (dir / "Order.idl").string() +
                ":4:34: error: with bundles sorted by size, 'x' would sit at offset 12 of "
                "its bundle, not aligned for its type; use the default order\n");
  r = run("-o " + dir.string() + " " + (dir / "Order.idl").string());
  EXPECT_EQ(r.status, 0) << r.output;
}

TEST_F(Cli, MissingInputAndBadOptionsFail) {
  CliRun r = run("-o " + dir.string() + " " + (dir / "none.idl").string());
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.output, (dir / "none.idl").string() + ": error: cannot read file\n");
  EXPECT_NE(run("--lang rust -o " + dir.string() + " x.idl").status, 0);
  EXPECT_NE(run(golden + "/Golden.idl").status, 0);  // -o is required
  r = run("--lang cpp --skel -o " + dir.string() + " " + golden + "/Golden.idl");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("--skel applies to C output only"), std::string::npos);
}

}  // namespace
}  // namespace captee::idl::test
