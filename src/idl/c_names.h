// How IDL entities are spelled in the generated C. Private to the idl layer.
#pragma once

#include <string>

#include "captee/idl/ast.h"
#include "captee/idl/layout.h"

namespace captee::idl {

// Struct and field names that are C or C++ keywords get a leading '_' (Mink
// idlc >= 1.0 does this for C keywords).
std::string c_ident(const std::string &name);
// The C type of one element of `t`: uint32_t, a struct name, Object or IFoo.
// With `cpp`, objects are spelled `Object` and structs `::S`, so the text is
// unambiguous inside the C++ namespace where proxies reuse interface names.
std::string c_element_type(const Type &t, bool cpp = false);
// `<T>_C(value)` for a const, with leading zeros of decimals dropped (C would
// read them as octal) and INT64_MIN spelled so that C accepts it.
std::string c_const_value(const ConstDecl &c);
// The C parameter list of a stub after `Object self` (spec §7.11), e.g.
// "uint32_t id_val, Object *obj_ptr"; empty for no parameters.
std::string c_param_list(const MethodDecl &m, bool cpp = false);

// "ObjectCounts_pack(1, 0, 0, 1)".
std::string c_counts(const MethodLayout &layout);

}  // namespace captee::idl
