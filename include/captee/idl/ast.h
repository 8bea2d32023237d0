// The Mink IDL syntax tree, after parsing and semantic analysis.
//
// A Program is the input file plus everything it includes, transitively. Each
// File owns its declarations; cross references (a parameter's struct type, an
// interface's base, an include's file) are plain pointers into the same
// Program, filled in by analysis, so a Program must not be copied or have its
// files moved after analyse() has run (it holds them through unique_ptr for
// that reason).
//
// Everything here is data: the rules (numbering, layout, naming) live in
// sema.cpp and layout.h so that generators and tests read one truth.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace captee::idl {

// A position in an IDL file: 1-based line and column (in bytes).
struct SourceLoc {
  std::string file;
  uint32_t line = 0;
  uint32_t column = 0;
};

enum class Primitive : uint8_t { kU8, kU16, kU32, kU64, kI8, kI16, kI32, kI64, kF32, kF64 };

// Size in bytes; equals the IDL alignment of the type.
uint32_t primitive_size(Primitive p);
// The IDL spelling, e.g. "uint32".
std::string_view primitive_idl_name(Primitive p);
// The C spelling, e.g. "uint32_t".
std::string_view primitive_c_name(Primitive p);
bool primitive_is_float(Primitive p);
bool primitive_is_signed(Primitive p);

struct StructDecl;
struct InterfaceDecl;
struct File;

struct Type {
  enum class Kind : uint8_t {
    kPrimitive,  // uint8 .. float64
    kBuffer,     // untyped bytes
    kInterface,  // the generic `interface`
    kNamed,      // a name, resolved by analysis to a struct or an interface
  };
  enum class Array : uint8_t { kNone, kBounded, kUnbounded };

  Kind kind = Kind::kPrimitive;
  Primitive prim = Primitive::kU8;
  std::string name;  // for kNamed, as written
  Array array = Array::kNone;
  uint32_t bound = 0;  // for kBounded
  SourceLoc loc;

  // Filled by analysis for kNamed: exactly one is non-null.
  const StructDecl *struct_decl = nullptr;
  const InterfaceDecl *iface = nullptr;

  bool is_object() const { return kind == Kind::kInterface || iface != nullptr; }
  bool is_struct() const { return struct_decl != nullptr; }
};

struct Field {
  Type type;
  std::string name;
  SourceLoc loc;
  uint64_t offset = 0;  // filled by analysis
};

struct StructDecl {
  std::string name;
  std::vector<Field> fields;
  SourceLoc loc;
  const File *file = nullptr;
  // Filled by analysis.
  uint64_t size = 0;
  uint32_t align = 1;
  bool has_objects = false;
};

struct ConstDecl {
  Primitive type = Primitive::kU32;
  std::string name;
  std::string literal;  // the value exactly as written (sign included)
  SourceLoc loc;
};

struct ErrorDecl {
  std::string name;
  SourceLoc loc;
};

struct Param {
  bool out = false;
  Type type;
  std::string name;
  SourceLoc loc;
};

struct MethodDecl {
  std::string name;
  std::vector<Param> params;
  bool has_version = false;
  uint32_t version_major = 1;
  uint32_t version_minor = 0;
  std::string doc;  // a `/**` doc comment, verbatim, or empty
  SourceLoc loc;
  uint32_t op = 0;  // filled by analysis (counts from the root base)
};

struct InterfaceDecl {
  std::string name;
  std::string base_name;  // empty: no base
  SourceLoc base_loc;
  std::vector<ConstDecl> consts;
  std::vector<ErrorDecl> errors;
  std::vector<MethodDecl> methods;
  SourceLoc loc;
  const File *file = nullptr;
  // Filled by analysis.
  const InterfaceDecl *base = nullptr;
  uint32_t version_major = 1;  // highest #[version] over the chain, default 1.0
  uint32_t version_minor = 0;

  // Root base first, this interface last. Valid after analysis.
  std::vector<const InterfaceDecl *> chain() const;
};

struct Include {
  std::string path;  // as written, ending in ".idl"
  SourceLoc loc;
  const File *file = nullptr;  // filled by the loader
};

struct File {
  std::string path;       // as opened
  std::string base_name;  // file name without directory and ".idl"
  std::vector<Include> includes;
  std::vector<ConstDecl> consts;
  std::vector<std::unique_ptr<StructDecl>> structs;
  std::vector<std::unique_ptr<InterfaceDecl>> interfaces;
};

struct Program {
  std::vector<std::unique_ptr<File>> files;  // every file loaded, includes first
  const File *main = nullptr;
};

}  // namespace captee::idl
