// Reading IDL: lexing, parsing, include resolution and semantic analysis.
//
// The front end turns one `.idl` file (and whatever it includes) into a
// checked Program: names resolved, ops and errors numbered, struct layouts
// verified, every rule of the Mink grammar (spec §7.1-7.6) enforced. Anything
// that is not a valid Mink IDL file yields diagnostics, never a crash or an
// exception: the input is treated as hostile (the parser is fuzzed).
//
// Thread-safety: the functions keep no global state; separate compilations
// may run concurrently. A Program is plain data owned by the caller.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "captee/idl/ast.h"
#include "captee/idl/diagnostics.h"

namespace captee::idl {

// Reads a file's bytes; nullopt when it does not exist or cannot be read.
// The default reads the file system; tests and the fuzzer pass their own.
using SourceReader = std::function<std::optional<std::string>(const std::string &path)>;
SourceReader file_system_reader();

// Parses `text` as the file `path`, without following includes (their
// Include::file stays null). Syntax errors go to `diags`; on the first one the
// returned File holds what was parsed before it. The caller owns the File.
std::unique_ptr<File> parse_file(const std::string &path, std::string_view text,
                                 Diagnostics &diags);

struct LoadOptions {
  std::vector<std::string> include_dirs;  // searched before the including file's folder
  bool allow_undefined_behavior = false;  // skip const range checks (Mink's option)
};

// Loads `path` and its includes, then analyses the whole program. Returns a
// Program whose `main` is set unless `path` could not be read (even when there
// were errors); callers must check diags.has_errors() before generating code
// from it. `reader` is called once per distinct file. Analysis runs only if
// loading and parsing succeeded, so one syntax error gives one message.
Program load_program(const std::string &path, const LoadOptions &options,
                     const SourceReader &reader, Diagnostics &diags);

// Semantic analysis of an already loaded program (load_program calls it).
void analyse(Program &program, const LoadOptions &options, Diagnostics &diags);

}  // namespace captee::idl
