// How a method's parameters travel in an ObjectArg array: Mink's marshalling
// rules (spec §7.7), computed once and shared by the C and C++ generators and
// by the tests that check interface facts.
//
// In short: primitives and structs of at most 16 bytes are "bundleable". When
// a direction has two or more of them they are packed, sorted by decreasing
// alignment (stable), into one buffer (the bundle) whose size is the unpadded
// sum; that bundle is the first buffer of its direction. A lone bundleable
// parameter travels in its own buffer at its declaration position. Then come
// the data buffers in declaration order, then input objects, then output
// objects (object arrays take one slot per element).
#pragma once

#include <cstdint>
#include <vector>

#include "captee/idl/ast.h"

namespace captee::idl {

enum class Section : uint8_t { kBI, kBO, kOI, kOO };

enum class BundleOrder : uint8_t {
  kByAlignment,  // idlc >= v0.2.4 default
  kBySize,       // idlc v0.2.0-v0.2.3, or --bundle-params-by-size
};

// True for a non-array primitive or a non-array struct of at most 16 bytes.
bool is_bundleable(const Type &type);
// Size in bytes of one element of `type` ignoring any array: primitive size,
// struct size, 1 for `buffer`, 16 for objects.
uint64_t element_size(const Type &type);
// Alignment of one element, by the IDL rules (objects: 16 generic, 8 typed).
uint32_t element_align(const Type &type);

struct BundleMember {
  const Param *param = nullptr;
  uint64_t offset = 0;
  uint64_t size = 0;
};

struct Bundle {
  std::vector<BundleMember> members;  // in memory order
  uint64_t size = 0;                  // sum of member sizes, no tail padding
  size_t arg_index = 0;               // position in the argument array
  bool present() const { return !members.empty(); }
};

struct ArgSlot {
  enum class Role : uint8_t {
    kBundle,  // the packed bundle of its direction
    kSingle,  // one primitive or struct, exact size (lone bundleable, or struct > 16 B)
    kData,    // buffer or unbounded array: size = count x element size
    kObject,  // one object (one element of an object array)
  };
  Section section = Section::kBI;
  Role role = Role::kData;
  const Param *param = nullptr;  // null for a bundle
  uint32_t element = 0;          // object arrays: which element
  uint64_t size = 0;             // exact size for kBundle and kSingle
  uint64_t elem_size = 0;        // kData: bytes per element
};

struct MethodLayout {
  Bundle in_bundle;
  Bundle out_bundle;
  std::vector<ArgSlot> args;  // in ObjectArg order: BI, BO, OI, OO
  uint32_t bi = 0, bo = 0, oi = 0, oo = 0;

  // ObjectCounts_pack(bi, bo, oi, oo).
  uint32_t counts() const { return bi | (bo << 4) | (oi << 8) | (oo << 12); }
  // Index of the first slot carrying `param`, or -1 when it rides in a bundle.
  int index_of(const Param *param) const;
};

// Lays out an analysed method. Counts above 15 are returned as computed; the
// analyser rejects such methods before any generator runs. The returned slots
// point at `method`'s parameters, so `method` must outlive the layout.
MethodLayout layout_method(const MethodDecl &method, BundleOrder order = BundleOrder::kByAlignment);

}  // namespace captee::idl
