// Semantic analysis (spec §7.3-7.6): resolves names, numbers ops and errors,
// verifies struct layouts and checks every rule on where types may appear.
// Deviations from Mink idlc, all in the direction of rejecting code Mink would
// turn into a broken header, are documented in docs/IDL.md.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <set>

#include "captee/idl/frontend.h"
#include "captee/idl/layout.h"
#include "names.h"

namespace captee::idl {

std::vector<const InterfaceDecl *> InterfaceDecl::chain() const {
  std::vector<const InterfaceDecl *> out;
  for (const InterfaceDecl *i = this; i != nullptr; i = i->base) {
    out.push_back(i);
    if (out.size() > 100000) {
      break;  // analysis rejects cycles; this only guards misuse
    }
  }
  std::reverse(out.begin(), out.end());
  return out;
}

namespace {

constexpr uint64_t kMaxStructSize = uint64_t{1} << 31;
constexpr uint32_t kMaxCount = 15;
// Bounds recursion on hostile input; real IDL nests structs a few levels deep.
constexpr uint32_t kMaxStructNesting = 200;

std::string where(const SourceLoc &loc) {
  return loc.file + ":" + std::to_string(loc.line) + ":" + std::to_string(loc.column);
}

struct Symbol {
  enum class Kind { kStruct, kInterface, kConst } kind;
  SourceLoc loc;
  StructDecl *s = nullptr;
  InterfaceDecl *i = nullptr;
};

class Analyser {
 public:
  Analyser(Program &program, const LoadOptions &options, Diagnostics &diags)
      : program_(program), options_(options), diags_(diags) {}

  void run() {
    collect_symbols();
    for (auto &f : program_.files) {
      for (auto &s : f->structs) {
        for (Field &field : s->fields) {
          resolve(field.type);
        }
      }
      for (auto &i : f->interfaces) {
        for (MethodDecl &m : i->methods) {
          for (Param &p : m.params) {
            resolve(p.type);
          }
        }
      }
    }
    resolve_bases();
    for (auto &f : program_.files) {
      for (ConstDecl &c : f->consts) {
        check_const(c);
        if (is_cpp_keyword(c.name)) {
          diags_.error(c.loc, "constant name '" + c.name + "' is a C or C++ keyword");
        }
      }
      for (auto &s : f->structs) {
        layout_struct(*s);
      }
    }
    if (diags_.has_errors()) {
      return;  // interface checks need resolved types and laid-out structs
    }
    for (auto &f : program_.files) {
      for (auto &i : f->interfaces) {
        check_interface(*i);
      }
    }
    if (!diags_.has_errors()) {
      check_generated_names();
    }
  }

 private:
  void collect_symbols() {
    for (auto &f : program_.files) {
      for (auto &s : f->structs) {
        add_symbol(s->name, {Symbol::Kind::kStruct, s->loc, s.get(), nullptr});
        if (is_cpp_keyword(s->name)) {
          diags_.warning(s->loc, "struct name '" + s->name +
                                     "' is a C or C++ keyword; it is emitted as '_" + s->name +
                                     "'");
        }
      }
      for (auto &i : f->interfaces) {
        add_symbol(i->name, {Symbol::Kind::kInterface, i->loc, nullptr, i.get()});
        if (is_cpp_keyword(i->name)) {
          diags_.error(i->loc, "interface name '" + i->name + "' is a C or C++ keyword");
        }
      }
      for (ConstDecl &c : f->consts) {
        add_symbol(c.name, {Symbol::Kind::kConst, c.loc, nullptr, nullptr});
      }
    }
  }

  void add_symbol(const std::string &name, Symbol sym) {
    // Type names appear inside generated function bodies next to these locals
    // and macro parameters; a type spelled like one of them would not compile.
    static const std::set<std::string> kReservedTypeNames = {
        "a",  "bi",     "bo", "func",   "h",    "k",    "me",
        "op", "prefix", "r",  "result", "self", "type", "version"};
    if (sym.kind != Symbol::Kind::kConst && kReservedTypeNames.count(name) != 0) {
      diags_.error(sym.loc, "'" + name + "' cannot name a type: the generated code uses it");
    }
    auto [it, inserted] = symbols_.emplace(name, sym);
    if (!inserted) {
      diags_.error(sym.loc, "'" + name + "' is already declared at " + where(it->second.loc));
    }
  }

