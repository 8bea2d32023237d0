#include "captee/idl/layout.h"

#include <algorithm>

namespace captee::idl {

uint64_t element_size(const Type &type) {
  if (type.is_object()) {
    return 16;
  }
  switch (type.kind) {
    case Type::Kind::kPrimitive:
      return primitive_size(type.prim);
    case Type::Kind::kBuffer:
      return 1;
    default:
      return type.struct_decl != nullptr ? type.struct_decl->size : 0;
  }
}

uint32_t element_align(const Type &type) {
  if (type.kind == Type::Kind::kInterface) {
    return 16;
  }
  if (type.iface != nullptr) {
    return 8;
  }
  switch (type.kind) {
    case Type::Kind::kPrimitive:
      return primitive_size(type.prim);
    case Type::Kind::kBuffer:
      return 1;
    default:
      return type.struct_decl != nullptr ? type.struct_decl->align : 1;
  }
}

bool is_bundleable(const Type &type) {
  if (type.array != Type::Array::kNone) {
    return false;
  }
  if (type.kind == Type::Kind::kPrimitive) {
    return true;
  }
  return type.struct_decl != nullptr && type.struct_decl->size <= 16 &&
         !type.struct_decl->has_objects;
}

int MethodLayout::index_of(const Param *param) const {
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i].param == param) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

namespace {

Bundle make_bundle(const std::vector<const Param *> &members, BundleOrder order) {
  Bundle b;
  for (const Param *p : members) {
    b.members.push_back({p, 0, element_size(p->type)});
  }
  std::stable_sort(b.members.begin(), b.members.end(),
                   [order](const BundleMember &x, const BundleMember &y) {
                     if (order == BundleOrder::kBySize) {
                       return x.size > y.size;
                     }
                     return element_align(x.param->type) > element_align(y.param->type);
                   });
  for (auto &m : b.members) {
    m.offset = b.size;
    b.size += m.size;
  }
  return b;
}

// Appends the buffer slots of one direction: the bundle first, then data
// buffers and lone bundleables in declaration order.
void add_buffers(const MethodDecl &method, bool out, BundleOrder order, MethodLayout &layout,
                 Bundle &bundle, uint32_t &count) {
  const Section section = out ? Section::kBO : Section::kBI;
  std::vector<const Param *> bundleable;
  for (const Param &p : method.params) {
    if (p.out == out && !p.type.is_object() && is_bundleable(p.type)) {
      bundleable.push_back(&p);
    }
  }
  const bool bundled = bundleable.size() >= 2;
  if (bundled) {
    bundle = make_bundle(bundleable, order);
    bundle.arg_index = layout.args.size();
    ArgSlot slot;
    slot.section = section;
    slot.role = ArgSlot::Role::kBundle;
    slot.size = bundle.size;
    layout.args.push_back(slot);
    ++count;
  }
  for (const Param &p : method.params) {
    if (p.out != out || p.type.is_object()) {
      continue;
    }
    ArgSlot slot;
    slot.section = section;
    slot.param = &p;
    if (is_bundleable(p.type)) {
      if (bundled) {
        continue;
      }
      slot.role = ArgSlot::Role::kSingle;
      slot.size = element_size(p.type);
    } else if (p.type.kind == Type::Kind::kBuffer || p.type.array == Type::Array::kUnbounded) {
      slot.role = ArgSlot::Role::kData;
      slot.elem_size = element_size(p.type);
    } else {
      slot.role = ArgSlot::Role::kSingle;  // a struct larger than 16 bytes
      slot.size = element_size(p.type);
    }
    layout.args.push_back(slot);
    ++count;
  }
}

void add_objects(const MethodDecl &method, bool out, MethodLayout &layout, uint32_t &count) {
  for (const Param &p : method.params) {
    if (p.out != out || !p.type.is_object()) {
      continue;
    }
    const uint32_t n = p.type.array == Type::Array::kBounded ? p.type.bound : 1;
    for (uint32_t e = 0; e < n; ++e) {
      ArgSlot slot;
      slot.section = out ? Section::kOO : Section::kOI;
      slot.role = ArgSlot::Role::kObject;
      slot.param = &p;
      slot.element = e;
      layout.args.push_back(slot);
      ++count;
    }
  }
}

}  // namespace

MethodLayout layout_method(const MethodDecl &method, BundleOrder order) {
  MethodLayout layout;
  add_buffers(method, false, order, layout, layout.in_bundle, layout.bi);
  add_buffers(method, true, order, layout, layout.out_bundle, layout.bo);
  add_objects(method, false, layout, layout.oi);
  add_objects(method, true, layout, layout.oo);
  return layout;
}

}  // namespace captee::idl
