// captee-idlc: Mink IDL to C stubs/skeletons and C++ proxies/skeletons.
// Argument parsing only; the compiler is the captee::idl library.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "captee/idl/compiler.h"

int main(int argc, char **argv) {
  CLI::App app{
      "captee-idlc: compile a Mink IDL file into a C stub header (<base>.h), a C skeleton\n"
      "header (--skel: <base>_invoke.h) or a C++ header (--lang cpp: <base>.hpp)."};
  captee::idl::CompileOptions options;
  std::string lang = "c";
  bool mink_c = false;
  bool mink_cpp = false;
  std::string output;
  app.add_option("input", options.input, "The .idl file")->required();
  app.add_option(
         "-o,--output", output,
         "Output folder; a path ending in .h or .hpp is taken as the output file (Mink style)")
      ->required();
  app.add_option("--lang", lang, "Output language")->check(CLI::IsMember({"c", "cpp"}));
  app.add_flag("--c", mink_c, "Same as --lang c (Mink idlc spelling)");
  app.add_flag("--cpp", mink_cpp, "Same as --lang cpp (Mink idlc spelling)");
  app.add_flag("--skel", options.skeleton, "C: write the skeleton header <base>_invoke.h");
  app.add_option("-I,--include-dir", options.load.include_dirs,
                 "Folder searched for included .idl files (before the including file's folder)");
  app.add_flag("--allow-undefined-behavior", options.load.allow_undefined_behavior,
               "Accept const values that do not fit their type (Mink idlc option)");
  bool by_size = false;
  app.add_flag(
      "--bundle-params-by-size", by_size,
      "Sort bundle members by decreasing size (Mink idlc before 0.2.4) instead of alignment");
  app.add_option("--depfile", options.depfile,
                 "Also write a Make-style dependency file (output: input and every include)");
  app.add_option("--namespace", options.generate.cpp_namespace,
                 "C++ namespace of the generated classes")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  if (by_size) {
    options.generate.bundle_order = captee::idl::BundleOrder::kBySize;
  }
  if (mink_cpp || lang == "cpp") {
    options.language = captee::idl::Language::kCpp;
  }
  if (mink_c) {
    options.language = captee::idl::Language::kC;
  }
  if (options.language == captee::idl::Language::kCpp && options.skeleton) {
    std::fputs(
        "captee-idlc: error: --skel applies to C output only; the C++ header (--lang cpp) "
        "holds both proxies and skeletons\n",
        stderr);
    return 1;
  }
  const bool is_file = output.ends_with(".h") || output.ends_with(".hpp");
  if (is_file) {
    options.output_file = output;
  } else {
    options.output_dir = output;
  }
  const captee::idl::CompileResult result = captee::idl::compile(options);
  std::fputs(result.messages.c_str(), stderr);
  return result.exit_code;
}