  void resolve(Type &t) {
    if (t.kind != Type::Kind::kNamed) {
      return;
    }
    auto it = symbols_.find(t.name);
    if (it == symbols_.end() || it->second.kind == Symbol::Kind::kConst) {
      diags_.error(t.loc, "unknown type '" + t.name + "'");
      return;
    }
    t.struct_decl = it->second.s;
    t.iface = it->second.i;
  }

  void resolve_bases() {
    for (auto &f : program_.files) {
      for (auto &i : f->interfaces) {
        if (i->base_name.empty()) {
          continue;
        }
        auto it = symbols_.find(i->base_name);
        if (it == symbols_.end() || it->second.kind != Symbol::Kind::kInterface) {
          diags_.error(i->base_loc, "unknown base interface '" + i->base_name + "'");
          continue;
        }
        i->base = it->second.i;
      }
    }
    // A chain longer than the number of interfaces must loop.
    size_t total = 0;
    for (auto &f : program_.files) {
      total += f->interfaces.size();
    }
    for (auto &f : program_.files) {
      for (auto &i : f->interfaces) {
        size_t steps = 0;
        for (const InterfaceDecl *b = i->base; b != nullptr; b = b->base) {
          if (++steps > total) {
            diags_.error(i->loc, "interface '" + i->name + "' inherits from itself");
            // Break the loop so later passes terminate.
            i->base = nullptr;
            break;
          }
        }
      }
    }
  }

  void check_const(const ConstDecl &c) {
    const std::string &lit = c.literal;
    const bool negative = !lit.empty() && lit[0] == '-';
    const std::string_view body = std::string_view(lit).substr(negative ? 1 : 0);
    const bool hex = body.size() > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X');
    const bool fraction = body.find('.') != std::string_view::npos;
    const std::string type(primitive_idl_name(c.type));
    if (primitive_is_float(c.type)) {
      double v = 0;
      if (hex) {
        uint64_t u = 0;
        auto r = std::from_chars(body.data() + 2, body.data() + body.size(), u, 16);
        v = r.ec == std::errc() ? static_cast<double>(u) : HUGE_VAL;
      } else {
        auto r = std::from_chars(body.data(), body.data() + body.size(), v);
        if (r.ec != std::errc()) {
          v = HUGE_VAL;
        }
      }
      const bool inf = c.type == Primitive::kF32 ? std::isinf(static_cast<float>(v)) || v > 3.5e38
                                                 : std::isinf(v);
      if (inf) {
        diags_.error(c.loc, "value " + lit + " is infinite as " + type);
      }
      return;
    }
    if (fraction) {
      diags_.error(c.loc, "value " + lit + " is not an integer, but '" + c.name + "' is " + type);
      return;
    }
    uint64_t mag = 0;
    auto r =
        std::from_chars(body.data() + (hex ? 2 : 0), body.data() + body.size(), mag, hex ? 16 : 10);
    bool ok = r.ec == std::errc();
    if (ok && !options_.allow_undefined_behavior) {
      const uint32_t bits = primitive_size(c.type) * 8;
      if (primitive_is_signed(c.type)) {
        const uint64_t max_pos = (uint64_t{1} << (bits - 1)) - 1;
        ok = negative ? mag <= max_pos + 1 : mag <= max_pos;
      } else {
        const uint64_t max = bits == 64 ? UINT64_MAX : (uint64_t{1} << bits) - 1;
        ok = (!negative || mag == 0) && mag <= max;
      }
    }
    if (!ok) {
      diags_.error(c.loc, "value " + lit + " does not fit in " + type);
    }
  }

