// The front end on its own: accepted input, numbering and layout rules, and
// one precise message per mistake for malformed IDL.
#include <gtest/gtest.h>

#include <map>

#include "captee/idl/frontend.h"
#include "captee/idl/generate.h"
#include "captee/idl/layout.h"

namespace captee::idl::test {
namespace {

struct Result {
  Program program;
  Diagnostics diags;
};

// Loads "t.idl" = `text`, with `others` as further readable files.
std::unique_ptr<Result> load(const std::string &text,
                             const std::map<std::string, std::string> &others = {}) {
  auto r = std::make_unique<Result>();
  SourceReader reader = [&](const std::string &path) -> std::optional<std::string> {
    if (path == "t.idl") {
      return text;
    }
    auto it = others.find(path);
    if (it != others.end()) {
      return it->second;
    }
    return std::nullopt;
  };
  r->program = load_program("t.idl", {}, reader, r->diags);
  return r;
}

// The diagnostics for `text`, one per line.
std::string errors(const std::string &text, const std::map<std::string, std::string> &others = {}) {
  return load(text, others)->diags.str();
}

const MethodDecl &method(const Result &r, size_t iface, size_t m) {
  return r.program.main->interfaces.at(iface)->methods.at(m);
}

TEST(Frontend, AcceptsAnEmptyFileAndComments) {
  EXPECT_EQ(errors(""), "");
  EXPECT_EQ(errors("// nothing\n/* at */ /**\n all */\n"), "");
}

TEST(Frontend, NumbersOpsAndErrorsFromTheRootBase) {
  auto r = load(
      "interface A { error E1; method a0(); method a1(); };\n"
      "interface B : A { error E2; const uint32 K = 1; method b0(); };\n");
  ASSERT_EQ(r->diags.str(), "");
  const InterfaceDecl &b = *r->program.main->interfaces[1];
  EXPECT_EQ(b.methods[0].op, 2u);
  const std::string h = generate_c_stub(r->program);
  EXPECT_NE(h.find("#define B_E1 INT32_C(10)"), std::string::npos);
  EXPECT_NE(h.find("#define B_E2 INT32_C(11)"), std::string::npos);
  EXPECT_NE(h.find("#define B_OP_b0 2"), std::string::npos);
  EXPECT_EQ(h.find("#define B_OP_a0"), std::string::npos);  // inherited ops keep A_OP_*
  EXPECT_NE(h.find("Object_invoke(self, A_OP_a1, NULL, 0)"), std::string::npos);
}

TEST(Frontend, BundlesBySortedAlignmentWithUnpaddedSize) {
  auto r = load(
      "interface I {\n"
      "  method mix(in uint8 a, in uint16 b, in uint64 c, in uint32 d, out uint8 e, out uint64 "
      "f);\n"
      "  method cfg(in uint64 addr, in uint32 size);\n"
      "  method one(in uint32 x, in buffer b, out uint64 y);\n"
      "};\n");
  ASSERT_EQ(r->diags.str(), "");
  const MethodLayout mix = layout_method(method(*r, 0, 0));
  EXPECT_EQ(mix.in_bundle.size, 15u);
  ASSERT_EQ(mix.in_bundle.members.size(), 4u);
  EXPECT_EQ(mix.in_bundle.members[0].param->name, "c");
  EXPECT_EQ(mix.in_bundle.members[1].param->name, "d");
  EXPECT_EQ(mix.in_bundle.members[2].param->name, "b");
  EXPECT_EQ(mix.in_bundle.members[3].offset, 14u);
  EXPECT_EQ(mix.out_bundle.size, 9u);
  EXPECT_EQ(mix.counts(), 0x0011u);
  EXPECT_EQ(layout_method(method(*r, 0, 1)).in_bundle.size, 12u);
  const MethodLayout one = layout_method(method(*r, 0, 2));
  EXPECT_FALSE(one.in_bundle.present());  // a lone primitive travels alone
  ASSERT_EQ(one.args.size(), 3u);
  EXPECT_EQ(one.args[0].role, ArgSlot::Role::kSingle);
  EXPECT_EQ(one.args[0].size, 4u);
  EXPECT_EQ(one.args[1].role, ArgSlot::Role::kData);
  EXPECT_EQ(one.args[2].size, 8u);
}

TEST(Frontend, SmallStructsSortByAlignmentNotSize) {
  auto r = load(
      "struct P { uint32 a; uint32 b; };\n"
      "interface I { method m(in P p, in uint64 x, in uint32 y); };\n");
  ASSERT_EQ(r->diags.str(), "");
  const MethodLayout l = layout_method(method(*r, 0, 0));
  EXPECT_EQ(l.in_bundle.members[0].param->name, "x");
  EXPECT_EQ(l.in_bundle.members[1].param->name, "p");  // align 4, ties keep declaration order
  EXPECT_EQ(l.in_bundle.members[2].param->name, "y");
  EXPECT_EQ(layout_method(method(*r, 0, 0), BundleOrder::kBySize).in_bundle.members[0].param->name,
            "p");
}

TEST(Frontend, KeywordFieldsAreRenamedWithAWarning) {
  auto r = load("struct S { uint32 int; uint32 class; };\n");
  EXPECT_FALSE(r->diags.has_errors());
  EXPECT_EQ(r->diags.str(),
            "t.idl:1:19: warning: field name 'int' is a C or C++ keyword; it is emitted as '_int'\n"
            "t.idl:1:31: warning: field name 'class' is a C or C++ keyword; it is emitted as "
            "'_class'\n");
  const std::string h = generate_c_stub(r->program);
  EXPECT_NE(h.find("uint32_t _int;"), std::string::npos);
  EXPECT_NE(h.find("uint32_t _class;"), std::string::npos);
}

TEST(Frontend, ObjectArrayOfOneIsAWarning) {
  auto r = load("interface I { method m(in interface[1] x); };\n");
  EXPECT_FALSE(r->diags.has_errors());
  EXPECT_EQ(r->diags.str(),
            "t.idl:1:27: warning: object array of size 1; a plain object parameter is simpler\n");
}

struct BadCase {
  const char *name;
  std::string text;
  std::string message;  // the only diagnostic expected
};

void PrintTo(const BadCase &c, std::ostream *os) {
  *os << c.name;
}

class Malformed : public ::testing::TestWithParam<BadCase> {};

TEST_P(Malformed, GivesOnePreciseError) {
  const BadCase &c = GetParam();
  auto r = load(c.text, {{"a.idl", "include \"b.idl\"\n"},
                         {"b.idl", "include \"a.idl\"\n"},
                         {"base.idl", "interface Base { method f(); };\n"}});
  EXPECT_TRUE(r->diags.has_errors());
  EXPECT_EQ(r->diags.error_count(), 1u);
  EXPECT_EQ(r->diags.str(), c.message + "\n");
}

std::string many_methods(int n) {
  std::string s = "interface I {\n";
  for (int i = 0; i < n; ++i) {
    s += "method m" + std::to_string(i) + "();\n";
  }
  return s + "};\n";
}

std::string many_buffers(int n) {
  std::string s = "interface I { method m(";
  for (int i = 0; i < n; ++i) {
    s += (i ? ", " : "") + std::string("in buffer b") + std::to_string(i);
  }
  return s + "); };\n";
}

INSTANTIATE_TEST_SUITE_P(
    Idl, Malformed,
    ::testing::Values(
        BadCase{"MissingSemicolon", "interface I {\n  method f();\n  method g()\n};\n",
                "t.idl:4:1: error: expected ';', found '}'"},
        BadCase{"MissingInterfaceSemicolon", "interface I {\n}\n",
                "t.idl:3:1: error: expected ';', found end of file"},
        BadCase{"StrayToken", "interface I { method f(); };\nfoo\n",
                "t.idl:2:1: error: expected 'const', 'struct' or 'interface', found 'foo'"},
        BadCase{"MissingDirection", "interface I { method f(uint32 x); };\n",
                "t.idl:1:24: error: expected 'in' or 'out', found 'uint32'"},
        BadCase{"MissingParamName", "interface I { method f(in uint32); };\n",
                "t.idl:1:33: error: expected a parameter name, found ')'"},
        BadCase{"BadConstType", "const string X = 1;\n",
                "t.idl:1:7: error: expected a primitive type (uint8..uint64, int8..int64, float32, "
                "float64), found 'string'"},
        BadCase{"ConstWithoutValue", "const uint32 X = ;\n",
                "t.idl:1:18: error: expected a number, found ';'"},
        BadCase{"EmptyStruct", "struct S { };\n", "t.idl:1:12: error: expected a type, found '}'"},
        BadCase{
            "LeadingUnderscore", "const uint32 _X = 1;\n",
            "t.idl:1:14: error: identifier starting with '_' (identifiers start with a letter)"},
        BadCase{"BadCharacter", "interface I { $ };\n",
                "t.idl:1:15: error: unexpected character '$'"},
        BadCase{"NonAsciiByte", "interface I { \xff };\n",
                "t.idl:1:15: error: unexpected character byte 0xff"},
        BadCase{"UnterminatedComment", "interface I {\n /* never closed\n",
                "t.idl:2:2: error: unterminated comment (missing '*/')"},
        BadCase{"UnterminatedString", "include \"a.idl\n", "t.idl:1:9: error: unterminated string"},
        BadCase{"MalformedNumber", "const uint32 X = 12ab;\n",
                "t.idl:1:18: error: malformed number '12a'"},
        BadCase{"HexWithoutDigits", "const uint32 X = 0x;\n",
                "t.idl:1:18: error: hexadecimal number without digits"},
        BadCase{"IncludeAfterDeclaration", "const uint32 A = 1;\ninclude \"a.idl\"\n",
                "t.idl:2:1: error: includes must come before every declaration"},
        BadCase{"IncludeNotIdl", "include \"x.h\"\n",
                "t.idl:1:9: error: included path \"x.h\" must end in '.idl'"},
        BadCase{"IncludeMissing", "include \"nope.idl\"\n",
                "t.idl:1:1: error: cannot find included file \"nope.idl\" (searched nope.idl)"},
        BadCase{"IncludeCycle", "include \"a.idl\"\n",
                "b.idl:1:1: error: include cycle: a.idl -> b.idl -> a.idl"},
        BadCase{"ConstTooBig", "const uint8 X = 256;\n",
                "t.idl:1:13: error: value 256 does not fit in uint8"},
        BadCase{"NegativeUnsigned", "const uint32 X = -1;\n",
                "t.idl:1:14: error: value -1 does not fit in uint32"},
        BadCase{"Int8TooSmall", "const int8 X = -129;\n",
                "t.idl:1:12: error: value -129 does not fit in int8"},
        BadCase{"Uint64Overflow", "const uint64 X = 0x10000000000000000;\n",
                "t.idl:1:14: error: value 0x10000000000000000 does not fit in uint64"},
        BadCase{"FractionForInteger", "const uint32 X = 1.5;\n",
                "t.idl:1:14: error: value 1.5 is not an integer, but 'X' is uint32"},
        BadCase{"InfiniteFloat", "const float32 X = 1000000000000000000000000000000000000000;\n",
                "t.idl:1:15: error: value 1000000000000000000000000000000000000000 is infinite "
                "as float32"},
        BadCase{"InterfaceConstTooBig", "interface I { const uint16 K = 70000; };\n",
                "t.idl:1:28: error: value 70000 does not fit in uint16"},
        BadCase{"UnknownType", "interface I { method f(in Foo x); };\n",
                "t.idl:1:27: error: unknown type 'Foo'"},
        BadCase{"ConstIsNotAType", "const uint32 K = 1;\nstruct S { K k; };\n",
                "t.idl:2:12: error: unknown type 'K'"},
        BadCase{"UnknownBase", "interface I : Nope { };\n",
                "t.idl:1:15: error: unknown base interface 'Nope'"},
        BadCase{"InheritanceCycle", "interface A : B { };\ninterface B : A { };\n",
                "t.idl:1:11: error: interface 'A' inherits from itself"},
        BadCase{"DuplicateDeclaration", "struct S { uint8 a; };\ninterface S { };\n",
                "t.idl:2:11: error: 'S' is already declared at t.idl:1:8"},
        BadCase{"DuplicateAcrossInclude", "include \"base.idl\"\ninterface Base { };\n",
                "t.idl:2:11: error: 'Base' is already declared at base.idl:1:11"},
        BadCase{"DuplicateMethodInChain",
                "include \"base.idl\"\ninterface D : Base { method f(); };\n",
                "t.idl:2:29: error: method 'f' is already declared at base.idl:1:25"},
        BadCase{"DuplicateParam", "interface I { method f(in uint32 x, out uint32 x); };\n",
                "t.idl:1:48: error: duplicate parameter 'x' in method 'f'"},
        BadCase{"DuplicateField", "struct S { uint32 a; uint32 a; };\n",
                "t.idl:1:29: error: duplicate field 'a' in struct 'S'"},
        BadCase{"ConstErrorClash", "interface I { const uint32 X = 1; error X; };\n",
                "t.idl:1:41: error: 'X' is already declared at t.idl:1:28"},
        BadCase{"ReservedApiVersion", "interface I { method api_version(); };\n",
                "t.idl:1:22: error: method name 'api_version' is reserved"},
        BadCase{"GeneratedNameClash", "interface I { const uint32 OP_f = 1; method f(); };\n",
                "t.idl:1:28: error: 'I_OP_f' would clash with the op code macro of method 'f'"},
        BadCase{"BoundedPrimitiveParam", "interface I { method f(in uint32[4] x); };\n",
                "t.idl:1:27: error: bounded arrays of primitives or structs cannot be parameters; "
                "use 'uint32[]'"},
        BadCase{"UnboundedObjectArray", "interface I { method f(in interface[] x); };\n",
                "t.idl:1:27: error: unbounded arrays of objects are not allowed; give a size, e.g. "
                "interface[2]"},
        BadCase{"BufferArray", "interface I { method f(in buffer[] x); };\n",
                "t.idl:1:27: error: 'buffer' cannot be an array"},
        BadCase{"ObjectArrayTooBig", "interface I { method f(out interface[16] x); };\n",
                "t.idl:1:28: error: object array size must be from 1 to 15"},
        BadCase{"ObjectArrayWithObject",
                "interface I { method f(in interface[2] x, in interface y); };\n",
                "t.idl:1:22: error: method 'f' has an object array and another object parameter in "
                "the same direction ('in'); an object array must be the only object of its "
                "direction"},
        BadCase{"TwoObjectArrays",
                "interface I { method f(out interface[2] x, out interface[3] y); };\n",
                "t.idl:1:22: error: method 'f' has an object array and another object parameter in "
                "the same direction ('out'); an object array must be the only object of its "
                "direction"},
        BadCase{"StructWithObjectsAsParam",
                "struct S { interface o; };\ninterface I { method f(in S s); };\n",
                "t.idl:2:27: error: struct 'S' contains objects and cannot be a parameter: Mink's "
                "layout for such structs breaks the BI, BO, OI, OO order"},
        BadCase{"BufferField", "struct S { buffer b; };\n",
                "t.idl:1:12: error: 'buffer' cannot be a struct field; use a bounded array such as "
                "uint8[N]"},
        BadCase{"UnboundedField", "struct S { uint32[] a; };\n",
                "t.idl:1:12: error: unbounded arrays cannot be struct fields; give a size, e.g. "
                "uint32[4]"},
        BadCase{"ObjectArrayField", "struct S { interface[2] a; };\n",
                "t.idl:1:12: error: arrays of objects cannot be struct fields"},
        BadCase{"ZeroArrayField", "struct S { uint32[0] a; };\n",
                "t.idl:1:12: error: array size must be at least 1"},
        BadCase{"MisalignedField", "struct S { uint8 a; uint32 b; };\n",
                "t.idl:1:28: error: field 'b' is at offset 1, not a multiple of its alignment 4; "
                "add explicit padding fields before it"},
        BadCase{"MissingTailPadding", "struct S { uint64 a; uint32 b; };\n",
                "t.idl:1:8: error: struct 'S' is 12 bytes, not a multiple of its alignment 8; add "
                "explicit tail padding"},
        BadCase{"GenericObjectFieldAlignment", "struct S { uint64 a; interface o; };\n",
                "t.idl:1:32: error: field 'o' is at offset 8, not a multiple of its alignment 16; "
                "add explicit padding fields before it"},
        BadCase{"StructCycle", "struct A { B b; };\nstruct B { A a; };\n",
                "t.idl:1:8: error: struct 'A' contains itself"},
        BadCase{"TooManyBuffers", many_buffers(16),
                "t.idl:1:22: error: method 'I.m' needs 16 input buffers; ObjectCounts allows at "
                "most 15"},
        BadCase{"TooManyMethods", many_methods(0x4001),
                "t.idl:16386:8: error: method 'm16384' would get op 16384, above the limit 16383 "
                "(0x3FFF)"},
        BadCase{"VersionDecreases",
                "interface I { #[version=1.2] method a(); #[version=1.1] method b(); };\n",
                "t.idl:1:64: error: method 'b' has version 1.1, lower than an earlier method's; "
                "versions must not decrease"},
        BadCase{"VersionOutOfRange", "interface I { #[version=1024.0] method a(); };\n",
                "t.idl:1:25: error: version must be 'X.Y' with X and Y from 0 to 1023, found "
                "'1024.0'"},
        BadCase{"VersionWithoutMinor", "interface I { #[version=1] method a(); };\n",
                "t.idl:1:25: error: version must be 'X.Y' with X and Y from 0 to 1023, found '1'"},
        BadCase{"TwoVersions", "interface I { #[version=1.0] #[version=1.1] method a(); };\n",
                "t.idl:1:30: error: method has more than one version attribute"},
        BadCase{"OptionalAttribute", "interface I { #[optional] method a(); };\n",
                "t.idl:1:17: error: attribute 'optional' is not supported (Mink idlc removed it "
                "in 1.0); use #[version=X.Y]"},
        BadCase{"UnknownAttribute", "interface I { #[fast] method a(); };\n",
                "t.idl:1:17: error: expected attribute 'version', found 'fast'"},
        BadCase{"KeywordInterfaceName", "interface class { };\n",
                "t.idl:1:11: error: interface name 'class' is a C or C++ keyword"},
        BadCase{"ReservedTypeName", "struct type { uint8 a; };\n",
                "t.idl:1:8: error: 'type' cannot name a type: the generated code uses it"},
        BadCase{"GeneratedMacroClash",
                "const uint32 IW_X = 1;\ninterface IW { const uint32 X = 2; };\n",
                "t.idl:2:29: error: the generated C name 'IW_X' is also produced by the "
                "declaration at t.idl:1:14"},
        BadCase{"StructNamedLikeAStub",
                "struct IW_f { uint8 a; };\ninterface IW { method f(); };\n",
                "t.idl:2:23: error: the generated C name 'IW_f' is also produced by the "
                "declaration at t.idl:1:8"},
        BadCase{"ReservedMethodName", "interface I { method release(); };\n",
                "t.idl:1:22: error: method name 'release' is reserved"}),
    [](const ::testing::TestParamInfo<BadCase> &info) { return info.param.name; });

}  // namespace
}  // namespace captee::idl::test
