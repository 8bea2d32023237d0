// captee-idlc as a library call: read one IDL file, write one header.
//
// This is everything the command-line tool does apart from parsing its
// arguments, so the tool's behaviour (file naming, messages, exit status) is
// tested here.
#pragma once

#include <string>
#include <vector>

#include "captee/idl/frontend.h"
#include "captee/idl/generate.h"

namespace captee::idl {

enum class Language { kC, kCpp };

struct CompileOptions {
  std::string input;        // the .idl file
  std::string output_dir;   // write <dir>/<base>.h, <base>_invoke.h or <base>.hpp
  std::string output_file;  // or exactly this file (Mink's `-o X.h`); wins if set
  Language language = Language::kC;
  bool skeleton = false;  // C only: write <base>_invoke.h instead of <base>.h
  std::string depfile;    // if set, write a Make-style dependency file there
  LoadOptions load;
  GenerateOptions generate;
};

struct CompileResult {
  int exit_code = 0;     // 0 on success, 1 on any error
  std::string messages;  // diagnostics, one per line (warnings too)
  std::string written;   // path of the file written, if any
};

// With BundleOrder::kBySize (Mink idlc < 0.2.4) a small struct can land at a
// misaligned bundle offset, which no C struct can express. Reports each such
// parameter and returns false. The default order never misaligns.
bool check_bundle_alignment(const Program &program, BundleOrder order, Diagnostics &diags);

// The output file name for `options` (without writing anything).
std::string output_path(const CompileOptions &options);

// Compiles and writes the header. Never throws; I/O failures are reported in
// `messages` with exit_code 1.
CompileResult compile(const CompileOptions &options,
                      const SourceReader &reader = file_system_reader());

}  // namespace captee::idl
