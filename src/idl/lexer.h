// Splits IDL text into tokens. Private to the idl layer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "captee/idl/ast.h"

namespace captee::idl {

struct Token {
  enum class Kind : uint8_t {
    kEnd,
    kIdent,
    kNumber,   // optional '-', then 0x.. hex or decimal with optional .fraction
    kString,   // "..." on one line; text excludes the quotes
    kPunct,    // one of { } ( ) [ ] ; , : = #
    kInvalid,  // a byte that starts no token; text says why
  };
  Kind kind = Kind::kEnd;
  std::string text;
  uint32_t line = 1;
  uint32_t column = 1;
  std::string doc;  // the `/**` doc comment right before this token, if any
};

// A readable name for a token in "found X" messages, e.g. "identifier 'foo'".
std::string describe(const Token &token);

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}
  // The next token. After kEnd or kInvalid, keeps returning the same kind.
  Token next();

 private:
  // Skips whitespace and comments; returns false (with `error` set) on an
  // unterminated block comment.
  bool skip_space(std::string &doc, std::string &error, uint32_t &err_line, uint32_t &err_col);
  char peek(size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }
  void advance();

  std::string_view text_;
  size_t pos_ = 0;
  uint32_t line_ = 1;
  uint32_t column_ = 1;
};

}  // namespace captee::idl
