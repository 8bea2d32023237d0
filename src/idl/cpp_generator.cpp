// The C++ generator. Proxies call the C stubs, so C and C++ callers share one
// marshalling; skeletons instantiate the C skeleton macro inside the class, so
// they share one validation. Only the parameter shapes are C++-specific:
// spans for buffers and arrays, references for outputs, captee::Ref for
// output objects.
#include "c_names.h"
#include "captee/idl/generate.h"
#include "names.h"

namespace captee::idl {
namespace {

std::string num(uint64_t v) {
  return std::to_string(v);
}

// Member names the generated classes already use. Their private helpers all
// start with "_idlc_", which no IDL identifier can (identifiers start with a
// letter) and no renaming produces (renaming only appends '_').
bool is_taken_member(const std::string &name) {
  static const char *const kTaken[] = {"ref",          "ref_",    "on_invoke", "as_object",
                                       "from",         "from_as", "ref_count", "on_last_release",
                                       "invoke_thunk", "operator"};
  for (const char *t : kTaken) {
    if (name == t) {
      return true;
    }
  }
  return false;
}

std::string cpp_name(const std::string &name) {
  std::string n = name;
  while (is_cpp_keyword(n) || is_taken_member(n)) {
    n += "_";
  }
  return n;
}

// The C++ name of an output buffer's length parameter: `<name>_len`, made
// unique against the method's other parameter names.
std::string len_name(const MethodDecl &m, const Param &p) {
  std::string n = cpp_name(p.name) + "_len";
  bool clash = true;
  while (clash) {
    clash = false;
    for (const Param &other : m.params) {
      if (cpp_name(other.name) == n) {
        n += "_";
        clash = true;
      }
    }
  }
  return n;
}

// A method's C++ name: also avoids the names of the classes it lives in.
std::string method_name(const InterfaceDecl &iface, const MethodDecl &m) {
  for (const InterfaceDecl *i : iface.chain()) {
    if (m.name == i->name || m.name == i->name + "Skeleton") {
      return m.name + "_";
    }
  }
  return cpp_name(m.name);
}

bool is_data(const Type &t) {
  return t.kind == Type::Kind::kBuffer || t.array == Type::Array::kUnbounded;
}

std::string value_type(const Type &t) {
  if (t.struct_decl != nullptr) {
    return "::" + c_ident(t.struct_decl->name);
  }
  return std::string(primitive_c_name(t.prim));
}

// The C++ parameter list. `skeleton` selects the implementation's view of
// input objects (borrowed Object) instead of the caller's (const Ref &).
std::string cpp_params(const MethodDecl &m, bool skeleton) {
  std::string s;
  for (const Param &p : m.params) {
    if (!s.empty()) {
      s += ", ";
    }
    const Type &t = p.type;
    const std::string n = cpp_name(p.name);
    if (t.is_object()) {
      if (t.array == Type::Array::kBounded) {
        const std::string nb = num(t.bound);
        if (p.out) {
          s += "std::span<captee::Ref, " + nb + "> " + n;
        } else {
          s +=
              std::string(skeleton ? "std::span<const Object, " : "std::span<const captee::Ref, ") +
              nb + "> " + n;
        }
      } else {
        s += p.out ? "captee::Ref &" + n : (skeleton ? "Object " : "const captee::Ref &") + n;
      }
    } else if (is_data(t)) {
      const std::string et = t.kind == Type::Kind::kBuffer ? "std::byte" : value_type(t);
      if (p.out) {
        s += "std::span<" + et + "> " + n + ", size_t &" + len_name(m, p);
      } else {
        s += "std::span<const " + et + "> " + n;
      }
    } else if (t.struct_decl != nullptr) {
      s += (p.out ? value_type(t) + " &" : "const " + value_type(t) + " &") + n;
    } else {
      s += value_type(t) + (p.out ? " &" : " ") + n;
    }
  }
  return s;
}

void emit_proxy_method(std::string &o, const InterfaceDecl &iface, const MethodDecl &m) {
  if (!m.doc.empty()) {
    o += "  " + m.doc + "\n";
  }
  o += "  int32_t " + method_name(iface, m) + "(" + cpp_params(m, false) + ") const {\n";
  o += "    if (ref_.is_null()) {\n      return Object_ERROR_BADOBJ;\n    }\n";
  std::vector<std::string> args = {"ref_.get()"};
  std::vector<std::string> adopt;
  for (const Param &p : m.params) {
    const Type &t = p.type;
    const std::string n = cpp_name(p.name);
    if (t.is_object()) {
      if (t.array == Type::Array::kBounded) {
        o += "    Object _idlc_" + p.name + "[" + num(t.bound) + "];\n";
        for (uint32_t e = 0; e < t.bound; ++e) {
          o += "    _idlc_" + p.name + "[" + num(e) +
               "] = " + (p.out ? std::string("Object_NULL") : n + "[" + num(e) + "].get()") + ";\n";
          if (p.out) {
            adopt.push_back(n + "[" + num(e) + "] = captee::Ref::adopt(_idlc_" + p.name + "[" +
                            num(e) + "]);");
          }
        }
        args.push_back("&_idlc_" + p.name);
      } else if (p.out) {
        o += "    Object _idlc_" + p.name + " = Object_NULL;\n";
        args.push_back("&_idlc_" + p.name);
        adopt.push_back(n + " = captee::Ref::adopt(_idlc_" + p.name + ");");
      } else {
        args.push_back(n + ".get()");
      }
    } else if (is_data(t)) {
      args.push_back(n + ".data()");
      args.push_back(n + ".size()");
      if (p.out) {
        args.push_back("&" + len_name(m, p));
      }
    } else if (t.struct_decl != nullptr || p.out) {
      args.push_back("&" + n);
    } else {
      args.push_back(n);
    }
  }
  std::string call = "    const int32_t _idlc_r = ::" + iface.name + "_" + m.name + "(";
  for (size_t i = 0; i < args.size(); ++i) {
    call += (i ? ", " : "") + args[i];
  }
  o += call + ");\n";
  if (!adopt.empty()) {
    o += "    if (_idlc_r == Object_OK) {\n";
    for (const auto &a : adopt) {
      o += "      " + a + "\n";
    }
    o += "    }\n";
  }
  o += "    return _idlc_r;\n  }\n\n";
}

void emit_adapter(std::string &o, const InterfaceDecl &iface, const std::string &cls,
                  const MethodDecl &m) {
  const std::string params = c_param_list(m, true);
  o += "  static int32_t _idlc_" + m.name + "(" + cls + " *me" +
       (params.empty() ? "" : ", " + params) + ") {\n    try {\n";
  std::vector<std::string> args;
  std::vector<std::string> detach;
  for (const Param &p : m.params) {
    const Type &t = p.type;
    const std::string &n = p.name;
    if (t.is_object()) {
      if (t.array == Type::Array::kBounded) {
        const std::string nb = num(t.bound);
        if (p.out) {
          o += "      std::array<captee::Ref, " + nb + "> _idlc_" + n + ";\n";
          args.push_back("std::span<captee::Ref, " + nb + ">(_idlc_" + n + ")");
          for (uint32_t e = 0; e < t.bound; ++e) {
            detach.push_back("(*" + n + "_ptr)[" + num(e) + "] = _idlc_" + n + "[" + num(e) +
                             "].detach();");
          }
        } else {
          args.push_back("std::span<const Object, " + nb + ">(*" + n + "_ptr)");
        }
      } else if (p.out) {
        o += "      captee::Ref _idlc_" + n + ";\n";
        args.push_back("_idlc_" + n);
        detach.push_back("*" + n + "_ptr = _idlc_" + n + ".detach();");
      } else {
        args.push_back(n + "_val");
      }
    } else if (is_data(t)) {
      if (t.kind == Type::Kind::kBuffer) {
        args.push_back(p.out ? "std::span<std::byte>(static_cast<std::byte *>(" + n + "_ptr), " +
                                   n + "_len)"
                             : "std::span<const std::byte>(static_cast<const std::byte *>(" + n +
                                   "_ptr), " + n + "_len)");
      } else {
        args.push_back(std::string(p.out ? "std::span<" : "std::span<const ") + value_type(t) +
                       ">(" + n + "_ptr, " + n + "_len)");
      }
      if (p.out) {
        args.push_back("*" + n + "_lenout");
      }
    } else if (t.struct_decl != nullptr || p.out) {
      args.push_back("*" + n + "_ptr");
    } else {
      args.push_back(n + "_val");
    }
  }
  std::string call = "      const int32_t _idlc_r = me->" + method_name(iface, m) + "(";
  for (size_t i = 0; i < args.size(); ++i) {
    call += (i ? ", " : "") + args[i];
  }
  o += call + ");\n";
  if (!detach.empty()) {
    o += "      if (_idlc_r == Object_OK) {\n";
    for (const auto &d : detach) {
      o += "        " + d + "\n";
    }
    o += "      }\n";
  }
  o += "      return _idlc_r;\n";
  o += "    } catch (const std::bad_alloc &) {\n      return Object_ERROR_MEM;\n"
       "    } catch (...) {\n      return Object_ERROR;\n    }\n  }\n\n";
}

void emit_interface(std::string &o, const InterfaceDecl &iface) {
  const std::string &n = iface.name;
  const std::string skel = n + "Skeleton";
  // Proxy.
  o += "// Caller's view of " + n +
       ": typed methods over a captee::Ref. Each returns the\n"
       "// object's result; output objects are stored only on Object_OK.\n";
  if (iface.base != nullptr) {
    o += "class " + n + " : public " + iface.base->name + " {\n public:\n";
    o += "  " + n + "() = default;\n";
    o += "  explicit " + n + "(captee::Ref ref) noexcept : " + iface.base->name +
         "(std::move(ref)) {}\n\n";
  } else {
    o += "class " + n + " {\n public:\n";
    o += "  " + n + "() = default;\n";
    o += "  explicit " + n + "(captee::Ref ref) noexcept : ref_(std::move(ref)) {}\n";
    o += "  // The wrapped reference, borrowed.\n";
    o += "  const captee::Ref &ref() const noexcept { return ref_; }\n";
    o += "  explicit operator bool() const noexcept { return !ref_.is_null(); }\n\n";
  }
  for (const MethodDecl &m : iface.methods) {
    emit_proxy_method(o, iface, m);
  }
  if (iface.base == nullptr) {
    o += " protected:\n  captee::Ref ref_;\n";
  }
  while (o.size() >= 2 && o[o.size() - 1] == '\n' && o[o.size() - 2] == '\n') {
    o.pop_back();
  }
  o += "};\n\n";

  // Skeleton.
  o += "// Implementer's view of " + n +
       ": derive, implement the methods, create with\n"
       "// captee::make_object<T>(). Arguments are validated exactly as " +
       n +
       "_DEFINE_INVOKE\n// does before a method runs. Input objects are borrowed; set output "
       "objects\n"
       "// and lengths only on success. Exceptions become Object_ERROR_MEM / Object_ERROR.\n";
  const std::string base =
      iface.base != nullptr ? iface.base->name + "Skeleton" : "captee::LocalObject";
  o += "class " + skel + " : public " + base + " {\n public:\n";
  for (const MethodDecl &m : iface.methods) {
    if (!m.doc.empty()) {
      o += "  " + m.doc + "\n";
    }
    o += "  virtual int32_t " + method_name(iface, m) + "(" + cpp_params(m, true) + ") = 0;\n";
  }
  o += "\n protected:\n  " + skel + "() = default;\n";
  o += "  int32_t on_invoke(uint32_t, ObjectOp op, ObjectArg *a, ObjectCounts k) override {\n"
       "    return _idlc_invoke(this, op, a, k);\n  }\n\n";
  if (iface.base == nullptr) {
    o += "  // Retain and release never get here: captee::LocalObject answers them.\n";
    o += "  static int32_t _idlc_release(" + skel + " *) { return Object_ERROR_INVALID; }\n";
    o += "  static int32_t _idlc_retain(" + skel + " *) { return Object_ERROR_INVALID; }\n\n";
  }
  for (const MethodDecl &m : iface.methods) {
    emit_adapter(o, iface, skel, m);
  }
  o += " private:\n  static " + n + "_DEFINE_INVOKE(_idlc_invoke, _idlc_, " + skel + " *)\n};\n\n";
}

}  // namespace

std::string generate_cpp(const Program &program, const GenerateOptions &options) {
  const File &f = *program.main;
  std::string o = "// Generated by captee-idlc from " + f.base_name +
                  ".idl. Do not edit: edit the IDL and rebuild.\n#pragma once\n\n";
  o += "#include <array>\n#include <cstddef>\n#include <cstdint>\n#include <new>\n#include <span>\n"
       "#include <utility>\n\n#include \"captee/object.hpp\"\n";
  o += "#include \"" + f.base_name + ".h\"\n#include \"" + f.base_name + "_invoke.h\"\n";
  for (const Include &inc : f.includes) {
    o += "#include \"" + header_for_include(inc.path, ".hpp") + "\"\n";
  }
  o += "\nnamespace " + options.cpp_namespace + " {\n\n";
  for (const auto &i : f.interfaces) {
    emit_interface(o, *i);
  }
  o += "}  // namespace " + options.cpp_namespace + "\n";
  return o;
}

}  // namespace captee::idl