  // Computes size, alignment and offsets; 0 = unvisited, 1 = in progress, 2 = done.
  void layout_struct(StructDecl &s, uint32_t depth = 0) {
    int &state = struct_state_[&s];
    if (state == 2) {
      return;
    }
    if (depth > kMaxStructNesting) {
      diags_.error(s.loc,
                   "structs nested more than " + std::to_string(kMaxStructNesting) + " deep");
      state = 2;
      return;
    }
    if (state == 1) {
      diags_.error(s.loc, "struct '" + s.name + "' contains itself");
      state = 2;
      return;
    }
    state = 1;
    std::set<std::string> names;
    uint64_t offset = 0;
    uint32_t align = 1;
    bool bad = false;
    for (Field &f : s.fields) {
      if (!names.insert(f.name).second) {
        diags_.error(f.loc, "duplicate field '" + f.name + "' in struct '" + s.name + "'");
      }
      if (is_cpp_keyword(f.name)) {
        diags_.warning(f.loc, "field name '" + f.name +
                                  "' is a C or C++ keyword; it is emitted as '_" + f.name + "'");
      }
      const Type &t = f.type;
      if (t.kind == Type::Kind::kBuffer) {
        diags_.error(t.loc,
                     "'buffer' cannot be a struct field; use a bounded array such as uint8[N]");
        bad = true;
        continue;
      }
      if (t.array == Type::Array::kUnbounded) {
        diags_.error(t.loc,
                     "unbounded arrays cannot be struct fields; give a size, e.g. uint32[4]");
        bad = true;
        continue;
      }
      if (t.is_object() && t.array != Type::Array::kNone) {
        diags_.error(t.loc, "arrays of objects cannot be struct fields");
        bad = true;
        continue;
      }
      if (t.array == Type::Array::kBounded && t.bound == 0) {
        diags_.error(t.loc, "array size must be at least 1");
        bad = true;
        continue;
      }
      if (t.kind == Type::Kind::kNamed && t.struct_decl == nullptr && t.iface == nullptr) {
        bad = true;  // unknown type, already reported
        continue;
      }
      if (t.struct_decl != nullptr) {
        layout_struct(*const_cast<StructDecl *>(t.struct_decl), depth + 1);
        if (t.struct_decl->size == 0) {
          bad = true;
          continue;
        }
        if (t.struct_decl->has_objects) {
          s.has_objects = true;
        }
      }
      if (t.is_object()) {
        s.has_objects = true;
      }
      const uint64_t esize = element_size(t);
      const uint32_t ealign = element_align(t);
      const uint64_t n = t.array == Type::Array::kBounded ? t.bound : 1;
      if (offset % ealign != 0) {
        diags_.error(f.loc, "field '" + f.name + "' is at offset " + std::to_string(offset) +
                                ", not a multiple of its alignment " + std::to_string(ealign) +
                                "; add explicit padding fields before it");
        bad = true;
      }
      f.offset = offset;
      uint64_t fsize = 0;
      if (__builtin_mul_overflow(esize, n, &fsize) ||
          __builtin_add_overflow(offset, fsize, &offset) || offset > kMaxStructSize) {
        diags_.error(f.loc, "struct '" + s.name + "' is larger than 2 GiB");
        bad = true;
        break;
      }
      align = std::max(align, ealign);
    }
    if (!bad && offset % align != 0) {
      diags_.error(s.loc, "struct '" + s.name + "' is " + std::to_string(offset) +
                              " bytes, not a multiple of its alignment " + std::to_string(align) +
                              "; add explicit tail padding");
      bad = true;
    }
    s.size = bad ? 0 : offset;
    s.align = align;
    state = 2;
  }

