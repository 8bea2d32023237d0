#include "names.h"

#include <algorithm>
#include <array>

namespace captee::idl {
namespace {
struct PrimInfo {
  std::string_view idl;
  std::string_view c;
  uint32_t size;
};
constexpr std::array<PrimInfo, 10> kPrims = {{
    {"uint8", "uint8_t", 1},
    {"uint16", "uint16_t", 2},
    {"uint32", "uint32_t", 4},
    {"uint64", "uint64_t", 8},
    {"int8", "int8_t", 1},
    {"int16", "int16_t", 2},
    {"int32", "int32_t", 4},
    {"int64", "int64_t", 8},
    {"float32", "float", 4},
    {"float64", "double", 8},
}};

constexpr std::string_view kC[] = {
    "auto",     "break",        "case",     "char",     "const",    "continue",  "default",
    "do",       "double",       "else",     "enum",     "extern",   "float",     "for",
    "goto",     "if",           "inline",   "int",      "long",     "register",  "restrict",
    "return",   "short",        "signed",   "sizeof",   "static",   "struct",    "switch",
    "typedef",  "union",        "unsigned", "void",     "volatile", "while",     "_Alignas",
    "_Alignof", "_Atomic",      "_Bool",    "_Complex", "_Generic", "_Noreturn", "_Static_assert",
    "bool",     "_Thread_local"};

constexpr std::string_view kCpp[] = {"alignas",
                                     "alignof",
                                     "and",
                                     "and_eq",
                                     "asm",
                                     "bitand",
                                     "bitor",
                                     "bool",
                                     "catch",
                                     "char8_t",
                                     "char16_t",
                                     "char32_t",
                                     "class",
                                     "co_await",
                                     "co_return",
                                     "co_yield",
                                     "compl",
                                     "concept",
                                     "const_cast",
                                     "consteval",
                                     "constexpr",
                                     "constinit",
                                     "decltype",
                                     "delete",
                                     "dynamic_cast",
                                     "explicit",
                                     "export",
                                     "false",
                                     "friend",
                                     "mutable",
                                     "namespace",
                                     "new",
                                     "noexcept",
                                     "not",
                                     "not_eq",
                                     "nullptr",
                                     "operator",
                                     "or",
                                     "or_eq",
                                     "private",
                                     "protected",
                                     "public",
                                     "reinterpret_cast",
                                     "requires",
                                     "static_assert",
                                     "static_cast",
                                     "template",
                                     "this",
                                     "thread_local",
                                     "throw",
                                     "true",
                                     "try",
                                     "typeid",
                                     "typename",
                                     "using",
                                     "virtual",
                                     "wchar_t",
                                     "xor",
                                     "xor_eq",
                                     "NULL",
                                     "int8_t",
                                     "int16_t",
                                     "int32_t",
                                     "int64_t",
                                     "size_t",
                                     "uint8_t",
                                     "uint16_t",
                                     "uint32_t",
                                     "uint64_t",
                                     "Object"};
}  // namespace

uint32_t primitive_size(Primitive p) {
  return kPrims[static_cast<size_t>(p)].size;
}
std::string_view primitive_idl_name(Primitive p) {
  return kPrims[static_cast<size_t>(p)].idl;
}
std::string_view primitive_c_name(Primitive p) {
  return kPrims[static_cast<size_t>(p)].c;
}
bool primitive_is_float(Primitive p) {
  return p == Primitive::kF32 || p == Primitive::kF64;
}
bool primitive_is_signed(Primitive p) {
  return p == Primitive::kI8 || p == Primitive::kI16 || p == Primitive::kI32 ||
         p == Primitive::kI64;
}

std::optional<Primitive> primitive_from_name(std::string_view name) {
  for (size_t i = 0; i < kPrims.size(); ++i) {
    if (kPrims[i].idl == name) {
      return static_cast<Primitive>(i);
    }
  }
  return std::nullopt;
}

bool is_c_keyword(std::string_view name) {
  return std::find(std::begin(kC), std::end(kC), name) != std::end(kC);
}

bool is_cpp_keyword(std::string_view name) {
  return is_c_keyword(name) || std::find(std::begin(kCpp), std::end(kCpp), name) != std::end(kCpp);
}

}  // namespace captee::idl
