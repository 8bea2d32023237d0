// Code generators: C stubs and skeletons compatible with Mink's generated
// headers (spec §7.9-7.12), and C++ proxies and skeletons built on them.
//
// Each generator reads an analysed Program (no errors) and returns the text of
// one header for the program's main file. They never fail: everything that
// could make the output invalid is rejected by analysis first. Calling them on
// a Program with errors is a caller bug. They are pure functions of their
// arguments and safe to call concurrently.
#pragma once

#include <string>

#include "captee/idl/ast.h"
#include "captee/idl/layout.h"

namespace captee::idl {

struct GenerateOptions {
  BundleOrder bundle_order = BundleOrder::kByAlignment;
  // C++ namespace of the generated proxy and skeleton classes.
  std::string cpp_namespace = "captee::iface";
};

// <base>.h: typedefs, consts, errors, op numbers, structs and inline stubs.
std::string generate_c_stub(const Program &program, const GenerateOptions &options = {});
// <base>_invoke.h: version macros and IFoo_DEFINE_INVOKE(func, prefix, type).
std::string generate_c_skeleton(const Program &program, const GenerateOptions &options = {});
// <base>.hpp: per interface a proxy class (wraps captee::Ref, calls the C
// stubs) and a skeleton class (derives captee::LocalObject, validates with the
// C skeleton). Includes <base>.h and <base>_invoke.h.
std::string generate_cpp(const Program &program, const GenerateOptions &options = {});

// The include line an `include "X.idl"` becomes: "X.h" (or "X.hpp").
std::string header_for_include(const std::string &idl_path, const std::string &extension);

}  // namespace captee::idl