  void check_interface(InterfaceDecl &iface) {
    const std::vector<const InterfaceDecl *> chain = iface.chain();
    std::map<std::string, SourceLoc> methods;
    std::map<std::string, SourceLoc> values;  // consts and errors share one namespace
    static const std::set<std::string> kReservedValues = {
        "MAJOR_MASK",    "MINOR_MASK",    "MAJOR_SHIFT",   "MINOR_SHIFT",  "PATCH_MASK",
        "VERSION_MAJOR", "VERSION_MINOR", "VERSION_PATCH", "DEFINE_INVOKE"};
    static const std::set<std::string> kReservedMethods = {"api_version", "release", "retain"};
    uint32_t op = 0;
    bool versioned = false;
    uint32_t vmax = 0;
    uint32_t vlast = 0;
    for (const InterfaceDecl *link : chain) {
      const bool own = link == &iface;
      for (const ConstDecl &c : link->consts) {
        if (own) {
          check_const(c);
        }
        auto [it, ok] = values.emplace(c.name, c.loc);
        if (!ok && own) {
          diags_.error(c.loc, "'" + c.name + "' is already declared at " + where(it->second));
        }
        if (own && kReservedValues.count(c.name) != 0) {
          diags_.error(c.loc, "'" + iface.name + "_" + c.name +
                                  "' is a generated name; rename the constant");
        }
      }
      for (const ErrorDecl &e : link->errors) {
        auto [it, ok] = values.emplace(e.name, e.loc);
        if (!ok && own) {
          diags_.error(e.loc, "'" + e.name + "' is already declared at " + where(it->second));
        }
        if (own && kReservedValues.count(e.name) != 0) {
          diags_.error(e.loc,
                       "'" + iface.name + "_" + e.name + "' is a generated name; rename the error");
        }
      }
      for (const MethodDecl &m : link->methods) {
        auto [it, ok] = methods.emplace(m.name, m.loc);
        if (own) {
          MethodDecl &mm = const_cast<MethodDecl &>(m);
          mm.op = op;
          if (!ok) {
            diags_.error(m.loc,
                         "method '" + m.name + "' is already declared at " + where(it->second));
          }
          if (kReservedMethods.count(m.name) != 0) {
            diags_.error(m.loc, "method name '" + m.name + "' is reserved");
          }
          if (op > 0x3FFF) {
            diags_.error(m.loc, "method '" + m.name + "' would get op " + std::to_string(op) +
                                    ", above the limit 16383 (0x3FFF)");
          }
          check_method(iface, m);
        }
        if (m.has_version) {
          const uint32_t v = (m.version_major << 10) | m.version_minor;
          if (own && versioned && v < vlast) {
            diags_.error(m.loc, "method '" + m.name + "' has version " +
                                    std::to_string(m.version_major) + "." +
                                    std::to_string(m.version_minor) +
                                    ", lower than an earlier method's; versions must not decrease");
          }
          versioned = true;
          vlast = v;
          vmax = std::max(vmax, v);
        }
        ++op;
      }
    }
    for (const auto &[name, loc] : values) {
      if (name.rfind("OP_", 0) == 0 && methods.count(name.substr(3)) != 0 &&
          loc.file == iface.loc.file) {
        diags_.error(loc, "'" + iface.name + "_" + name +
                              "' would clash with the op code macro of method '" + name.substr(3) +
                              "'");
      }
    }
    if (versioned) {
      iface.version_major = vmax >> 10;
      iface.version_minor = vmax & 0x3FF;
    }
  }

  // Every C identifier the headers of this program define, across all files
  // (their headers are included together): two declarations that map to the
  // same macro, typedef or stub name would not compile.
  void check_generated_names() {
    std::map<std::string, SourceLoc> names;
    auto define = [&](const std::string &name, const SourceLoc &loc) {
      auto [it, ok] = names.emplace(name, loc);
      if (!ok) {
        diags_.error(loc, "the generated C name '" + name +
                              "' is also produced by the declaration at " + where(it->second));
      }
    };
    static const char *const kPerInterface[] = {"release",       "retain",        "api_version",
                                                "MAJOR_MASK",    "MINOR_MASK",    "PATCH_MASK",
                                                "MAJOR_SHIFT",   "MINOR_SHIFT",   "VERSION_MAJOR",
                                                "VERSION_MINOR", "VERSION_PATCH", "DEFINE_INVOKE"};
    for (auto &f : program_.files) {
      for (const ConstDecl &c : f->consts) {
        define(c.name, c.loc);
      }
      for (auto &s : f->structs) {
        define(is_cpp_keyword(s->name) ? "_" + s->name : s->name, s->loc);
      }
      for (auto &i : f->interfaces) {
        define(i->name, i->loc);
        for (const char *suffix : kPerInterface) {
          define(i->name + "_" + suffix, i->loc);
        }
        for (const InterfaceDecl *link : i->chain()) {
          for (const ConstDecl &c : link->consts) {
            define(i->name + "_" + c.name, link == i.get() ? c.loc : i->loc);
          }
          for (const ErrorDecl &e : link->errors) {
            define(i->name + "_" + e.name, link == i.get() ? e.loc : i->loc);
          }
          for (const MethodDecl &m : link->methods) {
            define(i->name + "_" + m.name, link == i.get() ? m.loc : i->loc);
          }
        }
        for (const MethodDecl &m : i->methods) {
          define(i->name + "_OP_" + m.name, m.loc);
        }
      }
    }
  }

