#include "captee/idl/diagnostics.h"

namespace captee::idl {

std::string Diagnostic::str() const {
  std::string s;
  if (!loc.file.empty()) {
    s += loc.file;
    if (loc.line > 0) {
      s += ":" + std::to_string(loc.line) + ":" + std::to_string(loc.column);
    }
    s += ": ";
  }
  s += severity == Severity::kError ? "error: " : "warning: ";
  s += message;
  return s;
}

void Diagnostics::error(const SourceLoc &loc, std::string message) {
  list_.push_back({Diagnostic::Severity::kError, loc, std::move(message)});
  ++errors_;
}

void Diagnostics::warning(const SourceLoc &loc, std::string message) {
  list_.push_back({Diagnostic::Severity::kWarning, loc, std::move(message)});
}

std::string Diagnostics::str() const {
  std::string s;
  for (const auto &d : list_) {
    s += d.str();
    s += '\n';
  }
  return s;
}

}  // namespace captee::idl
