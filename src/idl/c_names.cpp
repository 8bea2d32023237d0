#include "c_names.h"

#include "names.h"

namespace captee::idl {

std::string c_ident(const std::string &name) {
  return is_cpp_keyword(name) ? "_" + name : name;
}

std::string c_element_type(const Type &t, bool cpp) {
  if (t.kind == Type::Kind::kInterface) {
    return "Object";
  }
  if (t.iface != nullptr) {
    return cpp ? "Object" : t.iface->name;
  }
  if (t.struct_decl != nullptr) {
    return (cpp ? "::" : "") + c_ident(t.struct_decl->name);
  }
  if (t.kind == Type::Kind::kBuffer) {
    return "void";
  }
  return std::string(primitive_c_name(t.prim));
}

std::string c_const_value(const ConstDecl &c) {
  std::string lit = c.literal;
  const bool negative = !lit.empty() && lit[0] == '-';
  std::string body = lit.substr(negative ? 1 : 0);
  const bool hex = body.size() > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X');
  if (!hex) {
    // Drop leading zeros of the integer part: C reads "010" as octal.
    size_t nz = 0;
    while (nz + 1 < body.size() && body[nz] == '0' && body[nz + 1] != '.') {
      ++nz;
    }
    body = body.substr(nz);
  }
  const std::string value = (negative ? "-" : "") + body;
  switch (c.type) {
    case Primitive::kF32:
      return "FLOAT(" + value + ")";
    case Primitive::kF64:
      return "DOUBLE(" + value + ")";
    case Primitive::kI64:
      if (negative && (body == "9223372036854775808" || body == "0x8000000000000000" ||
                       body == "0X8000000000000000")) {
        return "(INT64_C(-9223372036854775807) - 1)";
      }
      return "INT64_C(" + value + ")";
    case Primitive::kU8:
      return "UINT8_C(" + value + ")";
    case Primitive::kU16:
      return "UINT16_C(" + value + ")";
    case Primitive::kU32:
      return "UINT32_C(" + value + ")";
    case Primitive::kU64:
      return "UINT64_C(" + value + ")";
    case Primitive::kI8:
      return "INT8_C(" + value + ")";
    case Primitive::kI16:
      return "INT16_C(" + value + ")";
    case Primitive::kI32:
      return "INT32_C(" + value + ")";
  }
  return value;
}

std::string c_param_list(const MethodDecl &m, bool cpp) {
  std::string s;
  for (const Param &p : m.params) {
    if (!s.empty()) {
      s += ", ";
    }
    const Type &t = p.type;
    const std::string et = c_element_type(t, cpp);
    const std::string &n = p.name;
    const bool data = t.kind == Type::Kind::kBuffer || t.array == Type::Array::kUnbounded;
    if (t.is_object()) {
      if (t.array == Type::Array::kBounded) {
        s += (p.out ? "" : "const ") + et + " (*" + n + "_ptr)[" + std::to_string(t.bound) + "]";
      } else {
        s += p.out ? et + " *" + n + "_ptr" : et + " " + n + "_val";
      }
    } else if (data) {
      s += p.out ? et + " *" + n + "_ptr, size_t " + n + "_len, size_t *" + n + "_lenout"
                 : "const " + et + " *" + n + "_ptr, size_t " + n + "_len";
    } else if (t.struct_decl != nullptr) {
      s += (p.out ? "" : "const ") + et + " *" + n + "_ptr";
    } else {
      s += p.out ? et + " *" + n + "_ptr" : et + " " + n + "_val";
    }
  }
  return s;
}

std::string c_counts(const MethodLayout &l) {
  return "ObjectCounts_pack(" + std::to_string(l.bi) + ", " + std::to_string(l.bo) + ", " +
         std::to_string(l.oi) + ", " + std::to_string(l.oo) + ")";
}

std::string header_for_include(const std::string &idl_path, const std::string &extension) {
  return idl_path.substr(0, idl_path.size() - 4) + extension;
}

}  // namespace captee::idl