  void check_method(const InterfaceDecl &iface, const MethodDecl &m) {
    std::set<std::string> names;
    bool type_errors = false;
    struct DirObjects {
      int arrays = 0;
      int plain = 0;
    } objects[2];
    for (const Param &p : m.params) {
      if (!names.insert(p.name).second) {
        diags_.error(p.loc, "duplicate parameter '" + p.name + "' in method '" + m.name + "'");
      }
      const Type &t = p.type;
      const std::string dir = p.out ? "out" : "in";
      if (t.kind == Type::Kind::kBuffer && t.array != Type::Array::kNone) {
        diags_.error(t.loc, "'buffer' cannot be an array");
        type_errors = true;
        continue;
      }
      if (t.is_object()) {
        if (t.array == Type::Array::kUnbounded) {
          diags_.error(
              t.loc, "unbounded arrays of objects are not allowed; give a size, e.g. interface[2]");
          type_errors = true;
          continue;
        }
        if (t.array == Type::Array::kBounded) {
          if (t.bound == 0 || t.bound > kMaxCount) {
            diags_.error(t.loc, "object array size must be from 1 to 15");
            type_errors = true;
            continue;
          }
          if (t.bound == 1) {
            diags_.warning(t.loc, "object array of size 1; a plain object parameter is simpler");
          }
          ++objects[p.out].arrays;
        } else {
          ++objects[p.out].plain;
        }
        continue;
      }
      if (t.array == Type::Array::kBounded) {
        diags_.error(t.loc,
                     "bounded arrays of primitives or structs cannot be parameters; use '" +
                         (t.kind == Type::Kind::kPrimitive ? std::string(primitive_idl_name(t.prim))
                                                           : t.name) +
                         "[]'");
        type_errors = true;
        continue;
      }
      if (t.struct_decl != nullptr && t.struct_decl->size == 0) {
        type_errors = true;  // its layout error is already reported
        continue;
      }
      if (t.struct_decl != nullptr && t.struct_decl->has_objects) {
        diags_.error(t.loc, "struct '" + t.name + "' contains objects and cannot be a parameter: " +
                                "Mink's layout for such structs breaks the BI, BO, OI, OO order");
        type_errors = true;
        continue;
      }
    }
    for (int d = 0; d < 2; ++d) {
      if (objects[d].arrays > 1 || (objects[d].arrays == 1 && objects[d].plain > 0)) {
        diags_.error(m.loc, std::string("method '") + m.name +
                                "' has an object array and another " +
                                "object parameter in the same direction ('" + (d ? "out" : "in") +
                                "'); an object array must be the only object of its direction");
        type_errors = true;
      }
    }
    if (type_errors) {
      return;
    }
    const MethodLayout layout = layout_method(m);
    const uint32_t counts[4] = {layout.bi, layout.bo, layout.oi, layout.oo};
    static const char *const kNames[4] = {"input buffers", "output buffers", "input objects",
                                          "output objects"};
    for (int k = 0; k < 4; ++k) {
      if (counts[k] > kMaxCount) {
        diags_.error(m.loc, "method '" + iface.name + "." + m.name + "' needs " +
                                std::to_string(counts[k]) + " " + kNames[k] +
                                "; ObjectCounts allows at most 15");
      }
    }
  }

  Program &program_;
  const LoadOptions &options_;
  Diagnostics &diags_;
  std::map<std::string, Symbol> symbols_;
  std::map<const StructDecl *, int> struct_state_;
};

}  // namespace

void analyse(Program &program, const LoadOptions &options, Diagnostics &diags) {
  Analyser(program, options, diags).run();
}

}  // namespace captee::idl
