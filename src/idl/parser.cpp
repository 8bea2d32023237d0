// Recursive-descent parser for the Mink IDL grammar (spec §7.1-7.3). It stops
// at the first syntax error so that one mistake gives exactly one message.
#include <charconv>
#include <optional>

#include "captee/idl/frontend.h"
#include "lexer.h"
#include "names.h"

namespace captee::idl {
namespace {

struct SyntaxError {};  // unwinds to parse_file once the message is reported

class Parser {
 public:
  Parser(const std::string &path, std::string_view text, Diagnostics &diags)
      : path_(path), lexer_(text), diags_(diags) {
    tok_ = lexer_.next();
  }

  void parse(File &file) {
    while (is_ident("include")) {
      parse_include(file);
    }
    while (tok_.kind != Token::Kind::kEnd) {
      if (is_ident("const")) {
        file.consts.push_back(parse_const());
      } else if (is_ident("struct")) {
        file.structs.push_back(parse_struct(file));
      } else if (is_ident("interface")) {
        file.interfaces.push_back(parse_interface(file));
      } else if (is_ident("include")) {
        fail("includes must come before every declaration");
      } else {
        expected("'const', 'struct' or 'interface'");
      }
    }
  }

 private:
  SourceLoc loc() const { return {path_, tok_.line, tok_.column}; }
  bool is_ident(std::string_view word) const {
    return tok_.kind == Token::Kind::kIdent && tok_.text == word;
  }
  bool is_punct(char c) const {
    return tok_.kind == Token::Kind::kPunct && tok_.text.size() == 1 && tok_.text[0] == c;
  }
  [[noreturn]] void fail(const std::string &message) {
    if (tok_.kind == Token::Kind::kInvalid) {
      diags_.error(loc(), tok_.text);
    } else {
      diags_.error(loc(), message);
    }
    throw SyntaxError{};
  }
  [[noreturn]] void expected(const std::string &what) {
    fail("expected " + what + ", found " + describe(tok_));
  }
  void advance() { tok_ = lexer_.next(); }
  void expect_punct(char c) {
    if (!is_punct(c)) {
      expected(std::string("'") + c + "'");
    }
    advance();
  }
  void expect_keyword(std::string_view word) {
    if (!is_ident(word)) {
      expected("'" + std::string(word) + "'");
    }
    advance();
  }
  std::string expect_name(const std::string &what) {
    if (tok_.kind != Token::Kind::kIdent) {
      expected(what);
    }
    std::string s = tok_.text;
    advance();
    return s;
  }

  void parse_include(File &file) {
    Include inc;
    inc.loc = loc();
    advance();
    if (tok_.kind != Token::Kind::kString) {
      expected("a quoted path after 'include'");
    }
    inc.path = tok_.text;
    if (inc.path.size() <= 4 || inc.path.substr(inc.path.size() - 4) != ".idl") {
      fail("included path \"" + inc.path + "\" must end in '.idl'");
    }
    advance();
    file.includes.push_back(std::move(inc));
  }

  Primitive expect_primitive() {
    if (tok_.kind == Token::Kind::kIdent) {
      if (auto p = primitive_from_name(tok_.text)) {
        advance();
        return *p;
      }
    }
    expected("a primitive type (uint8..uint64, int8..int64, float32, float64)");
  }

  ConstDecl parse_const() {
    ConstDecl c;
    c.loc = loc();
    advance();
    c.type = expect_primitive();
    c.loc = loc();
    c.name = expect_name("a constant name");
    expect_punct('=');
    if (tok_.kind != Token::Kind::kNumber) {
      expected("a number");
    }
    c.literal = tok_.text;
    advance();
    expect_punct(';');
    return c;
  }

  uint32_t parse_array_size() {
    const SourceLoc at = loc();
    if (tok_.kind != Token::Kind::kNumber) {
      expected("an array size or ']'");
    }
    uint32_t n = 0;
    const std::string &s = tok_.text;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n, 10);
    if (ec != std::errc() || end != s.data() + s.size()) {
      diags_.error(at,
                   "array size must be a decimal number from 1 to 4294967295, found '" + s + "'");
      throw SyntaxError{};
    }
    advance();
    return n;
  }

  // type-name [ '[' N ']' ]  or, when `allow_unbounded`, type-name '[' ']'
  Type parse_type() {
    Type t;
    t.loc = loc();
    if (tok_.kind != Token::Kind::kIdent) {
      expected("a type");
    }
    if (auto p = primitive_from_name(tok_.text)) {
      t.kind = Type::Kind::kPrimitive;
      t.prim = *p;
    } else if (tok_.text == "buffer") {
      t.kind = Type::Kind::kBuffer;
    } else if (tok_.text == "interface") {
      t.kind = Type::Kind::kInterface;
    } else {
      t.kind = Type::Kind::kNamed;
      t.name = tok_.text;
    }
    advance();
    if (is_punct('[')) {
      advance();
      if (is_punct(']')) {
        t.array = Type::Array::kUnbounded;
      } else {
        t.array = Type::Array::kBounded;
        t.bound = parse_array_size();
      }
      expect_punct(']');
    }
    return t;
  }

