#include "lexer.h"

#include <cstdio>

namespace captee::idl {
namespace {
bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

std::string printable(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7f) {
    return std::string("'") + c + "'";
  }
  char buf[16];
  std::snprintf(buf, sizeof buf, "byte 0x%02x", u);
  return buf;
}
}  // namespace

std::string describe(const Token &token) {
  switch (token.kind) {
    case Token::Kind::kEnd:
      return "end of file";
    case Token::Kind::kIdent:
      return "'" + token.text + "'";
    case Token::Kind::kNumber:
      return "number '" + token.text + "'";
    case Token::Kind::kString:
      return "string \"" + token.text + "\"";
    case Token::Kind::kPunct:
      return "'" + token.text + "'";
    case Token::Kind::kInvalid:
      return token.text;
  }
  return "token";
}

void Lexer::advance() {
  if (pos_ >= text_.size()) {
    return;
  }
  if (text_[pos_] == '\n') {
    ++line_;
    column_ = 1;
  } else {
    ++column_;
  }
  ++pos_;
}

bool Lexer::skip_space(std::string &doc, std::string &error, uint32_t &err_line,
                       uint32_t &err_col) {
  for (;;) {
    const char c = peek();
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      advance();
    } else if (c == '/' && peek(1) == '/') {
      while (pos_ < text_.size() && peek() != '\n') {
        advance();
      }
    } else if (c == '/' && peek(1) == '*') {
      const size_t start = pos_;
      const uint32_t l = line_, col = column_;
      // A doc comment is "/**" followed immediately by a newline (spec §7.1).
      const bool is_doc =
          peek(2) == '*' && (peek(3) == '\n' || (peek(3) == '\r' && peek(4) == '\n'));
      advance();
      advance();
      bool closed = false;
      while (pos_ < text_.size()) {
        if (peek() == '*' && peek(1) == '/') {
          advance();
          advance();
          closed = true;
          break;
        }
        advance();
      }
      if (!closed) {
        error = "unterminated comment (missing '*/')";
        err_line = l;
        err_col = col;
        return false;
      }
      if (is_doc) {
        doc = std::string(text_.substr(start, pos_ - start));
      }
    } else {
      return true;
    }
  }
}

Token Lexer::next() {
  Token t;
  std::string error;
  uint32_t el = 0, ec = 0;
  if (!skip_space(t.doc, error, el, ec)) {
    t.kind = Token::Kind::kInvalid;
    t.text = error;
    t.line = el;
    t.column = ec;
    pos_ = text_.size();
    return t;
  }
  t.line = line_;
  t.column = column_;
  if (pos_ >= text_.size()) {
    t.kind = Token::Kind::kEnd;
    return t;
  }
  const char c = peek();
  const size_t start = pos_;
  if (is_alpha(c)) {
    while (is_alpha(peek()) || is_digit(peek()) || peek() == '_') {
      advance();
    }
    t.kind = Token::Kind::kIdent;
    t.text = std::string(text_.substr(start, pos_ - start));
    return t;
  }
  if (is_digit(c) || (c == '-' && is_digit(peek(1)))) {
    if (c == '-') {
      advance();
    }
    if (peek() == '0' && (peek(1) == 'x' || peek(1) == 'X')) {
      advance();
      advance();
      if (!is_hex(peek())) {
        t.kind = Token::Kind::kInvalid;
        t.text = "hexadecimal number without digits";
        pos_ = text_.size();
        return t;
      }
      while (is_hex(peek())) {
        advance();
      }
    } else {
      while (is_digit(peek())) {
        advance();
      }
      if (peek() == '.' && is_digit(peek(1))) {
        advance();
        while (is_digit(peek())) {
          advance();
        }
      }
    }
    if (is_alpha(peek()) || peek() == '_') {
      t.kind = Token::Kind::kInvalid;
      t.text = "malformed number '" + std::string(text_.substr(start, pos_ - start + 1)) + "'";
      pos_ = text_.size();
      return t;
    }
    t.kind = Token::Kind::kNumber;
    t.text = std::string(text_.substr(start, pos_ - start));
    return t;
  }
  if (c == '"') {
    advance();
    while (pos_ < text_.size() && peek() != '"' && peek() != '\n') {
      advance();
    }
    if (peek() != '"') {
      t.kind = Token::Kind::kInvalid;
      t.text = "unterminated string";
      pos_ = text_.size();
      return t;
    }
    t.kind = Token::Kind::kString;
    t.text = std::string(text_.substr(start + 1, pos_ - start - 1));
    advance();
    return t;
  }
  static constexpr std::string_view kPunct = "{}()[];,:=#";
  if (kPunct.find(c) != std::string_view::npos) {
    advance();
    t.kind = Token::Kind::kPunct;
    t.text = std::string(1, c);
    return t;
  }
  t.kind = Token::Kind::kInvalid;
  t.text = c == '_' ? "identifier starting with '_' (identifiers start with a letter)"
                    : "unexpected character " + printable(c);
  pos_ = text_.size();
  return t;
}

}  // namespace captee::idl
