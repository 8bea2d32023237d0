// Fuzzes the whole front end (lexer, parser, include handling, analysis) and,
// for inputs that analyse cleanly, all three generators. The input is the file
// "fuzz.idl"; it may include "base.idl" (a fixed valid file) or itself.
#include <cstddef>
#include <cstdint>
#include <string>

#include "captee/idl/frontend.h"
#include "captee/idl/generate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  using namespace captee::idl;
  const std::string text(reinterpret_cast<const char *>(data), size);
  SourceReader reader = [&](const std::string &path) -> std::optional<std::string> {
    if (path == "fuzz.idl") {
      return text;
    }
    if (path == "base.idl") {
      return std::string(
          "struct B_S { uint32 a; uint32 b; };\n"
          "interface IBase { const uint32 K = 1; error ERROR_B; method f(in uint32 x, out B_S s); "
          "};\n");
    }
    return std::nullopt;
  };
  Diagnostics diags;
  Program program = load_program("fuzz.idl", {}, reader, diags);
  (void)diags.str();
  if (!diags.has_errors() && program.main != nullptr) {
    (void)generate_c_stub(program);
    (void)generate_c_skeleton(program);
    (void)generate_cpp(program);
  }
  return 0;
}
