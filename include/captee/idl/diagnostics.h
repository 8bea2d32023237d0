// Error and warning messages from the IDL compiler.
//
// Every message names a file, a line and a column, in the form compilers and
// editors understand: `file:line:col: error: expected ';', found '}'`. The
// parser stops at its first syntax error (so one mistake gives one message);
// analysis reports every independent problem it finds.
#pragma once

#include <string>
#include <vector>

#include "captee/idl/ast.h"

namespace captee::idl {

struct Diagnostic {
  enum class Severity { kError, kWarning };
  Severity severity = Severity::kError;
  SourceLoc loc;
  std::string message;

  // "file:line:col: error: message" (or "warning:"). Without a line number the
  // location is just the file name; without a file it is omitted.
  std::string str() const;
};

// Collects diagnostics in the order they are reported.
// Thread-safety: none; one compilation uses one Diagnostics.
class Diagnostics {
 public:
  void error(const SourceLoc &loc, std::string message);
  void warning(const SourceLoc &loc, std::string message);
  bool has_errors() const { return errors_ > 0; }
  size_t error_count() const { return errors_; }
  const std::vector<Diagnostic> &all() const { return list_; }
  // Every diagnostic, one per line.
  std::string str() const;

 private:
  std::vector<Diagnostic> list_;
  size_t errors_ = 0;
};

}  // namespace captee::idl