  std::unique_ptr<StructDecl> parse_struct(const File &file) {
    auto s = std::make_unique<StructDecl>();
    advance();
    s->loc = loc();
    s->file = &file;
    s->name = expect_name("a struct name");
    expect_punct('{');
    do {
      Field f;
      f.type = parse_type();
      f.loc = loc();
      f.name = expect_name("a field name");
      expect_punct(';');
      s->fields.push_back(std::move(f));
    } while (!is_punct('}'));
    advance();
    expect_punct(';');
    return s;
  }

  std::unique_ptr<InterfaceDecl> parse_interface(const File &file) {
    auto i = std::make_unique<InterfaceDecl>();
    advance();
    i->loc = loc();
    i->file = &file;
    i->name = expect_name("an interface name");
    if (is_punct(':')) {
      advance();
      i->base_loc = loc();
      i->base_name = expect_name("a base interface name");
    }
    expect_punct('{');
    while (!is_punct('}')) {
      if (is_ident("const")) {
        i->consts.push_back(parse_const());
      } else if (is_ident("error")) {
        advance();
        ErrorDecl e;
        e.loc = loc();
        e.name = expect_name("an error name");
        expect_punct(';');
        i->errors.push_back(std::move(e));
      } else if (is_ident("method") || is_punct('#')) {
        i->methods.push_back(parse_method());
      } else {
        expected("'const', 'error', 'method' or '}'");
      }
    }
    advance();
    expect_punct(';');
    return i;
  }

  void parse_attribute(MethodDecl &m) {
    const SourceLoc at = loc();
    advance();  // '#'
    expect_punct('[');
    if (is_ident("optional")) {
      fail(
          "attribute 'optional' is not supported (Mink idlc removed it in 1.0); use "
          "#[version=X.Y]");
    }
    if (!is_ident("version")) {
      expected("attribute 'version'");
    }
    advance();
    expect_punct('=');
    if (tok_.kind != Token::Kind::kNumber) {
      expected("a version 'X.Y'");
    }
    const std::string &v = tok_.text;
    const size_t dot = v.find('.');
    uint32_t major = 0, minor = 0;
    bool ok = dot != std::string::npos && v[0] != '-';
    if (ok) {
      auto r1 = std::from_chars(v.data(), v.data() + dot, major);
      auto r2 = std::from_chars(v.data() + dot + 1, v.data() + v.size(), minor);
      ok = r1.ec == std::errc() && r1.ptr == v.data() + dot && r2.ec == std::errc() &&
           r2.ptr == v.data() + v.size() && major <= 1023 && minor <= 1023;
    }
    if (!ok) {
      fail("version must be 'X.Y' with X and Y from 0 to 1023, found '" + v + "'");
    }
    advance();
    expect_punct(']');
    if (m.has_version) {
      diags_.error(at, "method has more than one version attribute");
      throw SyntaxError{};
    }
    m.has_version = true;
    m.version_major = major;
    m.version_minor = minor;
  }

  MethodDecl parse_method() {
    MethodDecl m;
    m.doc = tok_.doc;
    while (is_punct('#')) {
      parse_attribute(m);
    }
    expect_keyword("method");
    m.loc = loc();
    m.name = expect_name("a method name");
    expect_punct('(');
    if (!is_punct(')')) {
      for (;;) {
        Param p;
        p.loc = loc();
        if (is_ident("in")) {
          p.out = false;
        } else if (is_ident("out")) {
          p.out = true;
        } else {
          expected("'in' or 'out'");
        }
        advance();
        p.type = parse_type();
        p.loc = loc();
        p.name = expect_name("a parameter name");
        m.params.push_back(std::move(p));
        if (!is_punct(',')) {
          break;
        }
        advance();
      }
    }
    expect_punct(')');
    expect_punct(';');
    return m;
  }

  std::string path_;
  Lexer lexer_;
  Diagnostics &diags_;
  Token tok_;
};

std::string base_name_of(const std::string &path) {
  size_t slash = path.find_last_of('/');
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  if (name.size() > 4 && name.substr(name.size() - 4) == ".idl") {
    name.resize(name.size() - 4);
  }
  return name;
}

}  // namespace

std::unique_ptr<File> parse_file(const std::string &path, std::string_view text,
                                 Diagnostics &diags) {
  auto file = std::make_unique<File>();
  file->path = path;
  file->base_name = base_name_of(path);
  try {
    Parser(path, text, diags).parse(*file);
  } catch (const SyntaxError &) {
  }
  return file;
}

}  // namespace captee::idl
