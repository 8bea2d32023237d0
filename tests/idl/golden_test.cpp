// Golden files: a small IDL in, the exact headers out. The goldens live in
// tests/idl/golden/ (named *.golden so formatters leave them alone) and are
// reviewed like code. After an intended generator change, regenerate them with
//   CAPTEE_UPDATE_GOLDEN=1 build/bin/test_idl --gtest_filter='Golden*'
// and review the diff.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "captee/idl/frontend.h"
#include "captee/idl/generate.h"

namespace captee::idl::test {
namespace {

const std::string kDir = std::string(IDL_TEST_SOURCE_DIR) + "/golden/";

std::string read(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void check_golden(const std::string &name, const std::string &actual) {
  const std::string path = kDir + name;
  if (std::getenv("CAPTEE_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path, std::ios::binary) << actual;
  }
  EXPECT_EQ(actual, read(path)) << "generated text differs from " << path;
}

Program load_golden(Diagnostics &diags) {
  return load_program(kDir + "Golden.idl", {}, file_system_reader(), diags);
}

TEST(Golden, CStub) {
  Diagnostics diags;
  Program p = load_golden(diags);
  ASSERT_EQ(diags.str(), "");
  check_golden("Golden.h.golden", generate_c_stub(p));
}

TEST(Golden, CSkeleton) {
  Diagnostics diags;
  Program p = load_golden(diags);
  ASSERT_EQ(diags.str(), "");
  check_golden("Golden_invoke.h.golden", generate_c_skeleton(p));
}

TEST(Golden, Cpp) {
  Diagnostics diags;
  Program p = load_golden(diags);
  ASSERT_EQ(diags.str(), "");
  check_golden("Golden.hpp.golden", generate_cpp(p));
}

TEST(Golden, BaseCStub) {
  Diagnostics diags;
  Program p = load_program(kDir + "GoldenBase.idl", {}, file_system_reader(), diags);
  ASSERT_EQ(diags.str(), "");
  check_golden("GoldenBase.h.golden", generate_c_stub(p));
}

}  // namespace
}  // namespace captee::idl::test
